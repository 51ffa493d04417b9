"""Staff access through the real adapters (DynamoDB indexes and ledger, KMS, SES, Cognito) on moto:
reads go through indexes and never scan, access records land in the ledger table, an edited ledger item
is caught, group changes reach the user pool, a group removed in the pool itself refuses the token at
once, and the sign-in triggers lock and unlock accounts."""

from __future__ import annotations

import importlib
import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from werkzeug.test import Client

from local.cognito import PASSWORD_CHANGED_ATTRIBUTE, SEEDED_USERS, StaffPool
from local.staff import trigger_event as cognito_trigger_event
from policybound.adapters import codec
from policybound.adapters.staff_access import DynamoAttemptStore
from policybound.api.staff.auth import Role
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.retention.withdrawal import WithdrawalOutcome
from policybound.domain.staff.sign_in import SIGN_IN_FAILED, SignInRefused, attempt_key
from policybound.obligations import MAX_FAILED_SIGN_INS
from policybound.policy import AWS_REGION, Purpose
from policybound.settings import load_settings, settings_from
from policybound.wiring import Wiring
from tests.conftest import NOW, VALID_FIELDS, submission
from tests.support.aws import StaffOnAws, staff_pool
from tests.support.gateways import public_app, staff_app, staff_gateway
from tests.support.staff import FakeAuthorizer, json_of


class ScanForbidden(AssertionError):
    pass


@dataclass
class StaffAws(StaffOnAws):
    pool: StaffPool
    cognito: Any

    def submit(self, form: str, **overrides: Any) -> str:
        return self.post_form(form, submission(form, **overrides))


