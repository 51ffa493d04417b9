"""DynamoDB Streams: what a records-table stream record says, in domain terms."""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)

from policybound import tables
from policybound.adapters.dynamodb import record_from_item
from policybound.domain.core.model import StoredSubmission


def removed_by_ttl(record: DynamoDBRecord) -> bool:
    identity = record.user_identity
    return record.event_name == DynamoDBRecordEventName.REMOVE and all(
        identity.get(name) == value for name, value in tables.TTL_REMOVAL_IDENTITY.items()
    )


def _from_json(value: dict[str, Any]) -> dict[str, Any]:
    # Stream events are JSON, so binary attributes arrive base64-encoded where boto3 would give bytes.
    (kind, inner), *_ = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "M":
        return {"M": {name: _from_json(member) for name, member in inner.items()}}
    if kind == "L":
        return {"L": [_from_json(member) for member in inner]}
    return value


def old_record(record: DynamoDBRecord) -> StoredSubmission | None:
    """The record as it was before the change (the stream's OLD_IMAGE), or None when the image is missing."""
    stream = record.dynamodb
    image = stream.raw_event.get("OldImage") if stream else None
    if not image:
        return None
    return record_from_item({name: _from_json(value) for name, value in image.items()})
