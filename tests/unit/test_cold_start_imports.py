"""What each function loads at its cold start: only what every one of its requests needs.

A library that one route family needs (phonenumbers for a phone item, cryptography for a sealed
record, Powertools' OpenAPI models for /openapi.json) loads on that family's first request, and a
function never loads another function's routes or domain. Each entry point is imported in a fresh
interpreter with the environment its settings need (nothing is contacted: init calls no AWS API).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from local.environment import app_environment, aws_environment
from policybound import tables
from tests.support.staff import staff_pool_environment

ROOT = Path(__file__).resolve().parents[2]

# Loaded on first use by the routes that need them, never at start.
ON_FIRST_USE = (
    "phonenumbers",
    "email_validator",
    "cryptography",
    "aws_lambda_powertools.event_handler.openapi.models",
)


def started(entry_point: str, report: str) -> str:
    """The last line `report` (Python run after importing the entry point) prints, in a fresh interpreter."""
    keys = {spec.logical_id: f"test-{spec.logical_id}" for spec in tables.KMS_KEYS}
    keys |= {spec.logical_id: f"https://sqs.test/{spec.logical_id}" for spec in tables.QUEUES}
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{ROOT / 'lambdas'}",
        **app_environment(keys),
        **aws_environment("http://127.0.0.1:9"),
        **staff_pool_environment("ap-northeast-2_TestPool1", "test-client"),
    }
    run = subprocess.run(
        [sys.executable, "-c", f"import json, sys, {entry_point}\n{report}"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.splitlines()[-1]


def modules_at_start(entry_point: str) -> set[str]:
    return set(json.loads(started(entry_point, "print(json.dumps(sorted(sys.modules)))")))


def loaded(modules: set[str], package: str) -> list[str]:
    return sorted(name for name in modules if name == package or name.startswith(f"{package}."))


ENTRY_POINTS = sorted(
    f"entrypoints.{path.stem}" for path in (ROOT / "lambdas" / "entrypoints").glob("*.py") if path.stem != "__init__"
)
API_ENTRY_POINTS = ("entrypoints.api", "entrypoints.staff_api")


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_no_function_loads_at_start_what_only_some_requests_need(entry_point: str) -> None:
    modules = modules_at_start(entry_point)
    assert [loaded(modules, package) for package in ON_FIRST_USE] == [[] for _ in ON_FIRST_USE]


def test_the_public_api_loads_neither_the_staff_routes_nor_the_staff_services() -> None:
    modules = modules_at_start("entrypoints.api")
    staff_only = (
        "policybound.api.staff",
        "policybound.domain.staff.reads",
        "policybound.domain.staff.sessions",
        "policybound.domain.staff.sign_in",
        "policybound.domain.staff.access_rights",
        "policybound.domain.staff.access_review",
        "policybound.domain.incidents",
        "policybound.domain.evidence.reports",
        "policybound.domain.purposes.inquiries",
        "policybound.domain.purposes.letters",
    )
    assert [name for package in staff_only for name in loaded(modules, package)] == []


def test_the_staff_api_loads_neither_the_public_routes_nor_the_intake() -> None:
    modules = modules_at_start("entrypoints.staff_api")
    assert loaded(modules, "policybound.api.public") == []
    assert loaded(modules, "policybound.domain.intake") == []


@pytest.mark.parametrize("entry_point", sorted(set(ENTRY_POINTS) - set(API_ENTRY_POINTS)))
def test_the_functions_behind_no_api_load_neither_the_api_nor_its_resolver(entry_point: str) -> None:
    modules = modules_at_start(entry_point)
    assert loaded(modules, "policybound.api") == []
    assert loaded(modules, "aws_lambda_powertools.event_handler") == []


# Every pydantic model of ours that the entry point has defined, and which of them have built their
# validator: a start builds none (it needs none), a request builds the few its route uses.
BUILT_MODELS = """
from pydantic import BaseModel
def ours(cls):
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("policybound."):
            yield sub
        yield from ours(sub)
models = {f"{m.__module__}.{m.__qualname__}": m for m in ours(BaseModel)}
# Settings are validated at init, once: building their validator then is the point.
models.pop("policybound.settings.Settings", None)
print(json.dumps([len(models), sorted(name for name, m in models.items() if m.__pydantic_complete__)]))
"""


@pytest.mark.parametrize("entry_point", API_ENTRY_POINTS)
def test_an_api_start_builds_no_request_or_response_model(entry_point: str) -> None:
    defined, built = json.loads(started(entry_point, BUILT_MODELS))
    assert defined > 20
    assert built == []
