"""DynamoDB: the incidents table (§8). Ids, times, counts and the manager's description; no PI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policybound.adapters import codec
from policybound.adapters.aws import get_item, put_new_request, update_request
from policybound.adapters.codec import read_time
from policybound.adapters.ledger import DynamoLedger
from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.incidents.model import Incident, IncidentCategory


def incident_item(incident: Incident) -> dict[str, Any]:
    return codec.item(
        {
            "incident_id": incident.incident_id,
            "category": incident.category.value,
            "discovered_at": incident.discovered_at.isoformat(),
            "opened_at": incident.opened_at.isoformat(),
            "opened_by": incident.opened_by,
            "reference": incident.reference,
            "summary": incident.summary,
            "measures": incident.measures,
            "involved": list(incident.involved),
            "notified": list(incident.notified),
            "notices_sent_at": incident.notices_sent_at.isoformat() if incident.notices_sent_at else None,
        }
    )


def _incident(values: dict[str, Any]) -> Incident:
    return Incident(
        incident_id=values["incident_id"],
        category=IncidentCategory(values["category"]),
        discovered_at=datetime.fromisoformat(values["discovered_at"]),
        opened_at=datetime.fromisoformat(values["opened_at"]),
        opened_by=values["opened_by"],
        reference=values["reference"],
        summary=values["summary"],
        measures=values["measures"],
        involved=tuple(values["involved"]),
        notified=tuple(values["notified"]),
        notices_sent_at=read_time(values.get("notices_sent_at")),
    )


@dataclass(eq=False, repr=False)
class DynamoIncidentStore:
    """Each change to an incident is written in one transaction with its ledger entry: both or neither."""

    dynamodb: Any
    table: str
    ledger: DynamoLedger

    def create(self, incident: Incident, entry: LedgerDraft) -> None:
        self.ledger.append_with_new([put_new_request(self.table, incident_item(incident), "incident_id")], entry)

    def get(self, incident_id: str) -> Incident | None:
        found = get_item(self.dynamodb, self.table, {"incident_id": incident_id})
        return _incident(found) if found else None

    def save_notified(self, incident_id: str, notified: tuple[str, ...], sent_at: datetime, entry: LedgerDraft) -> None:
        update = update_request(
            self.table,
            {"incident_id": incident_id},
            "SET notified = :n, notices_sent_at = if_not_exists(notices_sent_at, :t)",
            values={":n": list(notified), ":t": sent_at.isoformat()},
        )
        self.ledger.append_with_new([update], entry)
