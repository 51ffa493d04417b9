"""The OpenAPI document's examples stay valid after a later policy version takes effect: they name the
version in force when the document is generated, so a client (or schemathesis) sending them is not 409."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from policybound import policy
from policybound.api.public.app import create_app, openapi_json
from policybound.domain.core.clock import FixedClock
from tests.conftest import NOW, UnitApi
from tests.support.policy_versions import FIRST, SECOND

# In force on the unit API's clock (2026-11-30).
IN_FORCE = replace(SECOND, version="2026-11-01", announced_on=date(2026, 10, 1), effective_date=date(2026, 11, 1))


def policy_version_examples(node: Any) -> list[Any]:
    found: list[Any] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "policy_version":
                found += [value] if isinstance(value, str) else value.get("examples", [])
            found += policy_version_examples(value)
    elif isinstance(node, list):
        for item in node:
            found += policy_version_examples(item)
    return found


def test_examples_name_the_version_in_force_when_generated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, IN_FORCE))
    before = json.loads(openapi_json(create_app(), FixedClock(NOW.replace(month=10))))
    after = json.loads(openapi_json(create_app(), FixedClock(NOW)))
    # The consent models (forms, cookie banner) and every form's example submission carry one.
    assert len(policy_version_examples(after)) >= 5
    assert set(policy_version_examples(before)) == {FIRST.version}
    assert set(policy_version_examples(after)) == {IN_FORCE.version}
    assert f"(version {IN_FORCE.version})" in after["info"]["description"]


def test_the_documented_form_examples_are_accepted_once_a_second_version_is_in_force(
    unit_api: UnitApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, IN_FORCE))
    document = json.loads(openapi_json(create_app(), unit_api.clock))
    posted = 0
    for path, item in document["paths"].items():
        if not path.startswith("/v1/forms/"):
            continue
        content = item["post"]["requestBody"]["content"]["application/json"]
        examples = content.get("examples") or content["schema"].get("examples")
        if examples is None:
            ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
            examples = document["components"]["schemas"][ref]["examples"]
        for example in examples if isinstance(examples, list) else [e["value"] for e in examples.values()]:
            response = unit_api.client.post(path, json=example)
            assert response.status_code == 201, (path, response.get_json())
            assert response.get_json()["policy_version"] == IN_FORCE.version
            posted += 1
    assert posted >= 3
