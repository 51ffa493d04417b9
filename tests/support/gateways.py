"""The public and staff apps over a set of services, behind local mode's gateway, as tests call them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from werkzeug.test import Client

from local.gateway import Gateway
from policybound.api.public.app import create_app, openapi_json
from policybound.api.staff.app import create_staff_app, staff_openapi_json
from policybound.services import Services

# The sample site the gateway serves beside the API.
WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
# The app client unit tests' tokens are issued to, and the only one their staff app admits.
TEST_APP_CLIENT = "test-client"


def public_app(services: Services[Any], overrides: dict[Callable[[], Any], Callable[[], Any]] | None = None) -> Any:
    """The public API's resolver with every route's services from `services` (and `overrides`)."""
    app = create_app(services.settings.allowed_origins)
    app.dependency_overrides.update(services.providers() | (overrides or {}))
    return app


def public_client(
    services: Services[Any],
    overrides: dict[Callable[[], Any], Callable[[], Any]] | None = None,
    site_root: Path = WEB_ROOT,
) -> Client:
    """The public API over `services` behind local mode's gateway."""
    app = public_app(services, overrides)
    return Client(Gateway(app.resolve, lambda: openapi_json(app), site_root=site_root, local_routes={}))


def staff_app(services: Services[Any]) -> APIGatewayRestResolver:
    app = create_staff_app(services.settings.allowed_origins, [TEST_APP_CLIENT])
    app.dependency_overrides.update(services.providers())
    return app


def staff_gateway(
    staff: APIGatewayRestResolver, authorizer: Callable[[str | None], dict[str, str] | None], public: Any = None
) -> Gateway:
    """Staff routes to `staff` behind `authorizer` (a stand-in for the Cognito authorizer), the rest to
    `public` (the staff app itself when there is none)."""
    return Gateway(
        (public or staff).resolve,
        lambda: staff_openapi_json(staff),
        site_root=WEB_ROOT,
        local_routes={},
        staff_handler=staff.resolve,
        staff_authorizer=authorizer,
    )
