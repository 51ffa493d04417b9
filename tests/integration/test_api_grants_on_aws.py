"""Least privilege, proved by use: the public and the staff API run through every route family against
moto, each with its own wiring whose AWS clients record every call (a botocore `before-call` hook). Every
recorded DynamoDB (table, action[, index]) and KMS (key, action) must be granted by that function's spec
in stacks/functions.py, which is what its IAM role is generated from (tests/infra/test_least_privilege.py
holds the role to the spec). A spec missing a grant the code needs fails here, before a deploy would."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from werkzeug.test import Client

from local import outbox
from policybound import settings as settings_module
from policybound import tables
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.staff.actor import Role
from policybound.policy import AWS_REGION, POLICY_VERSION
from policybound.settings import settings_from
from policybound.wiring import Wiring
from stacks.functions import FUNCTIONS, FunctionSpec
from tests.conftest import NOW, VALID_FIELDS, submission
from tests.support.aws import staff_pool
from tests.support.gateways import public_app, staff_app, staff_gateway
from tests.support.staff import FakeAuthorizer, StaffClient, incident_body

# A transaction is authorised per item, by the item's own action (there is no TransactWriteItems grant).
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}

Call = tuple[str, str, str, str | None]  # (service, action, resource name, index)


@dataclass
class Recorder:
    calls: set[Call] = field(default_factory=set)

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        # At before-call, `params` is the serialised request: DynamoDB, KMS and Cognito send JSON bodies.
        service, operation = model.service_model.service_name, model.name
        body = params.get("body")
        params = json.loads(body) if isinstance(body, (bytes, str)) and body else dict(body or {})
        if service == "dynamodb":
            if operation == "TransactWriteItems":
                for item in params["TransactItems"]:
                    ((kind, body),) = item.items()
                    self.calls.add(("dynamodb", _TRANSACT_ACTIONS[kind], body["TableName"], None))
            elif operation == "TransactGetItems":
                for item in params["TransactItems"]:
                    self.calls.add(("dynamodb", "GetItem", item["Get"]["TableName"], None))
            elif operation in ("BatchGetItem", "BatchWriteItem"):
                for table in params["RequestItems"]:
                    self.calls.add(("dynamodb", operation, table, None))
            else:
                self.calls.add(("dynamodb", operation, params.get("TableName", ""), params.get("IndexName")))
        elif service == "kms":
            self.calls.add(("kms", operation, params.get("KeyId", ""), None))
        else:
            self.calls.add((service, operation, params.get("UserPoolId", ""), None))


def recording_wiring(recorder: Recorder, clock: FixedClock) -> Wiring:
    session = boto3.Session(region_name=AWS_REGION)
    session.events.register("before-call", recorder)
    return Wiring(settings_from(os.environ), clock=clock, session=session)


@dataclass
class Apis(StaffClient):
    public_calls: Recorder
    staff_calls: Recorder
    public_wiring: Wiring
    staff_wiring: Wiring


@pytest.fixture
def apis(moto_aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Apis:
    return build_apis(monkeypatch)


def build_apis(monkeypatch: pytest.MonkeyPatch) -> Apis:
    """Both APIs over moto (the `moto_aws` fixture must be active), each with its own recording wiring."""
    staff_pool(monkeypatch)
    clock = FixedClock(NOW)
    public_calls, staff_calls = Recorder(), Recorder()
    public_wiring, staff_wiring = recording_wiring(public_calls, clock), recording_wiring(staff_calls, clock)
    staff, authorizer = staff_app(staff_wiring), FakeAuthorizer()
    gateway = staff_gateway(staff, authorizer, public_app(public_wiring))
    return Apis(Client(gateway), staff, authorizer, clock, public_calls, staff_calls, public_wiring, staff_wiring)


def ok(response: Any, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200, 201, 202, 204)), response.get_data(as_text=True)
    return response.get_json(silent=True)


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body), headers={"Content-Type": "application/json"})


def mails_to(address: str) -> list[dict[str, Any]]:
    return [mail for mail in outbox.sent_mail() if mail["to"] == [address]]


def drive_public_flows(apis: Apis) -> dict[str, str]:
    client = apis.client
    ids = {form: ok(post(client, f"/v1/forms/{form}", submission(form)))["submission_id"] for form in VALID_FIELDS}
    # Idempotent replay of a submission.
    key = {"Content-Type": "application/json", "Idempotency-Key": "0f8fad5b-d9cb-469f-a165-70867728950e"}
    body = json.dumps(submission("contact-us", email="replay@example.co.kr"))
    ok(client.post("/v1/forms/contact-us", data=body, headers=key))
    ok(client.post("/v1/forms/contact-us", data=body, headers=key))
    ok(client.get("/v1/policy"))
    consent = ok(post(client, "/v1/cookie-consents", {"choice": "all", "policy_version": POLICY_VERSION}))
    ok(post(client, "/v1/visits", {"page": "/", "consent_id": consent["consent_id"]}))
    # Rights: a code by mail, a session, then view, correct and erase.
    email = VALID_FIELDS["contact-us"]["email"]
    ok(post(client, "/v1/rights/requests", {"email": email, "kind": "access"}))
    ok(post(client, "/v1/rights/requests", {"email": "stranger@example.co.kr", "kind": "erasure"}))
    code = next(line.strip() for line in mails_to(email)[-1]["text"].splitlines() if line.strip().isdigit())
    token = ok(post(client, "/v1/rights/sessions", {"email": email, "code": code}))["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    ok(client.get("/v1/rights/records", headers=bearer))
    ok(
        client.patch(
            f"/v1/rights/records/{ids['contact-us']}",
            data=json.dumps({"fields": {"organization": "New Corp"}}),
            headers=bearer | {"Content-Type": "application/json"},
        )
    )
    ok(client.delete(f"/v1/rights/records/{ids['contact-us']}", headers=bearer))
    # Unsubscribe: the page (GET), then one click (POST).
    subscriber = VALID_FIELDS["blog-subscription"]["email"]
    link = mails_to(subscriber)[-1]["headers"]["List-Unsubscribe"].strip("<>")
    query = link.split("?", 1)[1]
    ok(client.get(f"/v1/unsubscribe?{query}", headers={"Accept": "application/json"}))
    ok(
        client.post(
            f"/v1/unsubscribe?{query}",
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
    )
    return ids


def drive_staff_flows(apis: Apis, ids: dict[str, str]) -> None:
    resources_id = ids["resources-download"]
    staff, manager, auditor = apis.as_role(Role.STAFF), apis.as_role(Role.PI_MANAGER), apis.as_role(Role.AUDITOR)
    ok(staff.get("/v1/staff/me"))
    ok(staff.get("/v1/staff/submissions", query_string={"form": "resources-download"}))
    ok(staff.get(f"/v1/staff/submissions/{resources_id}", query_string={"purpose": "resource_delivery"}), 200, 403)
    ok(staff.get("/v1/staff/subjects", query_string={"email": VALID_FIELDS["resources-download"]["email"]}))
    ok(staff.get("/v1/staff/marketing-audience", query_string={"purpose": "email_marketing"}))
    for kind in LedgerKind:
        ok(auditor.get("/v1/staff/ledger", query_string={"kind": kind.value}))
    ok(auditor.get("/v1/staff/ledger/verify"))
    ok(auditor.get("/v1/staff/access-review", query_string={"month": "2026-11"}))
    ok(manager.get("/v1/staff/users"))
    ok(manager.post("/v1/staff/users/staff/groups", json={"group": "auditor", "reference": "HR-2026-114"}))
    ok(manager.delete("/v1/staff/users/staff/groups/auditor", query_string={"reference": "HR-2026-115"}))
    case = {"case_reference": "2031고단1234", "reason": "Seoul Central District Prosecutors' Office preservation order"}
    hold = ok(manager.post("/v1/staff/legal-holds", json={"submission_ids": [resources_id], **case}))
    ok(manager.get(f"/v1/staff/legal-holds/{hold['hold_id']}"))
    ok(manager.delete(f"/v1/staff/legal-holds/{hold['hold_id']}"))
    ok(
        manager.post(
            "/v1/staff/disclosures",
            json={
                "submission_ids": [resources_id],
                "recipient": {"name": "Partner Co.", "email": "privacy@partner.example.com"},
                "items": ["name", "email", "company"],
                "legal_basis": "consent",
                "consent_reference": "CF-2026-0042",
            },
        )
    )
    request = ok(
        manager.post(
            "/v1/staff/rights-requests",
            json={
                "channel": "phone",
                "kind": "rectification",
                "identity_verification": "phone_callback",
                "email": VALID_FIELDS["resources-download"]["email"],
            },
        )
    )
    ok(manager.get("/v1/staff/rights-requests", query_string={"status": "open"}))
    ok(manager.get(f"/v1/staff/rights-requests/{request['request_id']}"))
    ok(
        manager.post(
            f"/v1/staff/rights-requests/{request['request_id']}/complete",
            json={"outcome": "fulfilled", "corrections": {resources_id: {"company": "New Corp"}}},
        )
    )
    incident = ok(manager.post("/v1/staff/incidents", json=incident_body(NOW, submission_ids=[resources_id])))
    ok(manager.get(f"/v1/staff/incidents/{incident['incident_id']}"))
    ok(manager.post(f"/v1/staff/incidents/{incident['incident_id']}/notices"))
    # Inquiries: a new one is listed, noted in progress, answered by mail.
    inquiry = ok(post(apis.client, "/v1/forms/contact-us", submission("contact-us")))["submission_id"]
    ok(staff.get("/v1/staff/inquiries", query_string={"handling": "open"}))
    ok(staff.patch(f"/v1/staff/inquiries/{inquiry}", json={"state": "in_progress", "assignee": "staff"}))
    ok(staff.post(f"/v1/staff/inquiries/{inquiry}/replies", json={"body": "We will call you."}))
    # Letters: the audience counted, a letter queued to it, then its counts.
    ok(staff.get("/v1/staff/letters/audience"))
    letter = ok(staff.post("/v1/staff/letters", json={"subject": "News", "body": "This month on the blog."}))
    ok(staff.get(f"/v1/staff/letters/{letter['letter_id']}"))


def spec(name: str) -> FunctionSpec:
    (found,) = [s for s in FUNCTIONS if s.name == name]
    return found


def table_specs() -> dict[str, tables.TableSpec]:
    return {os.environ[t.env_var]: t for t in tables.TABLES}


def key_specs() -> dict[str, tables.KmsKeySpec]:
    return {os.environ[k.env_var]: k for k in tables.KMS_KEYS}


def ungranted(function: FunctionSpec, calls: set[Call]) -> list[str]:
    """Every recorded call the function's spec does not grant."""
    by_table = {t.logical_id: t for t in tables.TABLES}
    missing = []
    for service, action, name, index in sorted(calls, key=str):
        if service == "dynamodb":
            table = table_specs()[name]
            grants = [a for a in function.tables if a.table is by_table[table.logical_id]]
            if not any(f"dynamodb:{action}" in a.actions and (index is None or index in a.indexes) for a in grants):
                missing.append(f"dynamodb:{action} on {table.logical_id}" + (f" index {index}" if index else ""))
        elif service == "kms":
            key = key_specs()[name]
            if not any(k.key is key and f"kms:{action}" in k.actions for k in function.keys):
                missing.append(f"kms:{action} on {key.logical_id}")
        elif service == "cognito-idp":
            if f"cognito-idp:{action}" not in function.staff_pool_actions:
                missing.append(f"cognito-idp:{action}")
        elif service == "sqs":
            # SendMessageBatch is authorised by sqs:SendMessage, on a queue the spec names.
            if not (function.sends_to and action in ("SendMessage", "SendMessageBatch")):
                missing.append(f"sqs:{action}")
        elif service == "ses":
            if not (function.sends_mail and action == "SendRawEmail"):
                missing.append(f"ses:{action}")
        else:
            missing.append(f"{service}:{action}")
    return missing


