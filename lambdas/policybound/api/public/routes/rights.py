"""/v1/rights/*: data subjects (and legal representatives) view, correct and erase their data (§6)."""

from typing import TYPE_CHECKING, Annotated, Self

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.request import Request
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import ConfigDict, Field, model_validator

from policybound.api.dependencies import guardian_confirmations, rights_service
from policybound.api.http import json_body_guard, json_response, no_content, no_store_middleware
from policybound.api.openapi import Tag
from policybound.api.rights_schemas import (
    CodeRequestedOut,
    GuardianConfirmedOut,
    SessionOut,
    SubjectRecordOut,
    SubjectRecordsOut,
)
from policybound.api.schemas import error_responses, ok, rfc3339
from policybound.domain.core.forms import item_type
from policybound.domain.core.json_fields import Omittable, OnlyFalse
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.shapes import at_least_one
from policybound.domain.rights.guardians import GuardianConfirmations
from policybound.domain.rights.service import RightsKind, RightsService
from policybound.domain.rights.verification import StoredSession
from policybound.obligations import (
    CODE_DIGITS,
    CODE_VALID_FOR,
    GUARDIAN_WINDOW,
    MAX_CODES_PER_WINDOW,
    MAX_WRONG_TRIES,
    RIGHTS_SESSION_VALID_FOR,
)
from policybound.policy import ITEMS, RETENTION_MONTHS

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.models import SecurityScheme

router = APIGatewayRouter()


def security_schemes() -> "dict[str, SecurityScheme]":
    """For the OpenAPI document only: Powertools' OpenAPI models load when the document is asked for."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return {
        "rightsSession": HTTPBearer(
            description="The token from POST /v1/rights/sessions; valid "
            f"{int(RIGHTS_SESSION_VALID_FOR.total_seconds() // 60)} minutes"
        )
    }


_SESSION: list[dict[str, list[str]]] = [{"rightsSession": []}]

_CODE_PATTERN = rf"^[0-9]{{{CODE_DIGITS}}}$"
# The address as a form takes it: the same schema, limit and normalisation.
Email = item_type("email")
Code = Annotated[str, Field(pattern=_CODE_PATTERN, examples=["123456"], description=f"The {CODE_DIGITS}-digit code")]

# Codes, session tokens and decrypted records: never kept by a browser or proxy cache.
_NO_STORE = [no_store_middleware]
_NO_STORE_JSON = [json_body_guard, no_store_middleware]

_STRICT = ConfigDict(extra="forbid", frozen=True)


class CodeRequestIn(LazyModel):
    model_config = _STRICT

    email: Email  # type: ignore[valid-type]
    kind: RightsKind = Field(description="What the person wants to do once verified")


class SessionIn(LazyModel):
    model_config = _STRICT

    email: Email  # type: ignore[valid-type]
    code: Code


class ConsentChangeIn(LazyModel):
    model_config = _STRICT

    marketing: OnlyFalse = Field(
        description="false withdraws the separate consent to email marketing; the record is kept for its other "
        "purposes. (Consenting again is done by submitting the form with consent.marketing true.)"
    )


class CorrectionIn(LazyModel):
    # "At least one of the two" is checked by the validator below (its answer says what to send).
    model_config = _STRICT | ConfigDict(json_schema_extra=at_least_one)

    fields: Omittable[dict[str, str | None]] = Field(
        default=None,
        max_length=len(ITEMS),
        # Which of them the record's form has, and each value's rules, are checked against the record.
        json_schema_extra={"propertyNames": {"enum": list(ITEMS)}},
        description="The items to correct and their new values; null removes an optional item. "
        "Checked by the form's own rules.",
        examples=[{"job_grade": "Director"}],
    )
    consent: Omittable[ConsentChangeIn] = Field(default=None, description="A consent to withdraw")

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if self.fields is None and self.consent is None:
            raise ValueError("send 'fields' to correct, 'consent' to withdraw a consent, or both")
        return self


class GuardianConfirmationIn(LazyModel):
    model_config = _STRICT

    submission_id: str = Field(min_length=1, max_length=64)
    code: Code


class GuardianCodeRequestIn(LazyModel):
    model_config = _STRICT

    submission_id: str = Field(min_length=1, max_length=64, description="The submission number from the email")


_BODY_ERRORS = {
    400: "invalid_json",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    503: "unavailable (retry after Retry-After seconds)",
}
_CAPPED = {429: "rate_limited (too many codes asked for this address, or overall, this hour; see Retry-After)"}
_SESSION_ERRORS = {401: "unauthorized (no, unknown or expired session token)", 503: "unavailable"}
# Asking for a code answers the same whoever asks (it tells nobody whose address or child is on file).
_CODE_ASKED = ok(202, CodeRequestedOut, "Accepted") | error_responses(_BODY_ERRORS | _CAPPED)

Rights = Annotated[RightsService, Depends(rights_service)]
Guardians = Annotated[GuardianConfirmations, Depends(guardian_confirmations)]
SubmissionId = Annotated[str, Path(min_length=1, max_length=64)]


def current_session(request: Request, rights: Rights) -> StoredSession:
    """Depends() provider: the rights session the request's bearer token opens (401 otherwise)."""
    header = request.resolved_event.headers.get("Authorization") or ""
    scheme, _, token = header.strip().partition(" ")
    return rights.session(token.strip() if scheme.lower() == "bearer" else None)


