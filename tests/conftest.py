from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from werkzeug.test import Client

from local.environment import app_environment, aws_environment
from local.gateway import Gateway
from local.provision import provision_with
from policybound.api.public.app import create_app, openapi_json
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.sealing import EnvelopeSealer
from policybound.policy import AWS_REGION, POLICY_VERSION
from policybound.settings import settings_from
from policybound.wiring import Wiring
from tests.support.fakes import FakeIdempotency, FakeKeks, FakeMailer, FakeStore
from tests.support.ports import TEST_SETTINGS, fake_services
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
    form: str, *, optional: bool = True, required: Any = True, marketing: bool | None = None, **overrides: Any
) -> dict[str, Any]:
    fields = dict(VALID_FIELDS[form])
    fields.update(overrides)
    consent: dict[str, Any] = {"required": required, "optional": optional, "policy_version": POLICY_VERSION}
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
    clock = FixedClock(NOW)
    services = fake_services(clock)
    ports = services.ports
    app = create_app(TEST_SETTINGS.allowed_origins)
    app.dependency_overrides.update(services.providers())
    gateway = Gateway(app.resolve, lambda: openapi_json(app), site_root=_web_root(), local_routes={})
    return UnitApi(Client(gateway), ports.store, ports.mailer, ports.keks, services.sealer, ports.idempotency, clock)


def _web_root() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "web"


@pytest.fixture
def staff_api() -> StaffApi:
    """The real staff resolver and routes over fakes, behind a stand-in for the Cognito authorizer; send
    requests with `staff_api.as_role(Role.STAFF).get(...)`. Areas override their own providers in
    `staff_api.app.dependency_overrides`."""
    return build_staff_api(NOW, _web_root())


@dataclass
class AwsApi:
    client: Client
    wiring: Wiring
    dynamodb: Any
    tables: dict[str, str]

    def scan_all(self) -> dict[str, list[dict[str, Any]]]:
        return {name: self.dynamodb.scan(TableName=name)["Items"] for name in self.tables.values()}


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """An in-process moto account with local mode's tables, keys and mail identity; returns app env."""
    from moto import mock_aws

    env = aws_environment()
    env.pop("AWS_ENDPOINT_URL")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        clients = [boto3.client(n, region_name=AWS_REGION) for n in ("dynamodb", "kms", "ses", "s3", "sqs")]
        key_ids = provision_with(*clients)
        app_env = app_environment(key_ids, "https://api.example.com")
        for name, value in app_env.items():
            monkeypatch.setenv(name, value)
        yield app_env


@pytest.fixture
def aws_api(moto_aws: dict[str, str]) -> AwsApi:
    """The real wiring (boto3 adapters, Powertools idempotency) against moto, with a fixed clock."""
    settings = settings_from(os.environ)
    wiring = Wiring(settings, clock=FixedClock(NOW))
    app = create_app(settings.allowed_origins)
    app.dependency_overrides.update(wiring.providers())
    gateway = Gateway(app.resolve, lambda: openapi_json(app), site_root=_web_root(), local_routes={})
    table_names = {key: value for key, value in moto_aws.items() if key.endswith("_TABLE")}
    return AwsApi(Client(gateway), wiring, wiring.ports.dynamodb, table_names)
