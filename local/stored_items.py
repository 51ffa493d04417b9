"""What local mode's AWS (moto) holds right now, counted from moto's own state in this process.

`GET /_local/stored-items` → `{"tables": {name: items}, "queues": {name: messages}, "to_handle": N}`.
A scan of every table through the endpoint reads every item of every table over HTTP; these counts
cost nothing, so a check can take them before and after each request it makes (the fuzzers do).
`to_handle` counts the messages that local mode's own consumers have yet to take (the letter queue's
batches): while it is above zero, tables can still change with no request made.
"""

from __future__ import annotations

from typing import Any

from local.environment import TABLE_PREFIX, table_name
from local.outbox import ACCOUNT_ID
from policybound.policy import AWS_REGION
from policybound.tables import QUEUES


def _item_count(table: Any) -> int:
    # Request threads write while this counts: the partitions are read from a copy (one call, under the
    # GIL), where moto's own len(table) iterates the dictionary they change.
    partitions = list(table.items.values())
    return sum(len(partition) for partition in partitions) if table.has_range_key else len(partitions)


def stored_items() -> dict[str, Any]:
    # moto is local mode's dependency, never a Lambda one.
    from moto.dynamodb.models import dynamodb_backends
    from moto.sqs.models import sqs_backends

    dynamodb = dynamodb_backends[ACCOUNT_ID][AWS_REGION]
    sqs = sqs_backends[ACCOUNT_ID][AWS_REGION]
    tables = {name: _item_count(table) for name, table in sorted(dynamodb.tables.items())}
    queues = {
        name: queue.approximate_number_of_messages
        + queue.approximate_number_of_messages_not_visible
        + queue.approximate_number_of_messages_delayed
        for name, queue in sorted(sqs.queues.items())
    }
    to_handle = sum(queues.get(table_name(spec, TABLE_PREFIX), 0) for spec in QUEUES)
    return {"tables": tables, "queues": queues, "to_handle": to_handle}
