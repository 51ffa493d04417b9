"""Letters to the marketing audience (§2: blog letters and email marketing), for staff and the PI manager.

POST /v1/staff/letters · GET /v1/staff/letters/audience · GET /v1/staff/letters/{letter_id}
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import ConfigDict, Field

from policybound.api.dependencies import letters
from policybound.api.http import json_body_guard, json_response
from policybound.api.openapi import Tag
from policybound.api.schemas import rfc3339
from policybound.api.staff.answers import answers
from policybound.api.staff.auth import CurrentActor, RouteName
from policybound.api.staff.schemas import BODY_ERRORS
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.model import ID_PATTERN
from policybound.domain.core.normalize import FreeText
from policybound.domain.purposes.letters import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH, Letter, Letters

router = APIGatewayRouter()

Service = Annotated[Letters, Depends(letters)]


class LetterIn(LazyModel):
    model_config = ConfigDict(extra="forbid")

    # Short text, so one line: a line break in a subject would start a new mail header.
    subject: Annotated[str, FreeText(MAX_SUBJECT_LENGTH)] = Field(description="Korean or English")
    body: Annotated[str, FreeText(MAX_BODY_LENGTH, "long_text")] = Field(description="Plain text, Korean or English")


class LetterQueuedOut(LazyModel):
    letter_id: str
    recipients: int


class AudienceCountOut(LazyModel):
    count: int = Field(ge=0, description="How many people a letter sent now would go to")


class DeliveriesOut(LazyModel):
    sent: int
    skipped: int
    failed: int
    pending: int


class LetterOut(LazyModel):
    letter_id: str
    subject: str
    created_at: str
    created_by: str
    recipients: int
    deliveries: DeliveriesOut
    complete: bool

    @classmethod
    def of(cls, letter: Letter) -> LetterOut:
        return cls(
            letter_id=letter.letter_id,
            subject=letter.subject,
            created_at=rfc3339(letter.created_at),
            created_by=letter.created_by,
            recipients=letter.recipients,
            deliveries=DeliveriesOut(
                sent=letter.sent, skipped=letter.skipped, failed=letter.failed, pending=letter.pending
            ),
            complete=letter.pending == 0,
        )


@router.post(
    "/letters",
    summary="Send a letter to the marketing audience (staff, pi_manager)",
    description=(
        "Sends to the marketing audience — the same set GET /v1/staff/marketing-audience lists: active blog "
        "subscribers and downloaders who consented to marketing email. Each recipient's mail carries their own "
        "one-click unsubscribe link and the RFC 8058 headers. Answers at once with the letter id and the number "
        "of recipients; the mails go out from a queue, paced for SES, and GET /v1/staff/letters/{letter_id} "
        "shows the counts. One access record names every recipient."
    ),
    tags=[Tag.STAFF_LETTERS],
    operation_id="sendLetter",
    middlewares=[json_body_guard],
    responses=answers(202, LetterQueuedOut, "Queued for sending", BODY_ERRORS),
)
def send_letter(
    body: Annotated[LetterIn, Body()], actor: CurrentActor, route: RouteName, service: Service
) -> Response[LetterQueuedOut]:
    letter = service.send(actor, body.subject, body.body, route)
    return json_response(202, LetterQueuedOut(letter_id=letter.letter_id, recipients=letter.recipients))


@router.get(
    "/letters/audience",
    summary="How many people a letter would reach now (staff, pi_manager)",
    description=(
        "The size of the marketing audience a letter sent now would go to — the same selection POST "
        "/v1/staff/letters makes and GET /v1/staff/marketing-audience lists: active, live records whose consent "
        "covers email_marketing or blog_letter. A count only — no names, addresses or ids — so it writes no "
        "access record."
    ),
    tags=[Tag.STAFF_LETTERS],
    operation_id="countLetterAudience",
    responses=answers(200, AudienceCountOut, "The audience's size"),
)
def count_letter_audience(service: Service) -> AudienceCountOut:
    return AudienceCountOut(count=service.audience_size())


@router.get(
    "/letters/<letter_id>",
    summary="A letter's delivery counts (staff, pi_manager)",
    description="Sent, skipped (unsubscribed, withdrew or destroyed before their turn), failed and pending.",
    tags=[Tag.STAFF_LETTERS],
    operation_id="getLetter",
    responses=answers(200, LetterOut, "The letter and its counts", {404: "not_found"}),
)
def get_letter(
    letter_id: Annotated[str, Path(pattern=ID_PATTERN, description="The letter's id")], service: Service
) -> LetterOut:
    return LetterOut.of(service.get(letter_id))
