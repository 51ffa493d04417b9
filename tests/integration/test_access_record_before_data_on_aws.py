"""Every staff route that hands over personal information writes its access record first: when that
record cannot be written, the route answers 503 and no PI leaves — not in the body, not by mail.

Driven from the route × role table: every row of `ROUTE_ROLES` must be classified below, either as a
route that uses PI (with a request that makes it do so, and the ledger chain its access record goes to)
or as one that hands over none (with the reason). A new staff route fails here until someone decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from local import outbox
from policybound.adapters.ledger import DynamoLedger
from policybound.api.staff.permissions import ROUTE_ROLES
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.staff.actor import Role
from tests.conftest import NOW, VALID_FIELDS, submission
from tests.integration.test_api_grants_on_aws import Apis, build_apis, ok, post
from tests.support.staff import incident_body

PI_VALUES = [value for fields in VALID_FIELDS.values() for value in fields.values() if len(value) > 3]


@dataclass(frozen=True)
class UsesPi:
    role: Role
    # (ids of the stored submissions, a prepared incident id) -> (path, query, json body)
    request: Callable[[dict[str, str]], tuple[str, dict[str, str], Any]]
    # The chain its access record is written to (a provision's own entry is its access record).
    kind: LedgerKind = LedgerKind.ACCESS


@dataclass(frozen=True)
class NoPi:
    why: str


CASES: dict[tuple[str, str], UsesPi | NoPi] = {
    ("GET", "/v1/staff/me"): NoPi("the caller's own staff identity"),
    ("GET", "/v1/staff/submissions"): UsesPi(
        Role.STAFF, lambda ids: ("/v1/staff/submissions", {"form": "contact-us"}, None)
    ),
    ("GET", "/v1/staff/submissions/<submission_id>"): UsesPi(
        Role.STAFF, lambda ids: (f"/v1/staff/submissions/{ids['contact-us']}", {}, None)
    ),
    ("GET", "/v1/staff/subjects"): UsesPi(
        Role.STAFF,
        lambda ids: (
            "/v1/staff/subjects",
            {"email": VALID_FIELDS["contact-us"]["email"], "purpose": "inquiry_response"},
            None,
        ),
    ),
    ("GET", "/v1/staff/marketing-audience"): UsesPi(Role.STAFF, lambda ids: ("/v1/staff/marketing-audience", {}, None)),
    ("GET", "/v1/staff/ledger"): NoPi("ledger entries hold ids, hashes and counts"),
    ("GET", "/v1/staff/ledger/verify"): NoPi("verdicts and hashes"),
    ("GET", "/v1/staff/access-review"): NoPi("staff activity counts"),
    ("GET", "/v1/staff/evidence/reconciliation"): NoPi("counts and submission ids"),
    ("GET", "/v1/staff/evidence/destructions"): NoPi("submission ids, reasons, times, ledger hashes"),
    ("GET", "/v1/staff/users"): NoPi("staff accounts, not data subjects"),
    ("POST", "/v1/staff/users/<username>/groups"): NoPi("changes a staff account's groups"),
    ("PUT", "/v1/staff/users/<username>/groups"): NoPi("changes a staff account's groups"),
    ("DELETE", "/v1/staff/users/<username>/groups/<group>"): NoPi("changes a staff account's groups"),
    # Opening sends the notices at once, each address read only after its access record is written; when
    # that record cannot be written the notice stays owed (`prepared` below opens its incident so).
    ("POST", "/v1/staff/incidents"): NoPi("answers a case: ids, counts and blind-index references"),
    ("GET", "/v1/staff/incidents/<incident_id>"): NoPi("involved subjects by blind-index reference only"),
    ("POST", "/v1/staff/incidents/<incident_id>/notices"): UsesPi(
        Role.PI_MANAGER, lambda ids: (f"/v1/staff/incidents/{ids['incident']}/notices", {}, None)
    ),
    ("POST", "/v1/staff/legal-holds"): NoPi("holds records by id; a hold by email keeps no address"),
    ("GET", "/v1/staff/legal-holds/<hold_id>"): NoPi("case reference and submission ids"),
    ("DELETE", "/v1/staff/legal-holds/<hold_id>"): NoPi("releases a hold"),
    ("POST", "/v1/staff/rights-requests"): NoPi("answers with ids and blind indexes; its lookup is recorded"),
    ("GET", "/v1/staff/rights-requests"): NoPi("requests by id and blind index"),
    ("GET", "/v1/staff/rights-requests/<request_id>"): NoPi("a request by id and blind index"),
    ("POST", "/v1/staff/rights-requests/<request_id>/complete"): NoPi("answers with ids and item names"),
    ("POST", "/v1/staff/disclosures"): UsesPi(
        Role.PI_MANAGER,
        lambda ids: (
            "/v1/staff/disclosures",
            {},
            {
                "submission_ids": [ids["contact-us"]],
                "recipient": {"name": "Partner Co.", "email": "privacy@partner.example.com"},
                "items": ["name", "email"],
                "legal_basis": "consent",
                "consent_reference": "CF-2026-0042",
            },
        ),
        LedgerKind.DISCLOSURE,
    ),
    ("POST", "/v1/staff/letters"): UsesPi(
        Role.STAFF, lambda ids: ("/v1/staff/letters", {}, {"subject": "News", "body": "This month on the blog."})
    ),
    ("GET", "/v1/staff/letters/audience"): NoPi("a count of the marketing audience: no names, addresses or ids"),
    ("GET", "/v1/staff/letters/<letter_id>"): NoPi("a letter's own text and its delivery counts"),
    ("DELETE", "/v1/staff/session"): NoPi("ends the caller's own staff session"),
    ("GET", "/v1/staff/inquiries/<submission_id>"): UsesPi(
        Role.STAFF, lambda ids: (f"/v1/staff/inquiries/{ids['contact-us']}", {}, None)
    ),
    ("GET", "/v1/staff/inquiries"): UsesPi(Role.STAFF, lambda ids: ("/v1/staff/inquiries", {"handling": "open"}, None)),
    ("POST", "/v1/staff/inquiries/<submission_id>/replies"): UsesPi(
        Role.STAFF,
        lambda ids: (f"/v1/staff/inquiries/{ids['contact-us']}/replies", {}, {"body": "We will call you tomorrow."}),
    ),
    ("PATCH", "/v1/staff/inquiries/<submission_id>"): UsesPi(
        Role.STAFF, lambda ids: (f"/v1/staff/inquiries/{ids['contact-us']}", {}, {"state": "in_progress"})
    ),
}

PI_ROUTES = sorted(key for key, case in CASES.items() if isinstance(case, UsesPi))


def test_every_staff_route_is_classified() -> None:
    assert set(CASES) == set(ROUTE_ROLES), "classify the new staff route here: does it hand over PI?"


@pytest.fixture
def apis(moto_aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Apis:
    return build_apis(monkeypatch)


@dataclass
class FailingLedger:
    kinds: set[LedgerKind] = field(default_factory=set)


@pytest.fixture
def failing(monkeypatch: pytest.MonkeyPatch) -> FailingLedger:
    state = FailingLedger()
    append, append_entries_with = DynamoLedger.append, DynamoLedger.append_entries_with

    def guarded_append(self: DynamoLedger, draft: Any) -> Any:
        if draft.kind in state.kinds:
            raise Unavailable("DynamoDB")
        return append(self, draft)

    def guarded_entries(self: DynamoLedger, items: Any, kind: LedgerKind, build: Any) -> Any:
        if kind in state.kinds:
            raise Unavailable("DynamoDB")
        return append_entries_with(self, items, kind, build)

    monkeypatch.setattr(DynamoLedger, "append", guarded_append)
    monkeypatch.setattr(DynamoLedger, "append_entries_with", guarded_entries)
    return state


def prepared(apis: Apis, failing: FailingLedger) -> dict[str, str]:
    ids = {}
    for form in VALID_FIELDS:
        body = submission(form, marketing=True) if form == "resources-download" else submission(form)
        ids[form] = ok(post(apis.client, f"/v1/forms/{form}", body))["submission_id"]
    # Opened while access records cannot be written: it is recorded, and its notice is owed, not sent.
    mail_before = len(outbox.sent_mail())
    failing.kinds = {LedgerKind.ACCESS}
    body = incident_body(NOW, measures="The account was locked.", submission_ids=[ids["contact-us"]])
    incident = ok(apis.as_role(Role.PI_MANAGER).post("/v1/staff/incidents", json=body))
    failing.kinds = set()
    assert len(outbox.sent_mail()) == mail_before
    assert [s["notified"] for s in incident["subjects"]] == [False]
    return ids | {"incident": incident["incident_id"]}


def send(apis: Apis, case: UsesPi, ids: dict[str, str], method: str) -> Any:
    path, query, body = case.request(ids)
    caller = apis.as_role(case.role)
    return caller.open(method, path, query_string=query, **({"json": body} if body is not None else {}))


@pytest.mark.parametrize(("method", "route"), PI_ROUTES)
def test_no_pi_leaves_when_the_access_record_cannot_be_written(
    apis: Apis, failing: FailingLedger, method: str, route: str
) -> None:
    case = CASES[(method, route)]
    assert isinstance(case, UsesPi)
    ids = prepared(apis, failing)
    mail_before = len(outbox.sent_mail())

    failing.kinds = {case.kind}
    refused = send(apis, case, ids, method)
    assert refused.status_code == 503, refused.get_data(as_text=True)
    text = refused.get_data(as_text=True)
    assert [value for value in PI_VALUES if value in text] == []
    assert len(outbox.sent_mail()) == mail_before

    # The same request with the record written does use PI: the refusal above was the record's doing.
    failing.kinds = set()
    answered = send(apis, case, ids, method)
    assert answered.status_code < 300, answered.get_data(as_text=True)
    text = answered.get_data(as_text=True)
    # A letter's mails go out later, from its queue (tests/integration/test_letters_on_aws.py): here it is queued.
    queued = route == "/v1/staff/letters" and answered.status_code == 202
    assert (
        any(value in text for value in PI_VALUES)
        or len(outbox.sent_mail()) > mail_before
        or method == "PATCH"
        or queued
    )
