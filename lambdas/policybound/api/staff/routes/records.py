"""Purpose-limited reads of PI (§2, §6): submissions, one submission, one subject, the marketing
audience. Every call writes an access record before anything is returned."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.dependencies import staff_reads
from policybound.api.openapi import Tag
from policybound.api.staff.answers import VALIDATION_FAILED, answers
from policybound.api.staff.auth import CurrentActor, RouteName
from policybound.api.staff.paging import Cursor, page_out, per_page
from policybound.api.staff.schemas import (
    AudienceMemberOut,
    AudiencePageOut,
    StaffRecordOut,
    SubjectLookupOut,
    SubmissionPageOut,
)
from policybound.domain.core.model import RecordStatus
from policybound.domain.core.normalize import email_schema
from policybound.domain.staff.access_records import AccessPurpose
from policybound.domain.staff.reads import StaffReads
from policybound.policy import FormId

router = APIGatewayRouter()

PURPOSE_HELP = (
    "Why you read it: one of the purposes the records were collected for (inquiry_response, resource_delivery, "
    "email_marketing, blog_letter) or rights_request (answering the subject's own request: PI manager only, with "
    "rights_request_id naming the open request; only that person's records). Written into the access record. "
    "Records are returned only if their consent covers it; without a purpose, each form's own first purpose."
)
HOLD_HELP = (
    " purpose=legal_hold (PI manager only, one record at a time, with legal_hold_id naming an active hold that "
    "holds the record) serves the hold's investigation (§4.2): it also reads a held record whose use has ended "
    "(an erasure or unsubscribe refused under the hold), which every other read answers 404."
)
Reads = Annotated[StaffReads, Depends(staff_reads)]
Limit = Annotated[int, per_page("Records")]
Purpose = Annotated[AccessPurpose | None, Query(description=PURPOSE_HELP)]
LegalHoldId = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        description="With purpose=legal_hold: the active hold whose investigation the read serves (named in the "
        "access record).",
    ),
]
RightsRequestId = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        description="With purpose=rights_request: the open rights request being answered (named in the access record).",
    ),
]


@router.get(
    "/submissions",
    summary="List submissions, newest first (staff, pi_manager)",
    description=(
        "Decrypted records of one form (or all forms), read through the form index (no scans). `status` "
        "defaults to active; restricted records (a correction is pending, §6) are neither used nor provided and "
        "are listed only for rights_request, and records awaiting a legal representative only to the PI manager. "
        "A page can hold fewer than `limit` records; follow `next_cursor` until it is null."
    ),
    operation_id="listSubmissions",
    tags=[Tag.STAFF_RECORDS],
    responses=answers(200, SubmissionPageOut, "A page of records", VALIDATION_FAILED),
)
def list_submissions(
    actor: CurrentActor,
    route: RouteName,
    reads: Reads,
    form: Annotated[FormId | None, Query(description="Only this form.")] = None,
    status: Annotated[RecordStatus, Query(description="Only records with this status.")] = RecordStatus.ACTIVE,
    purpose: Purpose = None,
    rights_request_id: RightsRequestId = None,
    limit: Limit = 25,
    cursor: Cursor = None,
) -> SubmissionPageOut:
    page = reads.submissions(
        actor,
        form=form,
        status=status,
        purpose=purpose,
        limit=limit,
        cursor=cursor,
        route=route,
        rights_request_id=rights_request_id,
    )
    return page_out(SubmissionPageOut, page, StaffRecordOut.of)


@router.get(
    "/submissions/<submission_id>",
    summary="Read one submission (staff, pi_manager)",
    description="The decrypted record, if its consent covers the purpose. " + PURPOSE_HELP + HOLD_HELP,
    operation_id="getSubmission",
    tags=[Tag.STAFF_RECORDS],
    responses=answers(
        200, StaffRecordOut, "The record", {404: "not_found (unknown, destroyed or expired)", 422: "validation_failed"}
    ),
)
def read_submission(
    submission_id: Annotated[str, Path(min_length=1, max_length=64)],
    actor: CurrentActor,
    route: RouteName,
    reads: Reads,
    purpose: Purpose = None,
    rights_request_id: RightsRequestId = None,
    legal_hold_id: LegalHoldId = None,
) -> StaffRecordOut:
    view = reads.submission(actor, submission_id, purpose, route, rights_request_id, legal_hold_id)
    return StaffRecordOut.of(view)


@router.get(
    "/subjects",
    summary="Every live record of one person, by email address (staff, pi_manager)",
    description=(
        "Found through the keyed blind index of the address; the address itself is never stored or logged. "
        "Without a purpose each record is shown for its own form's first purpose (never restricted or pending "
        "ones). To answer the person's rights request (§6), the PI manager reads with purpose=rights_request and "
        "rights_request_id."
    ),
    operation_id="findSubject",
    tags=[Tag.STAFF_RECORDS],
    responses=answers(200, SubjectLookupOut, "The subject's live records", VALIDATION_FAILED),
)
def find_subject(
    email: Annotated[
        str,
        Query(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$", json_schema_extra=email_schema),
    ],
    actor: CurrentActor,
    route: RouteName,
    reads: Reads,
    purpose: Purpose = None,
    rights_request_id: RightsRequestId = None,
) -> SubjectLookupOut:
    views = reads.subject(actor, email, purpose, route, rights_request_id)
    return SubjectLookupOut(items=[StaffRecordOut.of(view) for view in views], count=len(views))


@router.get(
    "/marketing-audience",
    summary="Who may be sent marketing email or blog letters (staff, pi_manager)",
    description=(
        "Name and address of every active, unexpired record whose purposes and consent cover email_marketing "
        "or blog_letter (or the one `purpose` named). Never restricted, pending_guardian or expired records, "
        "never inquirers. Recorded as an export."
    ),
    operation_id="getMarketingAudience",
    tags=[Tag.STAFF_RECORDS],
    responses=answers(200, AudiencePageOut, "A page of the audience", VALIDATION_FAILED),
)
def marketing_audience(
    actor: CurrentActor,
    route: RouteName,
    reads: Reads,
    purpose: Annotated[
        AccessPurpose | None, Query(description="email_marketing or blog_letter; both if absent.")
    ] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> AudiencePageOut:
    page = reads.marketing_audience(actor, purpose=purpose, limit=limit, cursor=cursor, route=route)
    return page_out(AudiencePageOut, page, AudienceMemberOut.of)
