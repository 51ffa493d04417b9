"""Retention through the real adapters on moto: the sweeper reads the expiry index (never the table),
holds take records out of it and put them back, the TTL backstop shreds keys, and unsubscribing
destroys at once."""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from local.gateway import LambdaContext
from local.outbox import sent_mail
from policybound import tables
from policybound.adapters import codec
from policybound.adapters.dynamodb import HOLDS_ATTRIBUTE, expiry_shard
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.errors import NotFound
from policybound.domain.core.ledger import LedgerKind, verify_chain
from policybound.domain.retention.sweeper import Sweeper
from policybound.settings import settings_from
from policybound.wiring import Wiring
from tests.conftest import NOW, VALID_FIELDS, submission
from tests.support.aws import AwsApi, item_key
from tests.support.retention import STAFF_ID, TTL_IDENTITY, stream_event, stream_record


def submit(api: AwsApi, form: str = "contact-us", **overrides: Any) -> dict[str, Any]:
    response = api.client.post(f"/v1/forms/{form}", json=submission(form, **overrides))
    assert response.status_code == 201, response.get_data(as_text=True)
    return dict(response.get_json())


def due_of(receipt: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(receipt["retained_until"])


def at(moment: datetime) -> Wiring:
    """The production composition root with its clock set, as local mode's sweep sets it."""
    return Wiring(settings_from(os.environ), clock=FixedClock(moment))


def item(api: AwsApi, submission_id: str) -> dict[str, Any] | None:
    return api.dynamodb.get_item(
        TableName=api.tables[tables.RECORDS.env_var], Key=item_key(tables.RECORDS, submission_id)
    ).get("Item")


def key_exists(api: AwsApi, submission_id: str) -> bool:
    return "Item" in api.dynamodb.get_item(
        TableName=api.tables[tables.KEYS.env_var], Key=item_key(tables.KEYS, submission_id)
    )


def gone(api: AwsApi, submission_id: str) -> bool:
    return item(api, submission_id) is None and not key_exists(api, submission_id)


def record_calls(wiring: Wiring) -> list[tuple[str, dict[str, Any]]]:
    calls: list[tuple[str, dict[str, Any]]] = []
    wiring.ports.dynamodb.meta.events.register(
        "provide-client-params.dynamodb.*", lambda params, model, **_: calls.append((model.name, dict(params)))
    )
    return calls


def test_the_sweeper_destroys_at_due_and_only_queries_the_expiry_index(aws_api: AwsApi) -> None:
    receipts = [submit(aws_api) for _ in range(3)]
    due = due_of(receipts[0])

    early = at(due - timedelta(seconds=1))
    assert early.sweeper.run().destroyed == 0
    assert all(item(aws_api, r["submission_id"]) for r in receipts)

    sweeping = at(due)
    calls = record_calls(sweeping)
    report = sweeping.sweeper.run()
    assert report.destroyed == 3
    assert report.complete
    assert all(gone(aws_api, r["submission_id"]) for r in receipts)

    operations = {name for name, _ in calls}
    assert "Scan" not in operations
    records_queries = [p for name, p in calls if name == "Query" and p["TableName"].endswith("records")]
    assert len(records_queries) >= tables.RECORD_EXPIRY_SHARDS
    assert all(p["IndexName"] == tables.RECORDS_BY_EXPIRY.name for p in records_queries)

    entries = sweeping.ports.ledger.entries(LedgerKind.DESTRUCTION)
    assert {e.payload["submission_id"] for e in entries} == {r["submission_id"] for r in receipts}
    assert {e.payload["reason"] for e in entries} == {"retention_expired"}
    assert verify_chain(entries) is None
    ledger_text = json.dumps(aws_api.scan_all()[aws_api.tables[tables.LEDGER.env_var]], ensure_ascii=False)
    for value in VALID_FIELDS["contact-us"].values():
        assert value not in ledger_text


def test_sweeping_twice_destroys_nothing_more(aws_api: AwsApi) -> None:
    submit(aws_api)
    wiring = at(NOW + timedelta(days=365 * 6))
    assert wiring.sweeper.run().destroyed == 1
    again = wiring.sweeper.run()
    assert again.listed == 0
    assert len(wiring.ports.ledger.entries(LedgerKind.DESTRUCTION)) == 1


def test_a_small_batch_size_pages_through_a_shard(aws_api: AwsApi) -> None:
    receipts = [submit(aws_api) for _ in range(12)]
    wiring = at(due_of(receipts[-1]))
    # The real store and destroyer, in batches of 2 over the shards these records fell in.
    shards = sorted({expiry_shard(r["submission_id"]) for r in receipts})
    sweeper = Sweeper(wiring.ports.store, wiring.destroyer, wiring.clock, shards, batch_size=2)
    report = sweeper.run()
    assert report.destroyed == 12
    assert report.batches >= 6
    assert all(gone(aws_api, r["submission_id"]) for r in receipts)


def test_a_hold_takes_records_out_of_the_index_and_its_release_puts_them_back(aws_api: AwsApi) -> None:
    first, second, other = submit(aws_api), submit(aws_api), submit(aws_api)
    ids = [first["submission_id"], second["submission_id"]]
    holds = aws_api.wiring.legal_holds
    one = holds.hold_records(ids, "2031고단1234", "Preservation order", STAFF_ID)
    two = holds.hold_records([first["submission_id"]], "SPO-2031-7", "Second case", STAFF_ID)

    held = item(aws_api, first["submission_id"])
    assert held is not None
    assert set(held[HOLDS_ATTRIBUTE]["SS"]) == {one.hold_id, two.hold_id}
    assert tables.RECORD_TTL_ATTRIBUTE not in held
    assert tables.RECORD_EXPIRY_SHARD.name not in held

    late = at(due_of(first) + timedelta(hours=1))
    report = late.sweeper.run()
    assert report.destroyed == 1
    assert gone(aws_api, other["submission_id"])
    assert not gone(aws_api, first["submission_id"])

    late.legal_holds.release(one.hold_id, STAFF_ID)
    # The second record lost its only hold: its expiry is back, exactly as it was.
    restored = item(aws_api, second["submission_id"])
    assert restored is not None
    assert HOLDS_ATTRIBUTE not in restored
    assert restored[tables.RECORD_TTL_ATTRIBUTE] == restored["retained_until"]
    assert restored["expiry_shard"]["S"] == expiry_shard(second["submission_id"])
    # The first is still under the second hold.
    assert item(aws_api, first["submission_id"])[HOLDS_ATTRIBUTE]["SS"] == [two.hold_id]  # type: ignore[index]

    assert late.sweeper.run().destroyed == 1
    assert gone(aws_api, second["submission_id"])
    late.legal_holds.release(two.hold_id, STAFF_ID)
    assert late.sweeper.run().destroyed == 1
    assert gone(aws_api, first["submission_id"])

    events = [e.payload["event"] for e in late.ports.ledger.entries(LedgerKind.LEGAL_HOLD)]
    assert events == ["placed", "placed", "released", "released"]
    assert verify_chain(late.ports.ledger.entries(LedgerKind.LEGAL_HOLD)) is None
    hold_item = aws_api.dynamodb.get_item(
        TableName=aws_api.tables[tables.LEGAL_HOLDS.env_var], Key=codec.item({"hold_id": one.hold_id})
    )["Item"]
    assert hold_item["status"]["S"] == "released"
    assert hold_item["released_by"]["S"] == STAFF_ID


def test_a_refused_hold_writes_nothing_anywhere(aws_api: AwsApi) -> None:
    receipt = submit(aws_api)
    before = item(aws_api, receipt["submission_id"])
    # The submission's own consent entry is in the ledger already; the refused hold must add nothing.
    ledger_before = aws_api.scan_all()[aws_api.tables[tables.LEDGER.env_var]]
    with pytest.raises(NotFound):
        aws_api.wiring.legal_holds.hold_records(
            [receipt["submission_id"], str(uuid.uuid4())], "CASE-1", "Investigation", STAFF_ID
        )
    assert item(aws_api, receipt["submission_id"]) == before
    everything = aws_api.scan_all()
    assert everything[aws_api.tables[tables.LEGAL_HOLDS.env_var]] == []
    assert everything[aws_api.tables[tables.LEDGER.env_var]] == ledger_before


def test_a_hold_by_email_finds_the_records_through_the_blind_index(aws_api: AwsApi) -> None:
    mine = submit(aws_api, "blog-subscription")
    theirs = submit(aws_api, "blog-subscription", email="other@example.co.kr")
    # The domain of an address is case-insensitive (its local part is kept as written).
    local, domain = VALID_FIELDS["blog-subscription"]["email"].split("@")
    hold = aws_api.wiring.legal_holds.hold_subject(f"{local}@{domain.upper()}", "CASE-2", "Investigation", STAFF_ID)
    assert hold.submission_ids == (mine["submission_id"],)
    assert HOLDS_ATTRIBUTE not in (item(aws_api, theirs["submission_id"]) or {})
    holds_text = json.dumps(aws_api.scan_all()[aws_api.tables[tables.LEGAL_HOLDS.env_var]])
    assert VALID_FIELDS["blog-subscription"]["email"] not in holds_text


def unsubscribe_token() -> str:
    link = sent_mail()[-1]["headers"]["List-Unsubscribe"].strip("<>")
    return parse_qs(urlparse(link).query)["token"][0]


def test_unsubscribing_destroys_the_record_and_its_key_at_once(aws_api: AwsApi) -> None:
    receipt = submit(aws_api, "blog-subscription")
    token = unsubscribe_token()
    page = aws_api.client.get("/v1/unsubscribe", query_string={"token": token})
    assert page.status_code == 200
    assert not gone(aws_api, receipt["submission_id"])

    response = aws_api.client.post(
        "/v1/unsubscribe",
        query_string={"token": token},
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert gone(aws_api, receipt["submission_id"])
    [entry] = aws_api.wiring.ports.ledger.entries(LedgerKind.DESTRUCTION)
    assert entry.payload["submission_id"] == receipt["submission_id"]
    assert entry.payload["reason"] == "unsubscribed"

    again = aws_api.client.post(
        "/v1/unsubscribe", query_string={"token": token}, headers={"Accept": "application/json"}
    )
    assert again.get_json()["status"] == "already_unsubscribed"
    assert len(aws_api.wiring.ports.ledger.entries(LedgerKind.DESTRUCTION)) == 1


def test_unsubscribing_a_held_subscription_ends_its_retention_for_after_the_release(aws_api: AwsApi) -> None:
    receipt = submit(aws_api, "blog-subscription")
    token = unsubscribe_token()
    hold = aws_api.wiring.legal_holds.hold_records([receipt["submission_id"]], "CASE-3", "Investigation", STAFF_ID)

    answer = aws_api.client.post(
        "/v1/unsubscribe", query_string={"token": token}, headers={"Accept": "application/json"}
    )
    assert answer.get_json()["status"] == "unsubscribed_pending_legal_hold"
    stored = item(aws_api, receipt["submission_id"])
    assert stored is not None
    assert "unsubscribe_hash" not in stored
    assert int(stored["retained_until"]["N"]) == int(NOW.timestamp())

    soon = at(NOW + timedelta(hours=1))
    assert soon.sweeper.run().destroyed == 0
    soon.legal_holds.release(hold.hold_id, STAFF_ID)
    assert soon.sweeper.run().destroyed == 1
    assert gone(aws_api, receipt["submission_id"])


def test_the_ttl_backstop_shreds_the_key_of_a_record_ttl_removed(aws_api: AwsApi) -> None:
    from entrypoints import ttl_backstop

    receipt = submit(aws_api)
    sid = receipt["submission_id"]
    records = aws_api.tables[tables.RECORDS.env_var]
    # What DynamoDB's TTL does: the item goes, and the stream carries its old image.
    removed = aws_api.dynamodb.delete_item(
        TableName=records, Key=item_key(tables.RECORDS, sid), ReturnValues="ALL_OLD"
    )["Attributes"]
    backup_copy = dict(removed)

    later = at(due_of(receipt) + timedelta(days=2))
    event = stream_event(stream_record("REMOVE", removed, 1, TTL_IDENTITY))
    context: Any = LambdaContext("policybound-ttl-backstop", str(uuid.uuid4()))
    assert ttl_backstop.process(event, context, later.destroyer) == {"batchItemFailures": []}

    assert not key_exists(aws_api, sid)
    [entry] = later.ports.ledger.entries(LedgerKind.DESTRUCTION)
    assert entry.payload["reason"] == "ttl_backstop"
    assert entry.payload["submission_id"] == sid
    # A point-in-time restore brings the item back, but nothing can open it.
    aws_api.dynamodb.put_item(TableName=records, Item=backup_copy)
    record = later.ports.store.get(sid)
    assert record is not None
    assert later.reader.open(record) is None
    # A second delivery of the same event changes nothing.
    ttl_backstop.process(event, context, later.destroyer)
    assert len(later.ports.ledger.entries(LedgerKind.DESTRUCTION)) == 1
