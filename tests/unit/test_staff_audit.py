"""The ledger for auditors and the monthly access review, through the staff routes and the pure review."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from policybound.api.staff.auth import Role
from policybound.domain.core.errors import ValidationFailed
from policybound.domain.core.ledger import LedgerDraft, LedgerKind, chain
from policybound.domain.staff.access_review import ReviewThresholds, month_bounds, review
from tests.conftest import VALID_FIELDS
from tests.support.staff import StaffApi, error_code, json_of


def read_inquiries(staff_api: StaffApi, times: int = 1) -> None:
    for _ in range(times):
        assert staff_api.as_role(Role.STAFF, user_id="u-staff").get("/v1/staff/submissions").status_code == 200


def test_auditor_and_manager_read_access_records_staff_may_not(staff_api: StaffApi) -> None:
    staff_api.submit("contact-us", VALID_FIELDS["contact-us"])
    read_inquiries(staff_api)
    for role in (Role.AUDITOR, Role.PI_MANAGER):
        response = staff_api.as_role(role).get("/v1/staff/ledger", query_string={"kind": "access"})
        assert response.status_code == 200
        (entry,) = json_of(response)["items"]
        assert entry["kind"] == "access"
        assert entry["seq"] == 1
        assert entry["payload"]["user_id"] == "u-staff"
    refused = staff_api.as_role(Role.STAFF).get("/v1/staff/ledger", query_string={"kind": "access"})
    assert refused.status_code == 403


def test_ledger_pages_by_sequence(staff_api: StaffApi) -> None:
    read_inquiries(staff_api, 5)
    caller = staff_api.as_role(Role.AUDITOR)
    first = json_of(caller.get("/v1/staff/ledger", query_string={"kind": "access", "limit": "3"}))
    assert [e["seq"] for e in first["items"]] == [1, 2, 3]
    rest = json_of(caller.get("/v1/staff/ledger", query_string={"kind": "access", "after": first["next_cursor"]}))
    assert [e["seq"] for e in rest["items"]] == [4, 5]
    assert rest["next_cursor"] is None


def test_unknown_ledger_kind_is_a_validation_error(staff_api: StaffApi) -> None:
    response = staff_api.as_role(Role.AUDITOR).get("/v1/staff/ledger", query_string={"kind": "everything"})
    assert response.status_code == 422
    assert error_code(response) == "validation_failed"


def test_ledger_verifies_and_an_edited_entry_is_named(staff_api: StaffApi) -> None:
    staff_api.submit("contact-us", VALID_FIELDS["contact-us"])
    read_inquiries(staff_api, 3)
    auditor = staff_api.as_role(Role.AUDITOR)
    ok = json_of(auditor.get("/v1/staff/ledger/verify"))
    assert ok["verified"] is True
    access = next(c for c in ok["chains"] if c["kind"] == "access")
    assert access["entries"] == 3
    assert access["head_hash"] == staff_api.ledger.chains[LedgerKind.ACCESS][-1].hash

    entries = staff_api.ledger.chains[LedgerKind.ACCESS]
    entries[1] = replace(entries[1], payload={**entries[1].payload, "submission_ids": []})
    broken = json_of(auditor.get("/v1/staff/ledger/verify"))
    assert broken["verified"] is False
    access = next(c for c in broken["chains"] if c["kind"] == "access")
    assert access["first_break"] == {"seq": 2, "problem": "content does not match its hash (edited)"}
    assert staff_api.as_role(Role.PI_MANAGER).get("/v1/staff/ledger/verify").status_code == 403


def test_a_removed_entry_is_named_too(staff_api: StaffApi) -> None:
    read_inquiries(staff_api, 3)
    del staff_api.ledger.chains[LedgerKind.ACCESS][1]
    broken = json_of(staff_api.as_role(Role.AUDITOR).get("/v1/staff/ledger/verify"))
    access = next(c for c in broken["chains"] if c["kind"] == "access")
    assert access["first_break"]["seq"] == 2
    assert "missing" in access["first_break"]["problem"]


def access_entry(at: datetime, user: str, action: str = "list", ids: int = 1, ip: str = "10.0.0.1") -> LedgerDraft:
    return LedgerDraft(
        kind=LedgerKind.ACCESS,
        at=at,
        payload={
            "user_id": user,
            "username": user.removeprefix("u-"),
            "source_ip": ip,
            "action": action,
            "purposes": ["inquiry_response"],
            "route": "GET /v1/staff/submissions",
            "submission_ids": [f"{user}-{at.isoformat()}-{i}" for i in range(ids)],
            "count": ids,
        },
    )


# 2026-11-10 is a Tuesday; 01:00 UTC is 10:00 in Seoul.
OFFICE = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)


def test_review_flags_a_bulk_export_and_not_ordinary_work() -> None:
    entries = [chain(access_entry(OFFICE + timedelta(minutes=i), "u-kim"), None) for i in range(10)]
    entries.append(chain(access_entry(OFFICE, "u-lee", action="export", ids=80), None))
    result = review("2026-11", entries)
    assert result.entries == 11
    flags = {(f.username, f.flag) for f in result.flags}
    assert ("lee", "bulk_export") in flags
    assert not any(name == "kim" for name, _ in flags)
    lee = next(a for a in result.actors if a.username == "lee")
    assert lee.exported_records == 80


def test_review_flags_volume_far_above_colleagues() -> None:
    entries = [chain(access_entry(OFFICE, f"u-{name}", ids=5), None) for name in ("a", "b", "c")]
    entries += [chain(access_entry(OFFICE + timedelta(seconds=i), "u-d", ids=30), None) for i in range(5)]
    flags = {(f.username, f.flag) for f in review("2026-11", entries).flags}
    assert flags == {("d", "unusual_volume")}


def test_review_flags_after_hours_lookups_and_many_addresses() -> None:
    night = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)  # 00:00 in Seoul
    entries = [chain(access_entry(night, "u-kim"), None)]
    entries += [chain(access_entry(OFFICE, "u-lee", action="lookup", ip=f"10.0.0.{i % 5}"), None) for i in range(60)]
    flags = {(f.username, f.flag) for f in review("2026-11", entries, ReviewThresholds()).flags}
    assert ("kim", "after_hours") in flags
    assert ("lee", "many_lookups") in flags
    assert ("lee", "many_source_ips") in flags


def test_review_counts_only_its_month_in_korea_time() -> None:
    start, end = month_bounds("2026-12")
    assert start.isoformat() == "2026-12-01T00:00:00+09:00"
    assert end.isoformat() == "2027-01-01T00:00:00+09:00"
    inside = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 2026-12-01 00:30 in Seoul
    outside = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)
    result = review("2026-12", [chain(access_entry(inside, "u-a"), None), chain(access_entry(outside, "u-b"), None)])
    assert [a.username for a in result.actors] == ["a"]


def test_review_month_must_be_a_month() -> None:
    with pytest.raises(ValidationFailed):
        month_bounds("2026-13")


def test_access_review_route_reads_the_month_from_the_chain(staff_api: StaffApi) -> None:
    staff_api.submit("contact-us", VALID_FIELDS["contact-us"])
    read_inquiries(staff_api, 2)  # in November (the fixture's clock)
    staff_api.clock.at += timedelta(days=5)  # December in Seoul
    read_inquiries(staff_api, 1)
    body = json_of(staff_api.as_role(Role.AUDITOR).get("/v1/staff/access-review", query_string={"month": "2026-11"}))
    assert body["entries"] == 2
    assert body["actors"][0]["user_id"] == "u-staff"
    december = json_of(
        staff_api.as_role(Role.PI_MANAGER).get("/v1/staff/access-review", query_string={"month": "2026-12"})
    )
    assert december["entries"] == 1
    assert (
        staff_api.as_role(Role.STAFF).get("/v1/staff/access-review", query_string={"month": "2026-11"}).status_code
        == 403
    )
