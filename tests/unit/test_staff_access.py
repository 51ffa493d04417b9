"""The staff API's one access check: identity from the authorizer's claims, then the route × role table."""

from __future__ import annotations

import pytest

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
    assert json_of(response) == {"user_id": "u-42", "username": "lee.audit", "groups": ["auditor"]}


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
    registered = {(route.method, route.path) for route in staff_api.app._static_routes + staff_api.app._dynamic_routes}
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
