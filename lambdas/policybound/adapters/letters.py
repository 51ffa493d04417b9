"""DynamoDB and SQS for letters: the letters table (text and counts), the deliveries table (one
conditional item per letter and record), and the queue of recipient batches."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from dateutil.relativedelta import relativedelta

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.aws import (
    cancellation_codes,
    conditional,
    get_item,
    put_new,
    put_new_request,
    translate_errors,
    update_request,
)
from policybound.adapters.codec import stored_time
from policybound.domain.core import retention
from policybound.domain.core.errors import Unavailable
from policybound.domain.purposes.letters import DeliveryState, Letter
from policybound.obligations import ACCESS_RECORD_RETENTION

_COUNTERS = {DeliveryState.SENT: "sent", DeliveryState.SKIPPED: "skipped", DeliveryState.FAILED: "failed"}
# SQS takes at most 10 messages per SendMessageBatch call.
_SQS_BATCH = 10
# A transaction may lose to a concurrent one on the same items (a batch delivered to two senders at once);
# it is tried again this many times before the batch is left for redelivery.
_CONFLICT_ATTEMPTS = 3
_TRANSACTION_ITEMS = 100


def _expires(at: datetime, keep: relativedelta = ACCESS_RECORD_RETENTION) -> int:
    return retention.epoch_seconds(at + keep)


def _fits_a_transaction(deliveries: Mapping[str, DeliveryState]) -> None:
    # A transaction holds at most 100 items: the deliveries and the letter's counter.
    if len(deliveries) >= _TRANSACTION_ITEMS:
        raise ValueError(f"a batch holds fewer than {_TRANSACTION_ITEMS} deliveries")


@dataclass(eq=False, repr=False)
class DynamoLetterStore:
    """Letters and their deliveries: one conditional delivery item per letter and record."""

    dynamodb: Any
    letters_table: str
    deliveries_table: str

    def create(self, letter: Letter) -> None:
        item = {
            "letter_id": letter.letter_id,
            "subject": letter.subject,
            "body": letter.body,
            "created_at": stored_time(letter.created_at),
            "created_by": letter.created_by,
            "recipients": letter.recipients,
            **dict.fromkeys(_COUNTERS.values(), 0),
            tables.LETTER_TTL_ATTRIBUTE: _expires(letter.created_at),
        }
        put_new(self.dynamodb, self.letters_table, codec.item(item), "letter_id")

    def get(self, letter_id: str) -> Letter | None:
        found = get_item(self.dynamodb, self.letters_table, {"letter_id": letter_id})
        if not found:
            return None
        return Letter(
            letter_id=found["letter_id"],
            subject=found["subject"],
            body=found["body"],
            created_at=datetime.fromisoformat(found["created_at"]),
            created_by=found["created_by"],
            recipients=found["recipients"],
            **{name: found.get(name, 0) for name in _COUNTERS.values()},
        )

    def _key(self, letter_id: str, submission_id: str) -> dict[str, Any]:
        return codec.item({"letter_id": letter_id, "submission_id": submission_id})

    def _count(self, letter_id: str, states: Iterable[DeliveryState]) -> list[dict[str, Any]]:
        """The letter's counters raised by these outcomes: one update, or none when nothing counts."""
        counts = Counter(_COUNTERS[state] for state in states if state in _COUNTERS)
        if not counts:
            return []
        names = {f"#c{n}": counter for n, counter in enumerate(counts)}
        values = {f":c{n}": counts[counter] for n, counter in enumerate(counts)}
        return [
            update_request(
                self.letters_table,
                {"letter_id": letter_id},
                "ADD " + ", ".join(f"{name} {name.replace('#', ':')}" for name in names),
                names=names,
                values=values,
            )
        ]

    def claim(self, letter_id: str, claims: Mapping[str, DeliveryState], at: datetime) -> set[str]:
        """One transaction claims the whole batch (and counts its skips). When some deliveries exist
        already — a redelivered batch — DynamoDB names them in the cancellation, and the rest is claimed
        again without them."""
        _fits_a_transaction(claims)
        wanted = dict(claims)
        for _ in range(len(claims) + _CONFLICT_ATTEMPTS):
            if not wanted:
                return set()
            puts = [
                put_new_request(
                    self.deliveries_table,
                    codec.item(
                        {
                            "letter_id": letter_id,
                            "submission_id": submission_id,
                            "state": state.value,
                            "at": stored_time(at),
                            tables.LETTER_TTL_ATTRIBUTE: _expires(at),
                        }
                    ),
                    "submission_id",
                )
                for submission_id, state in wanted.items()
            ]
            skips = [state for state in wanted.values() if state is DeliveryState.SKIPPED]
            try:
                with translate_errors("DynamoDB", passthrough=("TransactionCanceledException",)):
                    self.dynamodb.transact_write_items(TransactItems=puts + self._count(letter_id, skips))
            except ClientError as error:
                reasons = cancellation_codes(error)
                taken = {i for i, code in zip(wanted, reasons, strict=False) if code == "ConditionalCheckFailed"}
                if not taken and "TransactionConflict" not in reasons:
                    raise Unavailable("DynamoDB") from error
                wanted = {i: state for i, state in wanted.items() if i not in taken}
                continue
            return set(wanted)
        raise Unavailable("DynamoDB")

    def settle(self, letter_id: str, outcomes: Mapping[str, DeliveryState], at: datetime) -> None:
        _fits_a_transaction(outcomes)
        updates = [
            update_request(
                self.deliveries_table,
                {"letter_id": letter_id, "submission_id": submission_id},
                "SET #s = :s, #at = :at",
                names={"#s": "state", "#at": "at"},
                values={":s": state.value, ":at": stored_time(at)},
            )
            for submission_id, state in outcomes.items()
        ]
        if updates:
            with translate_errors("DynamoDB"):
                self.dynamodb.transact_write_items(TransactItems=updates + self._count(letter_id, outcomes.values()))

    def release(self, letter_id: str, submission_ids: Sequence[str]) -> None:
        for submission_id in submission_ids:
            # A failed condition: settled meanwhile, nothing to release.
            conditional(
                self.dynamodb.delete_item,
                {":sending": DeliveryState.SENDING.value},
                TableName=self.deliveries_table,
                Key=self._key(letter_id, submission_id),
                ConditionExpression="#s = :sending",
                ExpressionAttributeNames={"#s": "state"},
            )


def batch_message(letter_id: str, submission_ids: Sequence[str]) -> str:
    return json.dumps({"letter_id": letter_id, "submission_ids": list(submission_ids)}, separators=(",", ":"))


def parse_batch_message(body: str) -> tuple[str, list[str]]:
    message = json.loads(body)
    return str(message["letter_id"]), [str(i) for i in message["submission_ids"]]


@dataclass(eq=False, repr=False)
class SqsLetterQueue:
    """The queue of recipient batches a letter is sent in."""

    sqs: Any
    queue_url: str

    def enqueue(self, letter_id: str, batches: Sequence[Sequence[str]]) -> None:
        for start in range(0, len(batches), _SQS_BATCH):
            entries = [
                {"Id": str(n), "MessageBody": batch_message(letter_id, batch)}
                for n, batch in enumerate(batches[start : start + _SQS_BATCH])
            ]
            with translate_errors("SQS"):
                response = self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            if response.get("Failed"):
                failed = {f["Id"] for f in response["Failed"]}
                retry = [e for e in entries if e["Id"] in failed]
                with translate_errors("SQS"):
                    again = self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=retry)
                if again.get("Failed"):
                    raise Unavailable("SQS")
