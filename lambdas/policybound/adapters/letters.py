"""DynamoDB and SQS for letters: the letters table (text and counts), the deliveries table (one
conditional item per letter and record), and the queue of recipient batches."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from dateutil.relativedelta import relativedelta

from policybound import tables
from policybound.adapters.aws import translate_errors
from policybound.domain.core import retention
from policybound.domain.core.errors import Unavailable
from policybound.domain.purposes.letters import DeliveryState, Letter
from policybound.domain.staff.access_records import ACCESS_RECORD_RETENTION

_COUNTERS = {DeliveryState.SENT: "sent", DeliveryState.SKIPPED: "skipped", DeliveryState.FAILED: "failed"}
# SQS takes at most 10 messages per SendMessageBatch call.
_SQS_BATCH = 10


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _expires(at: datetime, keep: relativedelta = ACCESS_RECORD_RETENTION) -> dict[str, str]:
    return {"N": str(retention.epoch_seconds(at + keep))}


class DynamoLetterStore:
    def __init__(self, dynamodb: Any, letters_table: str, deliveries_table: str) -> None:
        self._db = dynamodb
        self._letters = letters_table
        self._deliveries = deliveries_table

    def create(self, letter: Letter) -> None:
        with translate_errors("DynamoDB"):
            self._db.put_item(
                TableName=self._letters,
                Item={
                    "letter_id": {"S": letter.letter_id},
                    "subject": {"S": letter.subject},
                    "body": {"S": letter.body},
                    "created_at": {"S": _time(letter.created_at)},
                    "created_by": {"S": letter.created_by},
                    "recipients": {"N": str(letter.recipients)},
                    **{name: {"N": "0"} for name in _COUNTERS.values()},
                    tables.LETTER_TTL_ATTRIBUTE: _expires(letter.created_at),
                },
                ConditionExpression="attribute_not_exists(letter_id)",
            )

    def get(self, letter_id: str) -> Letter | None:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(
                TableName=self._letters, Key={"letter_id": {"S": letter_id}}, ConsistentRead=True
            ).get("Item")
        if not item:
            return None
        return Letter(
            letter_id=item["letter_id"]["S"],
            subject=item["subject"]["S"],
            body=item["body"]["S"],
            created_at=datetime.fromisoformat(item["created_at"]["S"]),
            created_by=item["created_by"]["S"],
            recipients=int(item["recipients"]["N"]),
            **{name: int(item.get(name, {"N": "0"})["N"]) for name in _COUNTERS.values()},
        )

    def _key(self, letter_id: str, submission_id: str) -> dict[str, Any]:
        return {"letter_id": {"S": letter_id}, "submission_id": {"S": submission_id}}

    def claim(self, letter_id: str, submission_id: str, state: DeliveryState, at: datetime) -> bool:
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.put_item(
                    TableName=self._deliveries,
                    Item={
                        **self._key(letter_id, submission_id),
                        "state": {"S": state.value},
                        "at": {"S": _time(at)},
                        tables.LETTER_TTL_ATTRIBUTE: _expires(at),
                    },
                    ConditionExpression="attribute_not_exists(submission_id)",
                )
        except ClientError:
            return False
        return True

    def settle(self, letter_id: str, submission_id: str, state: DeliveryState, at: datetime) -> None:
        counter = _COUNTERS[state]
        with translate_errors("DynamoDB"):
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self._deliveries,
                            "Key": self._key(letter_id, submission_id),
                            "UpdateExpression": "SET #s = :s, #at = :at",
                            "ExpressionAttributeNames": {"#s": "state", "#at": "at"},
                            "ExpressionAttributeValues": {":s": {"S": state.value}, ":at": {"S": _time(at)}},
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._letters,
                            "Key": {"letter_id": {"S": letter_id}},
                            "UpdateExpression": "ADD #c :one",
                            "ExpressionAttributeNames": {"#c": counter},
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                ]
            )

    def release(self, letter_id: str, submission_id: str) -> None:
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.delete_item(
                    TableName=self._deliveries,
                    Key=self._key(letter_id, submission_id),
                    ConditionExpression="#s = :sending",
                    ExpressionAttributeNames={"#s": "state"},
                    ExpressionAttributeValues={":sending": {"S": DeliveryState.SENDING.value}},
                )
        except ClientError:
            pass  # settled meanwhile: nothing to release


def batch_message(letter_id: str, submission_ids: Sequence[str]) -> str:
    return json.dumps({"letter_id": letter_id, "submission_ids": list(submission_ids)}, separators=(",", ":"))


def parse_batch_message(body: str) -> tuple[str, list[str]]:
    message = json.loads(body)
    return str(message["letter_id"]), [str(i) for i in message["submission_ids"]]


class SqsLetterQueue:
    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self._url = queue_url

    def enqueue(self, letter_id: str, batches: Sequence[Sequence[str]]) -> None:
        for start in range(0, len(batches), _SQS_BATCH):
            entries = [
                {"Id": str(n), "MessageBody": batch_message(letter_id, batch)}
                for n, batch in enumerate(batches[start : start + _SQS_BATCH])
            ]
            with translate_errors("SQS"):
                response = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
            if response.get("Failed"):
                failed = {f["Id"] for f in response["Failed"]}
                retry = [e for e in entries if e["Id"] in failed]
                with translate_errors("SQS"):
                    again = self._sqs.send_message_batch(QueueUrl=self._url, Entries=retry)
                if again.get("Failed"):
                    raise Unavailable("SQS")
