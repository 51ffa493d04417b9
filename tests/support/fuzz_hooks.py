"""What the schema fuzzers send as a real client would: a new Idempotency-Key for each request.

Schemathesis draws the header like any other value, so many requests carry the same short key ("0")
with different bodies. The API rightly refuses each of them after the first (422
idempotency_key_reused), and schemathesis reads those refusals as request schemas looser than
validation. A key drawn empty stays empty (a request meant to be refused); any other keeps its drawn
characters and ends in a unique part, its length kept where it was long (too long stays too long)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

HEADER = "idempotency-key"


def fresh_idempotency_key(context: Any, case: Any, **kwargs: Any) -> None:
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() == HEADER and isinstance(value, str) and value:
            unique = uuid.uuid4().hex
            headers[name] = value[: -len(unique)] + unique if len(value) >= len(unique) else value + unique


@contextmanager
def fresh_idempotency_keys() -> Iterator[None]:
    """While open, each request schemathesis sends from this process has a key of its own (a hook that
    changes requests can only be registered for the whole process)."""
    schemathesis.hook("before_call")(fresh_idempotency_key)
    try:
        yield
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(fresh_idempotency_key)
