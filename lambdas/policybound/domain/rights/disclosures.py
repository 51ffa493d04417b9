"""Provision of personal information to third parties (§3), and correction notices to them (§6).

Nothing is provided without a legal basis the policy names: the subject's prior consent (referenced)
or a lawful request of an investigative agency (agency, legal provision, case number). Only active
records are provided: a restricted record (a correction is pending) and a child's record awaiting its
representative are never used. Each provision is kept per record, shown to the subject, and chained
in the ledger (ids, item names and the basis only). When a provided record is corrected, every
recipient who received a corrected item is sent the corrected values, and the notice is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Protocol

from dateutil.relativedelta import relativedelta
from pydantic import ConfigDict, Field

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import FieldProblem, NotFound, RecordNotUsable, ValidationFailed
from policybound.domain.core.forms import item_schema
from policybound.domain.core.json_fields import Omittable
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.domain.core.model import ID_PATTERN, RecordStatus, random_id
from policybound.domain.core.normalize import email_schema, normalize_email, normalize_text
from policybound.domain.core.ports import Mailer
from policybound.domain.core.records import RecordReader
from policybound.domain.core.shapes import Shape, one_of_shapes
from policybound.domain.rights.mail import correction_notice
from policybound.domain.staff.actor import Actor
from policybound.obligations import PROVISION_RECORD_YEARS
from policybound.policy import ITEMS, Item, LegalBasis

MAX_RECORDS_PER_PROVISION = 25

_FREE_TEXT = Item("free_text", ITEMS["organization"].label, "text", 200)


# The schema of a free text as `_text` checks it (its length and the text pattern).
_FREE_TEXT_SCHEMA = item_schema(_FREE_TEXT)


def _text(value: str) -> str:
    return normalize_text(value, _FREE_TEXT)


class RecipientIn(LazyModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        min_length=1,
        max_length=800,
        json_schema_extra=_FREE_TEXT_SCHEMA,
        description="Who receives the information (organisation)",
    )
    email: str = Field(
        min_length=3,
        max_length=1000,
        json_schema_extra=email_schema,
        description="Where correction notices go (§6); checked by email-validator",
    )


class LawEnforcementIn(LazyModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agency: str = Field(
        min_length=1, max_length=800, json_schema_extra=_FREE_TEXT_SCHEMA, examples=["Seoul Metropolitan Police Agency"]
    )
    legal_provision: str = Field(
        min_length=1,
        max_length=800,
        json_schema_extra=_FREE_TEXT_SCHEMA,
        examples=["Criminal Procedure Act art. 199(2)"],
        description="The law it relies on",
    )
    case_number: str = Field(
        min_length=1, max_length=400, json_schema_extra=_FREE_TEXT_SCHEMA, examples=["2026-형제-12345"]
    )


def _basis(basis: LegalBasis, evidence: str, other: str) -> Shape:
    title = f"DisclosureBy{basis.value.title().replace('_', '')}"
    return Shape(
        title, carries=(evidence,), omits=(other,), fixed={"legal_basis": {"type": "string", "enum": [basis.value]}}
    )


class DisclosureRequest(LazyModel):
    """What the PI manager sends to record (and obtain) a provision to a third party."""

    # "Each basis with its own evidence" is checked in `provide` (its answers name the missing part);
    # the schema states it as one complete shape per basis.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra=one_of_shapes(
            _basis(LegalBasis.CONSENT, "consent_reference", "law_enforcement"),
            _basis(LegalBasis.LAW_ENFORCEMENT, "law_enforcement", "consent_reference"),
        ),
    )

    submission_ids: list[Annotated[str, Field(pattern=ID_PATTERN)]] = Field(
        min_length=1, max_length=MAX_RECORDS_PER_PROVISION
    )
    recipient: RecipientIn
    items: list[str] = Field(
        min_length=1,
        max_length=len(ITEMS),
        examples=[["name", "email"]],
        # Checked in `provide`, so an unknown one is named in the answer's details.
        json_schema_extra={"items": {"type": "string", "enum": list(ITEMS)}},
    )
    legal_basis: LegalBasis = Field(
        description="consent: the subject agreed in advance (give consent_reference); law_enforcement: a lawful "
        "request of an investigative agency (give law_enforcement)"
    )
    consent_reference: Omittable[str] = Field(
        default=None,
        min_length=1,
        max_length=800,
        json_schema_extra=_FREE_TEXT_SCHEMA,
        description="Where the subject's prior consent is kept",
    )
    law_enforcement: Omittable[LawEnforcementIn] = None


@dataclass(frozen=True)
class Recipient:
    """Who received a provision, and where its correction notices go."""

    name: str
    email: str


@dataclass(frozen=True)
class LawEnforcement:
    """The evidence of an investigative agency's lawful request (§3)."""

    agency: str
    legal_provision: str
    case_number: str


