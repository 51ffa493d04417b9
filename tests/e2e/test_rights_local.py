"""Data-subject rights in local mode, over real HTTP: the issue's "done when", step by step."""

from __future__ import annotations

import re
import uuid
from typing import Any

import requests
from boto3.dynamodb.types import TypeDeserializer

from policybound import tables
from tests.conftest import submission
from tests.e2e.conftest import LocalServer
from tests.support.local_staff import staff_headers

CODE = re.compile(r"^\s+(\d{6})$", re.MULTILINE)


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.co.kr"


def outbox_to(server: LocalServer, http: requests.Session, address: str) -> list[dict[str, Any]]:
    mails = http.get(f"{server.api_url}/_local/outbox", timeout=30).json()
    return [mail for mail in mails if address in mail["to"]]


def table_items(server: LocalServer, spec: tables.TableSpec) -> list[dict[str, Any]]:
    dynamodb = server.aws("dynamodb")
    [name] = [n for n in dynamodb.list_tables()["TableNames"] if n.endswith(spec.logical_id.lower())]
    deserialize = TypeDeserializer().deserialize
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=name):
        items += [{k: deserialize(v) for k, v in item.items()} for item in page["Items"]]
    return items


def submit(server: LocalServer, http: requests.Session, form: str, email: str, marketing: bool | None = None) -> str:
    body = submission(form, email=email, marketing=marketing)
    response = http.post(f"{server.api_url}/v1/forms/{form}", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return str(response.json()["submission_id"])


def session_for(server: LocalServer, http: requests.Session, email: str) -> dict[str, str]:
    asked = http.post(f"{server.api_url}/v1/rights/requests", json={"email": email, "kind": "access"}, timeout=30)
    assert asked.status_code == 202
    [mail] = outbox_to(server, http, email)[-1:]
    code = CODE.search(mail["text"])
    assert code, mail["text"]
    opened = http.post(f"{server.api_url}/v1/rights/sessions", json={"email": email, "code": code[1]}, timeout=30)
    assert opened.status_code == 201, opened.text
    return {"Authorization": f"Bearer {opened.json()['token']}"}


def test_known_and_unknown_addresses_get_identical_answers(local_server: LocalServer, http: requests.Session) -> None:
    known = unique_email("known")
    submit(local_server, http, "contact-us", known)
    answers = [
        http.post(f"{local_server.api_url}/v1/rights/requests", json={"email": email, "kind": "erasure"}, timeout=30)
        for email in (known, unique_email("unknown"))
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].content == answers[1].content
    assert answers[0].headers["Content-Type"] == answers[1].headers["Content-Type"]
    assert len(outbox_to(local_server, http, known)) == 1


def test_view_correct_and_erase_a_record_through_the_local_outbox(
    local_server: LocalServer, http: requests.Session
) -> None:
    email = unique_email("minji")
    submission_id = submit(local_server, http, "contact-us", email)
    bearer = session_for(local_server, http, email)
    api = local_server.api_url

    [record] = http.get(f"{api}/v1/rights/records", headers=bearer, timeout=30).json()["records"]
    assert record["submission_id"] == submission_id
    assert record["fields"]["email"] == email
    assert record["fields"]["inquiry"] == submission("contact-us")["fields"]["inquiry"]
    assert record["consent"]["policy_version"] == "2019-09-20"
    assert record["status"] == "active"

    corrected = http.patch(
        f"{api}/v1/rights/records/{submission_id}",
        json={"fields": {"job_grade": "Director"}},
        headers=bearer,
        timeout=30,
    )
    assert corrected.status_code == 200, corrected.text
    [record] = http.get(f"{api}/v1/rights/records", headers=bearer, timeout=30).json()["records"]
    assert record["fields"]["job_grade"] == "Director"

    assert http.delete(f"{api}/v1/rights/records/{submission_id}", headers=bearer, timeout=30).status_code == 204
    for spec in (tables.RECORDS, tables.KEYS):
        assert [i for i in table_items(local_server, spec) if i["submission_id"] == submission_id] == []
    ledger = [i for i in table_items(local_server, tables.LEDGER) if i["chain"] == "destruction"]
    mine = [i for i in ledger if f'"submission_id": "{submission_id}"' in i["payload"]]
    assert len(mine) == 1
    assert '"reason": "subject_erasure"' in mine[0]["payload"]
    assert http.get(f"{api}/v1/rights/records", headers=bearer, timeout=30).json()["records"] == []


def staff(server: LocalServer, http: requests.Session, username: str) -> dict[str, str]:
    return staff_headers(server.api_url, username, http)


def test_an_open_correction_keeps_a_record_out_of_use_and_its_completion_reaches_the_recipient(
    local_server: LocalServer, http: requests.Session
) -> None:
    api = local_server.api_url
    email = unique_email("jiho")
    recipient = unique_email("partner")
    submission_id = submit(local_server, http, "resources-download", email, marketing=True)
    manager, handler = staff(local_server, http, "manager"), staff(local_server, http, "staff")

    def in_audience() -> bool:
        response = http.get(f"{api}/v1/staff/marketing-audience?limit=100", headers=handler, timeout=30)
        assert response.status_code == 200, response.text
        pages = [response.json()]
        while pages[-1].get("next_cursor"):
            cursor = pages[-1]["next_cursor"]
            pages.append(
                http.get(
                    f"{api}/v1/staff/marketing-audience", params={"cursor": cursor}, headers=handler, timeout=30
                ).json()
            )
        return any(member["submission_id"] == submission_id for page in pages for member in page["items"])

    provided = http.post(
        f"{api}/v1/staff/disclosures",
        json={
            "submission_ids": [submission_id],
            "recipient": {"name": "Partner Co.", "email": recipient},
            "items": ["name", "company"],
            "legal_basis": "consent",
            "consent_reference": "CF-2026-0042",
        },
        headers=manager,
        timeout=30,
    )
    assert provided.status_code == 201, provided.text
    assert in_audience()

    received = http.post(
        f"{api}/v1/staff/rights-requests",
        json={"channel": "writing", "kind": "rectification", "identity_verification": "id_document", "email": email},
        headers=manager,
        timeout=30,
    )
    assert received.status_code == 201, received.text
    request_id = received.json()["request_id"]
    assert not in_audience()
    listed = http.get(f"{api}/v1/staff/rights-requests?status=open", headers=manager, timeout=30).json()["requests"]
    assert request_id in [r["request_id"] for r in listed]

    done = http.post(
        f"{api}/v1/staff/rights-requests/{request_id}/complete",
        json={"outcome": "fulfilled", "corrections": {submission_id: {"company": "Example Holdings"}}},
        headers=manager,
        timeout=30,
    )
    assert done.status_code == 200, done.text
    assert in_audience()
    [notice] = outbox_to(local_server, http, recipient)
    assert "Example Holdings" in notice["text"]

    bearer = session_for(local_server, http, email)
    [record] = http.get(f"{api}/v1/rights/records", headers=bearer, timeout=30).json()["records"]
    [shown] = record["provisions"]
    assert shown["recipient"] == "Partner Co."
    assert shown["correction_notices"][0]["items"] == ["company"]
