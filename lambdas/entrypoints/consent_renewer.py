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

from entrypoints import scheduled
from policybound import tables
from policybound.settings import load_settings
from policybound.wiring import Wiring

logger = Logger()
metrics = Metrics(namespace=tables.METRICS_NAMESPACE, service="policybound-consent-renewer")

# A page of the form index and its mails take seconds; stop starting new pages this close to the timeout.
SAFETY_MARGIN_MS = 30_000


def renew(wiring: Wiring, remaining_ms: Callable[[], int]) -> dict[str, Any]:
    report = wiring.consent_renewals.ask(keep_going=scheduled.keep_going(remaining_ms, SAFETY_MARGIN_MS))
    return scheduled.report(
        metrics,
        logger,
        "consent requests sent",
        counts={
            "ConsentRequestsMailed": report.people_mailed,
            "ConsentRequestRecords": report.records_asked,
            "ConsentRequestMailFailures": report.mail_failures,
        },
        summary={
            "people_mailed": report.people_mailed,
            "records_asked": report.records_asked,
            "mail_failures": report.mail_failures,
            "complete": report.complete,
        },
        idle=report.complete and not (report.people_mailed or report.mail_failures),
    )


# Reads records (and opens the one a mail is addressed from), writes the request and mails.
SETTINGS = ("records_table", "keys_table", "ledger_table", "data_key_id", "mail_sender", "public_base_url")
_wiring = Wiring(load_settings(*SETTINGS))
lambda_handler = scheduled.handler(renew, _wiring, logger, metrics)
