"""What every benchmark shares: an in-process moto account provisioned like local mode, the real
wiring and API over it, and sample submissions. Benchmarks print figures; they never assert times."""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from werkzeug.test import Client

from local.environment import app_environment, aws_environment
from local.gateway import Gateway
from local.provision import provision_with
from policybound.api.public.app import create_app, openapi_json
from policybound.policy import AWS_REGION, in_force_at
from policybound.settings import settings_from
from policybound.wiring import Wiring

SAMPLE_FIELDS: dict[str, dict[str, str]] = {
    "contact-us": {
        "name": "Bench Person",
        "email": "bench@example.co.kr",
        "contact": "010-1234-5678",
        "organization": "Bench Corp",
        "job_grade": "Manager",
        "inquiry": "A benchmark inquiry of ordinary length, asking to be called back next week.",
    },
    "blog-subscription": {
        "name": "Bench Reader",
        "email": "reader@example.co.kr",
        "job": "Engineer",
        "company": "Bench Corp",
        "job_grade": "Senior",
        "interests": "Cloud",
    },
}


def body(form: str, email: str | None = None, at: datetime | None = None) -> dict[str, Any]:
    """A submission consenting to the version in force `at` (now unless a benchmark runs on a clock)."""
    fields = dict(SAMPLE_FIELDS[form])
    if email:
        fields["email"] = email
    version = in_force_at(at or datetime.now(UTC))
    return {"fields": fields, "consent": {"required": True, "optional": True, "policy_version": version}}


@dataclass
class Stack:
    wiring: Wiring
    client: Client
    env: dict[str, str]


@contextmanager
def moto_stack(clock: Any = None) -> Iterator[Stack]:
    from moto import mock_aws

    previous = dict(os.environ)
    env = aws_environment()
    env.pop("AWS_ENDPOINT_URL")
    os.environ.update(env)
    try:
        with mock_aws():
            clients = [boto3.client(n, region_name=AWS_REGION) for n in ("dynamodb", "kms", "ses", "s3", "sqs")]
            app_env = app_environment(provision_with(*clients), "https://api.example.com")
            os.environ.update(app_env)
            wiring = Wiring(settings_from(os.environ), clock=clock)
            app = create_app(wiring.settings.allowed_origins)
            app.dependency_overrides.update(wiring.providers())
            gateway = Gateway(app.resolve, lambda: openapi_json(app), site_root=_here(), local_routes={})
            yield Stack(wiring, Client(gateway), app_env)
    finally:
        os.environ.clear()
        os.environ.update(previous)


def _here() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent


class CallCounter:
    """Counts AWS API calls made through the given clients, by service and operation."""

    def __init__(self, *clients: Any) -> None:
        self.calls: Counter[str] = Counter()
        for client in clients:
            client.meta.events.register("before-call.*.*", self.count)

    def count(self, model: Any, **_: Any) -> None:
        """The botocore handler; register it on a session's events to count every client it makes."""
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def take(self) -> Counter[str]:
        taken, self.calls = self.calls, Counter()
        return taken


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
