"""DynamoDB ledger: one partition per chain (kind), entries sorted by sequence number.

Appending reads the chain's head and puts the next entry on condition that its sequence number is
still free; a writer that loses the race reads the new head and tries again. Destruction puts its
entry in the same transaction as the deletes (see `DynamoSubmissionStore.destroy`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound import tables
from policybound.adapters.aws import error_code, translate_errors
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import ChainHead, LedgerDraft, LedgerEntry, LedgerKind, chain
from policybound.domain.evidence.consent_ledger import PendingConsent, sealed_batch

MAX_APPEND_ATTEMPTS = 8

# Unsealed consent entries wait in a partition of their own, oldest first, until the sealing job moves
# them into the consent chain (see `domain.consent_ledger`). Their sort key is a position derived from
# the consent time and the submission id, so writing one needs no read.
PENDING_CONSENT_CHAIN = tables.LEDGER_PENDING_CONSENT_CHAIN
_POSITION_SPREAD = 1_000_000


def pending_position(draft: LedgerDraft) -> int:
    """Microseconds of the entry's time, then six digits from its submission id: time-ordered, and two
    submissions collide only within the same microsecond and the same one-in-a-million bucket (then the
    transaction's condition refuses the second, and the client's retry gets a new id)."""
    micros = int(draft.at.timestamp() * 1_000_000)
    spread = int(hashlib.sha256(str(draft.payload["submission_id"]).encode()).hexdigest(), 16) % _POSITION_SPREAD
    return micros * _POSITION_SPREAD + spread


def pending_draft(item: dict[str, Any]) -> LedgerDraft:
    return LedgerDraft(LedgerKind.CONSENT, datetime.fromisoformat(item["at"]["S"]), json.loads(item["payload"]["S"]))


def _payload_text(payload: Any) -> str:
    # Kept as the exact JSON text so that verification hashes what was written, byte for byte.
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def entry_item(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "chain": {"S": entry.kind.value},
        "seq": {"N": str(entry.seq)},
        "at": {"S": entry.at.isoformat()},
        "payload": {"S": _payload_text(entry.payload)},
        "prev_hash": {"S": entry.prev_hash},
        "hash": {"S": entry.hash},
    }


def entry_from_item(item: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        kind=LedgerKind(item["chain"]["S"]),
        seq=int(item["seq"]["N"]),
        at=datetime.fromisoformat(item["at"]["S"]),
        payload=json.loads(item["payload"]["S"]),
        prev_hash=item["prev_hash"]["S"],
        hash=item["hash"]["S"],
    )


class DynamoLedger:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self.table = table

    def head(self, kind: LedgerKind) -> ChainHead | None:
        with translate_errors("DynamoDB"):
            response = self._db.query(
                TableName=self.table,
                KeyConditionExpression="#c = :c",
                ExpressionAttributeNames={"#c": "chain", "#s": "seq", "#h": "hash"},
                ExpressionAttributeValues={":c": {"S": kind.value}},
                ProjectionExpression="#s, #h",
                ScanIndexForward=False,
                Limit=1,
                ConsistentRead=True,
            )
        items = response.get("Items", [])
        return ChainHead(int(items[0]["seq"]["N"]), items[0]["hash"]["S"]) if items else None

    def put_request(self, entry: LedgerEntry) -> dict[str, Any]:
        """The transaction item that appends `entry` if its place in the chain is still free."""
        return {
            "Put": {
                "TableName": self.table,
                "Item": entry_item(entry),
                "ConditionExpression": "attribute_not_exists(#s)",
                "ExpressionAttributeNames": {"#s": "seq"},
            }
        }

    def pending_put_request(self, draft: LedgerDraft) -> dict[str, Any]:
        """The transaction item that writes an unsealed consent entry (with its record, no read)."""
        return {
            "Put": {
                "TableName": self.table,
                "Item": {
                    "chain": {"S": PENDING_CONSENT_CHAIN},
                    "seq": {"N": str(pending_position(draft))},
                    "at": {"S": draft.at.isoformat()},
                    "payload": {"S": _payload_text(draft.payload)},
                },
                "ConditionExpression": "attribute_not_exists(#s)",
                "ExpressionAttributeNames": {"#s": "seq"},
            }
        }

    def pending_delete_request(self, position: int) -> dict[str, Any]:
        """The transaction item that takes an unsealed consent entry away, on condition that it is still
        unsealed (a sealed one is in the chain for good)."""
        return {
            "Delete": {
                "TableName": self.table,
                "Key": {"chain": {"S": PENDING_CONSENT_CHAIN}, "seq": {"N": str(position)}},
                "ConditionExpression": "attribute_exists(#s)",
                "ExpressionAttributeNames": {"#s": "seq"},
            }
        }

    def pending(self, limit: int) -> list[PendingConsent]:
        with translate_errors("DynamoDB"):
            response = self._db.query(
                TableName=self.table,
                KeyConditionExpression="#c = :c",
                ExpressionAttributeNames={"#c": "chain"},
                ExpressionAttributeValues={":c": {"S": PENDING_CONSENT_CHAIN}},
                Limit=limit,
                ConsistentRead=True,
            )
        return [PendingConsent(int(item["seq"]["N"]), pending_draft(item)) for item in response.get("Items", [])]

    def unsealed(self) -> Iterator[LedgerDraft]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "#c = :c",
            "ExpressionAttributeNames": {"#c": "chain"},
            "ExpressionAttributeValues": {":c": {"S": PENDING_CONSENT_CHAIN}},
            "ConsistentRead": True,
        }
        while True:
            with translate_errors("DynamoDB"):
                response = self._db.query(**request)
            for item in response.get("Items", []):
                yield pending_draft(item)
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def seal(self, batch: Sequence[PendingConsent], at: datetime) -> bool:
        removals = [self.pending_delete_request(pending.position) for pending in batch]
        drafts = [pending.draft for pending in batch]
        refused = self.append_entries_with(removals, LedgerKind.CONSENT, lambda head: sealed_batch(drafts, head, at))
        return refused is None

    def append(self, draft: LedgerDraft) -> LedgerEntry:
        for _ in range(MAX_APPEND_ATTEMPTS):
            entry = chain(draft, self.head(draft.kind))
            put = self.put_request(entry)["Put"]
            try:
                with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                    self._db.put_item(**put)
                return entry
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
        raise Unavailable("DynamoDB (ledger contention)")

    def append_with(self, items: list[dict[str, Any]], draft: LedgerDraft) -> list[str] | None:
        """Write `items` and append `draft` in one transaction.

        None when written. When a condition of `items` failed, nothing was written and the answer is
        each item's cancellation code ("None" for the items that were fine). Losing the ledger position
        to another writer is retried here, as in `append`.
        """
        return self.append_entries_with(items, draft.kind, lambda head: [chain(draft, head)])

    def append_entries_with(
        self, items: list[dict[str, Any]], kind: LedgerKind, build: Callable[[ChainHead | None], list[LedgerEntry]]
    ) -> list[str] | None:
        """`append_with` for entries built from the chain's head (several, in order): written with
        `items` in one transaction, rebuilt from the new head when another writer took the position."""
        for _ in range(MAX_APPEND_ATTEMPTS):
            entries = build(self.head(kind))
            try:
                with translate_errors("DynamoDB", passthrough=("TransactionCanceledException",)):
                    self._db.transact_write_items(TransactItems=[*items, *(self.put_request(e) for e in entries)])
                return None
            except ClientError as error:
                if error_code(error) != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons", [])
                codes = [str(reason.get("Code", "None")) for reason in reasons][: len(items)]
                if "ConditionalCheckFailed" in codes:
                    return codes
        raise Unavailable("DynamoDB (ledger contention)")

    def entries(self, kind: LedgerKind, after_seq: int = 0, limit: int = 100) -> list[LedgerEntry]:
        with translate_errors("DynamoDB"):
            response = self._db.query(
                TableName=self.table,
                KeyConditionExpression="#c = :c AND #s > :after",
                ExpressionAttributeNames={"#c": "chain", "#s": "seq"},
                ExpressionAttributeValues={":c": {"S": kind.value}, ":after": {"N": str(after_seq)}},
                Limit=limit,
                ConsistentRead=True,
            )
        return [entry_from_item(item) for item in response.get("Items", [])]
