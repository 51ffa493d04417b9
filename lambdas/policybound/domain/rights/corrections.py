"""Correcting a record (§6), by its subject, their legal representative, or staff completing a request.

A correction meets the form's own rules: the corrected items are checked and normalised by the same
generated model as a submission. Items can be changed; optional items can be removed (null), or added
only when optional consent was given; items outside the form are refused. The corrected PI is sealed
under a fresh data key, which replaces the old one in the same transaction: every backup copy of the
uncorrected PI becomes unreadable. Recipients who were given a corrected item are told (§6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import FieldProblem, NotFound, ValidationFailed
from policybound.domain.core.forms import validate_fields
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.domain.core.model import PersonalData, StoredSubmission
from policybound.domain.core.ports import BlindIndex, RecordChanges, Sealer, SubmissionStore
from policybound.domain.core.records import OpenRecord, RecordReader
from policybound.domain.core.sealing import seal_payload
from policybound.domain.rights.disclosures import DisclosureService
from policybound.domain.rights.guardians import check_representative_differs
from policybound.policy import form_as_consented

Patch = Mapping[str, str | None]


class CorrectedBy(StrEnum):
    SUBJECT = "subject"
    LEGAL_REPRESENTATIVE = "legal_representative"
    STAFF = "staff"


class CorrectionRecords(SubmissionStore, RecordChanges, Protocol):
    pass


@dataclass(frozen=True)
class CorrectionPlan:
    """A checked correction, not stored yet: the record, its corrected items, and what changes."""

    opened: OpenRecord
    fields: dict[str, str]
    # Item name -> corrected value; None for an item removed.
    changed: dict[str, str | None]


@dataclass(eq=False, repr=False)
class Corrector:
    """Checks a correction against the record's form, then stores it sealed under a fresh key."""

    store: CorrectionRecords
    reader: RecordReader
    sealer: Sealer
    blind_index: BlindIndex
    disclosures: DisclosureService
    clock: Clock

    def plan(self, record: StoredSubmission, patch: Patch, prefix: str = "fields") -> CorrectionPlan:
        """Check a correction without storing anything; ValidationFailed names each problem."""
        opened = self.reader.open(record)
        if opened is None:
            raise NotFound("This record no longer exists.")
        # The record is corrected by the rules of the form it was collected by: its version's.
        policy = form_as_consented(record.consent.policy_version, record.form)
        if not patch:
            raise ValidationFailed("Name at least one item to correct.", (FieldProblem(prefix, "names no item"),))
        problems = []
        for name, value in patch.items():
            if name not in policy.items:
                problems.append(FieldProblem(f"{prefix}.{name}", "is not a field of this form"))
            elif name in policy.optional_items and value is not None and not record.consent.optional:
                problems.append(
                    FieldProblem(
                        f"{prefix}.{name}", "is optional and was collected without consent to it, so it cannot be added"
                    )
                )
        if problems:
            raise ValidationFailed("Some fields cannot be corrected; see details.", tuple(problems))
        current = opened.data.fields
        merged = {name: value for name, value in current.items() if name not in patch}
        merged |= {name: value for name, value in patch.items() if value is not None}
        fields = validate_fields(policy, merged, prefix)
        check_representative_differs(fields["email"], opened.data.representative, f"{prefix}.email")
        changed = {
            name: fields.get(name)
            for name in policy.items
            if (name in fields or name in current) and fields.get(name) != current.get(name)
        }
        return CorrectionPlan(opened, fields, changed)

    def apply(self, plan: CorrectionPlan, by: CorrectedBy, request_id: str | None = None) -> OpenRecord:
        record, data = plan.opened.record, plan.opened.data
        submission_id = record.submission_id
        if plan.changed:
            self.disclosures.mark_corrections(submission_id, tuple(plan.changed))
            subject = self.blind_index.subject_of(plan.fields["email"]) if "email" in plan.changed else record.subject
            data = PersonalData(plan.fields, data.origin, data.representative)
            sealed, key = self.sealer.seal(submission_id, seal_payload(data))
            entry = LedgerDraft.about_record(
                LedgerKind.RIGHTS_REQUEST,
                self.clock.now(),
                "record_corrected",
                record,
                items=list(plan.changed),
                by=by.value,
                request_id=request_id,
            )
            if not self.store.replace_personal_data(submission_id, sealed, key, subject, entry):
                raise NotFound("This record no longer exists.")
            record = replace(record, sealed=sealed, subject=subject)
        # Also after a correction that changed nothing: a retry delivers what an earlier attempt owed.
        self.disclosures.deliver_pending(submission_id, data.fields)
        return OpenRecord(record, data)

    def correct(
        self, record: StoredSubmission, patch: Patch, by: CorrectedBy, request_id: str | None = None
    ) -> OpenRecord:
        return self.apply(self.plan(record, patch), by, request_id)
