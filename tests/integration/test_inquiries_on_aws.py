"""Inquiries through the real adapters on moto: listing oldest first by handling state, replies mailed
and kept sealed under the record's own key, handling notes, and the purpose and status checks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from local.outbox import sent_mail
from policybound import tables
from policybound.api.staff.auth import Role
from policybound.domain.core.ledger import LedgerKind
from tests.conftest import submission
from tests.support.aws import StaffOnAws, item_key, staff_on_aws
from tests.support.staff import error_code, json_of


@dataclass
class InquiriesAws(StaffOnAws):
    def submit(self, form: str, **overrides: Any) -> str:
        self.clock.at += timedelta(minutes=1)
        return self.post_form(form, submission(form, **overrides))

    def access_records(self) -> list[dict[str, Any]]:
        return [dict(e.payload) for e in self.wiring.ports.ledger.entries(LedgerKind.ACCESS, limit=1000)]


@pytest.fixture
def inquiries(moto_aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> InquiriesAws:
    return staff_on_aws(monkeypatch, InquiriesAws)


def _reply(caller: Any, submission_id: str, body: str) -> Any:
    return caller.post(
        f"/v1/staff/inquiries/{submission_id}/replies",
        data=json.dumps({"body": body}),
        headers={"Content-Type": "application/json"},
    )


def test_open_inquiries_are_listed_oldest_first_with_their_waiting_time(inquiries: InquiriesAws) -> None:
    first = inquiries.submit("contact-us", name="First Asker")
    second = inquiries.submit("contact-us", name="Second Asker")
    inquiries.submit("blog-subscription")
    inquiries.clock.at += timedelta(hours=2)
    caller = inquiries.as_role(Role.STAFF)

    page = json_of(caller.get("/v1/staff/inquiries?handling=open&limit=1"))
    assert [i["submission_id"] for i in page["items"]] == [first]
    assert page["items"][0]["handling"]["state"] == "open"
    # Asked two minutes before the clock moved two hours on.
    assert page["items"][0]["waiting_seconds"] == 2 * 3600 + 2 * 60
    assert page["items"][0]["fields"]["name"] == "First Asker"
    rest = json_of(caller.get(f"/v1/staff/inquiries?handling=open&limit=1&cursor={page['next_cursor']}"))
    assert [i["submission_id"] for i in rest["items"]] == [second]
    listed = [r for r in inquiries.access_records() if r["action"] == "list"]
    assert [r["submission_ids"] for r in listed] == [[first], [second]]
    assert all(r["purposes"] == ["inquiry_response"] for r in listed)


def test_a_reply_is_mailed_kept_sealed_and_marks_the_inquiry_answered(inquiries: InquiriesAws) -> None:
    asked = inquiries.submit("contact-us", email="asker@example.co.kr", inquiry="When can you call?")
    waiting = inquiries.submit("contact-us")
    inquiries.clock.at += timedelta(hours=3)
    caller = inquiries.as_role(Role.STAFF, username="kim.staff")

    response = _reply(caller, asked, "We will call you tomorrow at 10:00. 내일 10시에 연락드리겠습니다.")

    assert response.status_code == 201, response.get_data(as_text=True)
    sent = json_of(response)
    assert sent["handling"]["state"] == "answered"
    mail = sent_mail()[-1]
    assert mail["to"] == ["asker@example.co.kr"]
    assert mail["headers"]["From"] == inquiries.wiring.settings.mail_sender
    assert "We will call you tomorrow at 10:00." in mail["text"]
    assert "When can you call?" in mail["text"]
    assert "문의" in mail["text"]
    # Kept on the record, and only sealed: the reply's text appears nowhere in clear.
    item = inquiries.wiring.ports.dynamodb.get_item(
        TableName=inquiries.wiring.settings.records_table, Key=item_key(tables.RECORDS, asked)
    )["Item"]
    assert b"call you tomorrow" not in json.dumps(item, default=str).encode()
    assert len(item["replies"]["L"]) == 1
    notify = [r for r in inquiries.access_records() if r["action"] == "notify"]
    assert notify
    assert notify[-1]["submission_ids"] == [asked]
    assert notify[-1]["username"] == "kim.staff"

    answered = json_of(caller.get("/v1/staff/inquiries?handling=answered"))["items"]
    assert [i["submission_id"] for i in answered] == [asked]
    assert answered[0]["replies"][0]["body"].startswith("We will call you tomorrow")
    assert answered[0]["waiting_seconds"] == 3 * 3600 + 60  # a minute before the other, answered three hours after it
    still_open = json_of(caller.get("/v1/staff/inquiries?handling=open"))["items"]
    assert [i["submission_id"] for i in still_open] == [waiting]


def test_destroying_the_record_destroys_its_replies(inquiries: InquiriesAws) -> None:
    asked = inquiries.submit("contact-us")
    caller = inquiries.as_role(Role.STAFF)
    assert _reply(caller, asked, "Answer").status_code == 201
    record = inquiries.wiring.ports.store.get(asked)
    assert record is not None
    from policybound.domain.retention.destruction import DestructionReason

    inquiries.wiring.destroyer.destroy(record, DestructionReason.SUBJECT_ERASURE)
    assert inquiries.wiring.ports.store.get_key(asked) is None
    assert _reply(caller, asked, "Again").status_code == 404


def test_replies_only_to_inquiries_collected_for_inquiry_response(inquiries: InquiriesAws) -> None:
    subscriber = inquiries.submit("blog-subscription")
    caller = inquiries.as_role(Role.PI_MANAGER)
    before = len(sent_mail())
    response = _reply(caller, subscriber, "Hello")
    assert response.status_code == 404
    assert _reply(caller, "00000000-0000-4000-8000-000000000000", "Hello").status_code == 404
    assert len(sent_mail()) == before


def test_a_restricted_inquiry_is_not_answered(inquiries: InquiriesAws) -> None:
    asked = inquiries.submit("contact-us")
    assert inquiries.wiring.ports.store.restrict(asked, "request-1")
    before = len(sent_mail())
    response = _reply(inquiries.as_role(Role.STAFF), asked, "Hello")
    assert response.status_code == 409
    assert error_code(response) == "record_not_usable"
    assert len(sent_mail()) == before


def test_handling_notes_in_progress_and_assignee_until_answered(inquiries: InquiriesAws) -> None:
    asked = inquiries.submit("contact-us")
    caller = inquiries.as_role(Role.STAFF, username="lee.staff")
    path = f"/v1/staff/inquiries/{asked}"
    body = {"state": "in_progress", "assignee": "lee.staff"}
    response = caller.patch(path, data=json.dumps(body), headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert json_of(response)["state"] == "in_progress"
    listed = json_of(caller.get("/v1/staff/inquiries?handling=open"))["items"][0]["handling"]
    assert listed["state"] == "in_progress"
    assert listed["assignee"] == "lee.staff"
    assert listed["updated_by"] == "lee.staff"

    answered = {"state": "answered"}
    response = caller.patch(path, data=json.dumps(answered), headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert _reply(caller, asked, "Done").status_code == 201
    response = caller.patch(path, data=json.dumps(body), headers={"Content-Type": "application/json"})
    assert response.status_code == 409


def test_reply_bodies_are_checked(inquiries: InquiriesAws) -> None:
    asked = inquiries.submit("contact-us")
    caller = inquiries.as_role(Role.STAFF)
    assert _reply(caller, asked, "   ").status_code == 422
    assert _reply(caller, asked, "x" * 10_001).status_code == 422
    extra = caller.post(
        f"/v1/staff/inquiries/{asked}/replies",
        data=json.dumps({"body": "Hi", "cc": "someone@example.com"}),
        headers={"Content-Type": "application/json"},
    )
    assert extra.status_code == 422
    assert inquiries.as_role(Role.AUDITOR).get("/v1/staff/inquiries").status_code == 403


def test_one_inquiry_is_read_by_id_with_its_replies_and_the_read_is_recorded(inquiries: InquiriesAws) -> None:
    asked = inquiries.submit("contact-us", name="Single Asker", inquiry="Is there a trial?")
    download = inquiries.submit("resources-download")
    caller = inquiries.as_role(Role.STAFF, username="lee.staff")

    one = json_of(caller.get(f"/v1/staff/inquiries/{asked}"))
    assert one["fields"]["name"] == "Single Asker"
    assert one["handling"]["state"] == "open"
    assert one["replies"] == []
    [read] = [r for r in inquiries.access_records() if r["action"] == "read"]
    assert read["submission_ids"] == [asked]
    assert read["purposes"] == ["inquiry_response"]
    assert read["username"] == "lee.staff"

    assert _reply(caller, asked, "Yes, for 30 days.").status_code == 201
    answered = json_of(caller.get(f"/v1/staff/inquiries/{asked}"))
    assert answered["handling"]["state"] == "answered"
    assert [r["body"] for r in answered["replies"]] == ["Yes, for 30 days."]
    # Not an inquiry, or not there: nothing is read, nothing recorded.
    before = len(inquiries.access_records())
    assert caller.get(f"/v1/staff/inquiries/{download}").status_code in (403, 404)
    assert caller.get("/v1/staff/inquiries/00000000-0000-4000-8000-000000000000").status_code == 404
    assert len(inquiries.access_records()) == before
    assert inquiries.as_role(Role.AUDITOR).get(f"/v1/staff/inquiries/{asked}").status_code == 403
