"""Powertools' process-wide request state, made per thread for local mode.

Powertools keeps the event being resolved, and its Lambda context, on the `BaseRouter` class: every
resolver and router in the process reads them there. In Lambda that is one event per process. Local mode
runs a function's instances as threads of one process, so without this two requests resolved at once
read each other's query, headers and body (a valid request refused 422 with another's parameters).
"""

from __future__ import annotations

import threading
from abc import ABCMeta
from typing import Any

from aws_lambda_powertools.event_handler import api_gateway

_STATE = ("current_event", "lambda_context")
_per_thread = threading.local()


class _PerThread:
    """One attribute of the router class, held per thread; read and written from the class
    (`BaseRouter.current_event = …`) and from its instances alike."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        try:
            return getattr(_per_thread, self._name)
        except AttributeError:
            raise AttributeError(self._name) from None

    def __set__(self, instance: object, value: Any) -> None:
        setattr(_per_thread, self._name, value)


class _RouterClass(ABCMeta):
    """The router class's own type: a class attribute assignment goes through a descriptor only when
    the descriptor is on the class's type."""


for _name in _STATE:
    setattr(_RouterClass, _name, _PerThread(_name))


def make_router_state_per_thread() -> None:
    """Idempotent; before any request is resolved in this process."""
    base = api_gateway.BaseRouter
    if type(base) is _RouterClass:
        return
    for name in _STATE:
        # On the class too, so that instances (`app.current_event`) find the per-thread value.
        setattr(base, name, _PerThread(name))
    # A class's type can be swapped for a compatible one (same layout); mypy reads it as a method.
    base.__class__ = _RouterClass  # type: ignore[method-assign,assignment]