@pytest.fixture
def driven(apis: Apis) -> Apis:
    ids = drive_public_flows(apis)
    drive_staff_flows(apis, ids)
    return apis


def test_the_public_api_uses_only_what_its_spec_grants(driven: Apis) -> None:
    assert ungranted(spec("PublicApi"), driven.public_calls.calls) == []


def test_the_staff_api_uses_only_what_its_spec_grants(driven: Apis) -> None:
    assert ungranted(spec("StaffApi"), driven.staff_calls.calls) == []


def test_the_flows_reach_every_table_and_key_the_specs_grant(driven: Apis) -> None:
    # A grant nothing exercises is either dead (drop it) or a flow this test is missing (add it).
    for name, calls in (("PublicApi", driven.public_calls.calls), ("StaffApi", driven.staff_calls.calls)):
        used_tables = {table_specs()[c[2]].logical_id for c in calls if c[0] == "dynamodb"}
        used_keys = {key_specs()[c[2]].logical_id for c in calls if c[0] == "kms"}
        assert {a.table.logical_id for a in spec(name).tables} == used_tables, name
        assert {k.key.logical_id for k in spec(name).keys} == used_keys, name


def test_a_spec_missing_a_grant_is_caught(driven: Apis) -> None:
    public = spec("PublicApi")
    narrowed = FunctionSpec(
        name=public.name,
        entry=public.entry,
        description=public.description,
        trigger=public.trigger,
        tables=tuple(a for a in public.tables if a.table is not tables.RECORDS),
        keys=public.keys,
        sends_mail=public.sends_mail,
    )
    assert any(m.startswith("dynamodb:") and "Records" in m for m in ungranted(narrowed, driven.public_calls.calls))


