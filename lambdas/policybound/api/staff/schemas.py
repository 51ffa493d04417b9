"""Response shapes of the staff API. PI appears only in the record views of the purpose-limited reads."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from policybound.api.schemas import ConsentOut, rfc3339

# Re-exported: staff routes import them from here together with the staff error sets.
from policybound.api.schemas import error_responses as error_responses
from policybound.api.schemas import ok as ok
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


class OriginOut(BaseModel):
    source_ip: str | None
    user_agent: str | None


class StaffRecordOut(BaseModel):
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
        record = view.record
        return cls(
            submission_id=record.submission_id,
            form=record.form.value,
            status=record.status.value,
            purpose=view.purpose.value,
            received_at=rfc3339(record.received_at),
            retained_until=rfc3339(record.retained_until),
            fields=view.fields,
            consent=ConsentOut.of(record.consent),
            items_dropped=list(record.items_dropped),
            origin=OriginOut(source_ip=view.origin.source_ip, user_agent=view.origin.user_agent)
            if view.origin
            else None,
        )


class SubmissionPageOut(BaseModel):
    items: list[StaffRecordOut]
    next_cursor: str | None


class SubjectRecordsOut(BaseModel):
    items: list[StaffRecordOut]
    count: int


class AudienceMemberOut(BaseModel):
    submission_id: str
    form: str
    purposes: list[str]
    name: str
    email: str

    @classmethod
    def of(cls, member: AudienceMember) -> AudienceMemberOut:
        return cls(
            submission_id=member.submission_id,
            form=member.form.value,
            purposes=[p.value for p in member.purposes],
            name=member.name,
            email=member.email,
        )


class AudiencePageOut(BaseModel):
    items: list[AudienceMemberOut]
    next_cursor: str | None


class LedgerEntryOut(BaseModel):
    kind: str
    seq: int
    at: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, entry: LedgerEntry) -> LedgerEntryOut:
        # `at` exactly as hashed, so an auditor can recompute every hash from this output alone.
        return cls(
            kind=entry.kind.value,
            seq=entry.seq,
            at=entry.at.isoformat(),
            payload=dict(entry.payload),
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


class LedgerPageOut(BaseModel):
    kind: str
    items: list[LedgerEntryOut]
    next_cursor: str | None


class ChainBreakOut(BaseModel):
    seq: int
    problem: str


class ChainReportOut(BaseModel):
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
        return cls(
            kind=report.kind.value,
            entries=report.entries,
            head_hash=report.head_hash,
            verified=broken is None,
            first_break=ChainBreakOut(seq=broken.seq, problem=broken.problem) if broken else None,
            batches=report.batches,
        )


class LedgerVerifyOut(BaseModel):
    verified: bool
    chains: list[ChainReportOut]


class ActorReviewOut(BaseModel):
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


class FlagOut(BaseModel):
    user_id: str
    username: str
    flag: str
    detail: str


class AccessReviewOut(BaseModel):
    month: str
    start: str
    end: str
    entries: int
    actors: list[ActorReviewOut]
    flags: list[FlagOut]

    @classmethod
    def of(cls, review: Review) -> AccessReviewOut:
        return cls(
            month=review.month,
            start=rfc3339(review.start),
            end=rfc3339(review.end),
            entries=review.entries,
            actors=[
                ActorReviewOut(
                    user_id=a.user_id,
                    username=a.username,
                    accesses=a.accesses,
                    records=a.records,
                    distinct_submissions=len(a.distinct_submissions),
                    exports=a.exports,
                    exported_records=a.exported_records,
                    largest_access=a.largest_access,
                    lookups=a.lookups,
                    after_hours=a.after_hours,
                    source_ips=len(a.source_ips),
                    actions=dict(a.actions),
                )
                for a in review.actors
            ],
            flags=[FlagOut(user_id=f.user_id, username=f.username, flag=f.flag, detail=f.detail) for f in review.flags],
        )


class StaffUserOut(BaseModel):
    user_id: str
    username: str
    groups: list[str]
    enabled: bool

    @classmethod
    def of(cls, user: StaffUser) -> StaffUserOut:
        return cls(user_id=user.user_id, username=user.username, groups=sorted(user.groups), enabled=user.enabled)


class StaffUsersOut(BaseModel):
    items: list[StaffUserOut]


class NoticeClockOut(BaseModel):
    discovered_at: str
    notify_by: str
    hours_remaining: float
    overdue: bool
    notices_sent_at: str | None
    notified_in_time: bool | None


class InvolvedSubjectOut(BaseModel):
    subject_ref: str
    submission_ids: list[str]
    notified: bool


class IncidentOut(BaseModel):
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
        incident, clock = view.incident, view.clock
        return cls(
            incident_id=incident.incident_id,
            category=incident.category.value,
            reference=incident.reference,
            summary=incident.summary,
            measures=incident.measures,
            opened_at=rfc3339(incident.opened_at),
            opened_by=incident.opened_by,
            clock=NoticeClockOut(
                discovered_at=rfc3339(clock.discovered_at),
                notify_by=rfc3339(clock.notify_by),
                hours_remaining=clock.hours_remaining,
                overdue=clock.overdue,
                notices_sent_at=rfc3339(clock.notices_sent_at) if clock.notices_sent_at else None,
                notified_in_time=clock.notified_in_time,
            ),
            involved_submissions=len(incident.involved),
            subjects=[
                InvolvedSubjectOut(
                    subject_ref=s.subject_ref, submission_ids=list(s.submission_ids), notified=s.notified
                )
                for s in view.subjects
            ],
            no_longer_held=list(view.no_longer_held),
        )


class NoticesOut(BaseModel):
    sent: int
    already_notified: int
    incident: IncidentOut

    @classmethod
    def of(cls, result: NoticeResult) -> NoticesOut:
        return cls(sent=result.sent, already_notified=result.already_notified, incident=IncidentOut.of(result.view))
