"""The legal-hold staff routes: pi_manager only, validated, all or nothing, and in the OpenAPI document."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from policybound.api import dependencies
from policybound.api.staff.app import staff_openapi_json
from policybound.api.staff.auth import Role
from policybound.domain.core.ledger import LedgerKind
from tests.support.retention import World

HOLDS = "/v1/staff/legal-holds"
CASE = {"case_reference": "2031고단1234", "reason": "Seoul Central District Prosecutors' Office preservation order"}


@pytest.fixture
def holds_api(staff_api) -> tuple[Any, World]:
    world = World()
    staff_api.app.dependency_overrides[dependencies.legal_hold_service] = lambda: world.holds
    return staff_api, world


def test_the_pi_manager_places_and_releases_a_hold(holds_api) -> None:
    api, world = holds_api
    receipt = world.submit()
    manager = api.as_role(Role.PI_MANAGER, user_id="sub-manager")

    placed = manager.post(HOLDS, json={"submission_ids": [receipt.submission_id], **CASE})
    assert placed.status_code == 201
    body = placed.get_json()
    assert body["hold_id"]
    assert body["status"] == "active"
    assert body["submission_ids"] == [receipt.submission_id]
    assert body["placed_by"] == "sub-manager"

    world.at(receipt.retained_until + timedelta(hours=1))
    assert world.sweeper.run().destroyed == 0

    assert manager.get(f"{HOLDS}/{body['hold_id']}").get_json()["status"] == "active"
    released = manager.delete(f"{HOLDS}/{body['hold_id']}")
    assert released.status_code == 200
    assert released.get_json()["status"] == "released"
    assert released.get_json()["already_released"] is False
    assert manager.delete(f"{HOLDS}/{body['hold_id']}").get_json()["already_released"] is True

    assert world.sweeper.run().destroyed == 1
    assert [e.payload["event"] for e in world.ledger(LedgerKind.LEGAL_HOLD)] == ["placed", "released"]


def test_a_hold_by_email_goes_through_the_blind_index(holds_api) -> None:
    api, world = holds_api
    receipt = world.submit()
    response = api.as_role(Role.PI_MANAGER).post(HOLDS, json={"email": "minji@example.co.kr", **CASE})
    assert response.status_code == 201
    assert response.get_json()["submission_ids"] == [receipt.submission_id]
    assert "minji" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.STAFF, Role.AUDITOR])
def test_other_roles_are_forbidden_and_nothing_is_held(holds_api, role: Role) -> None:
    api, world = holds_api
    receipt = world.submit()
    response = api.as_role(role).post(HOLDS, json={"submission_ids": [receipt.submission_id], **CASE})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert world.store.held == set()


def test_without_a_token_it_is_unauthorized(holds_api) -> None:
    api, _ = holds_api
    assert api.anonymous.post(HOLDS, json={"email": "minji@example.co.kr", **CASE}).status_code == 401


def test_an_unknown_record_is_named_and_nothing_is_held(holds_api) -> None:
    api, world = holds_api
    receipt = world.submit()
    unknown = "00000000-0000-4000-8000-000000000000"
    response = api.as_role(Role.PI_MANAGER).post(
        HOLDS, json={"submission_ids": [receipt.submission_id, unknown], **CASE}
    )
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found"
    assert error["details"] == [{"field": "submission_ids[1]", "problem": "is not a record that is kept"}]
    assert world.store.held == set()
    assert world.ledger(LedgerKind.LEGAL_HOLD) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**CASE}, "body"),
        ({"submission_ids": ["00000000-0000-4000-8000-000000000000"], "email": "a@example.com", **CASE}, "body"),
        ({"submission_ids": [], **CASE}, "submission_ids"),
        ({"submission_ids": ["not-an-id"], **CASE}, "submission_ids.0"),
        ({"email": "a@example.com", "case_reference": "someone@example.com", "reason": "x"}, "case_reference"),
        ({"email": "a@example.com", "case_reference": "C-1"}, "reason"),
        ({"email": "a@example.com", "name": "Kim Minji", **CASE}, "name"),
    ],
)
def test_bad_bodies_are_refused_with_the_field_named(holds_api, body: dict[str, Any], field: str) -> None:
    api, world = holds_api
    response = api.as_role(Role.PI_MANAGER).post(HOLDS, json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert field in [detail["field"] for detail in error["details"]]
    assert "Kim Minji" not in response.get_data(as_text=True)
    assert world.hold_store.holds == {}


def test_releasing_an_unknown_hold_is_not_found(holds_api) -> None:
    api, _ = holds_api
    response = api.as_role(Role.PI_MANAGER).delete(f"{HOLDS}/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404


def test_the_routes_are_documented(holds_api) -> None:
    api, _ = holds_api
    paths = json.loads(staff_openapi_json(api.app))["paths"]
    assert "post" in paths[HOLDS]
    assert {"get", "delete"} <= set(paths[f"{HOLDS}/{{hold_id}}"])