def test_no_function_is_granted_scan() -> None:
    for function in FUNCTIONS:
        for access in function.tables:
            assert "dynamodb:Scan" not in access.actions, function.name
    assert settings_module.environment_names()


def test_the_letter_sender_uses_only_what_its_spec_grants(driven: Apis) -> None:
    """A letter to a subscriber, drained by the sender with a recording wiring of its own."""
    from local.letter_queue import LetterQueuePoller
    from policybound.letter_batches import handle_batches

    post(driven.client, "/v1/forms/blog-subscription", submission("blog-subscription", email="grants@example.co.kr"))
    staff = driven.as_role(Role.STAFF)
    ok(staff.post("/v1/staff/letters", json={"subject": "Granted", "body": "One letter."}))
    calls = Recorder()
    wiring = recording_wiring(calls, driven.clock)
    poller = LetterQueuePoller(
        boto3.client("sqs", region_name=AWS_REGION),
        wiring.settings.letter_queue_url,
        lambda event, context: handle_batches(wiring, event, context),
        wait_seconds=0,
    )
    while poller.poll_once():
        pass
    assert {c[1] for c in calls.calls if c[0] == "ses"} == {"SendRawEmail"}  # it did mail the letter
    assert ungranted(spec("LetterSender"), calls.calls) == []
