"""The paged staff listings' shared parts: a domain page becomes `{items, next_cursor}` (and the answer's
other fields), and `limit` is bounded the same way on every listing."""

from __future__ import annotations

from annotated_types import Ge, Le
from pydantic import BaseModel

from policybound.api.staff.paging import MAX_PAGE, page_out, per_page
from policybound.domain.staff.pagination import Page


class ItemOut(BaseModel):
    n: int


class ItemsOut(BaseModel):
    items: list[ItemOut]
    next_cursor: str | None


class KindItemsOut(ItemsOut):
    kind: str


def test_a_page_becomes_its_answer_item_by_item_in_order() -> None:
    out = page_out(ItemsOut, Page([3, 1, 2], "next"), lambda n: ItemOut(n=n))
    assert out == ItemsOut(items=[ItemOut(n=3), ItemOut(n=1), ItemOut(n=2)], next_cursor="next")


def test_the_last_page_answers_no_cursor_and_other_fields_are_passed_on() -> None:
    out = page_out(KindItemsOut, Page([], None), lambda n: ItemOut(n=n), kind="access")
    assert out == KindItemsOut(items=[], next_cursor=None, kind="access")


def test_every_listing_limit_takes_one_to_a_hundred() -> None:
    limit = per_page("Records")
    assert limit.metadata == [Ge(1), Le(MAX_PAGE)]
    assert MAX_PAGE == 100
    assert limit.description == "Records per page (1-100)."
