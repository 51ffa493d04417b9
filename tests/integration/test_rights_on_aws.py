"""Rights, provisions and representatives through the real adapters and wiring, against moto."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from local import outbox
from policybound import tables
from policybound.adapters import codec
from policybound.adapters.dynamodb import record_from_item
from policybound.domain.core import retention
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.ledger import LedgerKind, verify_chain
from policybound.domain.core.model import RecordStatus
from policybound.domain.rights.disclosures import DisclosureRequest
from policybound.domain.rights.requests import CompletionIn, RightsRequestIn
from policybound.domain.staff.actor import Actor
from policybound.obligations import MAX_WRONG_TRIES
from policybound.services import SES_MAILBOX_SIMULATOR
from tests.conftest import NOW, VALID_FIELDS, submission
from tests.support.aws import AwsApi, item_key

MINJI = VALID_FIELDS["contact-us"]["email"]
CODE = re.compile(r"^\s+(\d{6})$", re.MULTILINE)
JSON = {"Content-Type": "application/json"}
MANAGER = Actor("sub-manager", "manager", "198.51.100.20", manager=True)
ROUTE = "POST /v1/staff/rights-requests"


def post(api: AwsApi, path: str, body: Any, **headers: str) -> Any:
    return api.client.post(path, data=json.dumps(body), headers=JSON | headers)


def submit(api: AwsApi, form: str = "contact-us", body: dict[str, Any] | None = None) -> str:
    response = post(api, f"/v1/forms/{form}", body or submission(form))
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.get_json()["submission_id"])


def mails_to(address: str) -> list[dict[str, Any]]:
    return [mail for mail in outbox.sent_mail() if mail["to"] == [address]]


def code_from_mail(address: str) -> str:
    match = CODE.search(mails_to(address)[-1]["text"])
    assert match
    return match.group(1)


def token(api: AwsApi, email: str = MINJI) -> str:
    assert post(api, "/v1/rights/requests", {"email": email, "kind": "access"}).status_code == 202
    response = post(api, "/v1/rights/sessions", {"email": email, "code": code_from_mail(email)})
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.get_json()["token"])


def table(api: AwsApi, spec: tables.TableSpec) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.dynamodb.scan(TableName=api.tables[spec.env_var])["Items"]
    return items


def clock(api: AwsApi) -> FixedClock:
    assert isinstance(api.wiring.clock, FixedClock)
    return api.wiring.clock


def test_view_correct_and_erase_leave_no_record_and_no_key(aws_api: AwsApi) -> None:
    submission_id = submit(aws_api)
    bearer = {"Authorization": f"Bearer {token(aws_api)}"}
    [record] = aws_api.client.get("/v1/rights/records", headers=bearer).get_json()["records"]
    assert record["fields"]["inquiry"] == VALID_FIELDS["contact-us"]["inquiry"]

    old_key = aws_api.wiring.ports.store.get_key(submission_id)
    patched = aws_api.client.patch(
        f"/v1/rights/records/{submission_id}",
        data=json.dumps({"fields": {"job_grade": "Director"}}),
        headers=JSON | bearer,
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)
    assert aws_api.wiring.ports.store.get_key(submission_id) != old_key  # re-sealed under a fresh data key
    [record] = aws_api.client.get("/v1/rights/records", headers=bearer).get_json()["records"]
    assert record["fields"]["job_grade"] == "Director"

    assert aws_api.client.delete(f"/v1/rights/records/{submission_id}", headers=bearer).status_code == 204
    assert table(aws_api, tables.RECORDS) == []
    assert table(aws_api, tables.KEYS) == []
    entries = aws_api.wiring.ports.ledger.entries(LedgerKind.DESTRUCTION)
    assert [(e.payload["submission_id"], e.payload["reason"]) for e in entries] == [(submission_id, "subject_erasure")]
    rights_entries = aws_api.wiring.ports.ledger.entries(LedgerKind.RIGHTS_REQUEST)
    assert [e.payload["event"] for e in rights_entries] == ["identity_verified", "record_corrected"]
    assert verify_chain(rights_entries) is None
    ledger_text = json.dumps(table(aws_api, tables.LEDGER))
    for value in (*VALID_FIELDS["contact-us"].values(), "Director"):
        assert value not in ledger_text


def test_known_and_unknown_addresses_get_identical_answers_and_the_same_aws_calls(aws_api: AwsApi) -> None:
    submit(aws_api)
    known = post(aws_api, "/v1/rights/requests", {"email": MINJI, "kind": "erasure"})
    unknown = post(aws_api, "/v1/rights/requests", {"email": "stranger@example.co.kr", "kind": "erasure"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    assert len(mails_to(MINJI)) == 1
    assert len(mails_to(SES_MAILBOX_SIMULATOR)) == 1
    assert mails_to("stranger@example.co.kr") == []
    # Each address has a code item (and the hour's code mails one counter); none holds the code, the
    # address or a plain hash of either.
    items = table(aws_api, tables.RIGHTS_VERIFICATIONS)
    assert sorted(item["verification_key"]["S"].split("#")[0] for item in items) == ["code", "code", "code-mails"]
    text = json.dumps(items)
    assert code_from_mail(MINJI) not in text
    assert MINJI not in text


def test_codes_lock_after_five_wrong_tries_in_dynamodb(aws_api: AwsApi) -> None:
    submit(aws_api)
    post(aws_api, "/v1/rights/requests", {"email": MINJI, "kind": "access"})
    code = code_from_mail(MINJI)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(MAX_WRONG_TRIES):
        assert post(aws_api, "/v1/rights/sessions", {"email": MINJI, "code": wrong}).status_code == 401
    locked = post(aws_api, "/v1/rights/sessions", {"email": MINJI, "code": code})
    assert locked.status_code == 401
    assert "locked" in locked.get_json()["error"]["message"]


def test_codes_and_sessions_expire_at_read_time(aws_api: AwsApi) -> None:
    submit(aws_api)
    post(aws_api, "/v1/rights/requests", {"email": MINJI, "kind": "access"})
    code = code_from_mail(MINJI)
    clock(aws_api).at = NOW + timedelta(minutes=10)
    assert post(aws_api, "/v1/rights/sessions", {"email": MINJI, "code": code}).status_code == 401
    bearer = {"Authorization": f"Bearer {token(aws_api)}"}
    clock(aws_api).at += timedelta(minutes=15)
    assert aws_api.client.get("/v1/rights/records", headers=bearer).status_code == 401


def provide(api: AwsApi, submission_id: str, items: list[str]) -> None:
    request = DisclosureRequest.model_validate(
        {
            "submission_ids": [submission_id],
            "recipient": {"name": "Partner Co.", "email": "privacy@partner.example.com"},
            "items": items,
            "legal_basis": "consent",
            "consent_reference": "CF-2026-0042",
        }
    )
    api.wiring.disclosures.provide(request, MANAGER)


def test_a_staff_correction_restricts_the_record_and_its_completion_reaches_the_recipient(aws_api: AwsApi) -> None:
    submission_id = submit(aws_api)
    provide(aws_api, submission_id, ["name", "organization"])
    requests = aws_api.wiring.rights_requests
    request = requests.receive(
        RightsRequestIn.model_validate(
            {"channel": "email", "kind": "rectification", "identity_verification": "registered_email", "email": MINJI}
        ),
        MANAGER,
        ROUTE,
    )
    [item] = table(aws_api, tables.RECORDS)
    assert item["status"]["S"] == RecordStatus.RESTRICTED  # the attribute staff listings read
    assert [r.request_id for r in requests.listing(request.status)] == [request.request_id]

    requests.complete(
        request.request_id,
        CompletionIn.model_validate({"outcome": "fulfilled", "corrections": {submission_id: {"organization": "New"}}}),
        MANAGER,
        ROUTE,
    )
    [item] = table(aws_api, tables.RECORDS)
    assert item["status"]["S"] == RecordStatus.ACTIVE
    assert "open_corrections" not in item
    [notice] = mails_to("privacy@partner.example.com")
    assert "New" in notice["text"]
    [row] = table(aws_api, tables.DISCLOSURES)
    assert codec.plain(row)["notices"][0]["items"] == ["organization"]
    assert "pending_items" not in row
    disclosure_events = [e.payload["event"] for e in aws_api.wiring.ports.ledger.entries(LedgerKind.DISCLOSURE)]
    assert disclosure_events == ["provided", "correction_notice"]
    [stored_request] = table(aws_api, tables.RIGHTS_REQUESTS)
    assert stored_request["status"]["S"] == "completed"
    assert MINJI not in json.dumps(stored_request)
    # Kept 3 years from completion.
    assert int(stored_request[tables.RIGHTS_REQUEST_TTL_ATTRIBUTE]["N"]) > retention.epoch_seconds(
        NOW + timedelta(days=3 * 365)
    )


def child_body() -> dict[str, Any]:
    body = submission("blog-subscription")
    body["consent"]["under_14"] = True
    body["legal_representative"] = {"name": "Park Parent", "email": "parent@example.co.kr"}
    return body


def test_a_childs_record_waits_seven_days_in_the_expiry_index_until_confirmed(aws_api: AwsApi) -> None:
    submission_id = submit(aws_api, "blog-subscription", child_body())
    [item] = table(aws_api, tables.RECORDS)
    seven_days = str(retention.epoch_seconds(NOW + timedelta(days=7)))
    assert item["status"]["S"] == "pending_guardian"
    assert item[tables.RECORD_RETAINED_UNTIL.name]["N"] == item[tables.RECORD_TTL_ATTRIBUTE]["N"] == seven_days
    store = aws_api.wiring.ports.store
    shard = item[tables.RECORD_EXPIRY_SHARD.name]["S"]
    assert store.due(shard, int(seven_days), 10)[0] == [submission_id]

    text = mails_to("parent@example.co.kr")[-1]["text"]
    code = re.search(r"Consent code: (\d{6})", text)
    assert code
    confirmed = post(aws_api, "/v1/rights/guardian-confirmations", {"submission_id": submission_id, "code": code[1]})
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    [item] = table(aws_api, tables.RECORDS)
    sixty_months = str(retention.epoch_seconds(retention.retained_until(NOW)))
    assert item["status"]["S"] == "active"
    assert item[tables.RECORD_RETAINED_UNTIL.name]["N"] == item[tables.RECORD_TTL_ATTRIBUTE]["N"] == sixty_months
    assert store.due(shard, int(seven_days), 10)[0] == []
    assert record_from_item(item).consent.guardian_confirmed_at == NOW


def test_an_unconfirmed_childs_record_is_swept_as_guardian_unconfirmed(aws_api: AwsApi) -> None:
    submission_id = submit(aws_api, "blog-subscription", child_body())
    clock(aws_api).at = NOW + timedelta(days=7)
    report = aws_api.wiring.sweeper.run()
    assert report.destroyed == 1
    [entry] = aws_api.wiring.ports.ledger.entries(LedgerKind.DESTRUCTION)
    assert (entry.payload["submission_id"], entry.payload["reason"]) == (submission_id, "guardian_unconfirmed")
    assert table(aws_api, tables.KEYS) == []


@pytest.mark.parametrize("held", [False, True])
def test_confirming_a_held_childs_record_keeps_it_out_of_the_expiry_index(aws_api: AwsApi, held: bool) -> None:
    submission_id = submit(aws_api, "blog-subscription", child_body())
    if held:
        aws_api.dynamodb.update_item(
            TableName=aws_api.tables[tables.RECORDS.env_var],
            Key=item_key(tables.RECORDS, submission_id),
            UpdateExpression="ADD legal_holds :h REMOVE expires_at, expiry_shard",
            ExpressionAttributeValues=codec.item({":h": {"hold-1"}}),
        )
    code = re.search(r"Consent code: (\d{6})", mails_to("parent@example.co.kr")[-1]["text"])
    assert code
    response = post(aws_api, "/v1/rights/guardian-confirmations", {"submission_id": submission_id, "code": code[1]})
    assert response.status_code == 200
    [item] = table(aws_api, tables.RECORDS)
    assert item["status"]["S"] == "active"
    assert (tables.RECORD_TTL_ATTRIBUTE in item) is not held
