"""Breach response (§8): who was involved, notices once per person, the 72-hour clock, no PI recorded."""

from __future__ import annotations

import json
from datetime import timedelta

from policybound import policy
from policybound.api.staff.auth import Role
from policybound.domain.core.ledger import LedgerKind
from tests.conftest import NOW, VALID_FIELDS
from tests.support.staff import StaffApi, incident_body, json_of

INQUIRY = VALID_FIELDS["contact-us"]
SUBSCRIBER = VALID_FIELDS["blog-subscription"]


def incident(**overrides: object) -> dict[str, object]:
    """Discovered ten hours ago: inside the 72 hours the notices are due in."""
    return incident_body(NOW - timedelta(hours=10), **overrides)


def test_involved_subjects_come_from_named_records_and_a_suspect_accounts_access_records(staff_api: StaffApi) -> None:
    inquiry = staff_api.submit("contact-us", INQUIRY)
    same_person = staff_api.submit("blog-subscription", SUBSCRIBER | {"email": INQUIRY["email"]})
    subscriber = staff_api.submit("blog-subscription", SUBSCRIBER)
    untouched = staff_api.submit("blog-subscription", SUBSCRIBER | {"email": "other@example.co.kr"})
    thief = staff_api.as_role(Role.STAFF, user_id="u-stolen")
    assert thief.get(f"/v1/staff/submissions/{subscriber}").status_code == 200

    manager = staff_api.as_role(Role.PI_MANAGER, user_id="u-manager")
    body = incident(
        submission_ids=[inquiry, same_person],
        suspect_access={
            "staff_user_ids": ["u-stolen"],
            "since": (NOW - timedelta(days=1)).isoformat(),
            "until": (NOW + timedelta(hours=1)).isoformat(),
        },
    )
    opened = manager.post("/v1/staff/incidents", json=body)
    assert opened.status_code == 201, opened.get_data(as_text=True)
    view = json_of(opened)
    assert view["involved_submissions"] == 3
    groups = sorted(sorted(s["submission_ids"]) for s in view["subjects"])
    assert groups == sorted([sorted([inquiry, same_person]), [subscriber]])
    assert untouched not in json.dumps(view)
    assert view["clock"]["hours_remaining"] == 62.0
    assert view["clock"]["notify_by"] == "2026-12-03T04:00:00+09:00"
    assert view["clock"]["overdue"] is False


def test_confirming_an_incident_notifies_at_once_once_per_person_without_pi_recorded(staff_api: StaffApi) -> None:
    """§8 "immediately": opening (confirming) the incident sends the notices; 72 hours is only the limit."""
    inquiry = staff_api.submit("contact-us", INQUIRY)
    same_person = staff_api.submit("blog-subscription", SUBSCRIBER | {"email": INQUIRY["email"]})
    subscriber = staff_api.submit("blog-subscription", SUBSCRIBER)
    staff_api.mailer.sent.clear()
    manager = staff_api.as_role(Role.PI_MANAGER)
    opened = manager.post("/v1/staff/incidents", json=incident(submission_ids=[inquiry, same_person, subscriber]))
    assert opened.status_code == 201
    view = json_of(opened)
    incident_id = view["incident_id"]
    assert sorted(mail.to[0] for mail in staff_api.mailer.sent) == sorted([INQUIRY["email"], SUBSCRIBER["email"]])
    assert "stolen" in staff_api.mailer.sent[0].text
    assert view["clock"]["notices_sent_at"] == NOW.astimezone(policy.POLICY_TIMEZONE).isoformat()
    assert view["clock"]["notified_in_time"] is True
    assert all(s["notified"] for s in view["subjects"])

    again = json_of(manager.post(f"/v1/staff/incidents/{incident_id}/notices"))
    assert again == again | {"sent": 0, "already_notified": 2}
    assert len(staff_api.mailer.sent) == 2

    notify_records = [e for e in staff_api.access_records() if e.payload["action"] == "notify"]
    assert len(notify_records) == 2
    assert [e.payload["purposes"] for e in notify_records] == [["incident_response"], ["incident_response"]]
    ledger = json.dumps([e.payload for e in staff_api.ledger.chains[LedgerKind.INCIDENT]], ensure_ascii=False)
    for value in [*INQUIRY.values(), *SUBSCRIBER.values()]:
        assert value not in ledger
    assert [e.payload["event"] for e in staff_api.ledger.chains[LedgerKind.INCIDENT]] == ["opened", "notified"]


def test_the_clock_shows_an_overdue_incident(staff_api: StaffApi) -> None:
    manager = staff_api.as_role(Role.PI_MANAGER)
    opened = json_of(
        manager.post("/v1/staff/incidents", json=incident(discovered_at=(NOW - timedelta(hours=80)).isoformat()))
    )
    assert opened["clock"]["overdue"] is True
    assert opened["clock"]["hours_remaining"] == -8.0
    again = json_of(manager.get(f"/v1/staff/incidents/{opened['incident_id']}"))
    assert again["clock"] == opened["clock"]


def test_a_destroyed_record_is_reported_as_no_longer_held(staff_api: StaffApi) -> None:
    inquiry = staff_api.submit("contact-us", INQUIRY)
    staff_api.store.records.pop(inquiry)
    view = json_of(
        staff_api.as_role(Role.PI_MANAGER).post("/v1/staff/incidents", json=incident(submission_ids=[inquiry]))
    )
    assert view["subjects"] == []
    assert view["no_longer_held"] == [inquiry]


def test_incidents_are_the_pi_managers(staff_api: StaffApi) -> None:
    for role in (Role.STAFF, Role.AUDITOR):
        assert staff_api.as_role(role).post("/v1/staff/incidents", json=incident()).status_code == 403
    assert staff_api.as_role(Role.PI_MANAGER).get("/v1/staff/incidents/nope").status_code == 404


def test_a_discovery_in_the_future_is_refused(staff_api: StaffApi) -> None:
    response = staff_api.as_role(Role.PI_MANAGER).post(
        "/v1/staff/incidents", json=incident(discovered_at=(NOW + timedelta(hours=1)).isoformat())
    )
    assert response.status_code == 422
    assert staff_api.incidents.incidents == {}


def test_notices_that_could_not_go_out_at_opening_stay_owed_and_the_notices_route_sends_them(
    staff_api: StaffApi,
) -> None:
    subscriber = staff_api.submit("blog-subscription", SUBSCRIBER)
    staff_api.mailer.sent.clear()
    staff_api.mailer.fail = True
    manager = staff_api.as_role(Role.PI_MANAGER)
    opened = manager.post("/v1/staff/incidents", json=incident(submission_ids=[subscriber]))
    # The incident is recorded all the same: a retry must not open it twice.
    assert opened.status_code == 201
    view = json_of(opened)
    assert view["clock"]["notices_sent_at"] is None
    assert [s["notified"] for s in view["subjects"]] == [False]
    staff_api.mailer.fail = False
    sent = json_of(manager.post(f"/v1/staff/incidents/{view['incident_id']}/notices"))
    assert sent["sent"] == 1
    assert [mail.to for mail in staff_api.mailer.sent] == [(SUBSCRIBER["email"],)]
