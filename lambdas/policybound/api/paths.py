"""Where the API's routes live. API Gateway's resources (stacks), local mode's gateway emulator, the staff
app's routes and its route × role table all read these prefixes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Route

API_PREFIX = "/v1"
# The staff API: its own function, behind the Cognito authorizer.
STAFF_PREFIX = f"{API_PREFIX}/staff"
# The data subjects' rights routes: a resource of their own, for their own (lower) throttle.
RIGHTS_PREFIX = f"{API_PREFIX}/rights"


def registered_routes(app: ApiGatewayResolver) -> list[Route]:
    """Every route an app has, as Powertools matches them. Powertools keeps its route table private; this
    is the one place that reads it (the 405 answer and the tests that walk the routes)."""
    return [*app._static_routes, *app._dynamic_routes]