@dataclass(frozen=True)
class CorrectionNotice:
    """A notice of corrected items sent to a provision's recipient (§6)."""

    sent_at: datetime
    items: tuple[str, ...]


@dataclass(frozen=True)
class Disclosure:
    """One record's part in one provision."""

    disclosure_id: str
    submission_id: str
    recipient: Recipient
    items: tuple[str, ...]
    legal_basis: LegalBasis
    provided_at: datetime
    provided_by: str
    keep_until: datetime
    consent_reference: str | None = None
    law_enforcement: LawEnforcement | None = None
    notices: tuple[CorrectionNotice, ...] = ()
    # Corrected items this recipient holds and has not yet been told about.
    pending_items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provision:
    """One provision as recorded, with the values handed over."""

    disclosure_id: str
    provided_at: datetime
    disclosures: tuple[Disclosure, ...]
    # What was handed over, per record: the values of the provided items.
    values: dict[str, dict[str, str]]


class DisclosureStore(Protocol):
    def record(self, disclosures: Sequence[Disclosure], entry: LedgerDraft) -> None:
        """Every record's part and the ledger entry, in one transaction."""
        ...

    def of_record(self, submission_id: str) -> list[Disclosure]: ...

    def add_pending(self, submission_id: str, disclosure_id: str, items: Sequence[str]) -> None:
        """Remember that these corrected items are still to be sent to this provision's recipient."""
        ...

    def notice_sent(self, disclosure: Disclosure, notice: CorrectionNotice, entry: LedgerDraft) -> None:
        """Record the notice, clear the items it carried from the pending ones, and append the ledger
        entry, in one transaction."""
        ...


@dataclass(eq=False, repr=False)
class DisclosureService:
    """Provisions to third parties, and the correction notices owed to their recipients."""

    store: DisclosureStore
    reader: RecordReader
    mailer: Mailer
    clock: Clock
    new_id: Callable[[], str] = random_id

    def provide(self, request: DisclosureRequest, actor: Actor) -> Provision:
        """Check everything, then record the provision and return what to hand over; on any refusal
        nothing is recorded. The ledger entry is also the access record of this export of PI: who,
        from where, when, whose records and which items."""
        consent_reference, law_enforcement = _basis_details(request)
        recipient = _recipient(request.recipient)
        unknown = [
            FieldProblem(f"items[{i}]", "is not an item any form collects")
            for i, n in enumerate(request.items)
            if n not in ITEMS
        ]
        if unknown:
            raise ValidationFailed("Some items are not items of the policy; see details.", tuple(unknown))
        ids = list(dict.fromkeys(request.submission_ids))
        wanted = [name for name in ITEMS if name in request.items]

        now = self.clock.now()
        disclosure_id = self.new_id()
        parts: list[Disclosure] = []
        values: dict[str, dict[str, str]] = {}
        for index, submission_id in enumerate(ids):
            field = f"submission_ids[{index}]"
            opened = self.reader.open_live(submission_id)
            if opened is None:
                raise NotFound("No such record (or its retention has ended).", (FieldProblem(field, "no such record"),))
            record = opened.record
            if record.status is not RecordStatus.ACTIVE:
                raise RecordNotUsable(
                    "A record that is restricted or awaits its legal representative's consent is not provided (§6).",
                    (FieldProblem(field, f"is {record.status.value}"),),
                )
            held = {name: opened.data.fields[name] for name in wanted if name in opened.data.fields}
            if not held:
                # The request is whole; the record is what it does not fit, as a restricted one.
                raise RecordNotUsable(
                    "A record holds none of the items asked for.", (FieldProblem(field, "holds none of the items"),)
                )
            values[submission_id] = held
            parts.append(
                Disclosure(
                    disclosure_id=disclosure_id,
                    submission_id=submission_id,
                    recipient=recipient,
                    items=tuple(held),
                    legal_basis=request.legal_basis,
                    provided_at=now,
                    provided_by=actor.user_id,
                    keep_until=max(record.retained_until, now + relativedelta(years=PROVISION_RECORD_YEARS)),
                    consent_reference=consent_reference,
                    law_enforcement=law_enforcement,
                )
            )
        entry = LedgerDraft.event(
            LedgerKind.DISCLOSURE,
            now,
            "provided",
            disclosure_id=disclosure_id,
            submission_ids=ids,
            items=wanted,
            legal_basis=request.legal_basis.value,
            provided_by=actor.user_id,
            username=actor.username,
            source_ip=actor.source_ip,
        )
        self.store.record(parts, entry)
        return Provision(disclosure_id, now, tuple(parts), values)

    def of_record(self, submission_id: str) -> list[Disclosure]:
        return self.store.of_record(submission_id)

    def mark_corrections(self, submission_id: str, items: Sequence[str]) -> None:
        """Before a correction is stored: note which recipients must hear of it, so a notice that fails
        to go out is still owed (and sent by the next attempt) rather than forgotten."""
        for disclosure in self.store.of_record(submission_id):
            owed = [name for name in disclosure.items if name in items]
            if owed:
                self.store.add_pending(submission_id, disclosure.disclosure_id, owed)

    def deliver_pending(self, submission_id: str, fields: Mapping[str, str]) -> int:
        """Send every owed correction notice of a record with the current values; the number sent."""
        sent = 0
        for disclosure in self.store.of_record(submission_id):
            if not disclosure.pending_items:
                continue
            now = self.clock.now()
            items = tuple(name for name in disclosure.items if name in disclosure.pending_items)
            corrected = {name: fields.get(name) for name in items}
            provided_on = disclosure.provided_at.date().isoformat()
            mail = correction_notice(
                disclosure.recipient.email, disclosure.disclosure_id, submission_id, provided_on, corrected
            )
            self.mailer.send(mail)
            entry = LedgerDraft.event(
                LedgerKind.DISCLOSURE,
                now,
                "correction_notice",
                disclosure_id=disclosure.disclosure_id,
                submission_id=submission_id,
                items=list(items),
            )
            self.store.notice_sent(disclosure, CorrectionNotice(now, items), entry)
            sent += 1
        return sent


