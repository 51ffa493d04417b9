"""The staff REST API (/v1/staff/*): behind the Cognito user-pool authorizer, one role check for all.

Each area has its own router module `routes/<area>.py` and its own rows in
`staff.permissions.ROUTE_ROLES`; add both, and include the router below. A route takes its caller and
its name for the access records as `auth.CurrentActor` and `auth.RouteName`, lists its answers with
`answers.answers` (which adds the refusals every staff route can give), and a paged listing takes
`paging`'s limit and cursor.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from policybound.api.errors import register_error_handlers
from policybound.api.http import no_store_middleware, strict_json_middleware
from policybound.api.openapi import API_VERSION, STAFF_TAGS, in_one_error_shape, named_shapes, openapi_tags
from policybound.api.origins import cors_config
from policybound.api.paths import STAFF_PREFIX
from policybound.api.staff.permissions import StaffGate
from policybound.api.staff.routes import (
    access_rights,
    disclosures,
    evidence,
    incidents,
    inquiries,
    ledger,
    legal_holds,
    letters,
    me,
    records,
    rights_requests,
)

STAFF_API_TITLE = "Policybound staff API"
STAFF_SECURITY = "staffIdToken"


def create_staff_app(allowed_origins: Sequence[str] = (), app_clients: Collection[str] = ()) -> APIGatewayRestResolver:
    """The staff app; it admits only id tokens issued to `app_clients` (none: nobody is admitted)."""
    app = APIGatewayRestResolver(enable_validation=True, cors=cors_config(allowed_origins))
    for area in (
        me,
        legal_holds,
        records,
        ledger,
        evidence,
        access_rights,
        incidents,
        rights_requests,
        disclosures,
        inquiries,
        letters,
    ):
        # The routers' paths are under the staff prefix, which API Gateway routes to this function.
        app.include_router(area.router, prefix=STAFF_PREFIX)
    gate = StaffGate(frozenset(app_clients))
    app.use(middlewares=[gate.middleware, strict_json_middleware, no_store_middleware])
    register_error_handlers(app, gate=gate.admit)
    return app


def staff_openapi_json(app: APIGatewayRestResolver) -> str:
    # Powertools' OpenAPI models load when the document is asked for, not at every cold start.
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    schemes: dict[str, Any] = {
        STAFF_SECURITY: HTTPBearer(
            bearerFormat="JWT", description="An id token of the staff user pool (Cognito), with its groups."
        )
    }
    document = app.get_openapi_json_schema(
        title=STAFF_API_TITLE,
        version=API_VERSION,
        tags=openapi_tags(STAFF_TAGS),
        security_schemes=schemes,
        security=[{STAFF_SECURITY: []}],
        description=(
            "Routes for the company's PI handlers, PI manager and auditors. Every call needs an id token of the "
            "staff user pool (Authorization header); each route names the groups it is open to. Every read of "
            "personal information writes an access record."
        ),
    )
    return named_shapes(in_one_error_shape(document))