Session = Annotated[StoredSession, Depends(current_session)]


# The same answer whether or not the address or submission is known. Built per request, not at import:
# a cold start builds no model.
_CODE_SENT_IF_KNOWN = (
    "If this address has records with us, a code is on its way to it; it is valid "
    f"{int(CODE_VALID_FOR.total_seconds() // 60)} minutes. "
    "이 주소로 보관 중인 정보가 있으면 인증 코드를 보냈습니다."
)


@router.post(
    "/v1/rights/requests",
    summary="Ask for a code to verify an email address",
    description=(
        "Sends a one-time code to the address if it has records. The answer is the same (202, same body) "
        "whether or not it has any, so it tells nobody whose address is on file. The code is valid "
        f"{int(CODE_VALID_FOR.total_seconds() // 60)} minutes and locks after {MAX_WRONG_TRIES} wrong tries; "
        "asking again replaces it and ends the lock. An address gets at most "
        f"{MAX_CODES_PER_WINDOW} codes an hour (then 429 with Retry-After, known or not). Use the address "
        "exactly as you gave it: only its domain's letter case and IDN spelling may differ."
    ),
    operation_id="requestRightsCode",
    tags=[Tag.RIGHTS],
    middlewares=_NO_STORE_JSON,
    responses=_CODE_ASKED,
)
def request_code(body: Annotated[CodeRequestIn, Body()], rights: Rights) -> Response[CodeRequestedOut]:
    rights.request_code(body.email, body.kind)
    return json_response(202, CodeRequestedOut(status="accepted", message=_CODE_SENT_IF_KNOWN))


@router.post(
    "/v1/rights/sessions",
    summary="Exchange the code for a session token",
    description=(
        f"The right code gives a token for {int(RIGHTS_SESSION_VALID_FOR.total_seconds() // 60)} minutes, bound to "
        "the verified address. A wrong, expired or used code is 401, as is a locked one."
    ),
    operation_id="openRightsSession",
    tags=[Tag.RIGHTS],
    middlewares=_NO_STORE_JSON,
    responses=ok(201, SessionOut, "Verified")
    | error_responses(_BODY_ERRORS | {401: "unauthorized (wrong, expired, used or locked code)"}),
)
def open_session(body: Annotated[SessionIn, Body()], rights: Rights) -> Response[SessionOut]:
    issued = rights.open_session(body.email, body.code)
    return json_response(201, SessionOut(token=issued.token, expires_at=rfc3339(issued.expires_at)))


@router.get(
    "/v1/rights/records",
    summary="Every record of the verified address, decrypted",
    description=(
        "Each live record with its items, proof of consent, purposes, retained_until, status and every "
        "provision to a third party; also the records of children whose confirmed legal representative "
        "the address is."
    ),
    operation_id="listOwnRecords",
    tags=[Tag.RIGHTS],
    middlewares=_NO_STORE,
    security=_SESSION,
    responses={200: {"description": "The records"}} | error_responses(_SESSION_ERRORS),
)
def list_records(session: Session, rights: Rights) -> SubjectRecordsOut:
    return SubjectRecordsOut(records=[SubjectRecordOut.of(view) for view in rights.records(session)])


