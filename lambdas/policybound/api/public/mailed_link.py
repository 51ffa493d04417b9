"""What the routes a mailed link opens share: the link's token parameter, and one answer in two forms —
a page for the person who opened the link in a browser, JSON for a caller that asks for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel

from policybound.api.public.unsubscribe_page import wants_html
from policybound.domain.core.sealing import LINK_TOKEN_PATTERN

T = TypeVar("T")


def token_query(description: str) -> Query:
    """Required, and of the link's shape: a token that is not is refused as the domain checks it (400,
    with the link's page for a browser), so the schema says what is checked rather than Powertools
    checking it."""
    return Query(description=description, json_schema_extra={"pattern": LINK_TOKEN_PATTERN})


@dataclass(frozen=True)
class MailedLink(Generic[T]):
    """How one link's result is answered: `page` renders it (with the token while the page's button still
    needs it), `body` is its JSON."""

    router: APIGatewayRouter
    page: Callable[[T, str | None], Response[str]]
    body: Callable[[T], BaseModel]

    def answer(self, result: T, token: str | None = None) -> Response[Any]:
        if wants_html(self.router.current_event):
            return self.page(result, token)
        return Response(status_code=200, content_type="application/json", body=self.body(result).model_dump_json())
