"""Lambda entry point of the consent renewer, run hourly by an EventBridge schedule (policy §12).

When a version that adds an item or a purpose to a form has taken effect (by its date, without a
deploy), it mails each affected person once with a link to give the new consent. Reports its counts as
CloudWatch metrics (EMF) and returns a summary; logs carry counts only. Like the sweeper, its clock is
never taken from the event; local mode runs `renew(wiring, ...)` with a FixedClock from `/_local/sweep`.
"""

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
metrics = Metrics(namespace=tables.METRICS_NAMESPACE, service="policybound-consent-renewer")

# A page of the form index and its mails take seconds; stop starting new pages this close to the timeout.
SAFETY_MARGIN_MS = 30_000


def renew(wiring: Wiring, remaining_ms: Callable[[], int]) -> dict[str, Any]:
    report = wiring.consent_renewals.ask(keep_going=lambda: remaining_ms() > SAFETY_MARGIN_MS)
    metrics.add_metric(name="ConsentRequestsMailed", unit=MetricUnit.Count, value=report.people_mailed)
    metrics.add_metric(name="ConsentRequestRecords", unit=MetricUnit.Count, value=report.records_asked)
    metrics.add_metric(name="ConsentRequestMailFailures", unit=MetricUnit.Count, value=report.mail_failures)
    summary = {
        "people_mailed": report.people_mailed,
        "records_asked": report.records_asked,
        "mail_failures": report.mail_failures,
        "complete": report.complete,
    }
    if report.people_mailed or report.mail_failures or not report.complete:
        logger.info("consent requests sent", extra={"summary": summary})
    return summary


# Reads records (and opens the one a mail is addressed from), writes the request and mails.
SETTINGS = ("records_table", "keys_table", "ledger_table", "data_key_id", "mail_sender", "public_base_url")
_wiring = Wiring(load_settings(*SETTINGS))


@metrics.log_metrics
@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return renew(_wiring, context.get_remaining_time_in_millis)
