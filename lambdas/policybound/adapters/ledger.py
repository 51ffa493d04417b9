"""DynamoDB ledger: one partition per chain (kind), entries sorted by sequence number.

Appending reads the chain's head and puts the next entry on condition that its sequence number is
still free; a writer that loses the race reads the new head and tries again. Every change that needs
its ledger entry (destruction, incidents, holds, corrections...) is written in the same transaction as
the entry, through the one retry loop here (`append_with`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.aws import cancellation_codes, error_code, query_items, translate_errors
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import ChainHead, LedgerDraft, LedgerEntry, LedgerKind, chain
from policybound.domain.evidence.consent_ledger import PendingConsent, sealed_batch

MAX_APPEND_ATTEMPTS = 8

# Unsealed consent entries wait in a partition of their own, oldest first, until the sealing job moves
# them into the consent chain (see `domain.consent_ledger`). Their sort key is a position derived from
# the consent time and the submission id, so writing one needs no read.
PENDING_CONSENT_CHAIN = tables.LEDGER_PENDING_CONSENT_CHAIN
_POSITION_SPREAD = 1_000_000
# The cancellation code of a transaction item whose own condition failed.
CONDITION_FAILED = "ConditionalCheckFailed"


def pending_position(draft: LedgerDraft) -> int:
    """Microseconds of the entry's time, then six digits from its submission id: time-ordered, and two
    submissions collide only within the same microsecond and the same one-in-a-million bucket (then the
    transaction's condition refuses the second, and the client's retry gets a new id)."""
    micros = int(draft.at.timestamp() * 1_000_000)
    spread = int(hashlib.sha256(str(draft.payload["submission_id"]).encode()).hexdigest(), 16) % _POSITION_SPREAD
    return micros * _POSITION_SPREAD + spread


def _pending_draft(values: dict[str, Any]) -> LedgerDraft:
    return LedgerDraft(LedgerKind.CONSENT, datetime.fromisoformat(values["at"]), json.loads(values["payload"]))


def pending_draft(item: dict[str, Any]) -> LedgerDraft:
    """An unsealed consent entry from its stored item (as the client or an export gives it)."""
    return _pending_draft(codec.plain(item))


def _payload_text(payload: Any) -> str:
    # Kept as the exact JSON text so that verification hashes what was written, byte for byte.
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def entry_item(entry: LedgerEntry) -> dict[str, Any]:
    return codec.item(
        {
            "chain": entry.kind.value,
            "seq": entry.seq,
            "at": entry.at.isoformat(),
            "payload": _payload_text(entry.payload),
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        }
    )


def _entry(values: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        kind=LedgerKind(values["chain"]),
        seq=values["seq"],
        at=datetime.fromisoformat(values["at"]),
        payload=json.loads(values["payload"]),
        prev_hash=values["prev_hash"],
        hash=values["hash"],
    )


def entry_from_item(item: dict[str, Any]) -> LedgerEntry:
    """A chained entry from its stored item (as the client or an export gives it)."""
    return _entry(codec.plain(item))


def _chain_position(chain_name: str, seq: int) -> dict[str, Any]:
    return codec.item({"chain": chain_name, "seq": seq})


@dataclass(eq=False, repr=False)
class DynamoLedger:
    """The hash-chained ledger and the unsealed consent entries waiting for their batch."""

    dynamodb: Any
    table: str

    def _query(self, chain_name: str, limit: int, after_seq: int | None = None, **request: Any) -> list[dict[str, Any]]:
        """One page of a chain, oldest first unless `request` says otherwise."""
        condition, names = "#c = :c", {"#c": "chain"}
        values: dict[str, Any] = {":c": chain_name}
        if after_seq is not None:
            condition += " AND #s > :after"
            names, values = names | {"#s": "seq"}, values | {":after": after_seq}
        with translate_errors("DynamoDB"):
            response = self.dynamodb.query(
                TableName=self.table,
                KeyConditionExpression=condition,
                ExpressionAttributeNames=names | request.pop("ExpressionAttributeNames", {}),
                ExpressionAttributeValues=codec.item(values),
                Limit=limit,
                ConsistentRead=True,
                **request,
            )
        return [codec.plain(found) for found in response.get("Items", [])]

    def head(self, kind: LedgerKind) -> ChainHead | None:
        items = self._query(
            kind.value,
            1,
            ExpressionAttributeNames={"#s": "seq", "#h": "hash"},
            ProjectionExpression="#s, #h",
            ScanIndexForward=False,
        )
        return ChainHead(items[0]["seq"], items[0]["hash"]) if items else None

    def put_request(self, entry: LedgerEntry) -> dict[str, Any]:
        """The transaction item that appends `entry` if its place in the chain is still free."""
        return self._put_new(entry_item(entry))

    def _put_new(self, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(#s)",
                "ExpressionAttributeNames": {"#s": "seq"},
            }
        }

    def pending_put_request(self, draft: LedgerDraft) -> dict[str, Any]:
        """The transaction item that writes an unsealed consent entry (with its record, no read)."""
        return self._put_new(
            codec.item(
                {
                    "chain": PENDING_CONSENT_CHAIN,
                    "seq": pending_position(draft),
                    "at": draft.at.isoformat(),
                    "payload": _payload_text(draft.payload),
                }
            )
        )

    def pending_delete_request(self, position: int) -> dict[str, Any]:
        """The transaction item that takes an unsealed consent entry away, on condition that it is still
        unsealed (a sealed one is in the chain for good)."""
        return {
            "Delete": {
                "TableName": self.table,
                "Key": _chain_position(PENDING_CONSENT_CHAIN, position),
                "ConditionExpression": "attribute_exists(#s)",
                "ExpressionAttributeNames": {"#s": "seq"},
            }
        }

    def pending(self, limit: int) -> list[PendingConsent]:
        return [PendingConsent(item["seq"], _pending_draft(item)) for item in self._query(PENDING_CONSENT_CHAIN, limit)]

    def unsealed(self) -> Iterator[LedgerDraft]:
        for item in query_items(
            self.dynamodb,
            TableName=self.table,
            KeyConditionExpression="#c = :c",
            ExpressionAttributeNames={"#c": "chain"},
            ExpressionAttributeValues=codec.item({":c": PENDING_CONSENT_CHAIN}),
            ConsistentRead=True,
        ):
            yield _pending_draft(item)

    def seal(self, batch: Sequence[PendingConsent], at: datetime) -> bool:
        removals = [self.pending_delete_request(pending.position) for pending in batch]
        drafts = [pending.draft for pending in batch]
        refused = self.append_entries_with(removals, LedgerKind.CONSENT, lambda head: sealed_batch(drafts, head, at))
        return refused is None

    def append(self, draft: LedgerDraft) -> LedgerEntry:
        written: list[LedgerEntry] = []

        def build(head: ChainHead | None) -> list[LedgerEntry]:
            written[:] = [chain(draft, head)]
            return written

        self.append_entries_with([], draft.kind, build)
        return written[0]

    def append_with(self, items: list[dict[str, Any]], draft: LedgerDraft) -> list[str] | None:
        """Write `items` and append `draft` in one transaction.

        None when written. When a condition of `items` failed, nothing was written and the answer is
        each item's cancellation code ("None" for the items that were fine). Losing the ledger position
        to another writer is retried here.
        """
        return self.append_entries_with(items, draft.kind, lambda head: [chain(draft, head)])

    def append_with_new(self, items: list[dict[str, Any]], draft: LedgerDraft, detail: str = "") -> None:
        """`append_with` for items that are new under fresh UUIDs (or change only such items): their
        conditions can fail only for a retried write that already landed, never a real clash, so a
        refusal is `Unavailable` (the client retries; `detail` says what had landed)."""
        if self.append_with(items, draft) is not None:
            raise Unavailable(f"DynamoDB ({detail})" if detail else "DynamoDB")

    def append_entries_with(
        self, items: list[dict[str, Any]], kind: LedgerKind, build: Callable[[ChainHead | None], list[LedgerEntry]]
    ) -> list[str] | None:
        """`append_with` for entries built from the chain's head (several, in order): written with
        `items` in one transaction, rebuilt from the new head when another writer took the position."""
        for _ in range(MAX_APPEND_ATTEMPTS):
            entries = build(self.head(kind))
            try:
                self._write(items, entries)
                return None
            except ClientError as error:
                if error_code(error) == "TransactionCanceledException":
                    codes = cancellation_codes(error)[: len(items)]
                    if CONDITION_FAILED in codes:
                        return codes
                # Otherwise another writer took this ledger position: read the new head and try again.
        raise Unavailable("DynamoDB (ledger contention)")

    def _write(self, items: list[dict[str, Any]], entries: list[LedgerEntry]) -> None:
        """One write of `items` and `entries`; a ClientError only for a failed condition."""
        puts = [self.put_request(entry) for entry in entries]
        conditions = ("TransactionCanceledException", "ConditionalCheckFailedException")
        with translate_errors("DynamoDB", passthrough=conditions):
            if len(puts) == 1 and not items:
                # A lone entry needs no transaction (which would cost twice the writes).
                self.dynamodb.put_item(**puts[0]["Put"])
            else:
                self.dynamodb.transact_write_items(TransactItems=[*items, *puts])

    def entries(self, kind: LedgerKind, after_seq: int = 0, limit: int = 100) -> list[LedgerEntry]:
        return [_entry(item) for item in self._query(kind.value, limit, after_seq=after_seq)]
