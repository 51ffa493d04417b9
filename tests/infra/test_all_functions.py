"""Every declared function is built with its trigger (public or staff routes, hourly schedule, records
stream, queue), and a declared function whose entry module is missing stops the synth instead of being
left out."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from policybound import tables
from stacks import functions
from stacks.app import build
from stacks.deployment import cdk_json_context
from stacks.functions import FUNCTIONS, MissingEntryModule, require_entry_modules
from tests.infra.conftest import SKIP_BUNDLING, Synth, cdk_path, resources


@pytest.fixture(scope="module")
def api(synth: Synth) -> dict[str, Any]:
    return synth.template("PolicyboundApi")


def test_every_declared_entry_module_exists() -> None:
    assert require_entry_modules() == FUNCTIONS
    assert {s.module_path.name for s in FUNCTIONS} == {
        "api.py",
        "staff_api.py",
        "sweeper.py",
        "ttl_backstop.py",
        "staff_sign_in.py",
        "letter_sender.py",
        "consent_sealer.py",
        "consent_renewer.py",
    }
    assert all(isinstance(s.module_path, Path) and s.module_path.is_file() for s in FUNCTIONS)


def test_a_function_whose_entry_module_is_missing_stops_the_synth(monkeypatch: pytest.MonkeyPatch) -> None:
    staff = next(s for s in FUNCTIONS if s.name == "StaffApi")
    gone = replace(staff, entry="not_there")
    with pytest.raises(MissingEntryModule, match=r"StaffApi \(.*not_there\.py\)"):
        require_entry_modules((FUNCTIONS[0], gone))
    # The stacks ask for every declared function: none is dropped, none is answered by a placeholder.
    monkeypatch.setattr(functions, "FUNCTIONS", tuple(gone if s is staff else s for s in FUNCTIONS))
    with pytest.raises(MissingEntryModule, match="StaffApi"):
        build(App(context=cdk_json_context() | SKIP_BUNDLING))


def test_every_declared_function_is_built(api: dict[str, Any]) -> None:
    names = {cdk_path(f).split("/")[1] for f in resources(api, "AWS::Lambda::Function").values()}
    assert names == {spec.name for spec in FUNCTIONS}


def _rule_of(api: dict[str, Any], function: str) -> dict[str, Any]:
    (rule,) = [
        r
        for r in resources(api, "AWS::Events::Rule").values()
        if f"{function}Function" in json.dumps(r["Properties"]["Targets"])
    ]
    return rule


SCHEDULED = [("Sweeper", "rate(1 hour)"), ("ConsentSealer", "rate(15 minutes)"), ("ConsentRenewer", "rate(1 hour)")]


@pytest.mark.parametrize(("function", "schedule"), SCHEDULED)
def test_a_scheduled_function_runs_on_its_schedule_with_a_dead_letter_queue(
    api: dict[str, Any], function: str, schedule: str
) -> None:
    rule = _rule_of(api, function)
    assert rule["Properties"]["ScheduleExpression"] == schedule
    (target,) = rule["Properties"]["Targets"]
    assert "DeadLetterConfig" in target
    (scheduled,) = [f for f in resources(api, "AWS::Lambda::Function").values() if f"/{function}/" in cdk_path(f)]
    assert "DeadLetterConfig" in scheduled["Properties"]


def test_no_other_function_runs_on_a_schedule(api: dict[str, Any]) -> None:
    assert len(resources(api, "AWS::Events::Rule")) == len(SCHEDULED)


def test_ttl_backstop_reads_only_removals_from_the_records_stream(api: dict[str, Any]) -> None:
    (mapping,) = [
        m
        for m in resources(api, "AWS::Lambda::EventSourceMapping").values()
        if "StreamArn" in json.dumps(m["Properties"]["EventSourceArn"])
    ]
    properties = mapping["Properties"]
    assert tables.RECORDS.logical_id in json.dumps(properties["EventSourceArn"])
    assert "StreamArn" in json.dumps(properties["EventSourceArn"])
    (only_filter,) = properties["FilterCriteria"]["Filters"]
    assert json.loads(only_filter["Pattern"]) == {
        "eventName": ["REMOVE"],
        "userIdentity": {name: [value] for name, value in tables.TTL_REMOVAL_IDENTITY.items()},
    }
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BisectBatchOnFunctionError"] is True
    assert properties["MaximumRetryAttempts"] >= 1
    destination = properties["DestinationConfig"]["OnFailure"]["Destination"]
    (queue_id,) = resources(api, "AWS::SQS::Queue")
    assert destination == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert "TtlBackstop" in json.dumps(properties["FunctionName"])


def test_staff_routes_go_to_the_staff_function(api: dict[str, Any]) -> None:
    methods = [m for m in resources(api, "AWS::ApiGateway::Method").values() if "/staff/{proxy+}/ANY/" in cdk_path(m)]
    (method,) = methods
    assert method["Properties"]["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert "StaffApi" in json.dumps(method["Properties"]["Integration"]["Uri"])


def test_the_letter_sender_reads_only_the_letter_queue_and_reports_failures_per_message(api: dict[str, Any]) -> None:
    (mapping,) = [
        m
        for m in resources(api, "AWS::Lambda::EventSourceMapping").values()
        if tables.LETTER_QUEUE.logical_id in json.dumps(m["Properties"]["EventSourceArn"])
    ]
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": 2}
