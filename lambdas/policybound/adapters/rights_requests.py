"""DynamoDB: rights requests received by staff (§6), listed by status and due date; kept 3 years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.aws import get_item, put_new_request, query_items
from policybound.adapters.codec import read_time, stored_time
from policybound.adapters.ledger import DynamoLedger
from policybound.domain.core import retention
from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.rights.request_model import (
    Channel,
    IdentityCheck,
    Outcome,
    RefusalBasis,
    RightsRequest,
    RightsRequestStatus,
)
from policybound.domain.rights.service import RightsKind

_STATUS_INDEX = tables.RIGHTS_REQUESTS_BY_STATUS.name


def request_item(request: RightsRequest) -> dict[str, Any]:
    return codec.item(
        {
            "request_id": request.request_id,
            "channel": request.channel.value,
            "kind": request.kind.value,
            "identity_verification": request.identity_verification.value,
            "subject": request.subject,
            "submission_ids": list(request.submission_ids),
            "received_at": stored_time(request.received_at),
            "due_on": request.due_on.isoformat(),
            "recorded_by": request.recorded_by,
            "status": request.status.value,
            tables.RIGHTS_REQUEST_TTL_ATTRIBUTE: retention.epoch_seconds(request.keep_until),
            "corrected_items": list(request.corrected_items),
            "erased": list(request.erased),
            "retained": list(request.retained),
            "outcome": request.outcome.value if request.outcome else None,
            "refusal_basis": request.refusal_basis.value if request.refusal_basis else None,
            "completed_at": stored_time(request.completed_at),
            "completed_by": request.completed_by,
        }
    )


def _request(values: dict[str, Any]) -> RightsRequest:
    outcome, refusal = values.get("outcome"), values.get("refusal_basis")
    return RightsRequest(
        request_id=values["request_id"],
        channel=Channel(values["channel"]),
        kind=RightsKind(values["kind"]),
        identity_verification=IdentityCheck(values["identity_verification"]),
        subject=values["subject"],
        submission_ids=tuple(values.get("submission_ids", ())),
        received_at=datetime.fromisoformat(values["received_at"]),
        due_on=date.fromisoformat(values["due_on"]),
        recorded_by=values["recorded_by"],
        keep_until=retention.from_epoch(values[tables.RIGHTS_REQUEST_TTL_ATTRIBUTE]),
        status=RightsRequestStatus(values["status"]),
        outcome=Outcome(outcome) if outcome else None,
        refusal_basis=RefusalBasis(refusal) if refusal else None,
        completed_at=read_time(values.get("completed_at")),
        completed_by=values.get("completed_by"),
        corrected_items=tuple(values.get("corrected_items", ())),
        erased=tuple(values.get("erased", ())),
        retained=tuple(values.get("retained", ())),
    )


@dataclass(eq=False, repr=False)
class DynamoRightsRequestStore:
    """Rights requests, each change written with its ledger entry."""

    dynamodb: Any
    table: str
    ledger: DynamoLedger

    def put(self, request: RightsRequest, entry: LedgerDraft) -> None:
        put = put_new_request(self.table, request_item(request), "request_id")
        self.ledger.append_with_new([put], entry, "request already recorded")

    def get(self, request_id: str) -> RightsRequest | None:
        found = get_item(self.dynamodb, self.table, {"request_id": request_id})
        return _request(found) if found else None

    def complete(self, request: RightsRequest, entry: LedgerDraft) -> bool:
        put = {
            "Put": {
                "TableName": self.table,
                "Item": request_item(request),
                "ConditionExpression": "#s = :open",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": codec.item({":open": RightsRequestStatus.OPEN.value}),
            }
        }
        return self.ledger.append_with([put], entry) is None

    def with_status(self, status: RightsRequestStatus) -> list[RightsRequest]:
        found = query_items(
            self.dynamodb,
            TableName=self.table,
            IndexName=_STATUS_INDEX,
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=codec.item({":s": status.value}),
        )
        return [_request(item) for item in found]
