"""`append_with_new`: items under fresh ids are written once with their entry; writing them again is
refused as Unavailable (a retry that already landed), and writes no second entry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policybound.adapters.aws import put_new_request
from policybound.adapters.incidents import incident_item
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.domain.incidents.model import Incident, IncidentCategory
from tests.support.aws import AwsApi

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_new_items_are_written_once_with_their_entry(aws_api: AwsApi) -> None:
    ledger = aws_api.wiring.ports.ledger
    incident = Incident("incident-1", IncidentCategory.LEAK, AT, AT, "staff-1", "ref-1", "what", "done", ("r-1",))
    put = put_new_request(aws_api.wiring.settings.incidents_table, incident_item(incident), "incident_id")
    draft = LedgerDraft(LedgerKind.INCIDENT, AT, {"id": "incident-1"})

    ledger.append_with_new([put], draft, "incident already recorded")
    with pytest.raises(Unavailable, match=r"DynamoDB \(incident already recorded\)"):
        ledger.append_with_new([put], draft, "incident already recorded")

    assert aws_api.wiring.ports.incident_store.get("incident-1") == incident
    assert [entry.payload for entry in ledger.entries(LedgerKind.INCIDENT)] == [{"id": "incident-1"}]
