"""Malformed JSON is a 4xx in the error shape on every JSON route, public and staff, never a 500:
each body below once gave 500 internal_error (and tripped the 5xx alarm)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policybound.api.public.app import openapi_json
from policybound.api.staff.app import staff_openapi_json
from policybound.api.staff.permissions import ROUTE_ROLES
from policybound.policy import POLICY_VERSION
from tests.conftest import UnitApi
from tests.support.staff import StaffApi

CODE = '"code": "123456"'
MALFORMED: dict[str, bytes] = {
    "invalid UTF-8": b'{"email": "\xff\xfe@example.com", ' + CODE.encode() + b"}",
    "deep nesting": b'{"fields": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "4,301-digit integer": b'{"email": ' + b"9" * 4301 + b"}",
    "lone surrogate": b'{"email": "\\ud800@example.com", ' + CODE.encode() + b"}",
    "NaN": b'{"email": NaN, ' + CODE.encode() + b"}",
    "Infinity": b'{"limit": Infinity}',
    "huge float": b'{"limit": 1e999}',
    "duplicate keys": b'{"email": "a@example.com", "email": "b@example.com", ' + CODE.encode() + b"}",
}


def json_operations(document: str) -> list[tuple[str, str]]:
    paths = json.loads(document)["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def concrete(path: str) -> str:
    return path.replace("{", "").replace("}", "")


def assert_refused(response: Any, label: str) -> None:
    assert 400 <= response.status_code < 500, f"{label}: {response.status_code} {response.get_data(as_text=True)}"
    body = json.loads(response.get_data(as_text=True))
    assert set(body["error"]) >= {"code", "message", "details"}, label
    assert body["error"]["code"] != "internal_error"


def test_every_public_json_route_refuses_each_malformed_body(unit_api: UnitApi) -> None:
    from policybound.api.public.app import create_app

    operations = json_operations(openapi_json(create_app()))
    assert len(operations) >= 6
    for method, path in operations:
        for name, body in MALFORMED.items():
            response = unit_api.client.open(
                concrete(path), method=method, data=body, headers={"Content-Type": "application/json"}
            )
            assert_refused(response, f"{method} {path} with {name}")
    assert unit_api.store.records == {}


def test_every_staff_json_route_refuses_each_malformed_body(staff_api: StaffApi) -> None:
    operations = json_operations(staff_openapi_json(staff_api.app))
    assert len(operations) >= 6
    for method, path in operations:
        roles = ROUTE_ROLES[(method, path.replace("{", "<").replace("}", ">"))]
        caller = staff_api.as_role(sorted(roles)[0])
        for name, body in MALFORMED.items():
            response = caller.open(concrete(path), method, data=body, headers={"Content-Type": "application/json"})
            assert_refused(response, f"{method} {path} with {name}")


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_form_with_a_malformed_body_is_invalid_json_and_nothing_is_stored(unit_api: UnitApi, name: str) -> None:
    response = unit_api.client.post(
        "/v1/forms/contact-us", data=MALFORMED[name], headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert json.loads(response.get_data(as_text=True))["error"]["code"] == "invalid_json"
    assert unit_api.store.records == {}


def test_a_valid_body_still_passes_the_guard(unit_api: UnitApi) -> None:
    from tests.conftest import submission

    response = unit_api.client.post("/v1/forms/contact-us", json=submission("contact-us"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert POLICY_VERSION in response.get_data(as_text=True)
