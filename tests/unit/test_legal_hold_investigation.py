"""A legal hold's investigation reads what the hold keeps (§4.2), and nobody else does.

An erasure refused under a hold ends the record's use at once: every ordinary read answers 404. The
record is kept for the investigation the hold names, so the PI manager may read it, one record at a
time, with purpose=legal_hold and the hold's id, and the access record names the hold.
"""

from __future__ import annotations

import pytest

from policybound.api.staff.auth import Role
from policybound.domain.core.ports import DestroyOutcome
from policybound.domain.retention.legal_holds import LegalHoldService
from tests.support.staff import StaffApi

FIELDS = {"name": "Kim Minji", "email": "minji@example.co.kr"}
CASE = ("2031고단1234", "Seoul Central District Prosecutors' Office preservation order")


def holds_of(api: StaffApi) -> LegalHoldService:
    return api.services.legal_holds


def held_and_erased(api: StaffApi) -> tuple[str, str]:
    submission_id = api.submit("blog-subscription", FIELDS)
    hold = holds_of(api).hold_records([submission_id], *CASE, "sub-manager")
    record = api.store.get(submission_id)
    assert record is not None
    assert api.services.destroyer.erase(record) is DestroyOutcome.HELD
    return submission_id, hold.hold_id


def url(submission_id: str) -> str:
    return f"/v1/staff/submissions/{submission_id}"


def test_a_held_record_whose_use_ended_is_gone_for_every_ordinary_read(staff_api: StaffApi) -> None:
    submission_id, _ = held_and_erased(staff_api)
    for role in (Role.STAFF, Role.PI_MANAGER):
        answer = staff_api.as_role(role).get(url(submission_id), query_string={"purpose": "blog_letter"})
        assert answer.status_code == 404


def test_the_pi_manager_reads_it_for_the_hold_and_the_access_record_names_the_hold(staff_api: StaffApi) -> None:
    submission_id, hold_id = held_and_erased(staff_api)
    before = len(staff_api.access_records())
    answer = staff_api.as_role(Role.PI_MANAGER).get(
        url(submission_id), query_string={"purpose": "legal_hold", "legal_hold_id": hold_id}
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["fields"]["email"] == "minji@example.co.kr"
    assert body["origin"]["source_ip"] == "198.51.100.7"  # the consent proof, for the investigation
    assert answer.headers["Cache-Control"] == "no-store"
    [entry] = staff_api.access_records()[before:]
    assert entry.payload["legal_hold_id"] == hold_id
    assert entry.payload["purposes"] == ["legal_hold"]
    assert entry.payload["submission_ids"] == [submission_id]


def test_a_hold_also_serves_its_investigation_before_any_use_ended(staff_api: StaffApi) -> None:
    submission_id = staff_api.submit("blog-subscription", FIELDS)
    hold = holds_of(staff_api).hold_records([submission_id], *CASE, "sub-manager")
    answer = staff_api.as_role(Role.PI_MANAGER).get(
        url(submission_id), query_string={"purpose": "legal_hold", "legal_hold_id": hold.hold_id}
    )
    assert answer.status_code == 200


@pytest.mark.parametrize("role", [Role.STAFF, Role.AUDITOR])
def test_only_the_pi_manager_reads_for_a_hold(staff_api: StaffApi, role: Role) -> None:
    submission_id, hold_id = held_and_erased(staff_api)
    before = len(staff_api.access_records())
    answer = staff_api.as_role(role).get(
        url(submission_id), query_string={"purpose": "legal_hold", "legal_hold_id": hold_id}
    )
    assert answer.status_code == 403
    assert "minji" not in answer.get_data(as_text=True)
    assert len(staff_api.access_records()) == before


def test_the_hold_must_be_named_active_and_hold_the_record(staff_api: StaffApi) -> None:
    submission_id, hold_id = held_and_erased(staff_api)
    other = staff_api.submit("contact-us", {**FIELDS, "contact": "010-1234-5678", "inquiry": "A question"})
    manager = staff_api.as_role(Role.PI_MANAGER)

    assert manager.get(url(submission_id), query_string={"purpose": "legal_hold"}).status_code == 403
    unknown = {"purpose": "legal_hold", "legal_hold_id": "no-such-hold"}
    assert manager.get(url(submission_id), query_string=unknown).status_code == 403
    # The hold holds the erased record, not the other one.
    named = {"purpose": "legal_hold", "legal_hold_id": hold_id}
    assert manager.get(url(other), query_string=named).status_code == 403

    holds_of(staff_api).release(hold_id, "sub-manager")
    assert manager.get(url(submission_id), query_string=named).status_code in {403, 404}


def test_a_hold_reads_one_record_at_a_time_and_its_id_goes_with_its_purpose_only(staff_api: StaffApi) -> None:
    submission_id, hold_id = held_and_erased(staff_api)
    manager = staff_api.as_role(Role.PI_MANAGER)
    listed = manager.get("/v1/staff/submissions", query_string={"purpose": "legal_hold", "legal_hold_id": hold_id})
    assert listed.status_code in {403, 422}
    looked_up = manager.get(
        "/v1/staff/subjects",
        query_string={"email": "minji@example.co.kr", "purpose": "legal_hold", "legal_hold_id": hold_id},
    )
    assert looked_up.status_code in {403, 422}
    misplaced = manager.get(url(submission_id), query_string={"purpose": "blog_letter", "legal_hold_id": hold_id})
    # A hold grants reading for itself only, as a rights request does: another purpose may not name it.
    assert misplaced.status_code == 403
    assert misplaced.get_json()["error"]["details"][0]["field"] == "query.legal_hold_id"
    # Refused before any record was touched: nothing read, nothing recorded.
    assert staff_api.access_records() == []
