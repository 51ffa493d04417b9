"""Request schemas say what validation enforces, so a generated client or a fuzzer can check a value
before sending it: the policy's maximum lengths as validation measures them, the patterns and formats
of each kind of item, closed sets as enums, and examples that validation accepts.

Schemas are judged as JSON Schema judges them (ECMA-262 patterns, code-point lengths), by the same
engine schemathesis uses, and compared with the normalisers that validation runs."""

from __future__ import annotations

import json
from typing import Any, get_args

import jsonschema_rs
import pytest
from aws_lambda_powertools.event_handler.openapi.params import Form
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from local.server import merge_openapi
from policybound.api.paths import registered_routes
from policybound.api.public.app import create_app, openapi_json
from policybound.api.staff.app import create_staff_app, staff_openapi_json
from policybound.api.staff.auth import Role
from policybound.catalogue import RESOURCES
from policybound.domain.cookies.consents import CookieConsentRequest
from policybound.domain.core.clock import SystemClock
from policybound.domain.core.forms import example_submission, item_schema, item_type, submission_model
from policybound.policy import CONSENTABLE_COOKIE_CATEGORIES, ITEMS, FormId, forms_of, in_force_at
from tests.support.staff import StaffApi

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
            # RFC 6531's internationalised addresses (홍길동@example.co.kr) are ones the forms take, and ones
            # JSON Schema's `email` format (RFC 5321, ASCII) refuses.
            assert field["format"] == "idn-email"
            assert resolved(document, field).is_valid("홍길동@회사.한국")
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
    assert request["properties"]["email"]["format"] == "idn-email"
    assert request["properties"]["email"]["maxLength"] == ITEMS["email"].max_length
    visit = resolved(document, body_schema(document, "/v1/visits"))
    assert visit.is_valid({"page": "/contact-us.html"})
    assert not visit.is_valid({"page": "/contact-us.html?token=secret"})
    assert not visit.is_valid({"page": "/", "consent_id": "not-a-consent"})


def _body_models() -> list[type[BaseModel]]:
    """Every model a route validates a JSON body with, and the models nested in them."""
    found: dict[type[BaseModel], None] = {}

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in found:
            found[annotation] = None
            for field in annotation.model_fields.values():
                visit(field.annotation)
        for argument in get_args(annotation):
            visit(argument)

    for app in (create_app(), create_staff_app()):
        for route in registered_routes(app):
            for parameter in route.dependant.body_params:
                if not isinstance(parameter.field_info, Form):
                    visit(parameter.field_info.annotation)
    return list(found)


# A value of each JSON type; Python's bool is an int, so "integer" is told from "boolean" by the type itself.
JSON_VALUES: dict[str, Any] = {
    "string": "0",
    "integer": 0,
    "number": 0.5,
    "boolean": False,
    "array": [],
    "object": {},
    "null": None,
}


