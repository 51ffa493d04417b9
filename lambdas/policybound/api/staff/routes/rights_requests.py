"""Rights requests received in writing, by phone or by email (§6), for the PI manager.

POST /v1/staff/rights-requests · GET /v1/staff/rights-requests?status=open ·
GET /v1/staff/rights-requests/{request_id} · POST /v1/staff/rights-requests/{request_id}/complete
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.dependencies import rights_request_service
from policybound.api.http import json_body_guard, json_response
from policybound.api.openapi import Tag
from policybound.api.rights_schemas import RightsRequestOut, RightsRequestsOut
from policybound.api.staff.answers import VALIDATION_FAILED, answers
from policybound.api.staff.auth import CurrentActor, RouteName
from policybound.domain.core.model import ID_PATTERN
from policybound.domain.rights.request_model import RightsRequestStatus
from policybound.domain.rights.requests import CompletionIn, RightsRequestIn, RightsRequestService
from policybound.obligations import RIGHTS_REQUEST_DUE_DAYS, RIGHTS_REQUEST_YEARS

router = APIGatewayRouter()

RequestId = Annotated[str, Path(pattern=ID_PATTERN, description="The rights request's id")]
Requests = Annotated[RightsRequestService, Depends(rights_request_service)]
_BODY = {400: "invalid_json", 415: "unsupported_media_type", 422: "validation_failed"}
_NOT_THEIRS = {404: "not_found (a record that is not the person's)"}
_NOT_COMPLETED = {404: "not_found", 409: "already_completed, or outcome_does_not_fit"}


@router.post(
    "/rights-requests",
    summary="Record a rights request received in writing, by phone or by email (pi_manager)",
    description=(
        "Records the channel, the kind (access, rectification, erasure), how the person's identity was verified "
        "and the records concerned (found through the blind index of the given address, which is not stored). "
        f"Due {RIGHTS_REQUEST_DUE_DAYS} days after receipt. While a rectification request is open its records are "
        "restricted: not used, not provided, left out of the marketing audience (§6). "
        f"Kept {RIGHTS_REQUEST_YEARS} years."
    ),
    operation_id="receiveRightsRequest",
    tags=[Tag.STAFF_RIGHTS_REQUESTS],
    middlewares=[json_body_guard],
    responses=answers(
        201, RightsRequestOut, "Recorded", _BODY | {404: "not_found (a record that is not the person's)"}
    ),
)
def receive_rights_request(
    body: Annotated[RightsRequestIn, Body()], actor: CurrentActor, route: RouteName, requests: Requests
) -> Response[RightsRequestOut]:
    received = requests.receive(body, actor, route)
    return json_response(201, RightsRequestOut.of(received, requests.today()))


@router.get(
    "/rights-requests",
    summary="Rights requests by status, overdue first (pi_manager)",
    description="Each with its due date and the days left (negative when overdue), earliest due first.",
    operation_id="listRightsRequests",
    tags=[Tag.STAFF_RIGHTS_REQUESTS],
    responses=answers(200, None, "The requests", VALIDATION_FAILED),
)
def list_rights_requests(
    requests: Requests,
    status: Annotated[RightsRequestStatus, Query(description="open (default) or completed")] = RightsRequestStatus.OPEN,
) -> RightsRequestsOut:
    today = requests.today()
    return RightsRequestsOut(requests=[RightsRequestOut.of(r, today) for r in requests.listing(status)])


@router.get(
    "/rights-requests/<request_id>",
    summary="One rights request (pi_manager)",
    operation_id="getRightsRequest",
    tags=[Tag.STAFF_RIGHTS_REQUESTS],
    responses=answers(200, None, "The request", {404: "not_found"}),
)
def get_rights_request(request_id: RequestId, requests: Requests) -> RightsRequestOut:
    return RightsRequestOut.of(requests.get(request_id), requests.today())


@router.post(
    "/rights-requests/<request_id>/complete",
    summary="Record the outcome of a rights request (pi_manager)",
    description=(
        "`fulfilled` or `refused` (with a refusal_basis). Fulfilling a rectification applies `corrections` "
        "(per record, checked by the form's own rules; one bad item refuses them all), lifts the restriction, and "
        "sends the corrected items to every recipient the record was provided to. Fulfilling an erasure destroys "
        "the records (reason subject_erasure); records under a legal hold are kept and listed in retained_by_law."
    ),
    operation_id="completeRightsRequest",
    tags=[Tag.STAFF_RIGHTS_REQUESTS],
    middlewares=[json_body_guard],
    responses=answers(200, None, "Completed", _BODY | _NOT_COMPLETED),
)
def complete_rights_request(
    request_id: RequestId,
    body: Annotated[CompletionIn, Body()],
    actor: CurrentActor,
    route: RouteName,
    requests: Requests,
) -> RightsRequestOut:
    done = requests.complete(request_id, body, actor, route)
    return RightsRequestOut.of(done, requests.today())
