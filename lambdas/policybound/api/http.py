"""Checks on a JSON request body that come before its contents: size, media type, syntax."""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

MAX_BODY_BYTES = 16 * 1024


class BodyRejected(Exception):
    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _raw_body(event: APIGatewayProxyEvent) -> bytes:
    if event.body is None:
        return b""
    if event.is_base64_encoded:
        return base64.b64decode(event.body)
    return event.body.encode()


def check_json_body(event: APIGatewayProxyEvent) -> BodyRejected | None:
    """The first problem with a request's JSON body, or None. Bodiless requests pass."""
    body = _raw_body(event)
    if len(body) > MAX_BODY_BYTES:
        return BodyRejected(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "payload_too_large",
            f"The request body is {len(body)} bytes; the limit is {MAX_BODY_BYTES} bytes (16 KiB).",
        )
    if not body:
        return None
    content_type = (event.headers.get("content-type") or event.headers.get("Content-Type") or "").lower()
    media_type = content_type.split(";")[0].strip()
    if media_type != "application/json":
        return BodyRejected(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON with the header 'Content-Type: application/json'.",
        )
    try:
        json.loads(body)
    except ValueError as error:
        return BodyRejected(
            HTTPStatus.BAD_REQUEST,
            "invalid_json",
            "The request body is not valid JSON"
            f" (line {getattr(error, 'lineno', '?')}, column {getattr(error, 'colno', '?')}).",
        )
    return None


def json_body_guard(app: Any, next_middleware: Any) -> Any:
    """Route middleware: valid JSON can still be too large or sent as another type; judge it before use."""
    rejected = check_json_body(app.current_event)
    if rejected:
        raise rejected
    return next_middleware(app)
