"""Withdrawing consent to one purpose of a record (PIPA art. 37; policy §2, §4).

A record's stored `purposes` are what it may be used for: the marketing audience, staff reads and
letters all read them. Withdrawing a purpose takes it off the record and keeps the rest — a
resources download whose subject stops marketing email is still the record of the resource they
asked for. A purpose withdrawn that was the record's last leaves nothing the record may be kept for,
so it is destroyed at once (§4: destroyed without delay once its purpose is gone).

This is the one way a purpose leaves a record: the subject's rights request and a letter's
unsubscribe both come here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.domain.core.ports import DestroyOutcome, RecordChanges, SubmissionStore
from policybound.domain.core.records import RecordReader
from policybound.domain.retention.destruction import Destroyer, DestructionReason
from policybound.policy import Purpose

# A concurrent change to the record's purposes moves the one to remove; read again and retry.
MAX_ATTEMPTS = 3


class WithdrawalOutcome(StrEnum):
    WITHDRAWN = "withdrawn"
    # The record was not (or is no longer) kept for that purpose: nothing to do, and no error.
    NOT_CONSENTED = "not_consented"
    # It was the record's last purpose: the record was destroyed.
    DESTROYED = "destroyed"
    # ... but a legal hold preserves it (§4.2); the purpose is off it all the same.
    HELD = "held"
    GONE = "gone"


class PurposeStore(SubmissionStore, RecordChanges, Protocol):
    pass


@dataclass(eq=False, repr=False)
class PurposeWithdrawals:
    """Withdraws one purpose's consent from a record, destroying the record when none is left."""

    store: PurposeStore
    reader: RecordReader
    destroyer: Destroyer
    clock: Clock

    def withdraw_purpose(self, submission_id: str, purpose: Purpose) -> WithdrawalOutcome:
        for _ in range(MAX_ATTEMPTS):
            record = self.reader.live(submission_id)
            if record is None:
                return WithdrawalOutcome.GONE
            purposes = record.consent.purposes
            if purpose not in purposes:
                return WithdrawalOutcome.NOT_CONSENTED
            left = tuple(p for p in purposes if p is not purpose)
            entry = LedgerDraft.about_record(
                LedgerKind.CONSENT,
                self.clock.now(),
                "purpose_withdrawn",
                record,
                purpose=purpose.value,
                purposes_left=[p.value for p in left],
            )
            if not self.store.remove_purpose(submission_id, purposes.index(purpose), purpose, entry):
                continue  # the record changed meanwhile (or is gone): look again
            if left:
                return WithdrawalOutcome.WITHDRAWN
            outcome = self.destroyer.destroy(record, DestructionReason.CONSENT_WITHDRAWN)
            return WithdrawalOutcome.HELD if outcome is DestroyOutcome.HELD else WithdrawalOutcome.DESTROYED
        if self.reader.live(submission_id) is None:
            return WithdrawalOutcome.GONE
        raise Unavailable("DynamoDB (record changing concurrently)")
