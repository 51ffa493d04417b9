"""Response shapes of the rights area: a subject's records, provisions, rights requests."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from policybound.api.schemas import ConsentOut, rfc3339
from policybound.domain.rights.disclosures import Disclosure, Provision
from policybound.domain.rights.request_model import RightsRequest
from policybound.domain.rights.service import SubjectRecord


class CodeRequestedOut(BaseModel):
    status: str = Field(examples=["accepted"])
    message: str


class SessionOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'")
    expires_at: str


class CorrectionNoticeOut(BaseModel):
    sent_at: str
    items: list[str]


class LawEnforcementOut(BaseModel):
    agency: str
    legal_provision: str
    case_number: str


class ProvisionOut(BaseModel):
    """One provision of the record to a third party (§3)."""

    disclosure_id: str
    recipient: str
    recipient_contact: str
    items: list[str]
    legal_basis: str
    provided_at: str
    consent_reference: str | None = None
    law_enforcement: LawEnforcementOut | None = None
    correction_notices: list[CorrectionNoticeOut]
    # Corrected items the recipient is still to be told about (a notice that could not go out yet).
    correction_pending: list[str]

    @classmethod
    def of(cls, disclosure: Disclosure) -> ProvisionOut:
        law = disclosure.law_enforcement
        return cls(
            disclosure_id=disclosure.disclosure_id,
            recipient=disclosure.recipient.name,
            recipient_contact=disclosure.recipient.email,
            items=list(disclosure.items),
            legal_basis=disclosure.legal_basis.value,
            provided_at=rfc3339(disclosure.provided_at),
            consent_reference=disclosure.consent_reference,
            law_enforcement=LawEnforcementOut(
                agency=law.agency, legal_provision=law.legal_provision, case_number=law.case_number
            )
            if law
            else None,
            correction_notices=[
                CorrectionNoticeOut(sent_at=rfc3339(n.sent_at), items=list(n.items)) for n in disclosure.notices
            ],
            correction_pending=list(disclosure.pending_items),
        )


class SubjectConsentOut(ConsentOut):
    """The proof of consent as its subject sees it: with the representative's confirmation and the
    automatically collected origin of the consent (§1.2)."""

    under_14: bool
    guardian_confirmed_at: str | None
    source_ip: str | None
    user_agent: str | None


class RepresentativeOut(BaseModel):
    name: str
    email: str
    contact: str | None


class SubjectRecordOut(BaseModel):
    submission_id: str
    form: str
    status: str = Field(description="active, restricted (a correction is pending) or pending_guardian")
    relationship: str = Field(description="subject, or legal_representative for a child's record")
    received_at: str
    retained_until: str
    purposes: list[str]
    fields: dict[str, str]
    items_dropped: list[str]
    consent: SubjectConsentOut
    legal_representative: RepresentativeOut | None
    provisions: list[ProvisionOut]

    @classmethod
    def of(cls, view: SubjectRecord) -> SubjectRecordOut:
        record, data = view.opened.record, view.opened.data
        consent = record.consent
        representative = data.representative
        return cls(
            submission_id=record.submission_id,
            form=record.form.value,
            status=record.status.value,
            relationship=view.relationship.value,
            received_at=rfc3339(record.received_at),
            retained_until=rfc3339(record.retained_until),
            purposes=[p.value for p in consent.purposes],
            fields=dict(data.fields),
            items_dropped=list(record.items_dropped),
            consent=SubjectConsentOut(
                **ConsentOut.fields_of(consent),
                under_14=consent.under_14,
                guardian_confirmed_at=rfc3339(consent.guardian_confirmed_at) if consent.guardian_confirmed_at else None,
                source_ip=data.origin.source_ip,
                user_agent=data.origin.user_agent,
            ),
            legal_representative=RepresentativeOut(
                name=representative.name, email=representative.email, contact=representative.contact
            )
            if representative
            else None,
            provisions=[ProvisionOut.of(d) for d in view.provisions],
        )


class SubjectRecordsOut(BaseModel):
    records: list[SubjectRecordOut]


class GuardianConfirmedOut(BaseModel):
    submission_id: str
    status: str
    retained_until: str


class ProvidedRecordOut(BaseModel):
    submission_id: str
    items: dict[str, str]


class DisclosureOut(BaseModel):
    disclosure_id: str
    provided_at: str
    legal_basis: str
    recipient: str
    records: list[ProvidedRecordOut]

    @classmethod
    def of(cls, provision: Provision) -> DisclosureOut:
        first = provision.disclosures[0]
        return cls(
            disclosure_id=provision.disclosure_id,
            provided_at=rfc3339(provision.provided_at),
            legal_basis=first.legal_basis.value,
            recipient=first.recipient.name,
            records=[ProvidedRecordOut(submission_id=sid, items=items) for sid, items in provision.values.items()],
        )


class RightsRequestOut(BaseModel):
    request_id: str
    channel: str
    kind: str
    identity_verification: str
    submission_ids: list[str]
    received_at: str
    due_on: str
    days_left: int = Field(description="Days until the due date (Seoul calendar); negative when overdue")
    overdue: bool
    status: str
    recorded_by: str
    outcome: str | None = None
    refusal_basis: str | None = None
    completed_at: str | None = None
    completed_by: str | None = None
    corrected_items: list[str]
    erased: list[str]
    retained_by_law: list[str]

    @classmethod
    def of(cls, request: RightsRequest, today: date) -> RightsRequestOut:
        days_left = request.days_left(today)
        return cls(
            request_id=request.request_id,
            channel=request.channel.value,
            kind=request.kind.value,
            identity_verification=request.identity_verification.value,
            submission_ids=list(request.submission_ids),
            received_at=rfc3339(request.received_at),
            due_on=request.due_on.isoformat(),
            days_left=days_left,
            overdue=request.completed_at is None and days_left < 0,
            status=request.status.value,
            recorded_by=request.recorded_by,
            outcome=request.outcome.value if request.outcome else None,
            refusal_basis=request.refusal_basis.value if request.refusal_basis else None,
            completed_at=rfc3339(request.completed_at) if request.completed_at else None,
            completed_by=request.completed_by,
            corrected_items=list(request.corrected_items),
            erased=list(request.erased),
            retained_by_law=list(request.retained),
        )


class RightsRequestsOut(BaseModel):
    requests: list[RightsRequestOut]
