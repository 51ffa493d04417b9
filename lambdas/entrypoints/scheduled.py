"""What the entry points run by an EventBridge schedule share.

A run stops starting new work once its invocation nears the function's timeout, reports its counts as
CloudWatch metrics (EMF), and returns a summary, which it logs unless the run was idle (most runs of a
frequent schedule find nothing to do). The clock is never taken from the event: whoever may invoke the
function must not be able to make it act early.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from policybound.wiring import Wiring

Run = Callable[[Wiring, Callable[[], int]], dict[str, Any]]


def keep_going(remaining_ms: Callable[[], int], safety_margin_ms: int) -> Callable[[], bool]:
    """True while more than `safety_margin_ms` of the invocation is left: a run checks it before each
    unit of work (each finishes whole), so stopping leaves nothing half-done."""
    return lambda: remaining_ms() > safety_margin_ms


def count(metrics: Metrics, counts: Mapping[str, int]) -> None:
    """Each count as a CloudWatch metric of the run, in the order given."""
    for name, value in counts.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def report(
    metrics: Metrics,
    logger: Logger,
    message: str,
    *,
    counts: Mapping[str, int],
    summary: dict[str, Any],
    idle: bool,
) -> dict[str, Any]:
    """The run's counts as metrics, and its summary logged (unless `idle`) and returned."""
    count(metrics, counts)
    if not idle:
        logger.info(message, extra={"summary": summary})
    return summary


def handler(
    run: Run, wiring: Wiring, logger: Logger, metrics: Metrics
) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The Lambda handler that runs `run` once per invocation, until the invocation's deadline nears."""

    @metrics.log_metrics
    @logger.inject_lambda_context(log_event=False, clear_state=True)
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return run(wiring, context.get_remaining_time_in_millis)

    return lambda_handler