@pytest.fixture
def staff_aws(moto_aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> StaffAws:
    pool = staff_pool(monkeypatch)
    clock = FixedClock(NOW)
    wiring = Wiring(settings_from(os.environ), clock=clock)

    def no_scans(**_: Any) -> None:
        raise ScanForbidden("a request path scanned a table")

    wiring.ports.dynamodb.meta.events.register("before-call.dynamodb.Scan", no_scans)
    staff, authorizer = staff_app(wiring), FakeAuthorizer()
    gateway = staff_gateway(staff, authorizer, public_app(wiring))
    cognito = boto3.client("cognito-idp", region_name=AWS_REGION)
    return StaffAws(Client(gateway), staff, authorizer, clock, Client(gateway), wiring, pool, cognito)


def test_staff_list_and_page_through_the_form_index_without_scanning(staff_aws: StaffAws) -> None:
    ids = []
    for _ in range(3):
        staff_aws.clock.at += timedelta(seconds=1)
        ids.append(staff_aws.submit("contact-us"))
    staff_aws.submit("blog-subscription")
    caller = staff_aws.as_role(Role.STAFF)
    seen, cursor = [], None
    while True:
        query = {"form": "contact-us", "limit": "2"} | ({"cursor": cursor} if cursor else {})
        response = caller.get("/v1/staff/submissions", query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = json_of(response)
        seen += [item["submission_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    assert (
        json_of(caller.get(f"/v1/staff/submissions/{ids[0]}"))["fields"]["name"] == VALID_FIELDS["contact-us"]["name"]
    )


def test_marketing_audience_and_subject_lookup_on_dynamodb(staff_aws: StaffAws) -> None:
    staff_aws.submit("contact-us")
    subscriber = staff_aws.submit("blog-subscription")
    staff_aws.submit("resources-download", email="no-marketing@example.co.kr")  # marketing not consented
    marketed = staff_aws.submit("resources-download", email="marketing@example.co.kr", marketing=True)
    caller = staff_aws.as_role(Role.STAFF)
    audience = json_of(caller.get("/v1/staff/marketing-audience"))
    assert sorted(m["submission_id"] for m in audience["items"]) == sorted([subscriber, marketed])
    # Withdrawing the marketing consent takes the purpose off the stored record and keeps the record.
    withdrawn = staff_aws.wiring.purpose_withdrawals.withdraw_purpose(marketed, Purpose.EMAIL_MARKETING)
    assert withdrawn is WithdrawalOutcome.WITHDRAWN
    record = staff_aws.wiring.ports.store.get(marketed)
    assert record is not None
    assert record.consent.purposes == (Purpose.RESOURCE_DELIVERY,)
    audience = json_of(caller.get("/v1/staff/marketing-audience"))
    assert [m["submission_id"] for m in audience["items"]] == [subscriber]
    events = [e.payload for e in staff_aws.wiring.ports.ledger.entries(LedgerKind.CONSENT)]
    assert {"event": "purpose_withdrawn", "submission_id": marketed}.items() <= events[-1].items()
    found = json_of(
        caller.get("/v1/staff/subjects", query_string={"email": VALID_FIELDS["blog-subscription"]["email"]})
    )
    assert [item["submission_id"] for item in found["items"]] == [subscriber]


def ledger_items(staff_aws: StaffAws, kind: LedgerKind) -> list[dict[str, Any]]:
    response = staff_aws.wiring.ports.dynamodb.query(
        TableName=staff_aws.wiring.settings.ledger_table,
        KeyConditionExpression="#c = :c",
        ExpressionAttributeNames={"#c": "chain"},
        ExpressionAttributeValues=codec.item({":c": kind.value}),
    )
    items: list[dict[str, Any]] = response["Items"]
    return items


def test_access_records_are_in_the_ledger_table_and_an_edited_item_is_caught(staff_aws: StaffAws) -> None:
    inquiry = staff_aws.submit("contact-us")
    caller = staff_aws.as_role(Role.STAFF, user_id="u-kim", username="kim")
    for _ in range(3):
        assert caller.get(f"/v1/staff/submissions/{inquiry}").status_code == 200
    items = ledger_items(staff_aws, LedgerKind.ACCESS)
    assert len(items) == 3
    at_rest = json.dumps(items)
    for value in VALID_FIELDS["contact-us"].values():
        assert value not in at_rest
    payload = json.loads(items[1]["payload"]["S"])
    assert payload["submission_ids"] == [inquiry]
    assert payload["user_id"] == "u-kim"

    auditor = staff_aws.as_role(Role.AUDITOR)
    assert json_of(auditor.get("/v1/staff/ledger/verify"))["verified"] is True
    # Someone with table access removes a read from the evidence.
    payload["submission_ids"] = []
    items[1] |= codec.item({"payload": json.dumps(payload, sort_keys=True)})
    staff_aws.wiring.ports.dynamodb.put_item(TableName=staff_aws.wiring.settings.ledger_table, Item=items[1])
    report = json_of(auditor.get("/v1/staff/ledger/verify"))
    assert report["verified"] is False
    access = next(chain for chain in report["chains"] if chain["kind"] == "access")
    assert access["first_break"] == {"seq": 2, "problem": "content does not match its hash (edited)"}


def test_a_group_removed_in_the_user_pool_itself_refuses_the_token_at_once(staff_aws: StaffAws) -> None:
    pool_id = staff_aws.pool.pool_id
    member = staff_aws.as_role(Role.STAFF, username="kim.revoked")
    assert member.get("/v1/staff/submissions", query_string={"form": "contact-us"}).status_code == 200
    # As an administrator would in the Cognito console or CLI: not through the staff API.
    staff_aws.cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="kim.revoked", GroupName="staff")
    refused = member.get("/v1/staff/submissions", query_string={"form": "contact-us"})
    assert refused.status_code == 401, refused.get_data(as_text=True)
    staff_aws.cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="kim.revoked", GroupName="staff")
    assert member.get("/v1/staff/me").status_code == 200
    staff_aws.cognito.admin_disable_user(UserPoolId=pool_id, Username="kim.revoked")
    assert member.get("/v1/staff/me").status_code == 401
    staff_aws.cognito.admin_delete_user(UserPoolId=pool_id, Username="kim.revoked")
    assert member.get("/v1/staff/me").status_code == 401


def test_group_changes_reach_the_user_pool_and_the_ledger(staff_aws: StaffAws) -> None:
    manager = staff_aws.as_role(Role.PI_MANAGER, username="manager", user_id="sub-of-manager")
    granted = manager.post("/v1/staff/users/staff/groups", json={"group": "auditor", "reference": "HR-77"})
    assert granted.status_code == 200, granted.get_data(as_text=True)

    def groups() -> set[str]:
        listed = staff_aws.cognito.admin_list_groups_for_user(UserPoolId=staff_aws.pool.pool_id, Username="staff")
        return {g["GroupName"] for g in listed["Groups"]}

    assert groups() == {"staff", "auditor"}
    revoked = manager.delete("/v1/staff/users/staff/groups/staff", query_string={"reference": "HR-78"})
    assert json_of(revoked)["groups"] == ["auditor"]
    assert groups() == {"auditor"}
    entries = [json.loads(i["payload"]["S"]) for i in ledger_items(staff_aws, LedgerKind.ACCESS_RIGHTS)]
    assert [(e["action"], e["added"], e["removed"]) for e in entries] == [
        ("grant", ["auditor"], []),
        ("revoke", [], ["staff"]),
    ]
    listed = json_of(manager.get("/v1/staff/users"))
    assert {u["username"] for u in listed["items"]} == set(SEEDED_USERS)


def test_incident_notices_go_out_through_ses(staff_aws: StaffAws) -> None:
    from local.outbox import sent_mail

    subscriber = staff_aws.submit("blog-subscription")
    before = len(sent_mail())
    manager = staff_aws.as_role(Role.PI_MANAGER)
    opened = manager.post(
        "/v1/staff/incidents",
        json={
            "category": "leak",
            "discovered_at": NOW.isoformat(),
            "reference": "INC-1",
            "summary": "A mailing list was sent to the wrong recipient.",
            "measures": "The recipient deleted it and confirmed in writing.",
            "submission_ids": [subscriber],
        },
    )
    assert opened.status_code == 201, opened.get_data(as_text=True)
    incident_id = json_of(opened)["incident_id"]
    # Confirming the incident sent the notice at once; nothing more is owed.
    assert json_of(opened)["subjects"][0]["notified"] is True
    sent = json_of(manager.post(f"/v1/staff/incidents/{incident_id}/notices"))
    assert sent["sent"] == 0
    mails = sent_mail()[before:]
    assert [m["to"] for m in mails] == [[VALID_FIELDS["blog-subscription"]["email"]]]
    stored = staff_aws.wiring.ports.dynamodb.get_item(
        TableName=staff_aws.wiring.settings.incidents_table, Key=codec.item({"incident_id": incident_id})
    )["Item"]
    assert VALID_FIELDS["blog-subscription"]["email"] not in json.dumps(stored)
    assert json_of(manager.get(f"/v1/staff/incidents/{incident_id}"))["subjects"][0]["notified"] is True


def test_idle_sessions_expire_in_the_sessions_table(staff_aws: StaffAws) -> None:
    caller = staff_aws.as_role(Role.STAFF)
    assert caller.get("/v1/staff/me").status_code == 200
    staff_aws.clock.at += timedelta(minutes=29)
    assert caller.get("/v1/staff/me").status_code == 200
    staff_aws.clock.at += timedelta(minutes=31)
    assert caller.get("/v1/staff/me").status_code == 401


def test_a_signed_out_session_stays_ended_in_the_sessions_table(staff_aws: StaffAws) -> None:
    caller = staff_aws.as_role(Role.STAFF)
    assert caller.get("/v1/staff/me").status_code == 200
    assert caller.delete("/v1/staff/session").status_code == 204
    staff_aws.clock.at += timedelta(minutes=1)
    assert caller.get("/v1/staff/me").status_code == 401
    assert caller.get("/v1/staff/me").status_code == 401


def trigger_event(source: str, pool: StaffPool, username: str, changed_at: str | None) -> dict[str, Any]:
    return cognito_trigger_event(source, pool, username, {PASSWORD_CHANGED_ATTRIBUTE: changed_at} if changed_at else {})


class Context:
    """The attributes of Lambda's context that Powertools reads."""

    function_name = "policybound-staff-sign-in"
    aws_request_id = "test"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:ap-northeast-2:123456789012:function:policybound-staff-sign-in"


def sign_in_trigger() -> Any:
    load_settings.cache_clear()
    from entrypoints import staff_sign_in

    return importlib.reload(staff_sign_in)


def test_sign_in_triggers_lock_after_failures_and_stamp_a_reset_password(staff_aws: StaffAws) -> None:
    trigger = sign_in_trigger()
    fresh = NOW.isoformat()
    pre, post = "PreAuthentication_Authentication", "PostAuthentication_Authentication"
    for _ in range(MAX_FAILED_SIGN_INS):
        trigger.lambda_handler(trigger_event(pre, staff_aws.pool, "staff", fresh), Context())
    with pytest.raises(SignInRefused, match=f"^{re.escape(SIGN_IN_FAILED)}$"):
        trigger.lambda_handler(trigger_event(pre, staff_aws.pool, "staff", fresh), Context())
    # The age of a password is told only after it was right (post-authentication), never before.
    old = (NOW - timedelta(days=100)).isoformat()
    trigger.lambda_handler(trigger_event(pre, staff_aws.pool, "auditor", old), Context())
    with pytest.raises(SignInRefused, match="older than 90 days"):
        trigger.lambda_handler(trigger_event(post, staff_aws.pool, "auditor", old), Context())

    reset = trigger_event("PostConfirmation_ConfirmForgotPassword", staff_aws.pool, "staff", None)
    trigger.lambda_handler(reset, Context())
    user = staff_aws.cognito.admin_get_user(UserPoolId=staff_aws.pool.pool_id, Username="staff")
    stamped = {a["Name"]: a["Value"] for a in user["UserAttributes"]}[PASSWORD_CHANGED_ATTRIBUTE]
    assert datetime.fromisoformat(stamped).tzinfo is not None
    trigger.lambda_handler(trigger_event(pre, staff_aws.pool, "staff", stamped), Context())
    trigger.lambda_handler(trigger_event(post, staff_aws.pool, "staff", stamped), Context())
    load_settings.cache_clear()


@pytest.fixture
def dynamodb_writes_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies each write to an item atomically; in-process moto checks a condition and then
    writes, with other threads free to run in between. One lock per write call gives moto DynamoDB's
    guarantee and nothing more: two calls (a read, then a write) still interleave."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.Lock()
    update_item = DynamoDBBackend.update_item

    def atomic_update_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return update_item(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "update_item", atomic_update_item)


GUESSES = 40


@pytest.mark.usefixtures("dynamodb_writes_one_at_a_time")
def test_forty_parallel_wrong_passwords_get_at_most_five_password_checks(staff_aws: StaffAws) -> None:
    trigger = sign_in_trigger()
    pre = "PreAuthentication_Authentication"
    event = trigger_event(pre, staff_aws.pool, "staff", NOW.isoformat())
    start = threading.Barrier(GUESSES)
    assert trigger._wiring.sign_in_guard  # built once, before the threads share it

    def attempt(_: int) -> bool:
        """True when the trigger let the attempt on to Cognito's password check."""
        start.wait()
        try:
            trigger.lambda_handler(dict(event), Context())
        except SignInRefused:
            return False
        return True

    with ThreadPoolExecutor(GUESSES) as pool:
        checked = sum(pool.map(attempt, range(GUESSES)))
    assert checked == MAX_FAILED_SIGN_INS, f"{checked} of {GUESSES} parallel attempts reached the password check"
    store = DynamoAttemptStore(staff_aws.wiring.ports.dynamodb, staff_aws.wiring.settings.staff_sign_ins_table)
    assert store.get(attempt_key("staff")).failed == MAX_FAILED_SIGN_INS
    # Locked at the limit: the next attempt, the right password or not, is refused before any check.
    with pytest.raises(SignInRefused):
        trigger.lambda_handler(dict(event), Context())
    load_settings.cache_clear()


def test_every_record_a_staff_read_opens_is_counted_for_the_bulk_read_alarm(staff_aws: StaffAws) -> None:
    from policybound.adapters.metrics import RECORDS_OPENED, metrics

    for _ in range(3):
        staff_aws.submit("contact-us")
    metrics.clear_metrics()
    caller = staff_aws.as_role(Role.STAFF)
    response = caller.get("/v1/staff/submissions", query_string={"form": "contact-us"})
    assert response.status_code == 200, response.get_data(as_text=True)
    # The sealer's KEK was cached by the submissions: KMS saw no Decrypt, yet three records were opened.
    assert metrics.metric_set[RECORDS_OPENED]["Value"] == [1.0, 1.0, 1.0]
    metrics.clear_metrics()
