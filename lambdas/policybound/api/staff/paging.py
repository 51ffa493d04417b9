"""What every paged staff listing shares: its `limit` and `cursor` query parameters and how a domain
page (`domain.staff.pagination.Page`) becomes its answer, `{items, next_cursor}`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from policybound.domain.staff.pagination import Page

T = TypeVar("T")
PageOut = TypeVar("PageOut", bound=BaseModel)

MAX_PAGE = 100

Cursor = Annotated[str | None, Query(max_length=4096, description="next_cursor of the previous page.")]


def per_page(what: str) -> Query:
    """A listing's `limit` parameter, `Annotated[int, per_page("Records")]`: how many `what` a page holds."""
    return Query(ge=1, le=MAX_PAGE, description=f"{what} per page (1-{MAX_PAGE}).")


def page_out(out: type[PageOut], page: Page[T], item: Callable[[T], BaseModel], **more: Any) -> PageOut:
    """The answer `out` for `page`, each item shown by `item`; `more` are the answer's other fields."""
    return out(items=[item(found) for found in page.items], next_cursor=page.next_cursor, **more)
