"""Retention in local mode, over HTTP: `/_local/sweep` runs the real sweeper with its clock set.

A record survives a sweep a day before its `retained_until` and is gone from every table after a sweep
an hour past it, with a destruction ledger entry that names it and holds no PI; the same for an
unsubscribe and for a released legal hold. This module runs its own local mode: sweeping five years
ahead would destroy what other modules' tests keep in the shared one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from local.environment import table_name
from policybound import tables
from tests.conftest import VALID_FIELDS, submission
from tests.e2e.conftest import LocalServer, running_local
from tests.support.local_staff import place_hold, staff_headers

pytestmark = pytest.mark.e2e

DAY, HOUR = timedelta(days=1), timedelta(hours=1)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with running_local() as started:
        yield started


def submit(server: LocalServer, http: requests.Session, form: str, **overrides: Any) -> dict[str, Any]:
    response = http.post(f"{server.api_url}/v1/forms/{form}", json=submission(form, **overrides), timeout=30)
    assert response.status_code == 201, response.text
    return dict(response.json())


def sweep(server: LocalServer, http: requests.Session, as_of: datetime) -> int:
    response = http.post(f"{server.api_url}/_local/sweep", json={"as_of": as_of.isoformat()}, timeout=120)
    assert response.status_code == 200, response.text
    return int(response.json()["destroyed"])


# Evidence names records by id and holds no PI: the ledger, and the legal holds that were placed.
EVIDENCE = (tables.LEDGER, tables.LEGAL_HOLDS)


def tables_holding(server: LocalServer, submission_id: str) -> list[str]:
    """Every table, evidence aside, in which the submission id still appears (items and keys alike)."""
    dynamodb = server.aws("dynamodb")
    found = []
    for spec in tables.TABLES:
        if spec in EVIDENCE:
            continue
        items = dynamodb.scan(TableName=table_name(spec))["Items"]
        if submission_id in json.dumps(items, default=lambda b: bytes(b).hex()):
            found.append(spec.logical_id)
    return found


def ledger(server: LocalServer, chain: str) -> list[dict[str, Any]]:
    items = server.aws("dynamodb").scan(TableName=table_name(tables.LEDGER))["Items"]
    return [json.loads(i["payload"]["S"]) for i in items if i["chain"]["S"] == chain]


def destruction_of(server: LocalServer, submission_id: str) -> dict[str, Any]:
    [entry] = [e for e in ledger(server, "destruction") if e["submission_id"] == submission_id]
    text = json.dumps(entry, ensure_ascii=False)
    for fields in VALID_FIELDS.values():
        for value in fields.values():
            assert value not in text
    assert set(entry) == {"submission_id", "form", "consented_at", "due_at", "destroyed_at", "reason"}
    return entry


def test_a_record_survives_the_day_before_and_is_gone_an_hour_after(server, http) -> None:
    receipt = submit(server, http, "contact-us")
    sid, due = receipt["submission_id"], datetime.fromisoformat(receipt["retained_until"])

    sweep(server, http, due - DAY)
    assert tables_holding(server, sid) == ["Records", "RecordKeys"]

    assert sweep(server, http, due + HOUR) >= 1
    assert tables_holding(server, sid) == []
    entry = destruction_of(server, sid)
    assert entry["reason"] == "retention_expired"
    assert entry["due_at"] == due.isoformat()


def test_unsubscribing_destroys_at_once_and_twice_is_a_no_op(server, http) -> None:
    receipt = submit(server, http, "blog-subscription", email="unsubscribe-e2e@example.co.kr")
    sid, due = receipt["submission_id"], datetime.fromisoformat(receipt["retained_until"])
    outbox = http.get(f"{server.api_url}/_local/outbox", timeout=30).json()
    [mail] = [m for m in outbox if m["to"] == ["unsubscribe-e2e@example.co.kr"]]
    link = mail["headers"]["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{server.api_url}/v1/unsubscribe?token=")

    page = http.get(link, headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert "구독 해지" in page.text
    sweep(server, http, due - DAY)
    assert tables_holding(server, sid) == ["Records", "RecordKeys"]

    done = http.post(
        link,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert done.status_code == 200
    assert tables_holding(server, sid) == []
    assert destruction_of(server, sid)["reason"] == "unsubscribed"

    again = http.post(link, headers={"Accept": "application/json"}, timeout=30)
    assert again.status_code == 200
    assert again.json()["status"] == "already_unsubscribed"
    assert len([e for e in ledger(server, "destruction") if e["submission_id"] == sid]) == 1


def test_a_released_legal_hold_lets_the_next_sweep_destroy(server, http) -> None:
    receipt = submit(server, http, "contact-us")
    sid, due = receipt["submission_id"], datetime.fromisoformat(receipt["retained_until"])
    manager = staff_headers(server.api_url, "manager", http)

    hold_id = place_hold(server.api_url, http, manager, sid)

    sweep(server, http, due + HOUR)
    assert tables_holding(server, sid) == ["Records", "RecordKeys"]

    released = http.delete(f"{server.api_url}/v1/staff/legal-holds/{hold_id}", headers=manager, timeout=30)
    assert released.status_code == 200, released.text
    sweep(server, http, due - DAY)
    assert tables_holding(server, sid) == ["Records", "RecordKeys"]

    assert sweep(server, http, due + HOUR) == 1
    assert tables_holding(server, sid) == []
    assert destruction_of(server, sid)["reason"] == "retention_expired"
    events = [(e["event"], e["hold_id"]) for e in ledger(server, "legal_hold") if e.get("hold_id") == hold_id]
    assert sorted(events) == [("placed", hold_id), ("released", hold_id)]


def test_a_sweep_needs_a_time(server, http) -> None:
    response = http.post(f"{server.api_url}/_local/sweep", json={"as_of": "next tuesday"}, timeout=30)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "as_of"
