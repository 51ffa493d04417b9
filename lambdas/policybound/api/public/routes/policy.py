"""GET /v1/policy: the policy in force, in English or Korean."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.openapi import Tag
from policybound.domain.core.policy_document import policy_document, preferred_language

router = APIGatewayRouter()


@router.get("/v1/policy", summary="The privacy policy in force", operation_id="getPolicy", tags=[Tag.POLICY])
def get_policy(
    accept_language: Annotated[str | None, Header(alias="Accept-Language", max_length=256)] = None,
) -> dict[str, Any]:
    return policy_document(preferred_language(accept_language))
