"""Grants, changes and revocations of staff groups: made in the user pool, recorded for three years; the
staff gate asks the pool for each caller's current groups, so a revocation made anywhere holds at once."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from policybound.api import dependencies
from policybound.api.staff.auth import Role
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft, LedgerEntry, LedgerKind
from policybound.domain.staff.actor import STAFF_GROUPS
from tests.support.staff import StaffApi, error_code, json_of


def rights_entries(staff_api: StaffApi) -> list[LedgerEntry]:
    return list(staff_api.ledger.chains.get(LedgerKind.ACCESS_RIGHTS, []))


def test_role_names_match_the_user_pool_groups() -> None:
    assert sorted(role.value for role in Role) == sorted(STAFF_GROUPS)


def test_manager_grants_a_group_and_the_grant_is_recorded(staff_api: StaffApi) -> None:
    staff_api.directory.add("choi")
    manager = staff_api.as_role(Role.PI_MANAGER, username="manager", user_id="u-manager")
    response = manager.post("/v1/staff/users/choi/groups", json={"group": "staff", "reference": "HR-2026-114"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert json_of(response)["groups"] == ["staff"]
    assert staff_api.directory.calls == [("add", "choi", "staff")]
    (entry,) = rights_entries(staff_api)
    assert entry.payload == {
        "action": "grant",
        "user_id": "sub-choi",
        "username": "choi",
        "added": ["staff"],
        "removed": [],
        "groups_before": [],
        "groups_after": ["staff"],
        "by_user_id": "u-manager",
        "by_username": "manager",
        "source_ip": "127.0.0.1",
        "reference": "HR-2026-114",
        "retain_until": "2029-11-30",
    }


def test_change_and_revocation_are_recorded(staff_api: StaffApi) -> None:
    staff_api.directory.add("choi", "staff")
    manager = staff_api.as_role(Role.PI_MANAGER)
    changed = manager.put("/v1/staff/users/choi/groups", json={"groups": ["auditor"], "reference": "HR-1"})
    assert json_of(changed)["groups"] == ["auditor"]
    revoked = manager.delete("/v1/staff/users/choi/groups/auditor", query_string={"reference": "HR-2"})
    assert json_of(revoked)["groups"] == []
    assert [(e.payload["action"], e.payload["added"], e.payload["removed"]) for e in rights_entries(staff_api)] == [
        ("change", ["auditor"], ["staff"]),
        ("revoke", [], ["auditor"]),
    ]
    listed = {item["username"]: item for item in json_of(manager.get("/v1/staff/users"))["items"]}
    assert listed["choi"] == {"user_id": "sub-choi", "username": "choi", "groups": [], "enabled": True}


def test_nobody_changes_their_own_rights(staff_api: StaffApi) -> None:
    staff_api.directory.add("manager", "pi_manager")
    response = staff_api.as_role(Role.PI_MANAGER, username="manager", user_id="sub-manager").post(
        "/v1/staff/users/manager/groups", json={"group": "auditor", "reference": "HR-3"}
    )
    assert response.status_code == 403
    assert staff_api.directory.calls == []
    assert rights_entries(staff_api) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"group": "admins", "reference": "HR-4"}, "group"),
        ({"group": "staff", "reference": "call Kim at 010-1234-5678"}, "reference"),
        ({"group": "staff"}, "reference"),
    ],
)
def test_bad_grants_are_refused_and_change_nothing(staff_api: StaffApi, body: dict[str, str], field: str) -> None:
    staff_api.directory.add("choi")
    response = staff_api.as_role(Role.PI_MANAGER).post("/v1/staff/users/choi/groups", json=body)
    assert response.status_code == 422
    assert field in {d["field"] for d in json_of(response)["error"]["details"]}
    assert staff_api.directory.calls == []


def test_unknown_account_is_not_found(staff_api: StaffApi) -> None:
    response = staff_api.as_role(Role.PI_MANAGER).post(
        "/v1/staff/users/nobody/groups", json={"group": "staff", "reference": "HR-5"}
    )
    assert response.status_code == 404


def test_a_change_that_cannot_be_recorded_is_undone(staff_api: StaffApi, monkeypatch: pytest.MonkeyPatch) -> None:
    staff_api.directory.add("choi", "auditor")

    def unavailable(draft: LedgerDraft) -> LedgerEntry:
        raise Unavailable("DynamoDB")

    monkeypatch.setattr(staff_api.ledger, "append", unavailable)
    response = staff_api.as_role(Role.PI_MANAGER).put(
        "/v1/staff/users/choi/groups", json={"groups": ["staff"], "reference": "HR-6"}
    )
    assert response.status_code == 503
    assert staff_api.directory.accounts["choi"].groups == {"auditor"}


def test_only_the_pi_manager_manages_access(staff_api: StaffApi) -> None:
    staff_api.directory.add("choi")
    for role in (Role.STAFF, Role.AUDITOR):
        caller = staff_api.as_role(role)
        assert caller.post("/v1/staff/users/choi/groups", json={"group": "staff", "reference": "X"}).status_code == 403
        assert caller.get("/v1/staff/users").status_code == 403
    assert error_code(staff_api.as_role(Role.STAFF).get("/v1/staff/users")) == "forbidden"
    assert json.dumps(staff_api.directory.calls) == "[]"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("DELETE", "/v1/staff/users/choi/groups/staff", None),
        ("PUT", "/v1/staff/users/choi/groups", {"groups": ["auditor"], "reference": "HR-9"}),
    ],
)
def test_a_member_who_loses_a_group_is_refused_at_once_with_the_token_they_hold(
    staff_api: StaffApi, method: str, path: str, body: dict[str, object] | None
) -> None:
    staff_api.directory.add("choi", "staff")
    signed_in_earlier = int(staff_api.clock.now().timestamp()) - 60
    member = staff_api.as_role(Role.STAFF, username="choi", user_id="sub-choi", auth_time=signed_in_earlier)
    assert member.get("/v1/staff/submissions").status_code == 200
    manager = staff_api.as_role(Role.PI_MANAGER)
    changed = manager.open(method, path, json=body, query_string={"reference": "HR-9"})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    # The token still names the old group and has not expired; it is refused all the same.
    refused = member.get("/v1/staff/submissions")
    assert refused.status_code == 401
    assert error_code(refused) == "unauthorized"
    assert member.get("/v1/staff/me").status_code == 401
    assert ("sign_out", "choi", "") in staff_api.directory.calls
    # A sign-in after the change works, with the groups the user pool gives now (none: no staff route).
    staff_api.clock.at += timedelta(seconds=1)
    now_in = sorted(staff_api.directory.accounts["choi"].groups)
    again = staff_api.as_role(*now_in, username="choi", user_id="sub-choi")
    assert again.get("/v1/staff/me").status_code == (200 if now_in else 403)


def test_a_grant_ends_no_session(staff_api: StaffApi) -> None:
    staff_api.directory.add("choi", "staff")
    member = staff_api.as_role(Role.STAFF, username="choi", user_id="sub-choi")
    staff_api.as_role(Role.PI_MANAGER).post("/v1/staff/users/choi/groups", json={"group": "auditor", "reference": "HR"})
    assert member.get("/v1/staff/submissions").status_code == 200
    assert not [call for call in staff_api.directory.calls if call[0] == "sign_out"]


def test_a_group_taken_away_in_the_user_pool_itself_is_refused_at_the_next_request(staff_api: StaffApi) -> None:
    # Removed in the Cognito console or CLI, not through the staff API: no session was ended, no
    # sign-out made; the token still names the group and has not expired.
    staff_api.directory.add("choi", "staff", "auditor")
    member = staff_api.as_role(Role.STAFF, Role.AUDITOR, username="choi", user_id="sub-choi")
    assert member.get("/v1/staff/submissions").status_code == 200
    staff_api.directory.accounts["choi"] = replace(staff_api.directory.accounts["choi"], groups=frozenset({"auditor"}))
    for path in ("/v1/staff/submissions", "/v1/staff/ledger/verify", "/v1/staff/me"):
        refused = member.get(path)
        assert refused.status_code == 401, path
        assert error_code(refused) == "unauthorized"
        assert "sign in again" in json_of(refused)["error"]["message"]
    assert staff_api.directory.calls == []
    # A new sign-in carries the groups the pool gives now: the auditor's routes only.
    fresh = staff_api.as_role(Role.AUDITOR, username="choi", user_id="sub-choi")
    assert fresh.get("/v1/staff/ledger/verify").status_code == 200
    assert fresh.get("/v1/staff/submissions").status_code == 403


@pytest.mark.parametrize("change", ["disabled", "deleted"])
def test_a_disabled_or_deleted_account_is_refused_with_the_token_it_holds(staff_api: StaffApi, change: str) -> None:
    staff_api.directory.add("choi", "staff")
    member = staff_api.as_role(Role.STAFF, username="choi", user_id="sub-choi")
    assert member.get("/v1/staff/me").status_code == 200
    if change == "disabled":
        staff_api.directory.accounts["choi"] = replace(staff_api.directory.accounts["choi"], enabled=False)
    else:
        del staff_api.directory.accounts["choi"]
    assert member.get("/v1/staff/me").status_code == 401


def test_a_group_added_after_sign_in_opens_nothing_until_the_next_sign_in(staff_api: StaffApi) -> None:
    staff_api.directory.add("choi", "staff")
    member = staff_api.as_role(Role.STAFF, username="choi", user_id="sub-choi")
    staff_api.directory.accounts["choi"] = replace(
        staff_api.directory.accounts["choi"], groups=frozenset({"staff", "pi_manager"})
    )
    # The token is still good for what it names; the new group needs a token that names it.
    assert member.get("/v1/staff/submissions").status_code == 200
    refused = member.get("/v1/staff/users")
    assert refused.status_code == 403
    assert "your groups are staff" in json_of(refused)["error"]["message"]


def test_when_the_user_pool_cannot_be_asked_no_staff_route_answers(staff_api: StaffApi) -> None:
    staff_api.submit("contact-us", {"name": "Kim", "email": "kim@example.co.kr", "inquiry": "Hello"})
    member = staff_api.as_role(Role.STAFF, username="choi", user_id="sub-choi")

    class Unreachable:
        def user(self, username: str) -> None:
            raise Unavailable("Cognito")

    staff_api.app.dependency_overrides[dependencies.staff_directory] = Unreachable
    response = member.get("/v1/staff/submissions")
    assert response.status_code == 503
    assert "Kim" not in response.get_data(as_text=True)
