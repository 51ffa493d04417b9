"""DynamoDB: the incidents table (§8). Ids, times, counts and the manager's description; no PI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound.adapters.aws import error_code, translate_errors
from policybound.adapters.ledger import MAX_APPEND_ATTEMPTS, DynamoLedger
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft, chain
from policybound.domain.incidents.model import Incident, IncidentCategory


def _strings(values: tuple[str, ...]) -> dict[str, Any]:
    return {"L": [{"S": value} for value in values]}


def incident_item(incident: Incident) -> dict[str, Any]:
    item: dict[str, Any] = {
        "incident_id": {"S": incident.incident_id},
        "category": {"S": incident.category.value},
        "discovered_at": {"S": incident.discovered_at.isoformat()},
        "opened_at": {"S": incident.opened_at.isoformat()},
        "opened_by": {"S": incident.opened_by},
        "reference": {"S": incident.reference},
        "summary": {"S": incident.summary},
        "measures": {"S": incident.measures},
        "involved": _strings(incident.involved),
        "notified": _strings(incident.notified),
    }
    if incident.notices_sent_at:
        item["notices_sent_at"] = {"S": incident.notices_sent_at.isoformat()}
    return item


def incident_from_item(item: dict[str, Any]) -> Incident:
    sent = item.get("notices_sent_at", {}).get("S")
    return Incident(
        incident_id=item["incident_id"]["S"],
        category=IncidentCategory(item["category"]["S"]),
        discovered_at=datetime.fromisoformat(item["discovered_at"]["S"]),
        opened_at=datetime.fromisoformat(item["opened_at"]["S"]),
        opened_by=item["opened_by"]["S"],
        reference=item["reference"]["S"],
        summary=item["summary"]["S"],
        measures=item["measures"]["S"],
        involved=tuple(v["S"] for v in item["involved"]["L"]),
        notified=tuple(v["S"] for v in item["notified"]["L"]),
        notices_sent_at=datetime.fromisoformat(sent) if sent else None,
    )


class DynamoIncidentStore:
    """Each change to an incident is written in one transaction with its ledger entry: both or neither."""

    def __init__(self, dynamodb: Any, table: str, ledger: DynamoLedger) -> None:
        self._db = dynamodb
        self._table = table
        self._ledger = ledger

    def _with_entry(self, write: dict[str, Any], entry: LedgerDraft) -> None:
        for _ in range(MAX_APPEND_ATTEMPTS):
            placed = chain(entry, self._ledger.head(entry.kind))
            try:
                with translate_errors("DynamoDB", passthrough=("TransactionCanceledException",)):
                    self._db.transact_write_items(TransactItems=[write, self._ledger.put_request(placed)])
                return
            except ClientError as error:
                reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
                if error_code(error) != "TransactionCanceledException" or reasons[:1] == ["ConditionalCheckFailed"]:
                    raise Unavailable("DynamoDB") from error
                # Another writer took this ledger position: read the new head and try again.
        raise Unavailable("DynamoDB (ledger contention)")

    def create(self, incident: Incident, entry: LedgerDraft) -> None:
        put = {
            "Put": {
                "TableName": self._table,
                "Item": incident_item(incident),
                "ConditionExpression": "attribute_not_exists(incident_id)",
            }
        }
        self._with_entry(put, entry)

    def get(self, incident_id: str) -> Incident | None:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(
                TableName=self._table, Key={"incident_id": {"S": incident_id}}, ConsistentRead=True
            ).get("Item")
        return incident_from_item(item) if item else None

    def save_notified(self, incident_id: str, notified: tuple[str, ...], sent_at: datetime, entry: LedgerDraft) -> None:
        update = {
            "Update": {
                "TableName": self._table,
                "Key": {"incident_id": {"S": incident_id}},
                "UpdateExpression": "SET notified = :n, notices_sent_at = if_not_exists(notices_sent_at, :t)",
                "ExpressionAttributeValues": {":n": _strings(notified), ":t": {"S": sent_at.isoformat()}},
            }
        }
        self._with_entry(update, entry)
