"""Lambda entry point of the letter sender, fed by the letter queue (SQS event source mapping); the
work is in `policybound.letter_batches`, which local mode's queue poller drives the same way."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from policybound.letter_batches import handle_batches
from policybound.settings import load_settings
from policybound.wiring import Wiring

logger = Logger()
# What the sender reads: the records and their keys, the letters and deliveries, the keyed hash, SES.
SETTINGS = (
    "records_table",
    "keys_table",
    "ledger_table",
    "letters_table",
    "letter_deliveries_table",
    "data_key_id",
    "blind_index_key_id",
    "mail_sender",
    "public_base_url",
    "letter_sends_per_second",
)
_wiring = Wiring(load_settings(*SETTINGS))


@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_batches(_wiring, event, context)
