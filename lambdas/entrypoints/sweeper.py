"""Lambda entry point of the sweeper, run hourly by an EventBridge schedule (policy §4: destroyed
within the hour of falling due). Reports its counts as CloudWatch metrics (EMF) and returns a summary.

The clock is never taken from the event: whoever may invoke the function must not be able to make it
destroy records early. Local mode sets the clock through `sweep(wiring, ...)` with a FixedClock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from entrypoints import scheduled
from policybound import tables
from policybound.domain.retention.sweeper import SweepCursor, SweepOutcome
from policybound.settings import load_settings
from policybound.wiring import Wiring

# The service name comes from POWERTOOLS_SERVICE_NAME (set per function by the stacks), so the
# child loggers of shared modules (`Logger(child=True)`) find this logger as their parent.
logger = Logger()
metrics = Metrics(namespace=tables.METRICS_NAMESPACE, service="policybound-sweeper")

# No new batch starts this close to the function's timeout: a batch takes seconds, and every record
# is destroyed in its own transaction, so stopping between batches leaves nothing half-done.
SAFETY_MARGIN_MS = 60_000

METRIC_NAMES: dict[SweepOutcome, str] = {
    SweepOutcome.DESTROYED: "RecordsDestroyed",
    SweepOutcome.ALREADY_GONE: "RecordsAlreadyGone",
    SweepOutcome.HELD: "RecordsHeld",
    SweepOutcome.NOT_DUE: "RecordsNotDue",
}


def sweep(
    wiring: Wiring,
    event: Mapping[str, Any],
    remaining_ms: Callable[[], int],
    on_record: Callable[[SweepOutcome], None] = lambda _: None,
) -> dict[str, Any]:
    """One run: from the event's `cursor` (a previous run's summary) or from the first shard.

    A run that stops early returns its cursor; the next hourly run starts over, which resumes too,
    because every destroyed record has left the index.
    """
    cursor_text = event.get("cursor")
    cursor = SweepCursor.decode(cursor_text) if isinstance(cursor_text, str) else None
    keep_going = scheduled.keep_going(remaining_ms, SAFETY_MARGIN_MS)
    report = wiring.sweeper.run(cursor, keep_going=keep_going, on_record=on_record)
    # Visits (§1.2) follow their retention too; records first, since they hold the most.
    visits_destroyed, visits_complete = wiring.visit_sweeper.run(keep_going) if report.complete else (0, False)
    complete = report.complete and visits_complete
    return scheduled.report(
        metrics,
        logger,
        "sweep finished",
        counts={
            **{METRIC_NAMES[outcome]: count for outcome, count in report.counts.items()},
            "VisitsDestroyed": visits_destroyed,
            "SweepBatches": report.batches,
            tables.SWEEP_INCOMPLETE_METRIC: 0 if complete else 1,
        },
        summary={
            "as_of": report.as_of.isoformat(),
            **{outcome.value: count for outcome, count in report.counts.items()},
            "visits_destroyed": visits_destroyed,
            "batches": report.batches,
            "complete": complete,
            "cursor": report.cursor.encode() if report.cursor else None,
        },
        # Hourly, and what it destroyed (or held back) is worth a line every time.
        idle=False,
    )


# Destruction only: the record, its key and the ledger entry; visits past their retention (the visit
# store names the consents table too, though the sweep never writes a visit).
SETTINGS = ("records_table", "keys_table", "ledger_table", "visits_table", "cookie_consents_table")
_wiring = Wiring(load_settings(*SETTINGS))


@metrics.log_metrics
@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return sweep(_wiring, event or {}, context.get_remaining_time_in_millis)
