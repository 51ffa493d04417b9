"""Appending to a chain while another writer takes the head: the loser reads the new head and appends
after it, for a plain entry, for a destruction (deletes + entry in one transaction) and for an
incident change alike, and the chain still verifies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import boto3

from policybound.adapters.ledger import DynamoLedger
from policybound.domain.core.ledger import LedgerDraft, LedgerEntry, LedgerKind, verify_chain
from policybound.domain.core.ports import DestroyOutcome
from policybound.domain.incidents.model import Incident, IncidentCategory
from policybound.policy import AWS_REGION
from tests.conftest import submission
from tests.support.aws import AwsApi

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def rival_draft(kind: LedgerKind) -> LedgerDraft:
    return LedgerDraft(kind, AT, {"writer": "rival"})


@contextmanager
def raced(api: AwsApi, operation: str, kind: LedgerKind) -> Iterator[list[LedgerEntry]]:
    """The first `operation` call of the wiring's client finds that another writer (its own client)
    has just appended to `kind`'s chain: the head it read is stale."""
    rival = DynamoLedger(boto3.client("dynamodb", region_name=AWS_REGION), api.wiring.ports.ledger.table)
    written: list[LedgerEntry] = []

    def take_the_head(**_: Any) -> None:
        if not written:
            written.append(rival.append(rival_draft(kind)))

    events = api.wiring.ports.dynamodb.meta.events
    name = f"before-call.dynamodb.{operation}"
    events.register(name, take_the_head, unique_id="rival")
    try:
        yield written
    finally:
        events.unregister(name, unique_id="rival")


def chain_after_race(api: AwsApi, kind: LedgerKind, rival: list[LedgerEntry]) -> list[LedgerEntry]:
    assert rival, "the race was never run"
    entries = api.wiring.ports.ledger.entries(kind)
    assert verify_chain(entries) is None
    assert [e.seq for e in entries] == [1, 2]
    assert entries[0] == rival[0]
    return entries


def test_a_plain_append_that_loses_the_head_is_placed_after_the_winner(aws_api: AwsApi) -> None:
    with raced(aws_api, "PutItem", LedgerKind.ACCESS) as rival:
        ours = aws_api.wiring.ports.ledger.append(LedgerDraft(LedgerKind.ACCESS, AT, {"writer": "us"}))
    entries = chain_after_race(aws_api, LedgerKind.ACCESS, rival)
    assert entries[1] == ours
    assert ours.prev_hash == rival[0].hash


def test_a_destruction_that_loses_the_head_still_destroys_once_with_its_entry(aws_api: AwsApi) -> None:
    response = aws_api.client.post("/v1/forms/contact-us", json=submission("contact-us"))
    submission_id = response.get_json()["submission_id"]
    record = aws_api.wiring.ports.store.get(submission_id)
    assert record is not None
    draft = LedgerDraft(LedgerKind.DESTRUCTION, AT, {"submission_id": submission_id})

    with raced(aws_api, "TransactWriteItems", LedgerKind.DESTRUCTION) as rival:
        outcome = aws_api.wiring.ports.store.destroy(submission_id, draft)

    assert outcome is DestroyOutcome.DESTROYED
    assert aws_api.wiring.ports.store.get(submission_id) is None
    assert aws_api.wiring.ports.store.get_key(submission_id) is None
    entries = chain_after_race(aws_api, LedgerKind.DESTRUCTION, rival)
    assert entries[1].payload == {"submission_id": submission_id}


def test_an_incident_change_that_loses_the_head_is_written_with_its_entry(aws_api: AwsApi) -> None:
    store = aws_api.wiring.ports.incident_store
    incident = Incident("incident-1", IncidentCategory.LEAK, AT, AT, "staff-1", "ref-1", "what", "done", ("r-1",))
    with raced(aws_api, "TransactWriteItems", LedgerKind.INCIDENT) as rival:
        store.create(incident, LedgerDraft(LedgerKind.INCIDENT, AT, {"id": "incident-1"}))

    assert store.get("incident-1") == incident
    entries = chain_after_race(aws_api, LedgerKind.INCIDENT, rival)
    assert entries[1].payload == {"id": "incident-1"}
