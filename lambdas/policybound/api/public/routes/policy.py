"""GET /v1/policy: the policy in force (by today's date in Seoul), or any published version, in English
or Korean."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.dependencies import clock
from policybound.api.openapi import Tag
from policybound.api.schemas import error_responses
from policybound.domain.core.clock import Clock
from policybound.domain.core.policy_document import policy_document, preferred_language
from policybound.policy import POLICY_TIMEZONE

router = APIGatewayRouter()


@router.get(
    "/v1/policy",
    summary="The privacy policy in force, or a published version",
    description=(
        "Without `version`, the version in force today (it switches on its effective date). With `version`, "
        "any published version: the ones in force before, and an announced one before it takes effect. "
        "`upcoming_changes` lists the announced versions."
    ),
    operation_id="getPolicy",
    tags=[Tag.POLICY],
    responses={
        200: {"description": "The policy"},
        **error_responses({404: "not_found (no such published version)", 422: "validation_failed"}),
    },
)
def get_policy(
    now: Annotated[Clock, Depends(clock)],
    accept_language: Annotated[str | None, Header(alias="Accept-Language", max_length=256)] = None,
    version: Annotated[str | None, Query(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z._-]+$")] = None,
) -> dict[str, Any]:
    # The process's clock, as intake's 409 uses: the page and the consent it sends agree on the version.
    today = now.now().astimezone(POLICY_TIMEZONE).date()
    return policy_document(preferred_language(accept_language), today, version=version)
