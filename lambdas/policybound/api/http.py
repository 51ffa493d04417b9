"""Checks on a JSON request body that come before its contents (size, media type, syntax), and the
answers routes give besides a returned model.

The syntax check is stricter than `json.loads`: a body that Python would accept but that names
something twice, or holds values no client means (NaN, Infinity, numbers beyond any field's range,
lone UTF-16 surrogates, nesting deeper than any of our schemas), is refused as invalid JSON, so that
no such value reaches validation, the domain or a store (where it would fail as a 500).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

T = TypeVar("T")

MAX_BODY_BYTES = 16 * 1024
# Our deepest schema nests four levels; 32 leaves room and stays far from Python's recursion limit.
MAX_NESTING = 32
# Longer integer literals than any field takes (and far below Python's 4,300-digit conversion limit).
MAX_INTEGER_DIGITS = 32


class BodyRejected(Exception):
    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _raw_body(event: APIGatewayProxyEvent) -> bytes:
    if event.body is None:
        return b""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(event.body, validate=True)
        except (binascii.Error, ValueError):
            return b"\xff"  # not a body any JSON parser accepts: refused as invalid JSON below
    # A proxy body is text; one carrying lone surrogates cannot be UTF-8 and is refused below.
    return event.body.encode("utf-8", "surrogatepass")


class _NotStrictJson(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise _NotStrictJson("a name appears twice in one object")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise _NotStrictJson(f"{name} is not a JSON number")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _NotStrictJson(f"integers have at most {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotStrictJson("numbers must be finite")
    return value


def _nesting(text: str) -> int:
    """The deepest nesting of arrays and objects, outside strings (json.loads would recurse that deep)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield name
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def parse_strict_json(body: bytes) -> Any:
    """The body's JSON value, or _NotStrictJson / ValueError saying why it is not acceptable JSON."""
    text = body.decode("utf-8")  # strict: invalid UTF-8 is a UnicodeDecodeError (a ValueError)
    if _nesting(text) > MAX_NESTING:
        raise _NotStrictJson(f"nesting is deeper than {MAX_NESTING} levels")
    value = json.loads(
        text,
        object_pairs_hook=_no_duplicates,
        parse_constant=_no_constant,
        parse_int=_bounded_int,
        parse_float=_finite_float,
    )
    for string in _strings(value):
        # "\ud800" escapes decode to lone surrogates, which no store or mail can encode.
        string.encode("utf-8")
    return value


FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


def check_json_body(event: APIGatewayProxyEvent, form_allowed: bool = False) -> BodyRejected | None:
    """The first problem with a request's JSON body, or None. Bodiless requests pass, and so does a form
    body (a page's plain POST) within the size limit where the route takes one (`form_allowed`)."""
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
    if form_allowed and media_type == FORM_MEDIA_TYPE:
        return None
    if media_type != "application/json":
        return BodyRejected(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON with the header 'Content-Type: application/json'.",
        )
    try:
        parse_strict_json(body)
    except _NotStrictJson as error:
        return BodyRejected(
            HTTPStatus.BAD_REQUEST, "invalid_json", f"The request body is not acceptable JSON: {error}."
        )
    except UnicodeError:
        return BodyRejected(
            HTTPStatus.BAD_REQUEST, "invalid_json", "The request body is not valid UTF-8 (JSON must be UTF-8)."
        )
    except ValueError as error:
        return BodyRejected(
            HTTPStatus.BAD_REQUEST,
            "invalid_json",
            "The request body is not valid JSON"
            f" (line {getattr(error, 'lineno', '?')}, column {getattr(error, 'colno', '?')}).",
        )
    return None


def is_json_request(event: APIGatewayProxyEvent) -> bool:
    content_type = (event.headers.get("content-type") or event.headers.get("Content-Type") or "").lower()
    return content_type.split(";")[0].strip() == "application/json"


def strict_json_middleware(app: Any, next_middleware: Any) -> Any:
    """Global middleware of both apps: every JSON body, on every route, passes the strict syntax check
    before any route code sees it (routes with `json_body_guard` also judge size and media type)."""
    event = app.current_event
    if is_json_request(event) and _raw_body(event):
        rejected = check_json_body(event)
        if rejected:
            raise rejected
    return next_middleware(app)


def json_body_guard(app: Any, next_middleware: Any) -> Any:
    """Route middleware: valid JSON can still be too large or sent as another type; judge it before use."""
    rejected = check_json_body(app.current_event)
    if rejected:
        raise rejected
    return next_middleware(app)


NO_STORE = {"Cache-Control": "no-store"}


def no_store_middleware(app: Any, next_middleware: Any) -> Any:
    """Answers that carry personal information or secrets (rights sessions and records, every staff
    route) are never kept by a browser or a proxy cache."""
    response = next_middleware(app)
    response.headers.update(NO_STORE)
    return response


def json_response(status: int, body: T) -> Response[T]:
    """A JSON answer with the route's own status: a model the route returns is answered with 200."""
    return Response(status_code=status, content_type="application/json", body=body)


def no_content() -> Response[None]:
    """204: done, and nothing to tell (RFC 9110 §15.3.5: no body)."""
    return Response(status_code=204, body=None)
