"""Legal holds (§4.2), for the PI manager only: place, look up and release.

POST /v1/staff/legal-holds · GET and DELETE /v1/staff/legal-holds/{hold_id}
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import ConfigDict, Field, model_validator

from policybound.api.dependencies import legal_hold_service
from policybound.api.http import json_body_guard, json_response
from policybound.api.openapi import Tag
from policybound.api.schemas import error_responses, ok, rfc3339
from policybound.api.staff.auth import CurrentStaff
from policybound.domain.core.json_fields import Omittable
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.model import ID_PATTERN, LegalHold
from policybound.domain.core.normalize import FreeText, email_schema
from policybound.domain.core.shapes import Shape, one_of_shapes
from policybound.domain.retention.legal_holds import MAX_RECORDS_PER_HOLD, LegalHoldService

router = APIGatewayRouter()

SubmissionId = Annotated[str, Field(pattern=ID_PATTERN, description="A submission id (UUID)")]


class LegalHoldIn(LazyModel):
    # "One of the two selectors" is checked by the validator below; the schema states it as two shapes.
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra=one_of_shapes(
            Shape("HoldRecords", carries=("submission_ids",), omits=("email",)),
            Shape("HoldSubject", carries=("email",), omits=("submission_ids",)),
        ),
    )

    submission_ids: Omittable[list[SubmissionId]] = Field(
        default=None, min_length=1, max_length=MAX_RECORDS_PER_HOLD, description="The records to hold"
    )
    email: Omittable[str] = Field(
        default=None,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+$",
        json_schema_extra=email_schema,
        description="Hold every record kept for this address (found through the blind index; not stored)",
    )
    # A case number names a case, not a person; no "@", so an address cannot be typed in by mistake.
    case_reference: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[0-9A-Za-z가-힣][0-9A-Za-z가-힣 ._/:#()-]*$",
        examples=["2031고단1234", "SPO-2031-0042"],
        description="The investigation's or court's case number",
    )
    reason: Annotated[str, FreeText(1000, "long_text")] = Field(
        description="Why the records must be preserved (the law and authority); no personal information",
    )

    @model_validator(mode="after")
    def _one_selector(self) -> LegalHoldIn:
        if (self.submission_ids is None) == (self.email is None):
            raise ValueError("give either submission_ids or email, not both and not neither")
        return self


class LegalHoldOut(LazyModel):
    hold_id: str
    status: Literal["active", "released"]
    case_reference: str
    submission_ids: list[str]
    placed_by: str
    placed_at: str
    released_by: str | None = None
    released_at: str | None = None

    @classmethod
    def of(cls, hold: LegalHold) -> LegalHoldOut:
        return cls(
            hold_id=hold.hold_id,
            status="active" if hold.active else "released",
            case_reference=hold.case_reference,
            submission_ids=list(hold.submission_ids),
            placed_by=hold.placed_by,
            placed_at=rfc3339(hold.placed_at),
            released_by=hold.released_by,
            released_at=rfc3339(hold.released_at) if hold.released_at else None,
        )


class ReleaseOut(LegalHoldOut):
    # True when the hold had been released before: this request changed nothing.
    already_released: bool


_AUTH = {401: "unauthorized", 403: "forbidden (pi_manager only)", 503: "unavailable (retry after Retry-After seconds)"}
HoldId = Annotated[str, Path(pattern=ID_PATTERN, description="The hold's id")]
Holds = Annotated[LegalHoldService, Depends(legal_hold_service)]


@router.post(
    "/legal-holds",
    summary="Place a legal hold",
    description=(
        "Suspends destruction of the named records (or of every record kept for an email address) while an "
        "investigation requires them (policy §4.2): they leave the sweeper's index and lose their TTL, and no "
        "destruction path touches them until the hold is released. All or nothing: if any record is gone or "
        "already past its retention, nothing is held (404, naming it). The ledger records the hold by ids, case "
        "reference and a hash of the reason."
    ),
    operation_id="placeLegalHold",
    tags=[Tag.STAFF_LEGAL_HOLDS],
    middlewares=[json_body_guard],
    responses=ok(201, LegalHoldOut, "Held")
    | error_responses(
        _AUTH | {400: "invalid_json", 404: "not_found", 415: "unsupported_media_type", 422: "validation_failed"}
    ),
)
def place_legal_hold(body: Annotated[LegalHoldIn, Body()], holds: Holds, staff: CurrentStaff) -> Response[LegalHoldOut]:
    if body.submission_ids is not None:
        hold = holds.hold_records(body.submission_ids, body.case_reference, body.reason, staff.user_id)
    else:
        assert body.email is not None
        hold = holds.hold_subject(body.email, body.case_reference, body.reason, staff.user_id)
    return json_response(201, LegalHoldOut.of(hold))


@router.get(
    "/legal-holds/<hold_id>",
    summary="A legal hold",
    description="The hold's case, records and state. The reason is not returned: it stays in the holds table.",
    operation_id="getLegalHold",
    tags=[Tag.STAFF_LEGAL_HOLDS],
    responses=ok(200, LegalHoldOut, "The hold") | error_responses(_AUTH | {404: "not_found"}),
)
def get_legal_hold(hold_id: HoldId, holds: Holds) -> LegalHoldOut:
    return LegalHoldOut.of(holds.get(hold_id))


@router.delete(
    "/legal-holds/<hold_id>",
    summary="Release a legal hold",
    description=(
        "Takes the hold off its records. A record left without any hold gets its expiry back, and one already "
        "past its retention is destroyed by the next hourly sweep. Releasing again changes nothing "
        "(`already_released: true`)."
    ),
    operation_id="releaseLegalHold",
    tags=[Tag.STAFF_LEGAL_HOLDS],
    responses=ok(200, ReleaseOut, "Released") | error_responses(_AUTH | {404: "not_found"}),
)
def release_legal_hold(hold_id: HoldId, holds: Holds, staff: CurrentStaff) -> ReleaseOut:
    release = holds.release(hold_id, staff.user_id)
    return ReleaseOut(**LegalHoldOut.of(release.hold).model_dump(), already_released=not release.changed)
