"""Serving the collection purposes in local mode, as a user runs it (`python -m local`, real HTTP):
an inquiry is answered by staff and the person gets the reply."""

from __future__ import annotations

import time
from typing import Any

import requests

from tests.conftest import submission
from tests.e2e.conftest import LocalServer
from tests.support.local_staff import staff_headers


def outbox(server: LocalServer) -> list[dict[str, Any]]:
    response = requests.get(f"{server.api_url}/_local/outbox", timeout=30)
    assert response.status_code == 200
    mails: list[dict[str, Any]] = response.json()
    return mails


def submit(server: LocalServer, form: str, **fields: Any) -> str:
    response = requests.post(f"{server.api_url}/v1/forms/{form}", json=submission(form, **fields), timeout=30)
    assert response.status_code == 201, response.text
    return str(response.json()["submission_id"])


def test_staff_answer_an_inquiry_and_the_person_gets_the_reply(local_server: LocalServer) -> None:
    asked = submit(local_server, "contact-us", email="asker.e2e@example.co.kr", inquiry="Do you support Seoul?")
    bearer = staff_headers(local_server.api_url, "staff")

    listed = requests.get(
        f"{local_server.api_url}/v1/staff/inquiries?handling=open&limit=100", headers=bearer, timeout=30
    )
    assert listed.status_code == 200, listed.text
    mine = [i for i in listed.json()["items"] if i["submission_id"] == asked]
    assert mine
    assert mine[0]["handling"]["state"] == "open"
    assert mine[0]["waiting_seconds"] >= 0

    reply = requests.post(
        f"{local_server.api_url}/v1/staff/inquiries/{asked}/replies",
        json={"body": "Yes: everything stays in AWS Seoul. 네, 서울 리전에만 보관합니다."},
        headers=bearer,
        timeout=30,
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["handling"]["state"] == "answered"

    mail = [m for m in outbox(local_server) if m["to"] == ["asker.e2e@example.co.kr"]][-1]
    assert "everything stays in AWS Seoul" in mail["text"]
    assert "Do you support Seoul?" in mail["text"]
    assert mail["headers"]["From"] == "no-reply@policybound.local"
    answered = requests.get(
        f"{local_server.api_url}/v1/staff/inquiries?handling=answered&limit=100", headers=bearer, timeout=30
    ).json()["items"]
    assert asked in [i["submission_id"] for i in answered]


def test_a_download_mails_a_link_to_the_local_endpoint_that_returns_the_file(local_server: LocalServer) -> None:
    catalogue = requests.get(f"{local_server.api_url}/v1/resources", timeout=30).json()["resources"]
    wanted = catalogue[0]
    submit(local_server, "resources-download", resource_id=wanted["resource_id"], email="dl.e2e@example.co.kr")

    mail = [m for m in outbox(local_server) if m["to"] == ["dl.e2e@example.co.kr"]][-1]
    link = next(word for word in mail["text"].split() if word.startswith("http"))
    assert link.startswith(local_server.moto_url + "/")
    fetched = requests.get(link, timeout=30)
    assert fetched.status_code == 200
    assert fetched.content.startswith(b"%PDF")
    assert wanted["file_name"] in fetched.headers["Content-Disposition"]

    refused = requests.post(
        f"{local_server.api_url}/v1/forms/resources-download",
        json=submission("resources-download", resource_id="not-in-the-catalogue"),
        timeout=30,
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "validation_failed"


def _letter(server: LocalServer, bearer: dict[str, str], subject: str) -> dict[str, Any]:
    response = requests.post(
        f"{server.api_url}/v1/staff/letters",
        json={"subject": subject, "body": "This month on the blog.\n이달의 블로그 소식입니다."},
        headers=bearer,
        timeout=60,
    )
    assert response.status_code == 202, response.text
    queued: dict[str, Any] = response.json()
    return queued


def _delivered(server: LocalServer, bearer: dict[str, str], letter_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        letter: dict[str, Any] = requests.get(
            f"{server.api_url}/v1/staff/letters/{letter_id}", headers=bearer, timeout=30
        ).json()
        if letter["complete"] or time.monotonic() > deadline:
            return letter
        time.sleep(0.5)


def test_a_letter_reaches_two_subscribers_with_distinct_links_and_then_only_the_one_who_stayed(
    local_server: LocalServer,
) -> None:
    first = "letter.one@example.co.kr"
    second = "letter.two@example.co.kr"
    submit(local_server, "blog-subscription", email=first)
    submit(local_server, "blog-subscription", email=second)
    bearer = staff_headers(local_server.api_url, "staff")

    queued = _letter(local_server, bearer, "Blog letter e2e 1")
    assert queued["recipients"] >= 2
    assert _delivered(local_server, bearer, queued["letter_id"])["complete"]
    mails = {m["to"][0]: m for m in outbox(local_server) if m["subject"] == "Blog letter e2e 1"}
    assert {first, second} <= set(mails)
    links = {address: mails[address]["headers"]["List-Unsubscribe"] for address in (first, second)}
    assert links[first] != links[second]
    assert all(mails[a]["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for a in (first, second))

    click = requests.post(
        links[first].strip("<>"),
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert click.status_code == 200, click.text

    queued = _letter(local_server, bearer, "Blog letter e2e 2")
    assert _delivered(local_server, bearer, queued["letter_id"])["complete"]
    again = [m["to"] for m in outbox(local_server) if m["subject"] == "Blog letter e2e 2"]
    assert [second] in again
    assert [first] not in again
