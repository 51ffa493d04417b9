"""Legal holds (§4.2): records an investigation needs are kept past their retention until released.

A held record leaves the expiry index and loses its TTL, so neither the sweeper nor DynamoDB's TTL
can reach it, and every destruction path refuses it. Releasing the last hold on a record gives its
expiry back; a record already past due is then destroyed by the next sweep. Placing and releasing
are each one transaction with their ledger entry, which names ids, the case and the staff member —
never the reason's text (it is free text), only its hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from policybound.domain.core import retention
from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import FieldProblem, NotFound, ValidationFailed
from policybound.domain.core.ledger import LedgerDraft, LedgerKind, LedgerValue
from policybound.domain.core.model import LegalHold, random_id
from policybound.domain.core.ports import BlindIndex, LegalHoldStore
from policybound.domain.core.records import RecordReader

_REFUSED = "Some records cannot be held: they are destroyed, or their retention has ended. Nothing was held."

# A hold and its records are written in one DynamoDB transaction (at most 100 items: the hold, the
# ledger entry and the records).
MAX_RECORDS_PER_HOLD = 50


def _hold_entry(hold: LegalHold, event: str, at: datetime, **fields: LedgerValue) -> LedgerDraft:
    """A hold's entry: both events name the hold, its case and every record it holds."""
    return LedgerDraft.event(
        LedgerKind.LEGAL_HOLD,
        at,
        event,
        hold_id=hold.hold_id,
        case_reference=hold.case_reference,
        submission_ids=list(hold.submission_ids),
        **fields,
    )


def placed_entry(hold: LegalHold, selected_by: str) -> LedgerDraft:
    return _hold_entry(
        hold,
        "placed",
        hold.placed_at,
        selected_by=selected_by,
        placed_by=hold.placed_by,
        reason_sha256=hashlib.sha256(hold.reason.encode()).hexdigest(),
    )


def released_entry(hold: LegalHold) -> LedgerDraft:
    assert hold.released_at is not None
    return _hold_entry(hold, "released", hold.released_at, released_by=hold.released_by)


@dataclass(frozen=True)
class Release:
    """A released hold, and whether this release changed it."""

    hold: LegalHold
    # False when the hold had been released before: a repeated release changes nothing.
    changed: bool


@dataclass(eq=False, repr=False)
class LegalHoldService:
    """Places and releases legal holds on records, each with its ledger entry."""

    holds: LegalHoldStore
    reader: RecordReader
    blind_index: BlindIndex
    clock: Clock
    new_id: Callable[[], str] = random_id

    def hold_records(self, submission_ids: Sequence[str], case_reference: str, reason: str, staff_id: str) -> LegalHold:
        if not submission_ids or len(submission_ids) > MAX_RECORDS_PER_HOLD:
            raise ValidationFailed(
                f"A hold names between 1 and {MAX_RECORDS_PER_HOLD} records.",
                (FieldProblem("submission_ids", f"must list 1 to {MAX_RECORDS_PER_HOLD} ids"),),
            )
        hold, refused = self._place(
            tuple(dict.fromkeys(submission_ids)), case_reference, reason, staff_id, "submission_ids"
        )
        if refused:
            raise NotFound(
                _REFUSED,
                tuple(
                    FieldProblem(f"submission_ids[{index}]", "is not a record that is kept")
                    for index, submission_id in enumerate(submission_ids)
                    if submission_id in refused
                ),
            )
        return hold

    def hold_subject(self, email: str, case_reference: str, reason: str, staff_id: str) -> LegalHold:
        """Hold every live record of the person with this address, found through the blind index."""
        records = self.reader.of_subject(self.blind_index.subject_of(email))
        if not records:
            raise NotFound(
                "No records are kept for that email address, so nothing was held.",
                (FieldProblem("email", "has no records that are kept"),),
            )
        if len(records) > MAX_RECORDS_PER_HOLD:
            raise NotFound(
                f"That address has {len(records)} records; one hold takes at most {MAX_RECORDS_PER_HOLD}. "
                "Hold them by submission_ids in several holds.",
                (FieldProblem("email", f"has more than {MAX_RECORDS_PER_HOLD} records"),),
            )
        ids = tuple(record.submission_id for record in records)
        hold, refused = self._place(ids, case_reference, reason, staff_id, "email")
        if refused:
            # Destroyed or expired between the lookup and the write: the caller may simply retry.
            raise NotFound(_REFUSED, (FieldProblem("email", "has records that stopped being kept just now"),))
        return hold

    def get(self, hold_id: str) -> LegalHold:
        hold = self.holds.get(hold_id)
        if hold is None:
            raise NotFound("No legal hold has this id.", (FieldProblem("hold_id", "is not a legal hold"),))
        return hold

    def release(self, hold_id: str, staff_id: str) -> Release:
        hold = self.get(hold_id)
        if not hold.active:
            return Release(hold, changed=False)
        released = replace(hold, released_by=staff_id, released_at=self.clock.now())
        if not self.holds.release(released, released_entry(released)):
            # Released by someone else since we read it: report theirs.
            current = self.holds.get(hold_id)
            return Release(current or released, changed=False)
        return Release(released, changed=True)

    def _place(
        self, ids: tuple[str, ...], case_reference: str, reason: str, staff_id: str, selected_by: str
    ) -> tuple[LegalHold, set[str]]:
        now = self.clock.now()
        hold = LegalHold(
            hold_id=self.new_id(),
            case_reference=case_reference,
            reason=reason,
            submission_ids=ids,
            placed_by=staff_id,
            placed_at=now,
        )
        return hold, set(self.holds.place(hold, placed_entry(hold, selected_by), retention.epoch_seconds(now)))
