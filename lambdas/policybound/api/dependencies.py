"""Services the routes depend on. The entry point (or a test) provides them through Powertools'
`app.dependency_overrides`, so routes never build AWS clients themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from policybound.domain.intake import IntakeService


class Idempotency(Protocol):
    def run(self, key: str, fingerprint: str, operation: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run `operation` once per key; a repeat with the same key and fingerprint returns the first
        result, and a repeat with another fingerprint is refused."""
        ...


@dataclass(frozen=True)
class Services:
    intake: IntakeService
    idempotency: Idempotency


def services() -> Services:
    raise RuntimeError("services are not wired: the entry point must set app.dependency_overrides[services]")
