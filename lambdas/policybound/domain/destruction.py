"""Destruction (§4, §9): record and key deleted together, with a ledger entry that holds no PI.

Deleting the per-record data key is what makes destruction irreversible: copies of the record in
point-in-time backups stay encrypted under a key that no longer exists anywhere.
"""

from __future__ import annotations

from enum import StrEnum

from policybound.domain.clock import Clock
from policybound.domain.ledger import LedgerDraft, LedgerKind
from policybound.domain.model import RecordStatus, StoredSubmission
from policybound.domain.ports import DestroyOutcome, SubmissionStore


class DestructionReason(StrEnum):
    RETENTION_EXPIRED = "retention_expired"
    UNSUBSCRIBED = "unsubscribed"
    SUBJECT_ERASURE = "subject_erasure"
    TTL_BACKSTOP = "ttl_backstop"
    GUARDIAN_UNCONFIRMED = "guardian_unconfirmed"


def destruction_entry(record: StoredSubmission, reason: DestructionReason, clock: Clock) -> LedgerDraft:
    now = clock.now()
    # A child's record whose legal representative never confirmed ends 7 days after submission through
    # the ordinary sweep (see `guardians`); the ledger names the real reason.
    if reason is DestructionReason.RETENTION_EXPIRED and record.status is RecordStatus.PENDING_GUARDIAN:
        reason = DestructionReason.GUARDIAN_UNCONFIRMED
    return LedgerDraft(
        kind=LedgerKind.DESTRUCTION,
        at=now,
        payload={
            "submission_id": record.submission_id,
            "form": record.form.value,
            "consented_at": record.consent.consented_at.isoformat(),
            "due_at": record.retained_until.isoformat(),
            "destroyed_at": now.isoformat(),
            "reason": reason.value,
        },
    )


class Destroyer:
    def __init__(self, store: SubmissionStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def destroy(self, record: StoredSubmission, reason: DestructionReason) -> DestroyOutcome:
        return self._store.destroy(record.submission_id, destruction_entry(record, reason, self._clock))

    def shred_after_ttl(self, record: StoredSubmission) -> DestroyOutcome:
        """DynamoDB's TTL deleted the record before the sweeper did; backups still hold copies of it.
        Deleting its key makes those copies unreadable, and the ledger records the destruction."""
        return self._store.shred_key(
            record.submission_id, destruction_entry(record, DestructionReason.TTL_BACKSTOP, self._clock)
        )
