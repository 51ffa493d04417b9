"""Request schemas say what validation enforces, so a generated client or a fuzzer can check a value
before sending it: the policy's maximum lengths as validation measures them, the patterns and formats
of each kind of item, closed sets as enums, and examples that validation accepts.

Schemas are judged as JSON Schema judges them (ECMA-262 patterns, code-point lengths), by the same
engine schemathesis uses, and compared with the normalisers that validation runs."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from local.server import merge_openapi
from policybound.api.public.app import create_app, openapi_json
from policybound.api.staff.app import create_staff_app, staff_openapi_json
from policybound.catalogue import RESOURCES
from policybound.domain.cookies.consents import CookieConsentRequest
from policybound.domain.core.clock import SystemClock
from policybound.domain.core.forms import example_submission, item_schema, item_type, submission_model
from policybound.policy import CONSENTABLE_COOKIE_CATEGORIES, ITEMS, FormId, forms_of, in_force_at

# What the document (made as of now) documents.
IN_FORCE = in_force_at(SystemClock().now())

# Unassigned code points are left out of generation: the two Unicode databases (Python's and the
# schema engine's) may be of different versions; lone surrogates cannot be encoded for the engine.
CHARACTERS = st.characters(exclude_categories=("Cn", "Cs"))
TEXT = (
    st.text(CHARACTERS, max_size=12)
    | st.text(st.sampled_from(" \t\n\r\x00\x07\u200b\u202e\u3000a가é"), max_size=8)
    # The catalogue's ids, as sent and slightly off: the resource_id item is a closed set.
    | st.sampled_from([r.resource_id for r in RESOURCES]).flatmap(
        lambda i: st.sampled_from([i, f" {i}", i.upper(), i[:-1], f"{i}x"])
    )
)


def accepts(name: str, value: str) -> bool:
    """What a form's validation makes of the item's value (its normaliser, and the catalogue for a resource)."""
    try:
        TypeAdapter(item_type(name)).validate_python(value)
    except ValidationError:
        return False
    return True


def schema_accepts(name: str, value: str) -> bool:
    schema: dict[str, Any] = {"type": "string"}
    item_schema(ITEMS[name])(schema)
    return bool(jsonschema_rs.Draft202012Validator(schema, validate_formats=True).is_valid(value))


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    merged: dict[str, Any] = json.loads(
        merge_openapi(openapi_json(create_app()), staff_openapi_json(create_staff_app()))
    )
    return merged


def resolved(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]}, validate_formats=True)


def body_schema(document: dict[str, Any], path: str, method: str = "post") -> dict[str, Any]:
    schema: dict[str, Any] = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return schema


def component(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return found


@pytest.mark.parametrize("form", list(FormId))
def test_each_item_states_the_policys_limit_and_its_kinds_rule(document: dict[str, Any], form: FormId) -> None:
    submission = component(document, body_schema(document, f"/v1/forms/{form.value}"))
    fields = component(document, submission["properties"]["fields"])
    for name in forms_of(IN_FORCE)[form].items:
        item = ITEMS[name]
        field = fields["properties"][name]
        field = next((option for option in field.get("anyOf", [field]) if option.get("type") == "string"), field)
        assert field["maxLength"] == item.max_length, name
        if item.kind == "email":
            assert field["format"] == "email"
        else:
            assert field["pattern"], name
    assert set(fields["required"]) == set(forms_of(IN_FORCE)[form].required_items)
    assert fields["additionalProperties"] is False


@pytest.mark.parametrize("name", ["name", "inquiry", "resource_id"])
@settings(max_examples=300, deadline=None)
@given(value=TEXT)
def test_schema_and_validation_agree_on_text_and_identifiers(name: str, value: str) -> None:
    assert schema_accepts(name, value) == accepts(name, value), repr(value)


@settings(max_examples=300, deadline=None)
@given(value=TEXT | st.from_regex(r"\A\+?\(?(?:[0-9][ ().-]*){8,15}\Z"))
def test_a_phone_number_outside_the_pattern_is_refused(value: str) -> None:
    # Whether a number exists is for phonenumbers to judge; its shape is the pattern's.
    if not schema_accepts("contact", value):
        assert not accepts("contact", value), repr(value)


@pytest.mark.parametrize("name", ["name", "email", "contact", "inquiry", "resource_id"])
def test_the_limit_is_the_policys_measured_on_the_value_as_sent(name: str) -> None:
    item = ITEMS[name]
    too_long = "가" * (item.max_length + 1) if item.kind in ("text", "long_text") else "1" * (item.max_length + 1)
    assert not schema_accepts(name, too_long)
    assert not accepts(name, too_long)
    # Padding that normalisation would remove still counts: the schema and validation count the same.
    padded = "a" * item.max_length + " "
    assert not schema_accepts(name, padded)
    assert not accepts(name, padded)


@pytest.mark.parametrize("form", list(FormId))
def test_each_forms_example_passes_its_schema_and_validation(document: dict[str, Any], form: FormId) -> None:
    schema = body_schema(document, f"/v1/forms/{form.value}")
    examples = component(document, schema)["examples"]
    assert examples == [example_submission(form, IN_FORCE)]
    for example in examples:
        assert resolved(document, schema).is_valid(example)
        submission_model(form, IN_FORCE).model_validate(example)


def test_required_consent_is_stated_as_true_and_required(document: dict[str, Any]) -> None:
    consent = document["components"]["schemas"]["Consent"]
    assert consent["properties"]["required"]["const"] is True
    assert "required" in consent["required"]
    schema = body_schema(document, "/v1/forms/contact-us")
    example = example_submission(FormId.CONTACT_US, IN_FORCE)
    for withheld in (False, None):
        assert not resolved(document, schema).is_valid(
            example | {"consent": example["consent"] | {"required": withheld}}
        )


def test_only_a_child_under_14_names_a_legal_representative(document: dict[str, Any]) -> None:
    schema = resolved(document, body_schema(document, "/v1/forms/contact-us"))
    example = example_submission(FormId.CONTACT_US, IN_FORCE)
    representative = {"name": "Kim Jisoo", "email": "jisoo@example.co.kr"}
    under_14 = example["consent"] | {"under_14": True}
    assert schema.is_valid(example | {"consent": under_14, "legal_representative": representative})
    assert not schema.is_valid(example | {"consent": under_14})
    assert not schema.is_valid(example | {"legal_representative": representative})


def test_every_example_in_the_document_passes_its_own_schema(document: dict[str, Any]) -> None:
    failures = []
    for name, schema in document["components"]["schemas"].items():
        for example in schema.get("examples", []):
            if not resolved(document, schema).is_valid(example):
                failures.append(name)
        for field, property_schema in schema.get("properties", {}).items():
            for example in property_schema.get("examples", []):
                if not resolved(document, property_schema).is_valid(example):
                    failures.append(f"{name}.{field}: {example!r}")
    assert failures == []


def test_cookie_categories_are_a_closed_set_that_agrees_with_the_choice(document: dict[str, Any]) -> None:
    schema = body_schema(document, "/v1/cookie-consents")
    categories = component(document, schema)["properties"]["categories"]
    assert categories["items"]["enum"] == list(CONSENTABLE_COOKIE_CATEGORIES)
    validator = resolved(document, schema)
    version: dict[str, Any] = {"policy_version": "2019-09-20"}
    refused: tuple[dict[str, Any], ...] = (
        {"choice": "none", "categories": ["analytics"]},
        {"choice": "all", "categories": ["analytics"]},
        {"choice": "selected", "categories": ["necessary"]},
    )
    for body in refused:
        assert not validator.is_valid(body | version), body
    accepted: tuple[dict[str, Any], ...] = (
        {"choice": "none"},
        {"choice": "all"},
        {"choice": "all", "categories": list(CONSENTABLE_COOKIE_CATEGORIES)},
        {"choice": "selected", "categories": ["analytics"]},
    )
    for body in accepted:
        assert validator.is_valid(body | version), body
        CookieConsentRequest.model_validate(body | version)


def test_rights_and_visit_bodies_state_their_formats(document: dict[str, Any]) -> None:
    request = component(document, body_schema(document, "/v1/rights/requests"))
    assert request["properties"]["email"]["format"] == "email"
    assert request["properties"]["email"]["maxLength"] == ITEMS["email"].max_length
    visit = resolved(document, body_schema(document, "/v1/visits"))
    assert visit.is_valid({"page": "/contact-us.html"})
    assert not visit.is_valid({"page": "/contact-us.html?token=secret"})
    assert not visit.is_valid({"page": "/", "consent_id": "not-a-consent"})
