"""Services the routes depend on, one provider per service.

Routes declare `Annotated[IntakeService, Depends(intake_service)]`; the entry point (through
`Wiring.providers()`) or a test replaces each provider via Powertools' `app.dependency_overrides`,
so routes never build AWS clients themselves and tests swap in fakes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, Protocol

from policybound.domain.cookies import CookieConsentService
from policybound.domain.intake import IntakeService
from policybound.domain.legal_holds import LegalHoldService
from policybound.domain.unsubscribe import UnsubscribeService
from policybound.domain.visits import VisitService


class Idempotency(Protocol):
    def run(self, key: str, fingerprint: str, operation: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run `operation` once per key; a repeat with the same key and fingerprint returns the first
        result, and a repeat with another fingerprint is refused."""
        ...


def _not_wired(name: str) -> NoReturn:
    raise RuntimeError(f"{name} is not wired: the entry point must override it in app.dependency_overrides")


def intake_service() -> IntakeService:
    _not_wired("intake_service")


def idempotency() -> Idempotency:
    _not_wired("idempotency")


def cookie_consent_service() -> CookieConsentService:
    _not_wired("cookie_consent_service")


def visit_service() -> VisitService:
    _not_wired("visit_service")


def unsubscribe_service() -> UnsubscribeService:
    _not_wired("unsubscribe_service")


def legal_hold_service() -> LegalHoldService:
    _not_wired("legal_hold_service")
