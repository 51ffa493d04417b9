from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from policybound.domain.core.clock import FixedClock
from policybound.domain.core.sealing import EnvelopeSealer
from policybound.policy import in_force_at
from tests.support.fakes import FakeIdempotency, FakeKeks, FakeMailer, FakeStore
from tests.support.gateways import public_client
from tests.support.ports import MovableClock, fake_services
from tests.support.staff import StaffApi, build_staff_api

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)

VALID_FIELDS: dict[str, dict[str, str]] = {
    "contact-us": {
        "name": "Kim Minji",
        "email": "minji@example.co.kr",
        "contact": "+82 10-1234-5678",
        "organization": "Example Corp",
        "job_grade": "Manager",
        "inquiry": "Please call me about cloud migration.",
    },
    "resources-download": {
        "name": "Lee Jiho",
        "email": "jiho@example.co.kr",
        "company": "Example Corp",
        "job_grade": "Director",
        "resource_id": "cloud-whitepaper-2019",
        "department": "Digital Strategy Office",
    },
    "blog-subscription": {
        "name": "Park Seoyeon",
        "email": "seoyeon@example.co.kr",
        "job": "Data engineer",
        "company": "Example Corp",
        "job_grade": "Senior",
        "interests": "Cloud native architecture",
    },
}


def submission(
    form: str,
    *,
    optional: bool = True,
    required: Any = True,
    marketing: bool | None = None,
    at: datetime = NOW,
    **overrides: Any,
) -> dict[str, Any]:
    """A valid body of `form`, consenting to the version in force `at` (the unit API's clock by default)."""
    fields = dict(VALID_FIELDS[form])
    fields.update(overrides)
    consent: dict[str, Any] = {"required": required, "optional": optional, "policy_version": in_force_at(at)}
    if marketing is not None:
        consent["marketing"] = marketing
    return {"fields": {k: v for k, v in fields.items() if v is not None}, "consent": consent}


@dataclass
class UnitApi:
    client: Client
    store: FakeStore
    mailer: FakeMailer
    keks: FakeKeks
    sealer: EnvelopeSealer
    idempotency: FakeIdempotency
    # The API's clock (intake's and the policy route's); tests move it with `clock.at = ...`.
    clock: FixedClock


@pytest.fixture
def unit_api() -> UnitApi:
    """The real resolver and routes over the services of in-memory ports, driven through local mode's
    gateway."""
    clock = MovableClock(NOW)
    services = fake_services(clock)
    ports = services.ports
    client = public_client(services)
    return UnitApi(client, ports.store, ports.mailer, ports.keks, services.sealer, ports.idempotency, clock)


@pytest.fixture
def staff_api() -> StaffApi:
    """The real staff resolver and routes over fakes, behind a stand-in for the Cognito authorizer; send
    requests with `staff_api.as_role(Role.STAFF).get(...)`. Areas override their own providers in
    `staff_api.app.dependency_overrides`."""
    return build_staff_api(NOW)


TESTS = Path(__file__).parent


def worker_group(path: Path) -> str:
    """The pytest-xdist worker group of a test module (`make test` runs `--dist loadgroup`). Tests that
    share a costly fixture run on one worker, so it is built once: the synthesized app for the
    infrastructure tests, and the local mode of the end-to-end tests outside `browser/` (but for the
    fuzzing module, which starts its own): their last module reads that server's logs for PI, so all of
    them must have run against it. Every other module is a group of its own: its module-scoped moto
    account starts once, and the browser modules (the longest part of the run) spread over the
    workers, each worker starting the browser package's local mode for itself (seconds, against
    minutes of tests)."""
    parts = path.relative_to(TESTS).parts
    if parts[0] == "infra":
        return "synth"
    if parts[0] == "e2e" and parts[1] != "browser" and path.name != "test_fuzz.py":
        return "local-mode"
    return "/".join(parts)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.xdist_group(worker_group(item.path)))
