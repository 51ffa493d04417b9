"""Purpose-limited reads through the staff routes, over fakes: what each purpose may see, access
records for every read, and nothing handed over when the access record cannot be written."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from policybound.api.staff.auth import Role
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft, LedgerEntry
from policybound.domain.core.model import RecordStatus
from tests.conftest import VALID_FIELDS
from tests.support.staff import StaffApi, error_code, json_of

INQUIRY = VALID_FIELDS["contact-us"]
DOWNLOAD = VALID_FIELDS["resources-download"]
SUBSCRIBER = VALID_FIELDS["blog-subscription"]


def set_status(staff_api: StaffApi, submission_id: str, status: str) -> None:
    record = staff_api.store.records[submission_id]
    staff_api.store.records[submission_id] = replace(record, status=RecordStatus(status))


def pi_values() -> list[str]:
    return [v for fields in VALID_FIELDS.values() for v in fields.values()]


def test_staff_see_the_inquiry_they_must_answer_and_the_read_is_recorded_without_pi(staff_api: StaffApi) -> None:
    inquiry_id = staff_api.submit("contact-us", INQUIRY)
    response = staff_api.as_role(Role.STAFF, username="park.staff", user_id="u-park").get(
        "/v1/staff/submissions", query_string={"form": "contact-us"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = json_of(response)
    assert [item["submission_id"] for item in body["items"]] == [inquiry_id]
    item = body["items"][0]
    assert item["fields"]["inquiry"] == INQUIRY["inquiry"]
    assert item["purpose"] == "inquiry_response"
    assert item["origin"] is None  # the submitter's IP is consent proof, not needed to answer

    (record,) = staff_api.access_records()
    assert record.payload["user_id"] == "u-park"
    assert record.payload["username"] == "park.staff"
    assert record.payload["source_ip"] == "127.0.0.1"
    assert record.payload["action"] == "list"
    assert record.payload["purposes"] == ["inquiry_response"]
    assert record.payload["submission_ids"] == [inquiry_id]
    assert record.payload["route"] == "GET /v1/staff/submissions"
    assert record.payload["retain_until"] == "2028-11-30"
    stored = json.dumps(record.payload, ensure_ascii=False)
    for value in pi_values():
        assert value not in stored


def test_one_submission_is_read_for_its_form_purpose_and_refused_for_another(staff_api: StaffApi) -> None:
    inquiry_id = staff_api.submit("contact-us", INQUIRY)
    caller = staff_api.as_role(Role.STAFF)
    ok = caller.get(f"/v1/staff/submissions/{inquiry_id}")
    assert ok.status_code == 200
    assert json_of(ok)["fields"]["email"] == INQUIRY["email"]

    refused = caller.get(f"/v1/staff/submissions/{inquiry_id}", query_string={"purpose": "email_marketing"})
    assert refused.status_code == 403
    assert error_code(refused) == "forbidden"
    assert INQUIRY["email"] not in refused.get_data(as_text=True)
    assert [r.payload["action"] for r in staff_api.access_records()] == ["read"]


def test_a_form_cannot_be_listed_for_a_purpose_it_was_not_collected_for(staff_api: StaffApi) -> None:
    staff_api.submit("contact-us", INQUIRY)
    response = staff_api.as_role(Role.STAFF).get(
        "/v1/staff/submissions", query_string={"form": "contact-us", "purpose": "blog_letter"}
    )
    assert response.status_code == 403
    assert staff_api.access_records() == []


def test_listing_by_purpose_spans_only_the_forms_collected_for_it(staff_api: StaffApi) -> None:
    staff_api.submit("contact-us", INQUIRY)
    download_id = staff_api.submit("resources-download", DOWNLOAD, marketing=True)
    staff_api.submit("resources-download", DOWNLOAD | {"email": "other@example.co.kr"})  # no marketing consent
    staff_api.submit("blog-subscription", SUBSCRIBER)
    response = staff_api.as_role(Role.STAFF).get("/v1/staff/submissions", query_string={"purpose": "email_marketing"})
    assert [item["submission_id"] for item in json_of(response)["items"]] == [download_id]


def test_restricted_records_are_only_read_for_the_subjects_own_request(staff_api: StaffApi) -> None:
    inquiry_id = staff_api.submit("contact-us", INQUIRY)
    set_status(staff_api, inquiry_id, "restricted")
    caller = staff_api.as_role(Role.STAFF)

    assert caller.get(f"/v1/staff/submissions/{inquiry_id}").status_code == 403
    assert json_of(caller.get("/v1/staff/submissions", query_string={"form": "contact-us"}))["items"] == []

    request_id = staff_api.open_rights_request(INQUIRY["email"])
    granted = {"purpose": "rights_request", "rights_request_id": request_id}
    manager = staff_api.as_role(Role.PI_MANAGER)
    listed = manager.get("/v1/staff/submissions", query_string={"status": "restricted"} | granted)
    assert [item["submission_id"] for item in json_of(listed)["items"]] == [inquiry_id]
    read = manager.get(f"/v1/staff/submissions/{inquiry_id}", query_string=granted)
    assert read.status_code == 200
    assert json_of(read)["origin"]["source_ip"] == "198.51.100.7"  # the subject may see their consent proof
    assert caller.get("/v1/staff/submissions", query_string={"status": "restricted"}).status_code == 403


def test_records_awaiting_a_legal_representative_are_for_the_pi_manager_only(staff_api: StaffApi) -> None:
    inquiry_id = staff_api.submit("contact-us", INQUIRY)
    set_status(staff_api, inquiry_id, "pending_guardian")
    query = {"purpose": "rights_request", "rights_request_id": staff_api.open_rights_request(INQUIRY["email"])}
    assert (
        staff_api.as_role(Role.STAFF).get(f"/v1/staff/submissions/{inquiry_id}", query_string=query).status_code == 403
    )
    manager = staff_api.as_role(Role.PI_MANAGER).get(f"/v1/staff/submissions/{inquiry_id}", query_string=query)
    assert manager.status_code == 200


def test_expired_records_are_gone_for_staff(staff_api: StaffApi) -> None:
    inquiry_id = staff_api.submit("contact-us", INQUIRY)
    staff_api.clock.at += timedelta(days=61 * 31)
    caller = staff_api.as_role(Role.STAFF)
    assert caller.get(f"/v1/staff/submissions/{inquiry_id}").status_code == 404
    assert json_of(caller.get("/v1/staff/submissions"))["items"] == []


def test_marketing_audience_holds_subscribers_and_not_inquirers(staff_api: StaffApi) -> None:
    staff_api.submit("contact-us", INQUIRY)
    download_id = staff_api.submit("resources-download", DOWNLOAD, marketing=True)
    # Without its own marketing consent a download is kept for delivering the resource only.
    staff_api.submit("resources-download", DOWNLOAD | {"email": "no-marketing@example.co.kr"}, marketing=False)
    subscriber_id = staff_api.submit("blog-subscription", SUBSCRIBER)
    restricted_id = staff_api.submit("blog-subscription", SUBSCRIBER | {"email": "restricted@example.co.kr"})
    guardian_id = staff_api.submit("blog-subscription", SUBSCRIBER | {"email": "child@example.co.kr"})
    set_status(staff_api, restricted_id, "restricted")
    set_status(staff_api, guardian_id, "pending_guardian")

    response = staff_api.as_role(Role.STAFF).get("/v1/staff/marketing-audience")
    assert response.status_code == 200
    members = {m["submission_id"]: m for m in json_of(response)["items"]}
    assert set(members) == {download_id, subscriber_id}
    assert members[subscriber_id] == {
        "submission_id": subscriber_id,
        "form": "blog-subscription",
        "purposes": ["blog_letter"],
        "name": SUBSCRIBER["name"],
        "email": SUBSCRIBER["email"],
    }
    assert members[download_id]["purposes"] == ["email_marketing"]
    assert INQUIRY["email"] not in response.get_data(as_text=True)
    (record,) = staff_api.access_records()
    assert record.payload["action"] == "export"
    assert record.payload["count"] == 2
    assert record.payload["submission_ids"] in ([download_id, subscriber_id], [subscriber_id, download_id])


def test_marketing_audience_for_one_purpose_and_never_for_another(staff_api: StaffApi) -> None:
    staff_api.submit("resources-download", DOWNLOAD, marketing=True)
    subscriber_id = staff_api.submit("blog-subscription", SUBSCRIBER)
    caller = staff_api.as_role(Role.STAFF)
    letters = caller.get("/v1/staff/marketing-audience", query_string={"purpose": "blog_letter"})
    assert [m["submission_id"] for m in json_of(letters)["items"]] == [subscriber_id]
    assert caller.get("/v1/staff/marketing-audience", query_string={"purpose": "inquiry_response"}).status_code == 403


def test_pages_cover_every_record_once_newest_first(staff_api: StaffApi) -> None:
    ids = [staff_api.submit(form, VALID_FIELDS[form]) for form in ["contact-us", "blog-subscription"] * 3]
    caller = staff_api.as_role(Role.PI_MANAGER)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        body = json_of(caller.get("/v1/staff/submissions", query_string=query))
        seen += [item["submission_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        pages += 1
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    assert pages <= 4


def test_a_forged_cursor_is_refused_in_the_error_shape(staff_api: StaffApi) -> None:
    response = staff_api.as_role(Role.STAFF).get("/v1/staff/submissions", query_string={"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert json_of(response)["error"]["details"] == [
        {"field": "query.cursor", "problem": "is not a cursor of this listing"}
    ]


def test_subject_lookup_finds_every_record_of_the_address_through_the_blind_index(staff_api: StaffApi) -> None:
    first = staff_api.submit("contact-us", INQUIRY)
    second = staff_api.submit("blog-subscription", SUBSCRIBER | {"email": INQUIRY["email"]})
    staff_api.submit("blog-subscription", SUBSCRIBER)
    other_spelling = INQUIRY["email"].replace("example", "EXAMPLE")  # the same mailbox
    response = staff_api.as_role(Role.STAFF).get("/v1/staff/subjects", query_string={"email": other_spelling})
    assert response.status_code == 200
    body = json_of(response)
    assert {item["submission_id"] for item in body["items"]} == {first, second}
    assert body["count"] == 2
    (record,) = staff_api.access_records()
    assert record.payload["action"] == "lookup"
    assert record.payload["purposes"] == ["blog_letter", "inquiry_response"]  # each record's own purpose
    assert INQUIRY["email"] not in json.dumps(record.payload)


def test_an_invalid_address_is_refused_without_echoing_it(staff_api: StaffApi) -> None:
    response = staff_api.as_role(Role.STAFF).get("/v1/staff/subjects", query_string={"email": "kim minji at example"})
    assert response.status_code == 422
    assert "kim minji" not in response.get_data(as_text=True)


def test_nothing_is_handed_over_when_the_access_record_cannot_be_written(
    staff_api: StaffApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_api.submit("contact-us", INQUIRY)

    def unavailable(draft: LedgerDraft) -> LedgerEntry:
        raise Unavailable("DynamoDB")

    monkeypatch.setattr(staff_api.ledger, "append", unavailable)
    response = staff_api.as_role(Role.STAFF).get("/v1/staff/submissions")
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    for value in INQUIRY.values():
        assert value not in text


def test_auditors_do_not_read_pi(staff_api: StaffApi) -> None:
    inquiry_id = staff_api.submit("contact-us", INQUIRY)
    caller = staff_api.as_role(Role.AUDITOR)
    for path in ["/v1/staff/submissions", f"/v1/staff/submissions/{inquiry_id}", "/v1/staff/marketing-audience"]:
        assert caller.get(path).status_code == 403
    assert staff_api.access_records() == []
