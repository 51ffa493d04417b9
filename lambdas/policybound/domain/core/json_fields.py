"""Request body fields held to the JSON their schema states.

Pydantic's lax mode widens some JSON types: a date-time field takes a number (seconds since 1970) and a
`false` literal takes 0; and a field that may be left out takes an explicit null where the body's schema
has no null (a shape of `policybound.domain.core.shapes` that leaves the field out, or one that needs it
given). Schema-driven clients and fuzzers read the stated type as what the API takes, so such a body is
refused like any other invalid one. Query and form values stay lax: they arrive as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeVar

from pydantic import AwareDatetime, BeforeValidator

T = TypeVar("T")


def _text(value: object) -> object:
    # A datetime comes only from Python callers (tests, local tools); JSON has none.
    if not isinstance(value, str | datetime):
        raise ValueError("must be a date-time string with its UTC offset, e.g. 2026-11-30T09:00:00+09:00")
    return value


def _boolean(value: object) -> object:
    if not isinstance(value, bool):
        raise ValueError("must be false (a JSON boolean)")
    return value


def _given(value: object) -> object:
    if value is None:
        raise ValueError("must be left out rather than sent as null")
    return value


# A moment, as RFC 3339 text with its offset.
Instant = Annotated[AwareDatetime, BeforeValidator(_text)]
# The JSON boolean false, and nothing equal to it.
OnlyFalse = Annotated[Literal[False], BeforeValidator(_boolean)]
# A field that may be left out (then None), but not sent as null.
Omittable = Annotated[T | None, BeforeValidator(_given)]
