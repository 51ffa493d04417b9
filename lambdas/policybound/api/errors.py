"""The one place where exceptions become HTTP responses, in API.md's error shape.

Error bodies never echo submitted values: pydantic's `input` is dropped, and messages are ours.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ValidationException,
)
from aws_lambda_powertools.event_handler.openapi.params import Form
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from policybound.api.http import NO_STORE, BodyRejected, check_json_body
from policybound.api.origins import OriginForbidden, OriginPolicy
from policybound.api.paths import registered_routes
from policybound.domain.core.errors import (
    AlreadyCompleted,
    ConsentLinkExpired,
    ConsentLinkInvalid,
    ConsentLinkUnknown,
    DomainError,
    FieldProblem,
    Forbidden,
    NotFound,
    OutcomeDoesNotFit,
    PolicyVersionOutdated,
    RateLimited,
    RecordNotUsable,
    RequiredConsentWithheld,
    RetainedByLaw,
    Unauthorized,
    Unavailable,
    UnsubscribeLinkExpired,
    UnsubscribeLinkInvalid,
    UnsubscribeLinkUnknown,
    ValidationFailed,
    problem_text,
)

logger = Logger(child=True)

RETRY_AFTER_SECONDS = 2

_STATUS: dict[type[DomainError], tuple[HTTPStatus, str]] = {
    ValidationFailed: (HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed"),
    RequiredConsentWithheld: (HTTPStatus.UNPROCESSABLE_ENTITY, "required_consent_withheld"),
    PolicyVersionOutdated: (HTTPStatus.CONFLICT, "policy_version_outdated"),
    NotFound: (HTTPStatus.NOT_FOUND, "not_found"),
    Unauthorized: (HTTPStatus.UNAUTHORIZED, "unauthorized"),
    Forbidden: (HTTPStatus.FORBIDDEN, "forbidden"),
    Unavailable: (HTTPStatus.SERVICE_UNAVAILABLE, "unavailable"),
    RateLimited: (HTTPStatus.TOO_MANY_REQUESTS, "rate_limited"),
    # Before their parents: the first mapping the error is an instance of answers. A well-formed link that
    # names nothing known is "not found", as an unknown id is; only a malformed one is a bad request.
    UnsubscribeLinkUnknown: (HTTPStatus.NOT_FOUND, "not_found"),
    UnsubscribeLinkInvalid: (HTTPStatus.BAD_REQUEST, "unsubscribe_link_invalid"),
    UnsubscribeLinkExpired: (HTTPStatus.GONE, "unsubscribe_link_expired"),
    ConsentLinkUnknown: (HTTPStatus.NOT_FOUND, "not_found"),
    ConsentLinkInvalid: (HTTPStatus.BAD_REQUEST, "consent_link_invalid"),
    ConsentLinkExpired: (HTTPStatus.GONE, "consent_link_expired"),
    RecordNotUsable: (HTTPStatus.CONFLICT, "record_not_usable"),
    RetainedByLaw: (HTTPStatus.CONFLICT, "retained_by_law"),
    AlreadyCompleted: (HTTPStatus.CONFLICT, "already_completed"),
    OutcomeDoesNotFit: (HTTPStatus.CONFLICT, "outcome_does_not_fit"),
}


# What API Gateway answers itself, before any function runs, by its response type: the stacks give each
# gateway response this status and body, and local mode's gateway emulator answers the same.
GATEWAY_ANSWERS: dict[str, tuple[HTTPStatus, str, str]] = {
    "UNAUTHORIZED": (HTTPStatus.UNAUTHORIZED, "unauthorized", "Sign in again: the token is missing or invalid."),
    "ACCESS_DENIED": (HTTPStatus.FORBIDDEN, "forbidden", "Your role may not use this route."),
    "MISSING_AUTHENTICATION_TOKEN": (HTTPStatus.NOT_FOUND, "not_found", "There is no such route."),
    "THROTTLED": (HTTPStatus.TOO_MANY_REQUESTS, "rate_limited", "Too many requests: wait a moment and retry."),
    "REQUEST_TOO_LARGE": (HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "The body is larger than allowed."),
    "BAD_REQUEST_PARAMETERS": (HTTPStatus.BAD_REQUEST, "validation_failed", "A required header is missing."),
    "DEFAULT_5XX": (HTTPStatus.SERVICE_UNAVAILABLE, "unavailable", "Temporarily unavailable; safe to retry."),
}


def error_body(
    code: str, message: str, details: Iterable[FieldProblem] = (), extra: Mapping[str, Any] | None = None
) -> str:
    """API.md's error shape as JSON: the functions' answers, local mode's gateway and helpers, and the
    bodies API Gateway itself answers with (the stacks' gateway responses) are all written here."""
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "details": [{"field": d.field, "problem": d.problem} for d in details],
    }
    error |= dict(extra or {})
    return json.dumps({"error": error}, ensure_ascii=False)