@router.patch(
    "/v1/rights/records/<submission_id>",
    summary="Correct a record, or withdraw its marketing consent",
    description=(
        "Applies at once, checked by the form's own rules; optional items can be removed (null) and added "
        "only with optional consent. Recipients the record was provided to are sent the corrected items. "
        "`consent: {marketing: false}` withdraws the separate email-marketing consent: the record leaves the "
        "marketing audience and is kept for its other purposes."
    ),
    operation_id="correctOwnRecord",
    tags=[Tag.RIGHTS],
    security=_SESSION,
    middlewares=_NO_STORE_JSON,
    responses={200: {"description": "Corrected"}}
    | error_responses(
        _BODY_ERRORS
        | _SESSION_ERRORS
        | {404: "not_found (no such record of yours)", 409: "record_not_usable (no marketing consent to withdraw)"}
    ),
)
def correct_record(
    submission_id: SubmissionId, body: Annotated[CorrectionIn, Body()], session: Session, rights: Rights
) -> SubjectRecordOut:
    if body.consent is not None:
        rights.withdraw_marketing(session, submission_id)
    if body.fields is not None:
        return SubjectRecordOut.of(rights.correct(session, submission_id, body.fields))
    return SubjectRecordOut.of(rights.record(session, submission_id))


@router.delete(
    "/v1/rights/records/<submission_id>",
    summary="Erase a record",
    description="Destroys the record and its key at once (reason subject_erasure in the ledger).",
    operation_id="eraseOwnRecord",
    tags=[Tag.RIGHTS],
    middlewares=_NO_STORE,
    security=_SESSION,
    responses={204: {"description": "Erased"}}
    | error_responses(
        _SESSION_ERRORS
        | {404: "not_found (no such record of yours)", 409: "retained_by_law (preserved under a legal hold, §4.2)"}
    ),
)
def erase_record(submission_id: SubmissionId, session: Session, rights: Rights) -> Response[None]:
    rights.erase(session, submission_id)
    return no_content()


@router.delete(
    "/v1/rights/records",
    summary="Erase every record",
    description="Destroys every record the session reaches, each with its key (reason subject_erasure).",
    operation_id="eraseAllOwnRecords",
    tags=[Tag.RIGHTS],
    middlewares=_NO_STORE,
    security=_SESSION,
    responses={204: {"description": "Erased"}}
    | error_responses(_SESSION_ERRORS | {409: "retained_by_law (some records are preserved under a legal hold)"}),
)
def erase_all_records(session: Session, rights: Rights) -> Response[None]:
    rights.erase_all(session)
    return no_content()


@router.post(
    "/v1/rights/guardian-confirmations",
    summary="A legal representative consents for a child under 14",
    description=(
        "With the submission number and code from the email the representative received. The child's record "
        f"becomes active and is kept {RETENTION_MONTHS} months from submission; unconfirmed, it is destroyed "
        f"{GUARDIAN_WINDOW.days} days after it. "
        "A wrong or expired code, or an unknown number, is 401."
    ),
    operation_id="confirmAsGuardian",
    tags=[Tag.RIGHTS],
    middlewares=_NO_STORE_JSON,
    responses={200: {"description": "Confirmed"}} | error_responses(_BODY_ERRORS | {401: "unauthorized (wrong code)"}),
)
def confirm_as_guardian(body: Annotated[GuardianConfirmationIn, Body()], guardians: Guardians) -> GuardianConfirmedOut:
    record = guardians.confirm(body.submission_id, body.code)
    return GuardianConfirmedOut(
        submission_id=record.submission_id,
        status=record.status.value,
        retained_until=rfc3339(record.retained_until),
    )


_GUARDIAN_CODE_SENT_IF_WAITING = (
    "If this submission is waiting for its legal representative, a new code is on its way to them; "
    "it replaces the last one. 이 신청이 법정대리인의 동의를 기다리는 중이면 새 동의 코드를 보냈습니다."
)


@router.post(
    "/v1/rights/guardian-confirmations/codes",
    summary="A legal representative asks for a new consent code",
    description=(
        "Mails a new code to the representative named in a child's submission that is still waiting, replacing "
        f"the last one and ending its lock after wrong tries; at most {MAX_CODES_PER_WINDOW} codes an hour per "
        "submission (then 429). The answer is the same whether or not the number is known."
    ),
    operation_id="requestGuardianCode",
    tags=[Tag.RIGHTS],
    middlewares=_NO_STORE_JSON,
    responses=_CODE_ASKED,
)
def ask_guardian_code_again(
    body: Annotated[GuardianCodeRequestIn, Body()], guardians: Guardians
) -> Response[CodeRequestedOut]:
    guardians.ask_again(body.submission_id)
    return json_response(202, CodeRequestedOut(status="accepted", message=_GUARDIAN_CODE_SENT_IF_WAITING))
