"""Provision of PI to third parties (§3), for the PI manager only: POST /v1/staff/disclosures."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.dependencies import disclosure_service
from policybound.api.http import json_body_guard, json_response
from policybound.api.openapi import Tag
from policybound.api.rights_schemas import DisclosureOut
from policybound.api.staff.answers import answers
from policybound.api.staff.auth import CurrentActor
from policybound.domain.rights.disclosures import DisclosureRequest, DisclosureService

router = APIGatewayRouter()


@router.post(
    "/disclosures",
    summary="Provide records to a third party (pi_manager)",
    description=(
        "Only on a basis §3 names: legal_basis `consent` (the subject agreed in advance; give consent_reference) "
        "or `law_enforcement` (a lawful request of an investigative agency; give law_enforcement with agency, "
        "legal_provision and case_number). Anything else is 422. Only active records are provided: a restricted "
        "record (a correction is pending), one awaiting its legal representative, or one holding none of the items "
        "asked for is 409. Each record's part is "
        "kept and shown to its subject, the ledger's disclosure chain records who provided what to whom (ids and "
        "item names), and a later correction is sent to the recipient. The answer holds the values to hand over."
    ),
    operation_id="provideToThirdParty",
    tags=[Tag.STAFF_DISCLOSURES],
    middlewares=[json_body_guard],
    responses=answers(
        201,
        DisclosureOut,
        "Provided",
        {
            400: "invalid_json",
            404: "not_found (a record does not exist or its retention ended)",
            409: "record_not_usable (restricted, awaiting a legal representative, or holding none of the items)",
            415: "unsupported_media_type",
            422: "validation_failed (no legal basis, missing evidence, unknown items)",
        },
    ),
)
def provide_to_third_party(
    body: Annotated[DisclosureRequest, Body()],
    actor: CurrentActor,
    disclosures: Annotated[DisclosureService, Depends(disclosure_service)],
) -> Response[DisclosureOut]:
    return json_response(201, DisclosureOut.of(disclosures.provide(body, actor)))
