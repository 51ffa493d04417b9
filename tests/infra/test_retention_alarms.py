"""Retention alarms: the sweeper's and the TTL backstop's EMF metrics (names, namespace and service
dimension read from the entry modules' source) alarm to the PI manager's topic."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from policybound import tables
from stacks.functions import FUNCTIONS, FunctionSpec
from tests.infra.conftest import Synth, cdk_path, resources


@pytest.fixture(scope="module")
def alarms(synth: Synth) -> dict[str, dict[str, Any]]:
    template = synth.template("PolicyboundAlarms")
    return {cdk_path(a).split("/")[1]: a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm").values()}


def _value(node: ast.expr) -> Any:
    # A constant, or a declaration the entry module reads from `policybound.tables` (the namespace).
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "tables":
        return getattr(tables, node.attr)
    return ast.literal_eval(node)


def emitted(spec: FunctionSpec) -> tuple[str, str, set[str]]:
    """(namespace, service, metric names) of the entry module's Powertools Metrics, from its source."""
    tree = ast.parse(spec.module_path.read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    (metrics,) = [c for c in calls if isinstance(c.func, ast.Name) and c.func.id == "Metrics"]
    options = {k.arg: _value(k.value) for k in metrics.keywords}
    names = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    # Metric names the module reads from their declaration in `policybound.tables`.
    names |= {
        value
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "tables"
        if isinstance(value := getattr(tables, n.attr), str)
    }
    return options["namespace"], options["service"], names


def spec(name: str) -> FunctionSpec:
    (found,) = [s for s in FUNCTIONS if s.name == name]
    return found


def topic_action(properties: dict[str, Any]) -> str:
    (action,) = properties["AlarmActions"]
    return str(action)


def alarm_on_emitted(alarms: dict[str, dict[str, Any]], function: str, metric: str) -> dict[str, Any]:
    """The alarm on a metric the function's code emits, watching that metric under its namespace and service."""
    namespace, service, names = emitted(spec(function))
    assert metric in names
    alarm = alarms[metric]
    assert (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric)
    assert alarm["Dimensions"] == [{"Name": "service", "Value": service}]
    return alarm


def test_sweep_incomplete_two_hours_running(alarms: dict[str, dict[str, Any]]) -> None:
    alarm = alarm_on_emitted(alarms, "Sweeper", "SweepIncomplete")
    assert alarm["Period"] == 3600
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == 2
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert "PiManagerAlarms" in topic_action(alarm)


def test_any_key_shredded_after_ttl(alarms: dict[str, dict[str, Any]]) -> None:
    alarm = alarm_on_emitted(alarms, "TtlBackstop", "KeysShreddedAfterTtl")
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["Statistic"] == "Sum"
    assert "PiManagerAlarms" in topic_action(alarm)


def test_sweeper_errors_alarm(alarms: dict[str, dict[str, Any]]) -> None:
    alarm = alarms["SweeperErrors"]
    assert alarm["MetricName"] == "Errors"
    assert "Sweeper" in str(alarm["Dimensions"])
    assert "PiManagerAlarms" in topic_action(alarm)
