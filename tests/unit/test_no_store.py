"""Answers that carry PI or secrets are never cached: every staff route (successes and refusals alike)
and the rights routes send Cache-Control: no-store."""

from __future__ import annotations

import pytest

from policybound.api.staff.auth import Role
from policybound.api.staff.permissions import ROUTE_ROLES
from tests.conftest import UnitApi
from tests.support.staff import StaffApi


def concrete(path: str) -> str:
    return path.replace("<", "x-").replace(">", "")


@pytest.mark.parametrize(("method", "path"), sorted(ROUTE_ROLES))
def test_every_staff_route_answer_is_no_store(staff_api: StaffApi, method: str, path: str) -> None:
    allowed = sorted(ROUTE_ROLES[(method, path)])[0]
    for caller in (staff_api.as_role(allowed), staff_api.anonymous):
        response = caller.open(method, concrete(path), json={} if method in ("POST", "PUT", "PATCH") else None)
        assert response.headers.get("Cache-Control") == "no-store", (method, path, response.status_code)


def test_a_staff_read_that_succeeds_is_no_store(staff_api: StaffApi) -> None:
    response = staff_api.as_role(Role.STAFF).get("/v1/staff/submissions")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/rights/sessions", {"email": "minji@example.co.kr", "code": "123456"}),
        ("GET", "/v1/rights/records", None),
        ("DELETE", "/v1/rights/records", None),
        ("PATCH", "/v1/rights/records/x", {"fields": {"name": "Kim"}}),
        ("POST", "/v1/rights/requests", {"email": "bad"}),
    ],
)
def test_rights_answers_are_no_store(unit_api: UnitApi, method: str, path: str, body: object) -> None:
    response = unit_api.client.open(path, method=method, json=body, headers={"Authorization": "Bearer nope"})
    assert response.headers.get("Cache-Control") == "no-store", (method, path, response.status_code)
