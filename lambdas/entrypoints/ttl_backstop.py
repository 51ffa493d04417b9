"""Lambda entry point of the TTL backstop: the records table's stream (OLD_IMAGE).

The sweeper destroys records within the hour; DynamoDB's TTL is only a backstop for a sweeper that
stopped. When TTL removes a record, only the item goes: its key stays, and with it the chance to
decrypt the record's copies in point-in-time backups. This deletes the key and writes the
destruction's ledger entry. Removals by anyone else (the sweeper, an unsubscribe, an erasure) have
their ledger entry already and are ignored.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from policybound import tables
from policybound.adapters.streams import old_record, removed_by_ttl
from policybound.domain.core.ports import DestroyOutcome
from policybound.domain.retention.destruction import Destroyer
from policybound.settings import load_settings
from policybound.wiring import Wiring

# The service name comes from POWERTOOLS_SERVICE_NAME (set per function by the stacks), so the
# child loggers of shared modules (`Logger(child=True)`) find this logger as their parent.
logger = Logger()
metrics = Metrics(namespace=tables.METRICS_NAMESPACE, service="policybound-ttl-backstop")

# A failed record is reported back (ReportBatchItemFailures), and the stream retries from it.
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class MissingOldImage(Exception):
    """The stream does not carry the removed item: its view type must be OLD_IMAGE."""


def shred(record: DynamoDBRecord, destroyer: Destroyer) -> DestroyOutcome | None:
    """None for a change that is not TTL's removal; otherwise what became of the record's key."""
    if not removed_by_ttl(record):
        return None
    removed = old_record(record)
    if removed is None:
        raise MissingOldImage("a TTL removal without the removed item; set the stream's view type to OLD_IMAGE")
    outcome = destroyer.shred_after_ttl(removed)
    metrics.add_metric(
        name=tables.KEYS_SHREDDED_AFTER_TTL_METRIC
        if outcome is DestroyOutcome.DESTROYED
        else "TtlRemovalsAlreadyShredded",
        unit=MetricUnit.Count,
        value=1,
    )
    logger.info("ttl removal", extra={"submission_id": removed.submission_id, "outcome": outcome.value})
    return outcome


def process(event: dict[str, Any], context: LambdaContext, destroyer: Destroyer) -> PartialItemFailureResponse:
    def handle(record: DynamoDBRecord) -> None:
        shred(record, destroyer)

    return process_partial_response(event=event, record_handler=handle, processor=processor, context=context)


# Destruction only: the record, its key and the ledger entry.
SETTINGS = ("records_table", "keys_table", "ledger_table")
_wiring = Wiring(load_settings(*SETTINGS))


@metrics.log_metrics
@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process(event, context, _wiring.destroyer)
