"""DynamoDB Streams: what a records-table stream record says, in domain terms."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.dynamodb import record_from_values
from policybound.domain.core.model import StoredSubmission


def removed_by_ttl(record: DynamoDBRecord) -> bool:
    identity = record.user_identity
    return record.event_name == DynamoDBRecordEventName.REMOVE and all(
        identity.get(name) == value for name, value in tables.TTL_REMOVAL_IDENTITY.items()
    )


def old_record(record: DynamoDBRecord) -> StoredSubmission | None:
    """The record as it was before the change (the stream's OLD_IMAGE), or None when the image is missing."""
    stream = record.dynamodb
    image = stream.raw_event.get("OldImage") if stream else None
    if not image:
        return None
    return record_from_values(codec.plain_from_stream(image))
