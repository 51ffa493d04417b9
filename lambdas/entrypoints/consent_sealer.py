"""Lambda entry point of the consent sealer, run every 15 minutes by an EventBridge schedule: it seals
the consent entries that submissions wrote unsealed into the consent chain, a batch (with its Merkle
root) per transaction. Reports its counts as CloudWatch metrics (EMF) and returns a summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from policybound import tables
from policybound.settings import load_settings
from policybound.wiring import Wiring

logger = Logger()
metrics = Metrics(namespace=tables.METRICS_NAMESPACE, service="policybound-consent-sealer")

# A batch is one transaction of well under a second; stop starting new ones this close to the timeout.
SAFETY_MARGIN_MS = 10_000


def seal(wiring: Wiring, remaining_ms: Callable[[], int]) -> dict[str, Any]:
    report = wiring.consent_sealing.run(keep_going=lambda: remaining_ms() > SAFETY_MARGIN_MS)
    metrics.add_metric(name="ConsentsSealed", unit=MetricUnit.Count, value=report.sealed)
    metrics.add_metric(name="ConsentBatches", unit=MetricUnit.Count, value=report.batches)
    metrics.add_metric(name="ConsentSealIncomplete", unit=MetricUnit.Count, value=0 if report.complete else 1)
    summary = {"sealed": report.sealed, "batches": report.batches, "complete": report.complete}
    if report.sealed or not report.complete:  # an idle run (most of them) says nothing
        logger.info("consents sealed", extra={"summary": summary})
    return summary


# Only the ledger: the sealer reads unsealed consent entries and the chain head, and writes the batch.
SETTINGS = ("ledger_table",)
_wiring = Wiring(load_settings(*SETTINGS))


@metrics.log_metrics
@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return seal(_wiring, context.get_remaining_time_in_millis)
