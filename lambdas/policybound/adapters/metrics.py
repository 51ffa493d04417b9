"""Counts the alarms read, as CloudWatch embedded metrics (EMF): counts only, never PI.

One KMS Decrypt unwraps a key-encryption key that then opens thousands of records from the cache, so
counting KMS calls says little about how much PI was read. The bulk-read alarm counts records opened.
"""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from policybound import tables

RECORDS_OPENED = "RecordsOpened"

# Powertools' Metrics instances share one metric set per process; the service dimension comes from
# POWERTOOLS_SERVICE_NAME, set per function by the stacks.
metrics = Metrics(namespace=tables.METRICS_NAMESPACE)


def count_record_opened() -> None:
    """The sealer's `on_open`: one record decrypted."""
    metrics.add_metric(name=RECORDS_OPENED, unit=MetricUnit.Count, value=1)


def publish_metrics() -> None:
    """Writes what this invocation counted; nothing at all when it counted nothing."""
    if metrics.metric_set:
        metrics.flush_metrics()
