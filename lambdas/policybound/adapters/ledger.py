"""DynamoDB ledger: one partition per chain (kind), entries sorted by sequence number.

Appending reads the chain's head and puts the next entry on condition that its sequence number is
still free; a writer that loses the race reads the new head and tries again. Destruction puts its
entry in the same transaction as the deletes (see `DynamoSubmissionStore.destroy`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound.adapters.aws import error_code, translate_errors
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import ChainHead, LedgerDraft, LedgerEntry, LedgerKind, chain

MAX_APPEND_ATTEMPTS = 8


def entry_item(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "chain": {"S": entry.kind.value},
        "seq": {"N": str(entry.seq)},
        "at": {"S": entry.at.isoformat()},
        # Kept as the exact JSON text so that verification hashes what was written, byte for byte.
        "payload": {"S": json.dumps(entry.payload, sort_keys=True, ensure_ascii=False)},
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
        for _ in range(MAX_APPEND_ATTEMPTS):
            entry = chain(draft, self.head(draft.kind))
            try:
                with translate_errors("DynamoDB", passthrough=("TransactionCanceledException",)):
                    self._db.transact_write_items(TransactItems=[*items, self.put_request(entry)])
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
