"""The letter queue's events, handled: each SQS message is one batch of a letter's recipients. A batch
SES throttled is reported failed (`batchItemFailures`) and comes back after the visibility timeout;
everything else is settled per recipient, so a redelivery mails nobody twice. The entry point and local
mode's queue poller both come here."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from policybound.adapters.letters import parse_batch_message
from policybound.wiring import Wiring

logger = Logger(child=True)


def deliver_batch(wiring: Wiring, record: SQSRecord) -> None:
    letter_id, submission_ids = parse_batch_message(record.body)
    result = wiring.letter_sender.deliver(letter_id, submission_ids)
    # Ids and counts only.
    logger.info(
        "letter batch delivered",
        extra={
            "letter_id": letter_id,
            "sent": result.sent,
            "skipped": result.skipped,
            "failed": result.failed,
            "already_handled": result.already,
        },
    )


def handle_batches(wiring: Wiring, event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event,
            record_handler=lambda record: deliver_batch(wiring, record),
            processor=BatchProcessor(event_type=EventType.SQS),
            context=context,
        )
    )
