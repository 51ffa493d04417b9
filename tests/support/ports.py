"""Every port in memory, and the services built from them by the production builder.

`fake_services()` is the unit tests' service graph: `policybound.services.Services` over `FakePorts`,
so a unit test exercises the same wiring as production with only the adapters swapped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from policybound.catalogue import Resource
from policybound.domain.core.clock import Clock, FixedClock
from policybound.services import Services
from policybound.settings import Settings, environment_name, settings_from
from tests.support.fakes import (
    FakeBlindIndex,
    FakeCookieConsentStore,
    FakeIdempotency,
    FakeKeks,
    FakeLedger,
    FakeLegalHoldStore,
    FakeMailer,
    FakeVisitStore,
)
from tests.support.rights_fakes import (
    FakeDisclosureStore,
    FakeKeyedHash,
    FakeRightsRequestStore,
    FakeRightsStore,
    FakeVerificationStore,
)
from tests.support.staff_fakes import (
    FakeAttemptStore,
    FakeCensus,
    FakeDirectory,
    FakeFormIndex,
    FakeIncidentStore,
    FakeSessionStore,
)

# The links mails carry in unit tests: the API's base URL and the site (the first allowed origin).
TEST_SETTINGS: Settings = settings_from(
    {
        environment_name("public_base_url"): "https://api.example.com",
        environment_name("allowed_origins"): "https://www.example.com",
    },
    needs=("public_base_url", "allowed_origins"),
)


class MovableClock(FixedClock):
    """The unit tests' clock: stands still until a test moves it (`at = ...` or `advance(days=...)`)."""

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


class FakeResourceLinks:
    """Presigned links as S3 makes them, without S3: the file's key and how long the link works."""

    def link(self, resource: Resource, valid_for_seconds: int) -> str:
        return f"https://files.example.com/{resource.object_key}?X-Amz-Expires={valid_for_seconds}"


class NotFaked:
    """A port no unit test reaches (its adapter is tested against moto): any use of it fails the test."""

    def __init__(self, port: str) -> None:
        self._port = port

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"unit tests have no fake {self._port}; test it against moto")


def _record_opened() -> None:
    """Production counts each opened record in a metric; unit tests count nothing."""


@dataclass
class FakePorts:
    """Each port once, in memory; the ones that share state (holds and the index over the records, the
    visits under their consents, the incidents' ledger) are built over the same fakes."""

    store: FakeRightsStore = field(default_factory=FakeRightsStore)
    keks: FakeKeks = field(default_factory=FakeKeks)
    blind_index: FakeBlindIndex = field(default_factory=FakeBlindIndex)
    keyed_hash: FakeKeyedHash = field(default_factory=FakeKeyedHash)
    mailer: FakeMailer = field(default_factory=FakeMailer)
    idempotency: FakeIdempotency = field(default_factory=FakeIdempotency)
    cookie_consent_store: FakeCookieConsentStore = field(default_factory=FakeCookieConsentStore)
    session_store: FakeSessionStore = field(default_factory=FakeSessionStore)
    attempt_store: FakeAttemptStore = field(default_factory=FakeAttemptStore)
    staff_directory: FakeDirectory = field(default_factory=FakeDirectory)
    verifications: FakeVerificationStore = field(default_factory=FakeVerificationStore)
    disclosure_store: FakeDisclosureStore = field(default_factory=FakeDisclosureStore)
    rights_request_store: FakeRightsRequestStore = field(default_factory=FakeRightsRequestStore)
    resource_links: FakeResourceLinks = field(default_factory=FakeResourceLinks)
    # The fakes' `due` ignores shards; two still show that the sweeper walks each one.
    expiry_shards: tuple[str, ...] = ("0", "1")
    visit_expiry_shards: tuple[str, ...] = ("0",)
    record_opened: Any = _record_opened
    letter_store: Any = field(default_factory=lambda: NotFaked("letter store"))
    letter_queue: Any = field(default_factory=lambda: NotFaked("letter queue"))
    inquiry_store: Any = field(default_factory=lambda: NotFaked("inquiry store"))
    visit_store: FakeVisitStore = field(init=False)
    legal_hold_store: FakeLegalHoldStore = field(init=False)
    form_index: FakeFormIndex = field(init=False)
    census: FakeCensus = field(init=False)
    incident_store: FakeIncidentStore = field(init=False)

    def __post_init__(self) -> None:
        self.visit_store = FakeVisitStore(self.cookie_consent_store)
        self.legal_hold_store = FakeLegalHoldStore(self.store)
        self.form_index = FakeFormIndex(self.store)
        self.census = FakeCensus(self.store)
        self.incident_store = FakeIncidentStore(self.ledger)

    @property
    def ledger(self) -> FakeLedger:
        return self.store.ledger


def fake_services(now: datetime | Clock, ports: FakePorts | None = None) -> Services[FakePorts]:
    """The production builder over in-memory ports, with a clock that stands at `now` (or that clock)."""
    clock = MovableClock(now) if isinstance(now, datetime) else now
    return Services(ports or FakePorts(), clock, TEST_SETTINGS)
