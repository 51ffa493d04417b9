"""Pages over several forms' listings at once, newest first, with an opaque cursor.

Each form's listing is read through its own index partition (never a scan); a page merges them by
time. The cursor holds, per form, the last position returned or "end": ids and times, never PI.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from policybound.domain.core.errors import FieldProblem, ValidationFailed
from policybound.domain.staff.ports import FormIndex, IndexPosition
from policybound.policy import FormId

T = TypeVar("T")
_END = "end"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing, and the cursor of the next (None after the last)."""

    items: list[T]
    # None when there is nothing more; a page can hold fewer items than asked and still have a next one.
    next_cursor: str | None


@dataclass(frozen=True)
class Listed:
    """A listed record: its form and its position in that form's index."""

    form: FormId
    position: IndexPosition


_State = dict[FormId, IndexPosition | str | None]


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "The cursor is not one this listing returned; start again without it.",
        (FieldProblem("query.cursor", "is not a cursor of this listing"),),
    )


def encode_cursor(state: _State) -> str:
    document = {
        form.value: [value.received_at, value.submission_id] if isinstance(value, IndexPosition) else value
        for form, value in state.items()
    }
    return base64.urlsafe_b64encode(json.dumps(document, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, forms: Sequence[FormId]) -> _State:
    if not cursor:
        return dict.fromkeys(forms)
    try:
        document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as error:
        raise _bad_cursor() from error
    if not isinstance(document, dict) or set(document) != {form.value for form in forms}:
        raise _bad_cursor()
    state: _State = {}
    for form in forms:
        value = document[form.value]
        if value == _END or value is None:
            state[form] = value
        elif isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
            state[form] = IndexPosition(received_at=value[0], submission_id=value[1])
        else:
            raise _bad_cursor()
    return state


def merged_page(index: FormIndex, forms: Sequence[FormId], limit: int, cursor: str | None) -> Page[Listed]:
    """The next `limit` submissions of `forms`, newest first."""
    state = decode_cursor(cursor, forms)
    fetched: dict[FormId, list[IndexPosition]] = {}
    for form in forms:
        position = state[form]
        if position != _END:
            fetched[form] = index.newest(form, limit, position if isinstance(position, IndexPosition) else None)
    candidates = sorted(
        (Listed(form, position) for form, positions in fetched.items() for position in positions),
        key=lambda listed: (listed.position.received_at, listed.position.submission_id),
        reverse=True,
    )[:limit]
    next_state: _State = {}
    for form in forms:
        if form not in fetched:
            next_state[form] = _END
            continue
        taken = [listed.position for listed in candidates if listed.form == form]
        exhausted = len(fetched[form]) < limit and len(taken) == len(fetched[form])
        next_state[form] = _END if exhausted else (taken[-1] if taken else state[form])
    more = any(value != _END for value in next_state.values())
    return Page(candidates, encode_cursor(next_state) if more else None)
