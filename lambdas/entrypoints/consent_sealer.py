"""Lambda entry point of the consent sealer, run every 15 minutes by an EventBridge schedule: it seals
the consent entries that submissions wrote unsealed into the consent chain, a batch (with its Merkle
root) per transaction. Reports its counts as CloudWatch metrics (EMF) and returns a summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from entrypoints import scheduled
from policybound import tables
from policybound.settings import load_settings
from policybound.wiring import Wiring

logger = Logger()
metrics = Metrics(namespace=tables.METRICS_NAMESPACE, service="policybound-consent-sealer")

# A batch is one transaction of well under a second; stop starting new ones this close to the timeout.
SAFETY_MARGIN_MS = 10_000


def seal(wiring: Wiring, remaining_ms: Callable[[], int]) -> dict[str, Any]:
    report = wiring.consent_sealing.run(keep_going=scheduled.keep_going(remaining_ms, SAFETY_MARGIN_MS))
    return scheduled.report(
        metrics,
        logger,
        "consents sealed",
        counts={
            "ConsentsSealed": report.sealed,
            "ConsentBatches": report.batches,
            "ConsentSealIncomplete": 0 if report.complete else 1,
        },
        summary={"sealed": report.sealed, "batches": report.batches, "complete": report.complete},
        # Most runs, every 15 minutes, find nothing to seal.
        idle=report.complete and not report.sealed,
    )


# Only the ledger: the sealer reads unsealed consent entries and the chain head, and writes the batch.
SETTINGS = ("ledger_table",)
_wiring = Wiring(load_settings(*SETTINGS))
lambda_handler = scheduled.handler(seal, _wiring, logger, metrics)
