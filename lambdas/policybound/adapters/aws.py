"""What every store adapter shares: client settings, and turning AWS failures into domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from policybound.domain.core.errors import Unavailable
from policybound.policy import AWS_REGION

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
