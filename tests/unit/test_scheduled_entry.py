"""The scheduled entry points' shared helper: the deadline check, the metrics, the quiet idle run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from aws_lambda_powertools import Logger, Metrics

from entrypoints import scheduled
from local.gateway import LambdaContext


def test_work_goes_on_only_while_more_than_the_margin_is_left() -> None:
    left = [30_001]
    keep_going = scheduled.keep_going(lambda: left[0], 30_000)
    assert keep_going()
    left[0] = 30_000
    assert not keep_going()


def _metric_values(metrics: Metrics) -> dict[str, Any]:
    (blob,) = metrics.serialize_metric_set()["_aws"]["CloudWatchMetrics"]
    return {metric["Name"]: metric["Unit"] for metric in blob["Metrics"]}


def test_a_run_reports_its_counts_and_logs_its_summary_unless_idle(capsys: pytest.CaptureFixture[str]) -> None:
    metrics = Metrics(namespace="Test", service="test")
    logger = Logger(service="test")
    summary = {"done": 2, "complete": True}
    try:
        returned = scheduled.report(
            metrics, logger, "did things", counts={"Done": 2, "Failed": 0}, summary=summary, idle=False
        )
        assert returned is summary
        assert list(_metric_values(metrics)) == ["Done", "Failed"]
        assert set(_metric_values(metrics).values()) == {"Count"}
        (line,) = capsys.readouterr().out.splitlines()
        assert json.loads(line)["message"] == "did things"
        assert json.loads(line)["summary"] == summary

        scheduled.report(metrics, logger, "did nothing", counts={"Done": 0}, summary={"done": 0}, idle=True)
        assert capsys.readouterr().out == ""
    finally:
        metrics.clear_metrics()


@dataclass
class _Context(LambdaContext):
    def get_remaining_time_in_millis(self) -> int:
        return 123_456


def test_the_handler_gives_the_run_the_invocations_deadline_and_flushes_its_metrics(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: list[tuple[object, int]] = []
    wiring: Any = object()
    metrics = Metrics(namespace="Test", service="test")

    def run(given: Any, remaining_ms: Any) -> dict[str, Any]:
        seen.append((given, remaining_ms()))
        scheduled.count(metrics, {"Ran": 1})
        return {"complete": True}

    handler = scheduled.handler(run, wiring, Logger(service="test"), metrics)
    context: Any = _Context("test", "request-1")  # the attributes Powertools reads, like Lambda's
    # Nothing in the event reaches the run.
    assert handler({"as_of": "2000-01-01T00:00:00Z"}, context) == {"complete": True}
    assert seen == [(wiring, 123_456)]
    (emf,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    assert emf["Ran"] == [1.0]
