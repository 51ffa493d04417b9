"""Response shapes of the staff API. PI appears only in the record views of the purpose-limited reads."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from policybound.api.schemas import ConsentOut, from_domain

# Re-exported: staff routes import them from here together with the staff error sets.
from policybound.api.schemas import error_responses as error_responses
from policybound.api.schemas import ok as ok
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.ledger import LedgerEntry
from policybound.domain.evidence.ledger_audit import ChainReport
from policybound.domain.incidents.service import IncidentView, NoticeResult
from policybound.domain.staff.access_review import Review
from policybound.domain.staff.ports import StaffUser
from policybound.domain.staff.reads import AudienceMember, RecordView

# Every staff route can answer these: the authorizer's and the route × role table's refusals.
STAFF_ERRORS = {
    401: "unauthorized (no valid staff token, or the session was idle too long)",
    403: "forbidden (your groups or the purpose do not allow this)",
    503: "unavailable (retry after Retry-After seconds)",
}
# Routes that take a JSON body also judge its size, type and syntax.
BODY_ERRORS = {
    400: "invalid_json",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
}


class OriginOut(LazyModel):
    source_ip: str | None
    user_agent: str | None


class StaffRecordOut(LazyModel):
    submission_id: str
    form: str
    status: str
    purpose: str
    received_at: str
    retained_until: str
    fields: dict[str, str]
    consent: ConsentOut
    items_dropped: list[str]
    origin: OriginOut | None = None

    @classmethod
    def of(cls, view: RecordView) -> StaffRecordOut:
        return from_domain(
            cls,
            view.record,
            purpose=view.purpose.value,
            fields=view.fields,
            consent=ConsentOut.of(view.record.consent),
            origin=from_domain(OriginOut, view.origin) if view.origin else None,
        )


class SubmissionPageOut(LazyModel):
    items: list[StaffRecordOut]
    next_cursor: str | None


class SubjectLookupOut(LazyModel):
    """The records a staff look-up by address finds (the subject's own view is `SubjectRecordsOut`)."""

    items: list[StaffRecordOut]
    count: int


class AudienceMemberOut(LazyModel):
    submission_id: str
    form: str
    purposes: list[str]
    name: str
    email: str

    @classmethod
    def of(cls, member: AudienceMember) -> AudienceMemberOut:
        return from_domain(cls, member)


class AudiencePageOut(LazyModel):
    items: list[AudienceMemberOut]
    next_cursor: str | None


class LedgerEntryOut(LazyModel):
    kind: str
    seq: int
    at: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, entry: LedgerEntry) -> LedgerEntryOut:
        # `at` exactly as hashed (not in Seoul's offset), so an auditor can recompute every hash from
        # this output alone.
        return from_domain(cls, entry, at=entry.at.isoformat())


class LedgerPageOut(LazyModel):
    kind: str
    items: list[LedgerEntryOut]
    next_cursor: str | None


class ChainBreakOut(LazyModel):
    seq: int
    problem: str


class ChainReportOut(LazyModel):
    kind: str
    entries: int
    head_hash: str | None
    verified: bool
    first_break: ChainBreakOut | None
    batches: int | None = Field(
        default=None, description="consent chain only: sealed batches, each checked against its Merkle root"
    )

    @classmethod
    def of(cls, report: ChainReport) -> ChainReportOut:
        broken = report.broken
        return from_domain(
            cls,
            report,
            verified=broken is None,
            first_break=from_domain(ChainBreakOut, broken) if broken else None,
        )


class LedgerVerifyOut(LazyModel):
    verified: bool
    chains: list[ChainReportOut]


class ActorReviewOut(LazyModel):
    user_id: str
    username: str
    accesses: int
    records: int
    distinct_submissions: int
    exports: int
    exported_records: int
    largest_access: int
    lookups: int
    after_hours: int
    source_ips: int
    actions: dict[str, int]


class FlagOut(LazyModel):
    user_id: str
    username: str
    flag: str
    detail: str


class AccessReviewOut(LazyModel):
    month: str
    start: str
    end: str
    entries: int
    actors: list[ActorReviewOut]
    flags: list[FlagOut]

    @classmethod
    def of(cls, review: Review) -> AccessReviewOut:
        return from_domain(
            cls,
            review,
            actors=[
                from_domain(
                    ActorReviewOut, a, distinct_submissions=len(a.distinct_submissions), source_ips=len(a.source_ips)
                )
                for a in review.actors
            ],
            flags=[from_domain(FlagOut, f) for f in review.flags],
        )


class StaffUserOut(LazyModel):
    user_id: str
    username: str
    groups: list[str]
    enabled: bool

    @classmethod
    def of(cls, user: StaffUser) -> StaffUserOut:
        return from_domain(cls, user, groups=sorted(user.groups))


class StaffUsersOut(LazyModel):
    items: list[StaffUserOut]


class NoticeClockOut(LazyModel):
    discovered_at: str
    notify_by: str
    hours_remaining: float
    overdue: bool
    notices_sent_at: str | None
    notified_in_time: bool | None


class InvolvedSubjectOut(LazyModel):
    subject_ref: str
    submission_ids: list[str]
    notified: bool


class IncidentOut(LazyModel):
    incident_id: str
    category: str
    reference: str
    summary: str
    measures: str
    opened_at: str
    opened_by: str
    clock: NoticeClockOut
    involved_submissions: int
    subjects: list[InvolvedSubjectOut]
    no_longer_held: list[str]

    @classmethod
    def of(cls, view: IncidentView) -> IncidentOut:
        return from_domain(
            cls,
            view.incident,
            clock=from_domain(NoticeClockOut, view.clock),
            involved_submissions=len(view.incident.involved),
            subjects=[from_domain(InvolvedSubjectOut, s) for s in view.subjects],
            no_longer_held=list(view.no_longer_held),
        )


class NoticesOut(LazyModel):
    sent: int
    already_notified: int
    incident: IncidentOut

    @classmethod
    def of(cls, result: NoticeResult) -> NoticesOut:
        return from_domain(cls, result, incident=IncidentOut.of(result.view))