def _json_types(schema: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    if "$ref" in schema:
        return _json_types(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return set().union(*(_json_types(option, defs) for option in options))
    if "const" in schema or "enum" in schema:
        values = [schema["const"]] if "const" in schema else schema["enum"]
        return {next(kind for kind, sample in JSON_VALUES.items() if type(sample) is type(value)) for value in values}
    if "type" not in schema:
        # No type stated: every JSON type is one.
        return set(JSON_VALUES) if "properties" not in schema else {"object"}
    declared = schema["type"]
    kinds: set[str] = set(declared) if isinstance(declared, list) else {declared}
    # To JSON Schema an integer is a number too.
    return kinds | ({"integer"} if "number" in kinds else set())


BODY_MODELS = _body_models()


def _declared_properties(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """A body model's `$defs`, and each of its properties' schemas, one per shape of the body that has it."""
    schema = model.model_json_schema()
    properties: dict[str, list[dict[str, Any]]] = {}
    for shape in schema.get("oneOf", [schema]):
        for name, declared in shape.get("properties", {}).items():
            properties.setdefault(name, []).append(declared)
    return schema.get("$defs", {}), properties


@pytest.mark.parametrize("model", BODY_MODELS, ids=lambda model: model.__name__)
def test_a_body_property_refuses_every_json_type_its_schema_does_not_state(model: type[BaseModel]) -> None:
    # Pydantic's lax mode would widen some (a number for a date-time, 0 for false); a schema-driven client
    # or fuzzer reads the stated type as what the API takes.
    defs, properties = _declared_properties(model)
    assert properties
    accepted = []
    for name, declarations in properties.items():
        # Of a body of several shapes, a type is the property's when one of the shapes states it.
        stated = set().union(*(_json_types(declared, defs) for declared in declarations))
        for kind in JSON_VALUES.keys() - stated:
            if name not in _refused_properties(model, {name: JSON_VALUES[kind]}):
                accepted.append((name, kind))
    assert accepted == [], accepted


CASE = {"case_reference": "2031고단1234", "reason": "Seoul Central District Prosecutors' Office preservation order"}
SUSPECTS = {"staff_user_ids": ["sub-1"], "until": "2026-11-30T09:00:00+09:00"}
INCIDENT = {"category": "leak", "reference": "INC-1", "summary": "s", "measures": "m"}
RIGHTS_REQUEST = {
    "channel": "email",
    "kind": "access",
    "identity_verification": "id_document",
    "email": "a@example.com",
}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/staff/incidents", {**INCIDENT, "discovered_at": 0}, "discovered_at"),
        (
            "/v1/staff/incidents",
            {**INCIDENT, "discovered_at": "2026-11-30T09:00:00+09:00", "suspect_access": {**SUSPECTS, "since": 1.5}},
            "suspect_access.since",
        ),
        ("/v1/staff/rights-requests", {**RIGHTS_REQUEST, "received_at": 0}, "received_at"),
        ("/v1/staff/legal-holds", {**CASE, "email": "a@example.com", "submission_ids": None}, "submission_ids"),
    ],
)
def test_a_body_that_breaks_its_schemas_types_is_refused_and_stores_nothing(
    staff_api: StaffApi, path: str, body: dict[str, Any], field: str
) -> None:
    response = staff_api.as_role(Role.PI_MANAGER).post(path, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in [problem["field"] for problem in response.get_json()["error"]["details"]]
    stored = (
        staff_api.incidents.incidents,
        staff_api.requests.requests,
        staff_api.holds.holds,
        staff_api.ledger.chains,
    )
    assert stored == ({}, {}, {}, {})


def _string_properties() -> list[tuple[type[BaseModel], str, dict[str, Any]]]:
    """Every property of a body model that may be a string, with its string schema (the first shape's)."""
    found = []
    for model in BODY_MODELS:
        for name, declarations in _declared_properties(model)[1].items():
            strings = [
                (declared, option)
                for declared in declarations
                for option in declared.get("anyOf", [declared])
                if option.get("type") == "string"
            ]
            if strings:
                declared, option = strings[0]
                outer = {k: v for k, v in declared.items() if k not in ("anyOf", "default", "title")}
                found.append((model, name, option | outer))
    return found


# Whitespace of every kind, alone and around text: what Python strips is not what ECMA-262's \s matches.
BLANKS = st.text(st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u1680\u2000\u2028\u202f\u3000\ufeffa가"), max_size=4)


@pytest.mark.parametrize(
    ("model", "name", "declared"),
    _string_properties(),
    ids=lambda value: value.__name__ if isinstance(value, type) else value if isinstance(value, str) else "",
)
@settings(max_examples=150, deadline=None)
@given(value=TEXT | BLANKS)
def test_a_string_its_schema_admits_is_one_validation_accepts(
    model: type[BaseModel], name: str, declared: dict[str, Any], value: str
) -> None:
    if not jsonschema_rs.Draft202012Validator({"type": "string", **declared}, validate_formats=True).is_valid(value):
        return
    assert name not in _refused_properties(model, {name: value}), value


def _refused_properties(model: type[BaseModel], body: dict[str, Any]) -> set[str]:
    """The top-level properties validation refuses in `body` (others missing from it are not counted)."""
    try:
        model.model_validate(body)
    except ValidationError as error:
        return {str(problem["loc"][0]) for problem in error.errors() if problem["loc"] and problem["type"] != "missing"}
    return set()