def error_response(
    status: HTTPStatus,
    code: str,
    message: str,
    details: Iterable[FieldProblem] = (),
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response[str]:
    # Status and code only: what was refused is in the body, and bodies are never logged.
    logger.info("request refused", extra={"status": status.value, "code": code})
    return Response(
        status_code=status.value,
        content_type="application/json",
        body=error_body(code, message, details, extra),
        # An error can name what was refused; no cache keeps it.
        headers=dict(NO_STORE) | dict(headers or {}),
    )


def _problem_from_pydantic(error: Mapping[str, Any]) -> FieldProblem:
    location = [str(part) for part in error.get("loc", ())]
    if location and location[0] in ("body", "query", "path", "header"):
        source, location = location[0], location[1:]
    else:
        source = "body"
    field = ".".join(location) if source == "body" else f"{source}.{'.'.join(location)}"
    return FieldProblem(field or source, problem_text(error, unknown="is not a field of this request"))


def _forbidden(error: OriginForbidden) -> Response[str]:
    return error_response(
        HTTPStatus.FORBIDDEN, "forbidden", error.message, [FieldProblem("header.Origin", "is not allowed")]
    )


def _status_and_code(error: DomainError) -> tuple[HTTPStatus, str]:
    return next(
        (mapping for kind, mapping in _STATUS.items() if isinstance(error, kind)),
        (HTTPStatus.BAD_REQUEST, "bad_request"),
    )


def status_of(error: DomainError) -> HTTPStatus:
    """The status the error is answered with (a page answering instead of the JSON body keeps it)."""
    return _status_and_code(error)[0]


def domain_error_response(error: DomainError) -> Response[str]:
    status, code = _status_and_code(error)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if isinstance(error, Unavailable) else None
    if isinstance(error, RateLimited):
        headers = {"Retry-After": str(max(1, int(error.retry_after.total_seconds())))}
    if isinstance(error, Unauthorized):
        # RFC 6750: a 401 names the scheme the client should use.
        headers = {"WWW-Authenticate": 'Bearer realm="policybound"'}
    extra = {"current_version": error.current} if isinstance(error, PolicyVersionOutdated) else None
    if isinstance(error, Unavailable):
        logger.warning("dependency unavailable", extra={"dependency": error.dependency})
    return error_response(status, code, error.message, error.details, headers, extra)


def _takes_a_form(app: APIGatewayRestResolver) -> bool:
    """The route being called declares form fields (a page's plain POST sends them): a form body is then
    judged by validation, not refused as a body that is not JSON."""
    route = app.context.get("_route")
    body_params = route.dependant.body_params if route is not None else []
    return any(isinstance(field.field_info, Form) for field in body_params)


def _methods_taken(app: APIGatewayRestResolver) -> list[str]:
    """The methods of the routes whose rule matches the path nothing was found for (Powertools has no
    answer of its own for a method a path does not take)."""
    path = app.context.get("_path") or app.current_event.path
    return sorted({route.method for route in registered_routes(app) if route.rule.match(path)})


def _has_body(event: Any) -> bool:
    # Only these methods take bodies here; a body sent with GET or DELETE is ignored, as by the routes.
    return event.http_method in ("POST", "PUT", "PATCH") and bool(event.body)


def register_error_handlers(
    app: APIGatewayRestResolver,
    origins: OriginPolicy | None = None,
    gate: Callable[[APIGatewayRestResolver], object] | None = None,
) -> None:
    """`gate` (the staff app's access check) raises Unauthorized or Forbidden; it is also asked before
    a validation verdict, because validation runs before any middleware and must not answer a caller
    who may not call the route at all."""

    @app.exception_handler(BodyRejected)
    def body_rejected(error: BodyRejected) -> Response[str]:
        return error_response(error.status, error.code, error.message)

    app.exception_handler(OriginForbidden)(_forbidden)

    def refused_before_validation() -> Response[str] | None:
        """What answers before any verdict on the body's contents: a page that may not call the API, a
        caller the staff gate does not admit, then the body's size, type and syntax. Validation runs
        before any middleware, so its errors (and any error it meets parsing the body) come here."""
        refused = origins.refusal(app.current_event) if origins else None
        if refused:
            return _forbidden(refused)
        if gate:
            try:
                gate(app)
            except DomainError as denied:
                return domain_error_response(denied)
        event = app.current_event
        rejected = check_json_body(event, form_allowed=_takes_a_form(app)) if _has_body(event) else None
        return error_response(rejected.status, rejected.code, rejected.message) if rejected else None

    # RequestUnsupportedContentType is a sibling of RequestValidationError; both are judged here.
    @app.exception_handler([RequestValidationError, RequestUnsupportedContentType])
    def request_invalid(error: ValidationException) -> Response[str]:
        # A 16 MiB upload is "too large", not "invalid"; a page that may not call the API at all is told
        # so before anything about its body.
        refused = refused_before_validation()
        if refused:
            return refused
        details = [_problem_from_pydantic(e) for e in error.errors()]
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Some fields are missing or not valid; see details.",
            details,
        )

    app.exception_handler(DomainError)(domain_error_response)

    @app.exception_handler(IdempotencyAlreadyInProgressError)
    def in_progress(_: IdempotencyAlreadyInProgressError) -> Response[str]:
        return error_response(
            HTTPStatus.CONFLICT,
            "request_in_progress",
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(IdempotencyValidationError)
    def key_reused(_: IdempotencyValidationError) -> Response[str]:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request; use a new key.",
            [FieldProblem("header.Idempotency-Key", "was used for a different body")],
        )

    @app.not_found
    def not_found(_: Exception) -> Response[str]:
        taken = _methods_taken(app)
        if taken:
            # RFC 9110: the resource exists, and Allow says what it takes.
            return error_response(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "method_not_allowed",
                f"This resource takes {', '.join(taken)} only.",
                headers={"Allow": ", ".join(taken)},
            )
        return error_response(
            HTTPStatus.NOT_FOUND, "not_found", "No such resource. See /openapi.json for the routes this API has."
        )

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response[str]:
        # Parsing a body Python's json module chokes on (too deep, a 4,301-digit number, not UTF-8)
        # fails inside validation, before any middleware: such a body is the client's error.
        refused = refused_before_validation()
        if refused:
            return refused
        # The type only: an exception's text can carry submitted values.
        logger.error("unhandled error", extra={"error_type": type(error).__name__})
        return error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side; nothing was stored."
        )
