"""No route echoes personal information where it must not, and local mode's logs never hold it.

One visitor with distinctive values walks through every route family — valid and refused requests,
public and staff — with the values also planted in the refused inputs. Then: no error body, receipt
or acknowledgement carries them (only the routes whose job is to show PI to its subject or to staff
may), and nothing the server printed does. Runs last in the package (zz), when the shared server has
also served every other local-mode test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from policybound.domain.core.normalize import normalize_phone
from policybound.policy import POLICY_VERSION
from tests.e2e.conftest import LocalServer
from tests.support.local_staff import staff_headers

NAME = "Leakcheck Hong"
EMAIL = "leakcheck.hong@example.co.kr"
PHONE = "010-9876-5432"
INQUIRY = "Leakcheck inquiry: please call about the quarterly migration"
COMPANY = "Leakcheck Industries"
MARKERS = [NAME, EMAIL, EMAIL.split("@")[0], PHONE, normalize_phone(PHONE), INQUIRY, COMPANY]

# Routes whose purpose is to return PI to an authorised caller: the subject's own records, and the
# staff reads that are recorded in the access ledger.
SHOWS_PI = re.compile(r"^/v1/(rights/records|staff/(submissions|subjects|marketing-audience|incidents))")


def contact_fields(**changes: str) -> dict[str, str]:
    fields = {
        "name": NAME,
        "email": EMAIL,
        "contact": PHONE,
        "organization": COMPANY,
        "job_grade": "Manager",
        "inquiry": INQUIRY,
    }
    return fields | changes


def blog_fields(**changes: str) -> dict[str, str]:
    fields = {"name": NAME, "email": EMAIL, "job": "Analyst", "company": COMPANY, "job_grade": "Lead"}
    return fields | changes


class Walk:
    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.http = requests.Session()
        self.seen: list[tuple[str, str, int, str]] = []

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.http.request(method, f"{self.server.api_url}{path}", timeout=30, **kwargs)
        self.seen.append((method, path.split("?")[0], response.status_code, response.text))
        return response

    def staff(self, username: str) -> dict[str, str]:
        return staff_headers(self.server.api_url, username, self.http)

    def mail_to(self, address: str) -> list[dict[str, Any]]:
        mails = self.http.get(f"{self.server.api_url}/_local/outbox", timeout=30).json()
        return [m for m in mails if address in m["to"]]


def consent(optional: bool = False) -> dict[str, Any]:
    return {"required": True, "optional": optional, "policy_version": POLICY_VERSION}


@pytest.fixture(scope="module")
def walk(local_server: LocalServer) -> Walk:
    w = Walk(local_server)
    # Forms: accepted, refused for each reason, with the PI in the refused inputs.
    contact = w.call("POST", "/v1/forms/contact-us", json={"fields": contact_fields(), "consent": consent()})
    assert contact.status_code == 201
    submission_id = contact.json()["submission_id"]
    blog = w.call("POST", "/v1/forms/blog-subscription", json={"fields": blog_fields(), "consent": consent()})
    assert blog.status_code == 201
    w.call(
        "POST", "/v1/forms/contact-us", json={"fields": contact_fields(email=f"{NAME} <{EMAIL}"), "consent": consent()}
    )
    w.call(
        "POST",
        "/v1/forms/contact-us",
        json={"fields": contact_fields(contact=f"{PHONE} ext {NAME}"), "consent": consent()},
    )
    w.call("POST", "/v1/forms/contact-us", json={"fields": contact_fields(name=NAME + "\x07"), "consent": consent()})
    w.call(
        "POST", "/v1/forms/contact-us", json={"fields": contact_fields(), "consent": consent() | {"required": False}}
    )
    w.call(
        "POST",
        "/v1/forms/contact-us",
        json={"fields": contact_fields(), "consent": consent() | {"policy_version": "1999"}},
    )
    w.call("POST", "/v1/forms/contact-us", json={"fields": contact_fields(nickname=NAME), "consent": consent()})
    w.call(
        "POST",
        "/v1/forms/contact-us",
        data=f'{{"fields": {{"name": "{NAME}", ',
        headers={"Content-Type": "application/json"},
    )
    w.call("POST", "/v1/forms/contact-us", data=f"name={NAME}&email={EMAIL}", headers={"Content-Type": "text/plain"})

    # Cookies and visits.
    w.call(
        "POST", "/v1/cookie-consents", json={"choice": "all", "categories": [NAME], "policy_version": POLICY_VERSION}
    )
    w.call("POST", "/v1/visits", json={"page": f"/contact?email={EMAIL}", "consent_id": NAME})

    # Rights: request, wrong code, right code, view, refused and accepted corrections.
    w.call("POST", "/v1/rights/requests", json={"email": EMAIL, "kind": "access"})
    w.call("POST", "/v1/rights/requests", json={"email": f"{NAME} {EMAIL}", "kind": "access"})
    w.call("POST", "/v1/rights/sessions", json={"email": EMAIL, "code": "000000"})
    code = re.search(r"\b(\d{6})\b", w.mail_to(EMAIL)[-1]["text"])
    assert code
    session = w.call("POST", "/v1/rights/sessions", json={"email": EMAIL, "code": code.group(1)})
    assert session.status_code == 201
    bearer = {"Authorization": f"Bearer {session.json()['token']}"}
    assert w.call("GET", "/v1/rights/records", headers=bearer).status_code == 200
    w.call("PATCH", f"/v1/rights/records/{submission_id}", headers=bearer, json={"fields": {"contact": f"call {NAME}"}})
    w.call("PATCH", "/v1/rights/records/not-mine", headers=bearer, json={"fields": {"name": NAME}})

    # Unsubscribe: a broken link (with PI in it), then the real one.
    w.call("GET", f"/v1/unsubscribe?token={EMAIL}")
    w.call("POST", f"/v1/unsubscribe?token={NAME}", data="List-Unsubscribe=One-Click")

    # Staff: reads, lookups with PI in the query, holds, requests, refused disclosures, audit.
    manager, handler, auditor = w.staff("manager"), w.staff("staff"), w.staff("auditor")
    w.call("GET", "/v1/staff/submissions?form=contact-us", headers=handler)
    w.call("GET", f"/v1/staff/submissions/{submission_id}", headers=handler)
    w.call("GET", "/v1/staff/subjects", params={"email": EMAIL}, headers=handler)
    w.call("GET", "/v1/staff/subjects", params={"email": NAME}, headers=handler)
    w.call("GET", "/v1/staff/marketing-audience", headers=handler)
    w.call("GET", "/v1/staff/subjects", params={"email": EMAIL}, headers=auditor)
    w.call(
        "POST",
        "/v1/staff/legal-holds",
        headers=manager,
        json={"email": EMAIL, "case_reference": "2026-77", "reason": f"order about {NAME}"},
    )
    w.call(
        "POST",
        "/v1/staff/legal-holds",
        headers=manager,
        json={"email": f"{NAME}@", "case_reference": "x", "reason": "y"},
    )
    w.call(
        "POST",
        "/v1/staff/rights-requests",
        headers=manager,
        json={"channel": "phone", "kind": "rectification", "identity_verification": "callback", "email": EMAIL},
    )
    w.call(
        "POST",
        "/v1/staff/rights-requests",
        headers=manager,
        json={"channel": "pigeon", "kind": "x", "email": EMAIL, "note": NAME},
    )
    w.call(
        "POST",
        "/v1/staff/disclosures",
        headers=manager,
        json={
            "submission_ids": [submission_id],
            "recipient": {"name": NAME, "email": EMAIL},
            "items": ["name"],
            "legal_basis": "curiosity",
        },
    )
    w.call("GET", "/v1/staff/ledger?kind=access", headers=auditor)
    w.call("GET", "/v1/staff/ledger/verify", headers=auditor)
    w.call("GET", "/v1/staff/access-review", headers=auditor)

    # Erasure last: the subject's own deletion through the destruction path.
    w.call("DELETE", "/v1/rights/records", headers=bearer)
    return w


def test_the_walk_reached_every_route_family(walk: Walk) -> None:
    families = {path.split("/")[2] if path.count("/") > 1 else path for _, path, _, _ in walk.seen}
    assert {"forms", "cookie-consents", "visits", "rights", "unsubscribe", "staff"} <= families
    assert any(status >= 400 for _, _, status, _ in walk.seen)
    assert any(status < 300 for _, path, status, _ in walk.seen if path.startswith("/v1/staff/"))


def test_no_error_body_or_acknowledgement_echoes_pi(walk: Walk) -> None:
    leaks = []
    for method, path, status, text in walk.seen:
        if status < 400 and SHOWS_PI.match(path):
            continue
        lowered = text.lower()
        leaks += [f"{method} {path} -> {status}: {marker!r}" for marker in MARKERS if marker.lower() in lowered]
    assert leaks == []


def test_the_server_printed_no_pi(walk: Walk, local_server: LocalServer) -> None:
    logs = local_server.logs()
    assert walk.seen
    lowered = logs.lower()
    assert [marker for marker in MARKERS if marker.lower() in lowered] == []
