"""A stand-in entry module: module state differs per instance, as a Lambda instance's does."""

import uuid
from typing import Any

INSTANCE = uuid.uuid4().hex


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"instance": INSTANCE}
