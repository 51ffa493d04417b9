"""DynamoDB: legal holds — the holds table, and the hold marks on records (§4.2).

A record under hold carries the set of its hold ids in `legal_holds` and has neither TTL nor expiry
shard, so it is out of the sweeper's sparse index and out of TTL's reach; `destroy` refuses it by the
same attribute. Every change is one transaction with its ledger entry, and each record's update is
conditional on the state it was read in, so concurrent holds and releases cannot leave a record
unheld without its expiry (which no sweep would ever find).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from policybound import tables
from policybound.adapters.aws import translate_errors
from policybound.adapters.dynamodb import HOLDS_ATTRIBUTE, expiry_shard
from policybound.adapters.ledger import DynamoLedger
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.core.model import LegalHold

_ACTIVE, _RELEASED = "active", "released"
# Each attempt re-reads the records; more than a few rounds means heavy contention: let the caller retry.
_RELEASE_ATTEMPTS = 5


def hold_item(hold: LegalHold) -> dict[str, Any]:
    item: dict[str, Any] = {
        "hold_id": {"S": hold.hold_id},
        "case_reference": {"S": hold.case_reference},
        "reason": {"S": hold.reason},
        "submission_ids": {"L": [{"S": submission_id} for submission_id in hold.submission_ids]},
        "placed_by": {"S": hold.placed_by},
        "placed_at": {"S": hold.placed_at.isoformat()},
        "status": {"S": _ACTIVE if hold.active else _RELEASED},
    }
    if hold.released_at is not None and hold.released_by is not None:
        item |= {"released_by": {"S": hold.released_by}, "released_at": {"S": hold.released_at.isoformat()}}
    return item


def hold_from_item(item: dict[str, Any]) -> LegalHold:
    released_at = item.get("released_at", {}).get("S")
    return LegalHold(
        hold_id=item["hold_id"]["S"],
        case_reference=item["case_reference"]["S"],
        reason=item["reason"]["S"],
        submission_ids=tuple(value["S"] for value in item["submission_ids"]["L"]),
        placed_by=item["placed_by"]["S"],
        placed_at=datetime.fromisoformat(item["placed_at"]["S"]),
        released_by=item.get("released_by", {}).get("S"),
        released_at=datetime.fromisoformat(released_at) if released_at else None,
    )


class DynamoLegalHoldStore:
    def __init__(self, dynamodb: Any, holds_table: str, records_table: str, ledger: DynamoLedger) -> None:
        self._db = dynamodb
        self._holds = holds_table
        self._records = records_table
        self._ledger = ledger

    def place(self, hold: LegalHold, entry: LedgerDraft, now_epoch: int) -> tuple[str, ...]:
        put_hold = {
            "Put": {
                "TableName": self._holds,
                "Item": hold_item(hold),
                "ConditionExpression": "attribute_not_exists(hold_id)",
            }
        }
        mark_records = [
            {
                "Update": {
                    "TableName": self._records,
                    "Key": {"submission_id": {"S": submission_id}},
                    "UpdateExpression": "ADD #h :hold REMOVE #ttl, expiry_shard",
                    # Only what is still kept can be held: a record past its retention is already gone
                    # for every reader, unless another hold keeps it.
                    "ConditionExpression": (
                        "attribute_exists(submission_id) AND (retained_until > :now OR attribute_exists(#h))"
                    ),
                    "ExpressionAttributeNames": {"#h": HOLDS_ATTRIBUTE, "#ttl": tables.RECORD_TTL_ATTRIBUTE},
                    "ExpressionAttributeValues": {":hold": {"SS": [hold.hold_id]}, ":now": {"N": str(now_epoch)}},
                }
            }
            for submission_id in hold.submission_ids
        ]
        codes = self._ledger.append_with([put_hold, *mark_records], entry)
        if codes is None:
            return ()
        return tuple(
            submission_id
            for submission_id, code in zip(hold.submission_ids, codes[1:], strict=False)
            if code == "ConditionalCheckFailed"
        )

    def get(self, hold_id: str) -> LegalHold | None:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(TableName=self._holds, Key={"hold_id": {"S": hold_id}}, ConsistentRead=True).get(
                "Item"
            )
        return hold_from_item(item) if item else None

    def release(self, hold: LegalHold, entry: LedgerDraft) -> bool:
        assert hold.released_at is not None
        assert hold.released_by is not None
        mark_released = {
            "Update": {
                "TableName": self._holds,
                "Key": {"hold_id": {"S": hold.hold_id}},
                "UpdateExpression": "SET #s = :released, released_by = :by, released_at = :at",
                "ConditionExpression": "#s = :active",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {
                    ":released": {"S": _RELEASED},
                    ":active": {"S": _ACTIVE},
                    ":by": {"S": hold.released_by},
                    ":at": {"S": hold.released_at.isoformat()},
                },
            }
        }
        for _ in range(_RELEASE_ATTEMPTS):
            unmark = [self._unmark(submission_id, holds, hold.hold_id) for submission_id, holds in self._marks(hold)]
            codes = self._ledger.append_with([mark_released, *unmark], entry)
            if codes is None:
                return True
            if codes[0] == "ConditionalCheckFailed":
                return False
            # A record's holds changed since we read them (another hold placed or released): read again.
        raise Unavailable("DynamoDB (legal hold contention)")

    def _marks(self, hold: LegalHold) -> list[tuple[str, frozenset[str]]]:
        """The current hold ids of each record of `hold` that still carries it."""
        marks = []
        with translate_errors("DynamoDB"):
            for submission_id in hold.submission_ids:
                item = self._db.get_item(
                    TableName=self._records,
                    Key={"submission_id": {"S": submission_id}},
                    ProjectionExpression="#h",
                    ExpressionAttributeNames={"#h": HOLDS_ATTRIBUTE},
                    ConsistentRead=True,
                ).get("Item")
                holds = frozenset(item.get(HOLDS_ATTRIBUTE, {}).get("SS", [])) if item else frozenset()
                if hold.hold_id in holds:
                    marks.append((submission_id, holds))
        return marks

    def _unmark(self, submission_id: str, holds: frozenset[str], hold_id: str) -> dict[str, Any]:
        names = {"#h": HOLDS_ATTRIBUTE}
        values: dict[str, Any] = {":hold": {"S": hold_id}, ":one": {"N": "1"}}
        if holds == {hold_id}:
            # The last hold: the record's expiry comes back, from its own `retained_until`.
            update = "REMOVE #h SET #ttl = retained_until, expiry_shard = :shard"
            condition = "size(#h) = :one AND contains(#h, :hold)"
            names["#ttl"] = tables.RECORD_TTL_ATTRIBUTE
            values[":shard"] = {"S": expiry_shard(submission_id)}
        else:
            update = "DELETE #h :holds"
            condition = "size(#h) > :one AND contains(#h, :hold)"
            values[":holds"] = {"SS": [hold_id]}
        return {
            "Update": {
                "TableName": self._records,
                "Key": {"submission_id": {"S": submission_id}},
                "UpdateExpression": update,
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
