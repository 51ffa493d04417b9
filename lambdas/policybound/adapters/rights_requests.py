"""DynamoDB: rights requests received by staff (§6), listed by status and due date; kept 3 years."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from policybound import tables
from policybound.adapters.aws import stored_time, translate_errors
from policybound.adapters.ledger import DynamoLedger
from policybound.domain.core import retention
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.rights.requests import (
    Channel,
    IdentityCheck,
    Outcome,
    RefusalBasis,
    RightsRequest,
    RightsRequestStatus,
)
from policybound.domain.rights.service import RightsKind

_STATUS_INDEX = tables.RIGHTS_REQUESTS.indexes[0].name


def _strings(values: Sequence[str]) -> dict[str, Any]:
    return {"L": [{"S": value} for value in values]}


def _list(item: dict[str, Any], name: str) -> tuple[str, ...]:
    return tuple(v["S"] for v in item.get(name, {}).get("L", []))


def request_item(request: RightsRequest) -> dict[str, Any]:
    item: dict[str, Any] = {
        "request_id": {"S": request.request_id},
        "channel": {"S": request.channel.value},
        "kind": {"S": request.kind.value},
        "identity_verification": {"S": request.identity_verification.value},
        "subject": {"S": request.subject},
        "submission_ids": _strings(request.submission_ids),
        "received_at": {"S": stored_time(request.received_at)},
        "due_on": {"S": request.due_on.isoformat()},
        "recorded_by": {"S": request.recorded_by},
        "status": {"S": request.status.value},
        tables.RIGHTS_REQUEST_TTL_ATTRIBUTE: {"N": str(retention.epoch_seconds(request.keep_until))},
        "corrected_items": _strings(request.corrected_items),
        "erased": _strings(request.erased),
        "retained": _strings(request.retained),
    }
    optional = {
        "outcome": request.outcome.value if request.outcome else None,
        "refusal_basis": request.refusal_basis.value if request.refusal_basis else None,
        "completed_at": stored_time(request.completed_at) if request.completed_at else None,
        "completed_by": request.completed_by,
    }
    item |= {name: {"S": value} for name, value in optional.items() if value is not None}
    return item


def request_from_item(item: dict[str, Any]) -> RightsRequest:
    def text(name: str) -> str | None:
        value: str | None = item.get(name, {}).get("S")
        return value

    outcome, refusal, completed_at = text("outcome"), text("refusal_basis"), text("completed_at")
    return RightsRequest(
        request_id=item["request_id"]["S"],
        channel=Channel(item["channel"]["S"]),
        kind=RightsKind(item["kind"]["S"]),
        identity_verification=IdentityCheck(item["identity_verification"]["S"]),
        subject=item["subject"]["S"],
        submission_ids=_list(item, "submission_ids"),
        received_at=datetime.fromisoformat(item["received_at"]["S"]),
        due_on=date.fromisoformat(item["due_on"]["S"]),
        recorded_by=item["recorded_by"]["S"],
        keep_until=retention.from_epoch(int(item[tables.RIGHTS_REQUEST_TTL_ATTRIBUTE]["N"])),
        status=RightsRequestStatus(item["status"]["S"]),
        outcome=Outcome(outcome) if outcome else None,
        refusal_basis=RefusalBasis(refusal) if refusal else None,
        completed_at=datetime.fromisoformat(completed_at) if completed_at else None,
        completed_by=text("completed_by"),
        corrected_items=_list(item, "corrected_items"),
        erased=_list(item, "erased"),
        retained=_list(item, "retained"),
    )


class DynamoRightsRequestStore:
    def __init__(self, dynamodb: Any, table: str, ledger: DynamoLedger) -> None:
        self._db = dynamodb
        self._table = table
        self._ledger = ledger

    def put(self, request: RightsRequest, entry: LedgerDraft) -> None:
        put = {
            "Put": {
                "TableName": self._table,
                "Item": request_item(request),
                "ConditionExpression": "attribute_not_exists(request_id)",
            }
        }
        if self._ledger.append_with([put], entry) is not None:
            raise Unavailable("DynamoDB (request already recorded)")

    def get(self, request_id: str) -> RightsRequest | None:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(
                TableName=self._table, Key={"request_id": {"S": request_id}}, ConsistentRead=True
            ).get("Item")
        return request_from_item(item) if item else None

    def complete(self, request: RightsRequest, entry: LedgerDraft) -> bool:
        put = {
            "Put": {
                "TableName": self._table,
                "Item": request_item(request),
                "ConditionExpression": "#s = :open",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":open": {"S": RightsRequestStatus.OPEN.value}},
            }
        }
        return self._ledger.append_with([put], entry) is None

    def with_status(self, status: RightsRequestStatus) -> list[RightsRequest]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": _STATUS_INDEX,
            "KeyConditionExpression": "#s = :s",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": status.value}},
        }
        found: list[RightsRequest] = []
        with translate_errors("DynamoDB"):
            while True:
                response = self._db.query(**request)
                found += [request_from_item(item) for item in response.get("Items", [])]
                if "LastEvaluatedKey" not in response:
                    return found
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
