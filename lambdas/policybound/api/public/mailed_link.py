"""What the routes a mailed link opens share: the link's token parameter, its documented answers, and one
answer in two forms — a page for the person who opened the link in a browser, JSON for a caller that asks
for it — for its result and for its refusals alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel

from policybound.api.errors import domain_error_response, status_of
from policybound.api.http import json_response
from policybound.api.public.unsubscribe_page import wants_html
from policybound.api.schemas import mailed_link_responses
from policybound.domain.core.errors import DomainError
from policybound.domain.core.sealing import LINK_TOKEN_PATTERN

T = TypeVar("T")
E = TypeVar("E", bound=DomainError)


def token_query(description: str) -> Query:
    """Required, and of the link's shape: a token that is not is refused as the domain checks it (400,
    with the link's page for a browser), so the schema says what is checked rather than Powertools
    checking it."""
    return Query(description=description, json_schema_extra={"pattern": LINK_TOKEN_PATTERN})


@dataclass(frozen=True)
class MailedLink(Generic[T]):
    """How one link's result is answered: `page` renders it (with the token while the page's button still
    needs it), `body` is its JSON (of the `model` documented); `refused` documents its refusals (status ->
    what it means)."""

    router: APIGatewayRouter
    page: Callable[[T, str | None], Response[str]]
    body: Callable[[T], BaseModel]
    model: type[BaseModel]
    refused: dict[int, str]

    def responses(self, ok: str) -> dict[int, Any]:
        """A route's OpenAPI answers: `ok` says what its 200 holds."""
        return mailed_link_responses(ok, self.model, self.refused)

    def answer(self, result: T, token: str | None = None) -> Response[Any]:
        if wants_html(self.router.current_event):
            return self.page(result, token)
        return json_response(200, self.body(result).model_dump_json())


def refused_link(app: APIGatewayRestResolver, page: Callable[[E, int], Response[str]]) -> Callable[[E], Response[str]]:
    """The exception handler for a link's refusals: `page` as the error's status for a browser (the link
    comes from a mail, so a person reads the answer), the one JSON error for a caller that asks for it."""

    def answer(error: E) -> Response[str]:
        if wants_html(app.current_event):
            return page(error, status_of(error).value)
        return domain_error_response(error)

    return answer