def _recipient(recipient: RecipientIn) -> Recipient:
    problems: list[FieldProblem] = []
    name = email = ""
    try:
        name = _text(recipient.name)
    except ValueError as error:
        problems.append(FieldProblem("recipient.name", str(error)))
    try:
        email = normalize_email(recipient.email)
    except ValueError as error:
        problems.append(FieldProblem("recipient.email", str(error)))
    if problems:
        raise ValidationFailed("The recipient is not valid; see details.", tuple(problems))
    return Recipient(name, email)


def _basis_details(request: DisclosureRequest) -> tuple[str | None, LawEnforcement | None]:
    """§3 allows exactly two bases, each with its own evidence; anything else is refused."""
    if request.legal_basis is LegalBasis.CONSENT:
        problems = []
        if not request.consent_reference:
            problems.append(FieldProblem("consent_reference", "is required when legal_basis is consent"))
        if request.law_enforcement is not None:
            problems.append(FieldProblem("law_enforcement", "is only for legal_basis law_enforcement"))
        if problems:
            raise ValidationFailed("Name where the subject's prior consent is kept; see details.", tuple(problems))
        assert request.consent_reference is not None
        return _checked_text(request.consent_reference, "consent_reference"), None
    law = request.law_enforcement
    problems = []
    if law is None:
        problems.append(FieldProblem("law_enforcement", "is required when legal_basis is law_enforcement"))
    if request.consent_reference is not None:
        problems.append(FieldProblem("consent_reference", "is only for legal_basis consent"))
    if problems or law is None:
        raise ValidationFailed(
            "A lawful request names the agency, the legal provision and the case number; see details.", tuple(problems)
        )
    return None, LawEnforcement(
        agency=_checked_text(law.agency, "law_enforcement.agency"),
        legal_provision=_checked_text(law.legal_provision, "law_enforcement.legal_provision"),
        case_number=_checked_text(law.case_number, "law_enforcement.case_number"),
    )


def _checked_text(value: str, field: str) -> str:
    try:
        return _text(value)
    except ValueError as error:
        raise ValidationFailed("Some fields are not valid; see details.", (FieldProblem(field, str(error)),)) from None
