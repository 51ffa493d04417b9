"""Which web pages may call the API: the origins in ALLOWED_ORIGINS, and the API's own.

A browser names the page that makes a cross-origin request in its `Origin` header. A request from a
page that is not allowed is refused (403) before any route runs, so nothing is stored for it; CORS
alone would only hide the answer from the page after the work was done. Requests without `Origin`
(same-origin navigation, server-to-server calls, curl) are not browser cross-origin calls and pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from aws_lambda_powertools.event_handler import CORSConfig
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent


def cors_config(allowed_origins: Sequence[str]) -> CORSConfig | None:
    if not allowed_origins:
        return None
    first, *others = allowed_origins
    return CORSConfig(
        allow_origin=first,
        extra_origins=others,
        allow_headers=["Content-Type", "Idempotency-Key", "Authorization"],
        max_age=600,
    )


class OriginForbidden(Exception):
    def __init__(self) -> None:
        super().__init__("origin not allowed")
        self.message = (
            "This API does not accept requests from the page's origin. "
            "The site's operator can add the origin to ALLOWED_ORIGINS."
        )


def _normal(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def _header(event: APIGatewayProxyEvent, name: str) -> str | None:
    value = event.headers.get(name)
    return value if isinstance(value, str) else None


class OriginPolicy:
    def __init__(self, allowed_origins: Iterable[str]) -> None:
        self.allowed = frozenset(_normal(origin) for origin in allowed_origins if origin.strip())

    def refusal(self, event: APIGatewayProxyEvent) -> OriginForbidden | None:
        origin = _header(event, "Origin")
        if origin is None:
            return None
        origin = _normal(origin)
        if origin in self.allowed or origin == self._own_origin(event):
            return None
        return OriginForbidden()

    @staticmethod
    def _own_origin(event: APIGatewayProxyEvent) -> str | None:
        # API Gateway sets Host to the API's domain and X-Forwarded-Proto to the scheme the client used.
        host = _header(event, "Host")
        if not host:
            return None
        return _normal(f"{_header(event, 'X-Forwarded-Proto') or 'https'}://{host}")

    def middleware(self, app: Any, next_middleware: Any) -> Any:
        """Global middleware: refuse before the route (and before any storage) runs."""
        refused = self.refusal(app.current_event)
        if refused:
            raise refused
        return next_middleware(app)
