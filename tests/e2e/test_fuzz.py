"""Schemathesis against local mode's own /openapi.json: no 5xx, no response off the documented
schema, and no refused request that leaves something stored."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.cli.commands.run.warnings import WarningCollector
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.specs.openapi.checks import positive_data_acceptance

from policybound.api.staff.auth import Role
from policybound.api.staff.permissions import ROUTE_ROLES
from tests.e2e.conftest import LocalServer, start_local
from tests.support.fuzz_hooks import fresh_idempotency_keys
from tests.support.local_staff import id_token


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    """A server of its own: the fuzzers change seeded accounts' groups and end their sessions, which must
    never reach the other end-to-end tests that sign in as those accounts."""
    server = start_local()
    try:
        yield server
    finally:
        # After a fuzzing run of every operation, local mode can take minutes to stop on a loaded machine
        # (a known, separate problem); how fast it stops is not what this module checks, and test_local_mode
        # checks a clean stop. `stop` kills it once the wait is over.
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.stop()


@pytest.fixture(scope="module", autouse=True)
def _fresh_idempotency_keys() -> Iterator[None]:
    with fresh_idempotency_keys():
        yield


# `make fuzz` raises this for a long run; `make test` keeps a bounded one.
MAX_EXAMPLES = int(os.environ.get("POLICYBOUND_FUZZ_EXAMPLES", "25"))
# The run that looks for schemathesis' warnings goes through its examples and fuzzing phases.
WARNING_RUN_EXAMPLES = max(10, MAX_EXAMPLES // 2)
# Operations whose bodies need nothing an earlier call hands out (a code, a token, an id): data made
# from their schemas alone must get through.
SERVED_FROM_THE_SCHEMA_ALONE = {
    "POST /v1/forms/contact-us",
    "POST /v1/forms/resources-download",
    "POST /v1/forms/blog-subscription",
    "POST /v1/cookie-consents",
    "POST /v1/visits",
    "POST /v1/rights/requests",
}


def stored_items(server: LocalServer, http: requests.Session) -> dict[str, int]:
    """Items per table, counted from local mode's moto state (a scan of every table over HTTP before and
    after each example would cost more than the example), once local mode's own consumers have nothing
    left to handle: a letter's batches still queued change tables with no request made."""
    deadline = time.monotonic() + 60
    while True:
        counts = http.get(f"{server.api_url}/_local/stored-items", timeout=30).json()
        if counts["to_handle"] == 0:
            return dict(counts["tables"])
        assert time.monotonic() < deadline, f"local mode still has {counts['to_handle']} queued messages to handle"
        time.sleep(0.1)


def staff_tokens(server: LocalServer) -> dict[Role, str]:
    usernames = {Role.PI_MANAGER: "manager", Role.STAFF: "staff", Role.AUDITOR: "auditor"}
    tokens = {}
    for role, username in usernames.items():
        tokens[role] = id_token(server.api_url, username)
    return tokens


def auth_headers(method: str, path: str, tokens: dict[Role, str]) -> dict[str, str]:
    """A token of a role the route x role table allows, so the fuzzer reaches the route itself."""
    roles = ROUTE_ROLES.get((method.upper(), re.sub(r"\{(\w+)\}", r"<\1>", path)))
    if not roles:
        return {}
    return {"Authorization": f"Bearer {tokens[sorted(roles)[0]]}"}


def fuzz(operation: Any, headers: dict[str, str], server: LocalServer, http: requests.Session) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def holds(case: Any) -> None:
        before = stored_items(server, http)
        response = case.call_and_validate(
            base_url=server.api_url,
            headers=headers,
            # Schema-valid data is still refused by rules the schema cannot state (consent must be
            # given, the policy version must be the one in force), with documented 4xx answers.
            excluded_checks=[positive_data_acceptance],
        )
        assert response.status_code < 500
        if response.status_code >= 400:
            assert stored_items(server, http) == before, "a refused request left something stored"

    holds()


