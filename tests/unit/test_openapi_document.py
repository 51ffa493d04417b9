"""The merged OpenAPI document (local mode's /openapi.json) names and groups every operation the way a
generated client needs: a short, stable camelCase operation id and one of the agreed tags."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest

from local.server import merge_openapi
from policybound.api.openapi import Tag
from policybound.api.public.app import create_app, openapi_json
from policybound.api.staff.app import create_staff_app, staff_openapi_json

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
# camelCase, starting with a verb-like lower-case word; short enough to read as a function name.
OPERATION_ID = re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$")
MAX_OPERATION_ID = 40


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    merged = merge_openapi(openapi_json(create_app()), staff_openapi_json(create_staff_app()))
    return dict(json.loads(merged))


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_has_a_short_camel_case_id(document: dict[str, Any]) -> None:
    bad = {
        route: operation.get("operationId")
        for route, operation in operations(document)
        if not OPERATION_ID.match(operation.get("operationId") or "")
        or len(operation["operationId"]) > MAX_OPERATION_ID
    }
    assert not bad, f"give these routes a short camelCase operation_id: {bad}"


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    counts = Counter(operation.get("operationId") for _, operation in operations(document))
    assert not {name: n for name, n in counts.items() if n > 1}


def test_every_operation_has_one_agreed_tag(document: dict[str, Any]) -> None:
    agreed = {tag.value for tag in Tag}
    bad = {
        route: operation.get("tags")
        for route, operation in operations(document)
        if len(operation.get("tags") or []) != 1 or not set(operation["tags"]) <= agreed
    }
    assert not bad, f"tag these routes with one of {sorted(agreed)}: {bad}"


def test_the_tags_used_are_described_in_the_document(document: dict[str, Any]) -> None:
    described = {tag["name"]: tag.get("description") for tag in document.get("tags", [])}
    used = {tag for _, operation in operations(document) for tag in operation.get("tags", [])}
    assert used <= set(described)
    assert all(described[tag] for tag in used)


def test_staff_routes_carry_staff_tags_and_public_routes_do_not(document: dict[str, Any]) -> None:
    for route, operation in operations(document):
        is_staff = route.split(" ", 1)[1].startswith("/v1/staff/")
        assert operation["tags"][0].startswith("Staff ") == is_staff, route


def test_the_form_and_policy_operations_keep_their_names(document: dict[str, Any]) -> None:
    # Website code and the embedding guide call these by name: renaming one breaks their clients.
    ids = {route: operation["operationId"] for route, operation in operations(document)}
    assert ids["GET /v1/policy"] == "getPolicy"
    assert ids["POST /v1/forms/contact-us"] == "submitContactUs"
    assert ids["POST /v1/forms/resources-download"] == "submitResourcesDownload"
    assert ids["POST /v1/forms/blog-subscription"] == "submitBlogSubscription"
    assert ids["POST /v1/cookie-consents"] == "recordCookieConsent"


def test_every_error_answer_is_documented_in_the_one_error_shape(document: dict[str, Any]) -> None:
    # A generated client parses each status with the schema the document gives it.
    wrong = {
        f"{route} {status}": content.get("application/json", {}).get("schema")
        for route, operation in operations(document)
        for status, response in operation.get("responses", {}).items()
        if int(status) >= 400 and (content := response.get("content", {}))
        if content.get("application/json", {}).get("schema") != {"$ref": "#/components/schemas/ErrorOut"}
    }
    assert wrong == {}
    assert "HTTPValidationError" not in json.dumps(document)


def test_each_app_keeps_its_own_schemas_in_the_merged_document() -> None:
    # One name for two different schemas would point one app's operations at the other's models.
    public, staff = json.loads(openapi_json(create_app())), json.loads(staff_openapi_json(create_staff_app()))
    merged = json.loads(merge_openapi(json.dumps(public), json.dumps(staff)))
    for document in (public, staff):
        for name, schema in document["components"]["schemas"].items():
            assert merged["components"]["schemas"][name] == schema, name


def test_merging_refuses_one_name_for_two_different_schemas() -> None:
    def one(schema: dict[str, Any]) -> str:
        return json.dumps({"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"RecordsOut": schema}}})

    assert json.loads(merge_openapi(one({"type": "object"}), one({"type": "object"})))["components"]["schemas"]
    with pytest.raises(ValueError, match="RecordsOut"):
        merge_openapi(one({"type": "object"}), one({"type": "array"}))
