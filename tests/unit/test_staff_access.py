"""The staff API's one access check: identity from the authorizer's claims, then the route × role table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from policybound.api.paths import registered_routes
from policybound.api.staff.auth import Role, parse_groups
from policybound.api.staff.permissions import ROUTE_ROLES
from tests.support.staff import StaffClient, error_code, json_of


def test_no_token_is_unauthorized_in_the_api_error_shape(staff_api: StaffClient) -> None:
    response = staff_api.anonymous.get("/v1/staff/me")
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"


def test_event_without_authorizer_claims_is_refused_by_the_function_itself(staff_api: StaffClient) -> None:
    # A call that bypassed the authorizer (e.g. a direct invoke) carries no claims: still no access.
    event = {
        "resource": "/v1/staff/me",
        "path": "/v1/staff/me",
        "httpMethod": "GET",
        "headers": {"Authorization": "anything"},
        "requestContext": {"identity": {"sourceIp": "203.0.113.9"}},
        "body": None,
        "isBase64Encoded": False,
    }
    result = staff_api.app.resolve(event, None)  # type: ignore[arg-type]
    assert result["statusCode"] == 401


def test_signed_in_caller_sees_their_identity(staff_api: StaffClient) -> None:
    response = staff_api.as_role(Role.AUDITOR, username="lee.audit", user_id="u-42").get("/v1/staff/me")
    assert response.status_code == 200
    me = json_of(response)
    assert {k: me[k] for k in ("user_id", "username", "groups")} == {
        "user_id": "u-42",
        "username": "lee.audit",
        "groups": ["auditor"],
    }


@pytest.mark.parametrize("role", list(Role))
def test_me_lists_exactly_the_routes_the_callers_groups_open(staff_api: StaffClient, role: Role) -> None:
    me = json_of(staff_api.as_role(role).get("/v1/staff/me"))
    assert me["routes"] == sorted(f"{method} {path}" for (method, path), roles in ROUTE_ROLES.items() if role in roles)
    # Each listed route is really open to the caller: none of them answers 403 for this role.
    assert ("GET", "/v1/staff/ledger/verify") in ROUTE_ROLES
    assert ("GET /v1/staff/ledger/verify" in me["routes"]) == (role is Role.AUDITOR)
    assert ("GET /v1/staff/users" in me["routes"]) == (role is Role.PI_MANAGER)


def test_me_tells_the_session_limits(staff_api: StaffClient) -> None:
    signed_in = int(staff_api.clock.now().timestamp()) - 600
    me = json_of(staff_api.as_role(Role.STAFF, auth_time=signed_in).get("/v1/staff/me"))
    assert me["idle_limit_seconds"] == 30 * 60
    ends = datetime.fromisoformat(me["session_ends_at"])
    assert ends.timestamp() == signed_in + 12 * 3600
    assert ends.utcoffset() == timedelta(hours=9)


def test_sign_out_ends_the_session_and_only_that_session(staff_api: StaffClient) -> None:
    now = int(staff_api.clock.now().timestamp())
    caller = staff_api.as_role(Role.STAFF, user_id="u-7", auth_time=now)
    other_sign_in = staff_api.as_role(Role.STAFF, user_id="u-7", auth_time=now - 60)
    assert caller.get("/v1/staff/me").status_code == 200
    assert other_sign_in.get("/v1/staff/me").status_code == 200
    assert caller.delete("/v1/staff/session").status_code == 204
    refused = caller.get("/v1/staff/me")
    assert refused.status_code == 401
    assert "signed out" in json_of(refused)["error"]["message"]
    assert caller.delete("/v1/staff/session").status_code == 401
    # Signing out of one session leaves the member's other sign-ins alone.
    assert other_sign_in.get("/v1/staff/me").status_code == 200


def test_caller_in_no_group_is_forbidden(staff_api: StaffClient) -> None:
    response = staff_api.as_role().get("/v1/staff/me")
    assert response.status_code == 403
    assert error_code(response) == "forbidden"


def test_a_route_missing_from_the_table_is_refused_to_every_role(staff_api: StaffClient) -> None:
    @staff_api.app.get("/v1/staff/unlisted")
    def unlisted() -> dict[str, str]:
        return {"leak": "yes"}

    for role in Role:
        response = staff_api.as_role(role).get("/v1/staff/unlisted")
        assert response.status_code == 403, role
        assert "leak" not in response.get_data(as_text=True)


def test_every_registered_staff_route_is_in_the_table_and_every_row_is_a_route(staff_api: StaffClient) -> None:
    registered = {(route.method, route.path) for route in registered_routes(staff_api.app)}
    registered = {key for key in registered if key[0] != "OPTIONS"}
    assert registered == set(ROUTE_ROLES)


@pytest.mark.parametrize(
    ("raw", "roles"),
    [
        ("pi_manager,staff", {Role.PI_MANAGER, Role.STAFF}),
        ("[auditor staff]", {Role.AUDITOR, Role.STAFF}),
        (["auditor"], {Role.AUDITOR}),
        ("admins,auditor", {Role.AUDITOR}),
        ("", set()),
        (None, set()),
    ],
)
def test_groups_claim_is_read_in_every_shape_the_authorizer_uses(raw: object, roles: set[Role]) -> None:
    assert parse_groups(raw) == roles