def test_api_holds_to_its_own_schema(local_server: LocalServer) -> None:
    # Driven through schemathesis' Python API: its pytest plugin does not load on this pytest.
    schema = schemathesis.openapi.from_url(f"{local_server.api_url}/openapi.json")
    operations = [cast(Any, result).ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4
    tokens = staff_tokens(local_server)
    # Signing out ends the session of the token it is called with: fuzz it after every other route.
    operations.sort(key=lambda operation: (operation.method.upper(), operation.path) == ("DELETE", "/v1/staff/session"))
    with requests.Session() as http:
        for operation in operations:
            fuzz(operation, auth_headers(operation.method, operation.path, tokens), local_server, http)


# Schemathesis' own runner, with the phases the Python API above does not run: coverage (boundary and
# malformed values, wrong and malformed Content-Types, unknown properties) then fuzzing. Every route,
# the staff ones with the PI manager's token; any server error or undocumented status fails.
CLI_EXAMPLES = os.environ.get("POLICYBOUND_FUZZ_CLI_EXAMPLES", "5")
# The CLI runs in its own process, from a temporary directory: it finds its hooks module from the work tree.
_PYTHONPATH = os.pathsep.join(filter(None, [str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH")]))


def test_no_server_error_or_undocumented_status_in_the_coverage_and_fuzzing_phases(
    local_server: LocalServer, tmp_path: Path
) -> None:
    token = staff_tokens(local_server)[Role.PI_MANAGER]
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "run",
            f"{local_server.api_url}/openapi.json",
            "--phases",
            "coverage,fuzzing",
            "--checks",
            "not_a_server_error,status_code_conformance",
            "--max-examples",
            CLI_EXAMPLES,
            # Group changes with the PI manager's token would take the seeded accounts' groups away (and
            # end their sessions) for every later test, and signing out would end the one token this run
            # has, leaving every later staff operation a bare 401; the per-operation fuzz above covers both.
            "--exclude-path-regex",
            "^/v1/staff/users",
            "--exclude-operation-id",
            "signOut",
            # Hypothesis' health checks time data generation, which says how loaded this machine is and
            # nothing about the API (the Python API runs above suppress them too).
            "--suppress-health-check",
            "all",
            "--workers",
            "1",
            "--no-color",
            "-H",
            f"Authorization: Bearer {token}",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        cwd=tmp_path,  # its reports directory goes there, not into the work tree
        env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.support.fuzz_cli_hooks", "PYTHONPATH": _PYTHONPATH},
    )
    summary = run.stdout[-4000:]
    assert run.returncode == 0, summary
    assert "Server error" not in run.stdout, summary
    assert "Undocumented status code" not in run.stdout, summary
    # Schemathesis' verdict on its coverage and fuzzing phases: no operation refused every schema-valid
    # request, mostly as malformed (400/422): no request schema is looser than what the API enforces.
    assert "Schema validation mismatch" not in run.stdout, summary
    # The run reached the staff routes with a live session rather than being turned away at the door
    # (the rights routes answer 401 to it: they take a rights session, which this run does not have).
    turned_away = re.search(r"401 Unauthorized \(\d+ operations?\):\n((?:[ \t]+- .*\n)+)", run.stdout)
    assert turned_away is None or "/v1/staff/" not in turned_away.group(1), summary


class _Operations:
    """What schemathesis' warning collector asks of the CLI's context: the operation behind a label."""

    def __init__(self, operations: dict[str, Any]) -> None:
        self._operations = operations

    def find_operation(self, label: str) -> Any:
        return self._operations.get(label)


def test_schemathesis_finds_the_request_schemas_as_strict_as_validation(local_server: LocalServer) -> None:
    """Schemathesis' own verdicts on every operation, as its CLI would print them after its examples and
    fuzzing phases (the CLI run above judges coverage and fuzzing with one role): no operation "mostly
    rejected generated data due to validation errors" (Schema validation mismatch), and schema-valid data
    gets through where nothing else is needed. Staff operations are called with a role they allow."""
    tokens = staff_tokens(local_server)

    def load(headers: dict[str, str]) -> Any:
        config = SchemathesisConfig.from_dict(
            {
                "base-url": local_server.api_url,
                "headers": headers,
                "generation": {"max-examples": WARNING_RUN_EXAMPLES},
                "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
                # As in the CLI run: a failed check ends a scenario before its warnings are judged, and
                # this one fails exactly where the warning should speak.
                "checks": {"positive_data_acceptance": {"enabled": False}},
                "suppress-health-check": ["all"],
            }
        )
        return schemathesis.openapi.from_url(f"{local_server.api_url}/openapi.json", config=config)

    schema = load({})
    operations = {operation.label: operation for operation in (cast(Any, r).ok() for r in schema.get_all_operations())}
    assert set(operations) >= SERVED_FROM_THE_SCHEMA_ALONE
    assert any(label.split(" ", 1)[1].startswith("/v1/staff/") for label in operations)

    # Group changes and signing out would end later operations' sessions: they run after all the others.
    def turn(operation: Any) -> int:
        if operation.definition.raw["operationId"] == "signOut":
            return 2
        return int(operation.path.startswith("/v1/staff/users"))

    runs: dict[tuple[int, str], list[str]] = {}
    for operation in operations.values():
        authorization = auth_headers(operation.method, operation.path, tokens).get("Authorization", "")
        runs.setdefault((turn(operation), authorization), []).append(operation.definition.raw["operationId"])
    collector = WarningCollector(schema.config)
    context = _Operations(operations)
    for (_, authorization), operation_ids in sorted(runs.items()):
        selected = load({"Authorization": authorization} if authorization else {}).include(operation_id=operation_ids)
        for event in from_schema(selected).execute():
            if isinstance(event, events.ScenarioFinished):
                collector.on_scenario_finished(cast(Any, context), event)
    assert collector.data.validation_mismatch == set(), "schemas looser than validation"
    assert SERVED_FROM_THE_SCHEMA_ALONE - collector.served == set(), "no schema-valid request got through"
