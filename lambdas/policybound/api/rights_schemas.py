"""Response shapes of the rights area: a subject's records, provisions, rights requests."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from policybound.api.schemas import ConsentOut, from_domain, wire
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.rights.disclosures import Disclosure, Provision
from policybound.domain.rights.request_model import RightsRequest
from policybound.domain.rights.service import SubjectRecord


class CodeRequestedOut(LazyModel):
    status: str = Field(examples=["accepted"])
    message: str


class SessionOut(LazyModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'")
    expires_at: str


class CorrectionNoticeOut(LazyModel):
    sent_at: str
    items: list[str]


class LawEnforcementOut(LazyModel):
    agency: str
    legal_provision: str
    case_number: str


class ProvisionOut(LazyModel):
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
        return from_domain(
            cls,
            disclosure,
            recipient=disclosure.recipient.name,
            recipient_contact=disclosure.recipient.email,
            law_enforcement=from_domain(LawEnforcementOut, law) if law else None,
            correction_notices=[from_domain(CorrectionNoticeOut, n) for n in disclosure.notices],
            correction_pending=list(disclosure.pending_items),
        )


class SubjectConsentOut(ConsentOut):
    """The proof of consent as its subject sees it: with the representative's confirmation and the
    automatically collected origin of the consent (§1.2)."""

    under_14: bool
    guardian_confirmed_at: str | None
    source_ip: str | None
    user_agent: str | None


class RepresentativeOut(LazyModel):
    name: str
    email: str
    contact: str | None


class SubjectRecordOut(LazyModel):
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
        return from_domain(
            cls,
            record,
            relationship=view.relationship.value,
            purposes=wire(consent.purposes),
            fields=dict(data.fields),
            consent=from_domain(
                SubjectConsentOut, consent, source_ip=data.origin.source_ip, user_agent=data.origin.user_agent
            ),
            legal_representative=from_domain(RepresentativeOut, representative) if representative else None,
            provisions=[ProvisionOut.of(d) for d in view.provisions],
        )


class SubjectRecordsOut(LazyModel):
    records: list[SubjectRecordOut]


class GuardianConfirmedOut(LazyModel):
    submission_id: str
    status: str
    retained_until: str


class ProvidedRecordOut(LazyModel):
    submission_id: str
    items: dict[str, str]


class DisclosureOut(LazyModel):
    disclosure_id: str
    provided_at: str
    legal_basis: str
    recipient: str
    records: list[ProvidedRecordOut]

    @classmethod
    def of(cls, provision: Provision) -> DisclosureOut:
        first = provision.disclosures[0]
        return from_domain(
            cls,
            provision,
            legal_basis=first.legal_basis.value,
            recipient=first.recipient.name,
            records=[ProvidedRecordOut(submission_id=sid, items=items) for sid, items in provision.values.items()],
        )


class RightsRequestOut(LazyModel):
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
        return from_domain(
            cls,
            request,
            days_left=days_left,
            overdue=request.completed_at is None and days_left < 0,
            retained_by_law=list(request.retained),
        )


class RightsRequestsOut(LazyModel):
    requests: list[RightsRequestOut]
