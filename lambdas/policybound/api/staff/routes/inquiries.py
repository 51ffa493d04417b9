"""Inquiries (§2: responses to customer inquiries and status management), for staff and the PI manager.

GET /v1/staff/inquiries · POST /v1/staff/inquiries/{submission_id}/replies ·
PATCH /v1/staff/inquiries/{submission_id} (internal handling)
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import ConfigDict, Field

from policybound.api.dependencies import inquiry_service
from policybound.api.http import json_body_guard, json_response
from policybound.api.openapi import Tag
from policybound.api.schemas import rfc3339
from policybound.api.staff.answers import VALIDATION_FAILED, answers
from policybound.api.staff.auth import CurrentActor, RouteName
from policybound.api.staff.paging import Cursor, page_out, per_page
from policybound.api.staff.schemas import BODY_ERRORS
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.model import ID_PATTERN
from policybound.domain.core.normalize import FreeText
from policybound.domain.purposes.inquiries import (
    MAX_REPLY_LENGTH,
    Handling,
    HandlingFilter,
    HandlingState,
    InquiryService,
    InquiryView,
    Reply,
)

router = APIGatewayRouter()

SubmissionId = Annotated[str, Path(pattern=ID_PATTERN, description="The inquiry's submission id (a contact-us record)")]
Inquiries = Annotated[InquiryService, Depends(inquiry_service)]
# What every route on one inquiry can refuse.
_NOT_ANSWERABLE = {
    404: "not_found (unknown, destroyed or expired, or not an inquiry)",
    409: "record_not_usable (restricted or awaiting a legal representative, or answered already)",
}


class HandlingOut(LazyModel):
    state: HandlingState
    assignee: str | None
    updated_at: str | None
    updated_by: str | None
    answered_at: str | None

    @classmethod
    def of(cls, handling: Handling) -> HandlingOut:
        return cls(
            state=handling.state,
            assignee=handling.assignee,
            updated_at=rfc3339(handling.updated_at) if handling.updated_at else None,
            updated_by=handling.updated_by,
            answered_at=rfc3339(handling.answered_at) if handling.answered_at else None,
        )


class ReplyOut(LazyModel):
    reply_id: str
    replied_at: str
    replied_by: str
    body: str

    @classmethod
    def of(cls, reply: Reply) -> ReplyOut:
        return cls(
            reply_id=reply.reply_id, replied_at=rfc3339(reply.replied_at), replied_by=reply.replied_by, body=reply.body
        )


class InquiryOut(LazyModel):
    submission_id: str
    received_at: str
    retained_until: str
    handling: HandlingOut
    # Since it arrived, until the first answer (or now, while it waits).
    waiting_seconds: int
    fields: dict[str, str]
    replies: list[ReplyOut]

    @classmethod
    def of(cls, view: InquiryView) -> InquiryOut:
        return cls(
            submission_id=view.record.submission_id,
            received_at=rfc3339(view.record.received_at),
            retained_until=rfc3339(view.record.retained_until),
            handling=HandlingOut.of(view.handling),
            waiting_seconds=view.waiting_seconds,
            fields=view.fields,
            replies=[ReplyOut.of(r) for r in view.replies],
        )


class InquiryPageOut(LazyModel):
    items: list[InquiryOut]
    next_cursor: str | None


class ReplyIn(LazyModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, FreeText(MAX_REPLY_LENGTH, "long_text")] = Field(
        description="The answer, in Korean or English; mailed inside the bilingual reply template",
    )


class ReplySentOut(LazyModel):
    submission_id: str
    reply_id: str
    replied_at: str
    handling: HandlingOut


class HandlingIn(LazyModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    state: HandlingState = Field(
        description="open or in_progress; answered comes from sending a reply",
        # What the domain accepts here (it refuses `answered` with a message saying how it is reached).
        json_schema_extra={"enum": [HandlingState.OPEN.value, HandlingState.IN_PROGRESS.value]},
    )
    # A staff sign-in name, not a person's details.
    assignee: str | None = Field(
        default=None, min_length=1, max_length=128, pattern=r"^[\w.@+-]+$", description="Who handles it"
    )


@router.get(
    "/inquiries",
    summary="Inquiries by handling state, oldest first (staff, pi_manager)",
    description=(
        "Contact-us records collected for inquiry_response, with their handling state, assignee, replies and "
        "how long they have waited (`waiting_seconds`, until the first answer). `handling=open` lists those "
        "waiting (open or in progress), `answered` those answered. A page can hold fewer than `limit`; follow "
        "`next_cursor` until it is null. Recorded as a listing (access record) before anything is returned."
    ),
    tags=[Tag.STAFF_INQUIRIES],
    operation_id="listInquiries",
    responses=answers(200, InquiryPageOut, "A page of inquiries", VALIDATION_FAILED),
)
def list_inquiries(
    actor: CurrentActor,
    route: RouteName,
    inquiries: Inquiries,
    handling: Annotated[HandlingFilter, Query(description="open (waiting) or answered")] = HandlingFilter.OPEN,
    limit: Annotated[int, per_page("Inquiries")] = 25,
    cursor: Cursor = None,
) -> InquiryPageOut:
    return page_out(InquiryPageOut, inquiries.list(actor, handling, limit, cursor, route), InquiryOut.of)


@router.get(
    "/inquiries/<submission_id>",
    summary="One inquiry, to answer it (staff, pi_manager)",
    description=(
        "The inquiry's items, handling state, waiting time and replies. Only live, active records collected for "
        "inquiry_response. Recorded as a read (access record) before anything is returned."
    ),
    tags=[Tag.STAFF_INQUIRIES],
    operation_id="getInquiry",
    responses=answers(200, InquiryOut, "The inquiry", _NOT_ANSWERABLE),
)
def get_inquiry(submission_id: SubmissionId, actor: CurrentActor, route: RouteName, inquiries: Inquiries) -> InquiryOut:
    return InquiryOut.of(inquiries.one(actor, submission_id, route))


@router.post(
    "/inquiries/<submission_id>/replies",
    summary="Answer an inquiry by mail (staff, pi_manager)",
    description=(
        "Mails the reply to the person who asked (from MAIL_SENDER, in the Korean and English reply template, "
        "with their question quoted), keeps it sealed with the record (it is destroyed with it) and marks the "
        "inquiry answered. Only active, live records collected for inquiry_response. An access record (notify) "
        "is written before the address is used."
    ),
    tags=[Tag.STAFF_INQUIRIES],
    operation_id="replyToInquiry",
    middlewares=[json_body_guard],
    responses=answers(201, ReplySentOut, "Mailed and kept", BODY_ERRORS | _NOT_ANSWERABLE),
)
def reply_to_inquiry(
    submission_id: SubmissionId,
    body: Annotated[ReplyIn, Body()],
    actor: CurrentActor,
    route: RouteName,
    inquiries: Inquiries,
) -> Response[ReplySentOut]:
    sent = inquiries.reply(actor, submission_id, body.body, route)
    out = ReplySentOut(
        submission_id=sent.submission_id,
        reply_id=sent.reply.reply_id,
        replied_at=rfc3339(sent.reply.replied_at),
        handling=HandlingOut.of(sent.handling),
    )
    return json_response(201, out)


@router.patch(
    "/inquiries/<submission_id>",
    summary="Note an inquiry's internal handling (staff, pi_manager)",
    description=(
        "Marks an inquiry in progress (and who handles it) or back to open. Internal only: nothing is mailed. "
        "An answered inquiry's handling is closed (409)."
    ),
    tags=[Tag.STAFF_INQUIRIES],
    operation_id="updateInquiryHandling",
    middlewares=[json_body_guard],
    responses=answers(200, HandlingOut, "The handling now", BODY_ERRORS | _NOT_ANSWERABLE),
)
def update_inquiry_handling(
    submission_id: SubmissionId,
    body: Annotated[HandlingIn, Body()],
    actor: CurrentActor,
    route: RouteName,
    inquiries: Inquiries,
) -> HandlingOut:
    return HandlingOut.of(inquiries.note(actor, submission_id, body.state, body.assignee, route))
