"""POST and DELETE /v1/cookie-consents, POST /v1/visits: the cookie banner's choice (§7), its
withdrawal, and the visits it may allow (§1.2)."""

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.dependencies import cookie_consent_service, visit_service
from policybound.api.http import json_body_guard, json_response, no_content
from policybound.api.openapi import Tag
from policybound.api.schemas import CookieConsentOut, error_responses, ok
from policybound.domain.cookies.consents import CONSENT_ID_PATTERN, CookieConsentRequest, CookieConsentService
from policybound.domain.cookies.visits import VisitRequest, VisitService
from policybound.policy import CONSENTABLE_COOKIE_CATEGORIES

router = APIGatewayRouter()
logger = Logger(child=True)


_BODY_ERRORS = {
    400: "invalid_json",
    403: "forbidden (the request's Origin is not allowed)",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    503: "unavailable (retry after Retry-After seconds)",
}


@router.post(
    "/v1/cookie-consents",
    summary="Record the visitor's cookie choice",
    description=(
        "The cookie banner's answer: 'all' allows every category that needs consent "
        f"({', '.join(CONSENTABLE_COOKIE_CATEGORIES)}), 'selected' the listed ones, 'none' none. "
        "Strictly necessary cookies need no consent and are not listed. A choice made under an outdated "
        "policy version is refused (409) so the banner can show the current text and ask again. "
        "The record holds no personal information."
    ),
    operation_id="recordCookieConsent",
    tags=[Tag.COOKIES],
    middlewares=[json_body_guard],
    responses=ok(201, CookieConsentOut, "Recorded") | error_responses(_BODY_ERRORS | {409: "policy_version_outdated"}),
)
def record_cookie_consent(
    body: Annotated[CookieConsentRequest, Body()],
    consents: Annotated[CookieConsentService, Depends(cookie_consent_service)],
) -> Response[CookieConsentOut]:
    return json_response(201, CookieConsentOut.of(consents.record(body)))


@router.delete(
    "/v1/cookie-consents/<consent_id>",
    summary="Withdraw a cookie consent and delete what was collected under it",
    description=(
        "Withdraws the consent and deletes every visit recorded under it (time, page, IP address), then "
        "the consent itself; from the moment of withdrawal no visit is recorded under it. Repeating a "
        "withdrawal that failed halfway (503) finishes it; a withdrawn consent is then unknown (404)."
    ),
    operation_id="withdrawCookieConsent",
    tags=[Tag.COOKIES],
    responses={
        204: {"description": "Withdrawn; its visits and the consent are deleted"},
        **error_responses(
            {
                403: "forbidden (the request's Origin is not allowed)",
                404: "not_found (no such consent, or withdrawn already)",
                422: "validation_failed",
                503: "unavailable (retry after Retry-After seconds)",
            }
        ),
    },
)
def withdraw_cookie_consent(
    consent_id: Annotated[
        str, Path(pattern=CONSENT_ID_PATTERN, description="The consent_id from POST /v1/cookie-consents")
    ],
    consents: Annotated[CookieConsentService, Depends(cookie_consent_service)],
) -> Response[None]:
    deleted = consents.withdraw(consent_id)
    logger.info("cookie consent withdrawn", extra={"visits_deleted": deleted})
    return no_content()


@router.post(
    "/v1/visits",
    summary="Record a page visit, only if the visitor allowed analytics cookies",
    description=(
        "Stores the time, the page's path and the source IP address (§1.2) only when `consent_id` names a "
        "cookie consent recorded by this API, under the policy version in force, that allows 'analytics'. "
        "Otherwise nothing is stored. The answer is 204 either way, so the page learns nothing it "
        "does not already know; invalid input is still refused with 422."
    ),
    operation_id="recordVisit",
    tags=[Tag.COOKIES],
    middlewares=[json_body_guard],
    responses={
        204: {"description": "Recorded if analytics is allowed, otherwise ignored"},
        **error_responses(_BODY_ERRORS),
    },
)
def record_visit(
    body: Annotated[VisitRequest, Body()],
    visits: Annotated[VisitService, Depends(visit_service)],
) -> Response[None]:
    visits.record(body, router.current_event.request_context.identity.source_ip)
    return no_content()
