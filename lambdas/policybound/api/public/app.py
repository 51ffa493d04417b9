"""The public REST API: Powertools' resolver with pydantic validation and the routers of each area."""

from __future__ import annotations

import json
from collections.abc import Sequence

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from policybound.api.errors import register_error_handlers
from policybound.api.http import strict_json_middleware
from policybound.api.openapi import (
    API_VERSION,
    PUBLIC_TAGS,
    in_one_error_shape,
    named_shapes,
    openapi_tags,
    with_policy_version_examples,
)
from policybound.api.origins import OriginPolicy, cors_config
from policybound.api.public.consent_renewal_page import consent_link_error_page
from policybound.api.public.mailed_link import refused_link
from policybound.api.public.routes import consent_renewals, cookies, forms, policy, resources, rights, unsubscribe
from policybound.api.public.unsubscribe_page import error_page
from policybound.domain.core.clock import Clock, SystemClock
from policybound.domain.core.errors import (
    ConsentLinkExpired,
    ConsentLinkInvalid,
    UnsubscribeLinkExpired,
    UnsubscribeLinkInvalid,
)
from policybound.policy import RETENTION_MONTHS, in_force_at

API_TITLE = "Policybound"


def create_app(allowed_origins: Sequence[str] = ()) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True, cors=cors_config(allowed_origins))
    app.include_router(policy.router)
    app.include_router(forms.router)
    app.include_router(resources.router)
    app.include_router(cookies.router)
    app.include_router(unsubscribe.router)
    app.include_router(consent_renewals.router)
    app.include_router(rights.router)
    # Cross-origin requests from pages that are not allowed are refused (403) before any route runs.
    origins = OriginPolicy(allowed_origins)
    app.use(middlewares=[origins.middleware, strict_json_middleware])
    register_error_handlers(app, origins)
    # A refused unsubscribe or consent link is answered with its page, as the error's status.
    app.exception_handler([UnsubscribeLinkInvalid, UnsubscribeLinkExpired])(refused_link(app, error_page))
    app.exception_handler([ConsentLinkInvalid, ConsentLinkExpired])(refused_link(app, consent_link_error_page))
    return app


def openapi_json(app: APIGatewayRestResolver, clock: Clock | None = None) -> str:
    """The OpenAPI document as of now: its examples name the policy version in force (`clock`'s)."""
    in_force = in_force_at((clock or SystemClock()).now())
    document = app.get_openapi_json_schema(
        title=API_TITLE,
        version=API_VERSION,
        description=(
            "Policybound keeps the promises of the privacy policy in force "
            f"(version {in_force}): only listed items, only with consent, only in AWS Seoul, "
            f"destroyed {RETENTION_MONTHS} months after consent. "
            'Every error is {"error": {"code", "message", "details"}}.'
        ),
        tags=openapi_tags(PUBLIC_TAGS),
        security_schemes=rights.security_schemes(),
    )
    parsed = json.loads(named_shapes(in_one_error_shape(document)))
    forms.document_forms(parsed, in_force)
    return with_policy_version_examples(json.dumps(parsed), in_force)
