"""What every store adapter shares: client settings, and turning AWS failures into domain errors."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from policybound.adapters import codec
from policybound.domain.core.errors import Unavailable
from policybound.policy import AWS_REGION

# BatchGetItem reads at most 100 keys a call; keys it leaves unprocessed (throttling, 16 MB) are asked
# for again after a growing pause, as AWS advises, a bounded number of times.
BATCH_GET_LIMIT = 100
_UNPROCESSED_ATTEMPTS = 5

# Short timeouts and few retries: a browser is waiting, and the client can retry safely (503 with
# Retry-After) because nothing partial is ever stored.
CLIENT_CONFIG = Config(
    region_name=AWS_REGION,
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 3},
)


@contextmanager
def translate_errors(dependency: str, passthrough: tuple[str, ...] = ()) -> Iterator[None]:
    """Raise `Unavailable(dependency)` for any AWS failure except the error codes in `passthrough`,
    which the caller handles itself (e.g. a failed condition)."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in passthrough:
            raise
        raise Unavailable(dependency) from error
    except BotoCoreError as error:
        raise Unavailable(dependency) from error


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def cancellation_codes(error: ClientError) -> list[str]:
    """A cancelled transaction's reason per item, in order ("None" for the items that were fine)."""
    return [str(reason.get("Code", "None")) for reason in error.response.get("CancellationReasons", [])]


def query_items(dynamodb: Any, **request: Any) -> Iterator[dict[str, Any]]:
    """Every item a Query finds, page after page (boto3's paginator), as plain values."""
    pages = iter(dynamodb.get_paginator("query").paginate(**request))
    while True:
        with translate_errors("DynamoDB"):
            page = next(pages, None)
        if page is None:
            return
        for found in page.get("Items", []):
            yield codec.plain(found)


def query_page(
    dynamodb: Any, request: Mapping[str, Any], limit: int, after: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of at most `limit` items (plain values) from where `after` left off, and where the next
    page starts (None after the last). A caller that keeps the position between invocations (a sweep
    cursor) holds it as text, so the position is the page's LastEvaluatedKey as JSON rather than a
    paginator's in-process state."""
    page_request = {**request, "Limit": limit}
    if after:
        page_request["ExclusiveStartKey"] = json.loads(after)
    with translate_errors("DynamoDB"):
        response = dynamodb.query(**page_request)
    last = response.get("LastEvaluatedKey")
    return [codec.plain(found) for found in response.get("Items", [])], json.dumps(last) if last else None


def query_count(dynamodb: Any, **request: Any) -> int:
    """How many items a Query finds (Select COUNT), over every page."""
    count = 0
    with translate_errors("DynamoDB"):
        for page in dynamodb.get_paginator("query").paginate(Select="COUNT", **request):
            count += int(page.get("Count", 0))
    return count


def batch_get_items(
    dynamodb: Any,
    table: str,
    keys: Sequence[Mapping[str, Any]],
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """Every stored item among `keys` (plain values; strongly consistent), in as few BatchGetItem calls
    as the limit allows; in no particular order, as plain values. `Unavailable("DynamoDB")` if some keys
    stay unprocessed."""
    items: list[dict[str, Any]] = []
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        batch = [codec.item(key) for key in keys[start : start + BATCH_GET_LIMIT]]
        request: dict[str, Any] = {table: {"Keys": batch, "ConsistentRead": True}}
        for attempt in range(_UNPROCESSED_ATTEMPTS):
            if attempt:
                sleep(0.05 * 2**attempt)
            with translate_errors("DynamoDB"):
                response = dynamodb.batch_get_item(RequestItems=request)
            items += [codec.plain(found) for found in response.get("Responses", {}).get(table, [])]
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise Unavailable("DynamoDB")
    return items


def get_item(
    dynamodb: Any, table: str, key: Mapping[str, Any], consistent: bool = True, **request: Any
) -> dict[str, Any] | None:
    """One item by its key (plain values in and out), or None when there is none."""
    with translate_errors("DynamoDB"):
        found = dynamodb.get_item(TableName=table, Key=codec.item(key), ConsistentRead=consistent, **request).get(
            "Item"
        )
    return codec.plain(found) if found else None


def conditional(
    call: Callable[..., dict[str, Any]], values: Mapping[str, Any] | None = None, **request: Any
) -> dict[str, Any] | None:
    """A conditional write's response, or None when its condition did not hold (nothing written).
    `values` are the expression's attribute values, as plain values."""
    if values is not None:
        request["ExpressionAttributeValues"] = codec.item(values)
    try:
        with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
            return call(**request)
    except ClientError:
        return None


def transact(dynamodb: Any, items: list[dict[str, Any]]) -> list[str] | None:
    """Write `items` in one transaction: None when written; when DynamoDB cancelled it (a condition
    failed, or a conflicting write), nothing was written and the answer is each item's cancellation
    code (`cancellation_codes`)."""
    try:
        with translate_errors("DynamoDB", passthrough=("TransactionCanceledException",)):
            dynamodb.transact_write_items(TransactItems=items)
    except ClientError as error:
        return cancellation_codes(error)
    return None


def put_new_request(table: str, item: dict[str, Any], key_attribute: str) -> dict[str, Any]:
    """The transaction item that puts `item` (as `codec.item` makes it) on condition that no item has
    its key yet: a fresh id written twice is a retry that landed, never a second item."""
    return {"Put": {"TableName": table, "Item": item, "ConditionExpression": f"attribute_not_exists({key_attribute})"}}


def put_new(dynamodb: Any, table: str, item: dict[str, Any], key_attribute: str) -> None:
    """`put_new_request` as a write of its own."""
    with translate_errors("DynamoDB"):
        dynamodb.put_item(**put_new_request(table, item, key_attribute)["Put"])


def update_request(
    table: str,
    key: Mapping[str, Any],
    expression: str,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The transaction item that updates one item; key and expression values as plain values."""
    update: dict[str, Any] = {"TableName": table, "Key": codec.item(key), "UpdateExpression": expression}
    if condition is not None:
        update["ConditionExpression"] = condition
    if names:
        update["ExpressionAttributeNames"] = dict(names)
    if values:
        update["ExpressionAttributeValues"] = codec.item(values)
    return {"Update": update}
