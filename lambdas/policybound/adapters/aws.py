"""What every store adapter shares: client settings, and turning AWS failures into domain errors."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

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


def stored_time(moment: datetime) -> str:
    """How every item stores a moment: UTC, ISO 8601 to the microsecond, so stored times sort as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def batch_get_items(
    dynamodb: Any,
    table: str,
    keys: Sequence[dict[str, Any]],
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """Every stored item among `keys` (strongly consistent), in as few BatchGetItem calls as the limit
    allows; in no particular order. `Unavailable("DynamoDB")` if some keys stay unprocessed."""
    items: list[dict[str, Any]] = []
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        request: dict[str, Any] = {table: {"Keys": list(keys[start : start + BATCH_GET_LIMIT]), "ConsistentRead": True}}
        for attempt in range(_UNPROCESSED_ATTEMPTS):
            if attempt:
                sleep(0.05 * 2**attempt)
            with translate_errors("DynamoDB"):
                response = dynamodb.batch_get_item(RequestItems=request)
            items += response.get("Responses", {}).get(table, [])
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise Unavailable("DynamoDB")
    return items
