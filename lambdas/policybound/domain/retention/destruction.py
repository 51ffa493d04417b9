"""Destruction (§4, §9): record and key deleted together, with a ledger entry that holds no PI.

Deleting the per-record data key is what makes destruction irreversible: copies of the record in
point-in-time backups stay encrypted under a key that no longer exists anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from policybound.domain.core import retention
from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.domain.core.model import RecordStatus, StoredSubmission
from policybound.domain.core.ports import DestroyOutcome, SubmissionStore


class DestructionReason(StrEnum):
    RETENTION_EXPIRED = "retention_expired"
    UNSUBSCRIBED = "unsubscribed"
    SUBJECT_ERASURE = "subject_erasure"
    TTL_BACKSTOP = "ttl_backstop"
    GUARDIAN_UNCONFIRMED = "guardian_unconfirmed"
    # A submission taken back because its follow-up failed (the client was answered 503), after the
    # sealing job had already chained its consent entry.
    INTAKE_FAILED = "intake_failed"
    # The subject withdrew consent to the record's last purpose: nothing is left to keep it for.
    CONSENT_WITHDRAWN = "consent_withdrawn"


# A concurrent hold or release can change a record between reading and acting; a few rounds settle it.
_ATTEMPTS = 3

# The legal-hold ledger's event when a hold kept a record whose use ended: the record is destroyed on the
# first sweep after the hold's release.
_ENDED_WHILE_HELD = {
    DestructionReason.UNSUBSCRIBED: "subscription_cancelled_while_held",
    DestructionReason.SUBJECT_ERASURE: "erasure_deferred_while_held",
}


def ended_while_held_entry(submission_id: str, reason: DestructionReason, at: datetime) -> LedgerDraft:
    return LedgerDraft.event(LedgerKind.LEGAL_HOLD, at, _ENDED_WHILE_HELD[reason], submission_id=submission_id)


def destruction_entry(record: StoredSubmission, reason: DestructionReason, clock: Clock) -> LedgerDraft:
    now = clock.now()
    if reason is DestructionReason.RETENTION_EXPIRED:
        # A child's record whose legal representative never confirmed ends 7 days after submission through
        # the ordinary sweep (see `guardians`); a record whose use ended while a legal hold kept it (an
        # unsubscribe, a refused erasure) is swept after the release. The ledger names the real reason.
        if record.use_ended_by is not None:
            reason = DestructionReason(record.use_ended_by)
        elif record.status is RecordStatus.PENDING_GUARDIAN:
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


@dataclass(eq=False, repr=False)
class Destroyer:
    """Destroys records (record and key together) with a ledger entry naming why."""

    store: SubmissionStore
    clock: Clock

    def destroy(self, record: StoredSubmission, reason: DestructionReason) -> DestroyOutcome:
        return self.store.destroy(record.submission_id, destruction_entry(record, reason, self.clock))

    def end_use(
        self, record: StoredSubmission, reason: DestructionReason, unsubscribe_hash: str | None = None
    ) -> DestroyOutcome | None:
        """Destroy the record now; if a legal hold keeps it (§4.2), end its use and its retention now
        instead, so that no reader sees it any more and the first sweep after the release destroys it.
        HELD means the latter was done; None means the record changed meanwhile (look again)."""
        outcome = self.destroy(record, reason)
        if outcome is not DestroyOutcome.HELD:
            return outcome
        now = self.clock.now()
        entry = ended_while_held_entry(record.submission_id, reason, now)
        ended = self.store.end_held_use(
            record.submission_id, retention.epoch_seconds(now), reason.value, entry, unsubscribe_hash
        )
        return DestroyOutcome.HELD if ended else None

    def erase(self, record: StoredSubmission) -> DestroyOutcome:
        """The subject's erasure (§6): destroyed, or — under a legal hold — out of use at once and destroyed
        after the release. HELD tells the caller the hold deferred the destruction."""
        for _ in range(_ATTEMPTS):
            outcome = self.end_use(record, DestructionReason.SUBJECT_ERASURE)
            if outcome is not None:
                return outcome
            current = self.store.get(record.submission_id)
            if current is None:
                return DestroyOutcome.ALREADY_GONE
            if current.use_ended_by is not None:
                return DestroyOutcome.HELD  # ended already (an earlier erasure or unsubscribe)
            record = current
        raise Unavailable("DynamoDB (legal hold contention)")

    def shred_after_ttl(self, record: StoredSubmission) -> DestroyOutcome:
        """DynamoDB's TTL deleted the record before the sweeper did; backups still hold copies of it.
        Deleting its key makes those copies unreadable, and the ledger records the destruction."""
        return self.store.shred_key(
            record.submission_id, destruction_entry(record, DestructionReason.TTL_BACKSTOP, self.clock)
        )
