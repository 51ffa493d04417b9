"""DynamoDB: legal holds — the holds table, and the hold marks on records (§4.2).

A record under hold carries the set of its hold ids in `legal_holds` and has neither TTL nor expiry
shard, so it is out of the sweeper's sparse index and out of TTL's reach; `destroy` refuses it by the
same attribute. Every change is one transaction with its ledger entry, and each record's update is
conditional on the state it was read in, so concurrent holds and releases cannot leave a record
unheld without its expiry (which no sweep would ever find).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.aws import get_item, put_new_request, update_request
from policybound.adapters.codec import read_time
from policybound.adapters.dynamodb import HOLDS_ATTRIBUTE, expiry_shard
from policybound.adapters.ledger import DynamoLedger
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.core.model import LegalHold

_ACTIVE, _RELEASED = "active", "released"
# Each attempt re-reads the records; more than a few rounds means heavy contention: let the caller retry.
_RELEASE_ATTEMPTS = 5


def hold_item(hold: LegalHold) -> dict[str, Any]:
    released = hold.released_at is not None and hold.released_by is not None
    return codec.item(
        {
            "hold_id": hold.hold_id,
            "case_reference": hold.case_reference,
            "reason": hold.reason,
            "submission_ids": list(hold.submission_ids),
            "placed_by": hold.placed_by,
            "placed_at": hold.placed_at.isoformat(),
            "status": _ACTIVE if hold.active else _RELEASED,
            "released_by": hold.released_by if released else None,
            "released_at": hold.released_at.isoformat() if released and hold.released_at else None,
        }
    )


def _hold(values: dict[str, Any]) -> LegalHold:
    return LegalHold(
        hold_id=values["hold_id"],
        case_reference=values["case_reference"],
        reason=values["reason"],
        submission_ids=tuple(values["submission_ids"]),
        placed_by=values["placed_by"],
        placed_at=datetime.fromisoformat(values["placed_at"]),
        released_by=values.get("released_by"),
        released_at=read_time(values.get("released_at")),
    )


@dataclass(eq=False, repr=False)
class DynamoLegalHoldStore:
    """Legal holds, placed and released together with the hold marks on their records."""

    dynamodb: Any
    holds_table: str
    records_table: str
    ledger: DynamoLedger

    def place(self, hold: LegalHold, entry: LedgerDraft, now_epoch: int) -> tuple[str, ...]:
        put_hold = put_new_request(self.holds_table, hold_item(hold), "hold_id")
        mark_records = [
            update_request(
                self.records_table,
                {"submission_id": submission_id},
                "ADD #h :hold REMOVE #ttl, expiry_shard",
                # Only what is still kept can be held: a record past its retention is already gone
                # for every reader, unless another hold keeps it.
                "attribute_exists(submission_id) AND (retained_until > :now OR attribute_exists(#h))",
                {"#h": HOLDS_ATTRIBUTE, "#ttl": tables.RECORD_TTL_ATTRIBUTE},
                {":hold": {hold.hold_id}, ":now": now_epoch},
            )
            for submission_id in hold.submission_ids
        ]
        codes = self.ledger.append_with([put_hold, *mark_records], entry)
        if codes is None:
            return ()
        return tuple(
            submission_id
            for submission_id, code in zip(hold.submission_ids, codes[1:], strict=False)
            if code == "ConditionalCheckFailed"
        )

    def get(self, hold_id: str) -> LegalHold | None:
        found = get_item(self.dynamodb, self.holds_table, {"hold_id": hold_id})
        return _hold(found) if found else None

    def release(self, hold: LegalHold, entry: LedgerDraft) -> bool:
        assert hold.released_at is not None
        assert hold.released_by is not None
        mark_released = update_request(
            self.holds_table,
            {"hold_id": hold.hold_id},
            "SET #s = :released, released_by = :by, released_at = :at",
            "#s = :active",
            {"#s": "status"},
            {":released": _RELEASED, ":active": _ACTIVE, ":by": hold.released_by, ":at": hold.released_at.isoformat()},
        )
        for _ in range(_RELEASE_ATTEMPTS):
            unmark = [self._unmark(submission_id, holds, hold.hold_id) for submission_id, holds in self._marks(hold)]
            codes = self.ledger.append_with([mark_released, *unmark], entry)
            if codes is None:
                return True
            if codes[0] == "ConditionalCheckFailed":
                return False
            # A record's holds changed since we read them (another hold placed or released): read again.
        raise Unavailable("DynamoDB (legal hold contention)")

    def _marks(self, hold: LegalHold) -> list[tuple[str, frozenset[str]]]:
        """The current hold ids of each record of `hold` that still carries it."""
        marks = []
        for submission_id in hold.submission_ids:
            found = get_item(
                self.dynamodb,
                self.records_table,
                {"submission_id": submission_id},
                ProjectionExpression="#h",
                ExpressionAttributeNames={"#h": HOLDS_ATTRIBUTE},
            )
            holds = frozenset(found.get(HOLDS_ATTRIBUTE, ())) if found else frozenset()
            if hold.hold_id in holds:
                marks.append((submission_id, holds))
        return marks

    def _unmark(self, submission_id: str, holds: frozenset[str], hold_id: str) -> dict[str, Any]:
        names = {"#h": HOLDS_ATTRIBUTE}
        values: dict[str, Any] = {":hold": hold_id, ":one": 1}
        if holds == {hold_id}:
            # The last hold: the record's expiry comes back, from its own `retained_until`.
            update = "REMOVE #h SET #ttl = retained_until, expiry_shard = :shard"
            condition = "size(#h) = :one AND contains(#h, :hold)"
            names["#ttl"] = tables.RECORD_TTL_ATTRIBUTE
            values[":shard"] = expiry_shard(submission_id)
        else:
            update = "DELETE #h :holds"
            condition = "size(#h) > :one AND contains(#h, :hold)"
            values[":holds"] = {hold_id}
        return update_request(self.records_table, {"submission_id": submission_id}, update, condition, names, values)
