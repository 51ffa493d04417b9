"""Request shapes for the three forms, generated from the policy's data for each published version.

Each form's `fields` model has exactly the items its version lists for it: required items must be
present, optional items may be, anything else is refused. Values are normalised on the way in. A later
version that adds an item is collected by its own model, made from its data on first use and kept for
the life of the process: no code changes with the policy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, ValidationError, create_model

from policybound.catalogue import RESOURCES, resource
from policybound.domain.core.errors import FieldProblem, ValidationFailed, problem_text
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.normalize import (
    IDENTIFIER_PATTERN,
    PHONE_PATTERN,
    TEXT_PATTERNS,
    email_schema,
    normalize_item,
)
from policybound.policy import ITEMS, POLICY_VERSION, FormId, FormPolicy, Item, ItemKind, forms_of

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True, defer_build=True)


def item_schema(item: Item) -> Callable[[dict[str, Any]], None]:
    """What validation enforces on an item's value as sent, in JSON Schema words: the policy's maximum
    length (code points, as `maxLength` counts them) and the pattern or format of its kind. A function
    pydantic calls when it writes a document (`json_schema_extra`), so describing an address needs
    email-validator only then."""

    def describe(schema: dict[str, Any]) -> None:
        schema["maxLength"] = item.max_length
        if item.kind == "email":
            email_schema(schema)
        else:
            schema["pattern"] = _PATTERNS[item.kind]()
        if item.name == "resource_id":
            # A closed set: the catalogue's ids, as GET /v1/resources lists them.
            schema["enum"] = [r.resource_id for r in RESOURCES]

    return describe


_PATTERNS: dict[ItemKind, Callable[[], str]] = {
    **TEXT_PATTERNS,
    "phone": lambda: PHONE_PATTERN,
    "identifier": lambda: IDENTIFIER_PATTERN,
}
_RULES: dict[ItemKind, str] = {
    "text": "Trimmed and NFC-normalised; no control or format characters (Unicode Cc, Cf).",
    "long_text": "Trimmed and NFC-normalised; newlines and tabs allowed, no other control or format characters.",
    "email": "An address email-validator accepts (no DNS check); stored as it normalises it.",
    "phone": "A number phonenumbers judges valid (Korean unless it starts with +country); stored in E.164.",
    "identifier": "Letters, digits, '.', '_' and '-', starting with a letter or digit.",
}


def item_type(name: str) -> Any:
    """The type of one item's value: the JSON Schema of what is accepted, then its normaliser."""
    item = ITEMS[name]

    def normalise(value: str) -> str:
        normalised = normalize_item(name, value)
        if name == "resource_id" and resource(normalised) is None:
            raise ValueError("is not a resource of the catalogue (GET /v1/resources lists them)")
        return normalised

    # The normaliser enforces the schema's limits itself (with messages a person can act on), measuring
    # the value as sent first, so a huge string is refused before any work is done on it.
    return Annotated[
        str,
        Field(
            description=f"{item.label.en}. At most {item.max_length} characters. {_RULES[item.kind]}",
            examples=_EXAMPLES.get(name),
            json_schema_extra=item_schema(item),
        ),
        AfterValidator(normalise),
    ]


_EXAMPLES: dict[str, list[str]] = {
    "name": ["Kim Minji"],
    "email": ["minji@example.co.kr"],
    "contact": ["+82 10-1234-5678"],
    "organization": ["Example Corp"],
    "company": ["Example Corp"],
    "job_grade": ["Manager"],
    "job": ["Engineer"],
    "department": ["Digital Strategy"],
    "interests": ["Cloud, AI"],
    "inquiry": ["Please call me."],
    "resource_id": ["cloud-whitepaper-2019"],
}


def _must_be_given(schema: dict[str, Any]) -> None:
    # What the API accepts is `true` and nothing else; anything else (false, null, absent) is refused
    # with its own answer (422 required_consent_withheld), so the schema says `const: true`.
    schema.clear()
    schema.update(
        type="boolean",
        const=True,
        description="Consent to the required items; must be true (nothing is stored otherwise)",
    )


def _consent_is_required(schema: dict[str, Any]) -> None:
    schema["required"] = ["required", *schema.get("required", [])]


class Consent(LazyModel):
    model_config = _STRICT | ConfigDict(json_schema_extra=_consent_is_required)

    # Not `Literal[True]`: a withheld consent is a distinct, named refusal, not a malformed request.
    required: StrictBool | None = Field(default=None, json_schema_extra=_must_be_given)
    optional: StrictBool = Field(default=False, description="Consent to the optional items")
    policy_version: str = Field(
        min_length=1,
        max_length=32,
        examples=[POLICY_VERSION],
        description="The version of the policy the page showed, GET /v1/policy's `version`; any other is refused (409)",
    )
    # §6, PIPA art. 22-2: a child under 14 names a legal representative, who must confirm.
    under_14: StrictBool = Field(
        default=False,
        description="The submitter declares they are under 14; `legal_representative` is then required",
    )


class MarketingConsent(Consent):
    """The consent of a form with a marketing purpose: marketing is consented to apart (PIPA art. 22)."""

    marketing: StrictBool = Field(
        default=False,
        description="Separate consent to use the items in email marketing; without it the record is kept "
        "for the form's other purposes only, and submitting works either way",
    )


class LegalRepresentative(LazyModel):
    """The legal representative of a child under 14; a consent code is sent to `email`."""

    model_config = _STRICT

    name: item_type("name")  # type: ignore[valid-type]
    email: item_type("email")  # type: ignore[valid-type]
    contact: item_type("contact") | None = None  # type: ignore[valid-type]


def _class_name(form: FormId) -> str:
    return "".join(part.capitalize() for part in form.value.split("-"))


def fields_model(form: FormId, version: str) -> type[BaseModel]:
    """The model of a form's items as `version` states them."""
    return _fields_model(forms_of(version)[form])


@cache
def _fields_model(policy: FormPolicy) -> type[BaseModel]:
    # Cached on the form's facts, not the version's name: versions that leave a form alone share its model.
    definitions: dict[str, Any] = {name: (item_type(name), ...) for name in policy.required_items}
    definitions |= {name: (item_type(name) | None, None) for name in policy.optional_items}
    return create_model(f"{_class_name(policy.form)}Fields", __config__=_STRICT, **definitions)


def example_submission(form: FormId, version: str) -> dict[str, Any]:
    """A submission of the form under `version` that validation accepts, for the OpenAPI document."""
    return _example_submission(forms_of(version)[form], version)


def _example_submission(policy: FormPolicy, version: str) -> dict[str, Any]:
    consent: dict[str, Any] = {
        "required": True,
        "optional": bool(policy.optional_items),
        "policy_version": version,
    }
    if policy.marketing_consent:
        consent["marketing"] = False
    return {"fields": {name: _EXAMPLES[name][0] for name in policy.items}, "consent": consent}


def _requires_a_representative_only_under_14(schema: dict[str, Any]) -> None:
    # A child under 14 names a legal representative; nobody else may.
    schema["if"] = {
        "properties": {"consent": {"properties": {"under_14": {"const": True}}, "required": ["under_14"]}},
        "required": ["consent"],
    }
    schema["then"] = {"required": ["legal_representative"], "properties": {"legal_representative": {"type": "object"}}}
    schema["else"] = {"properties": {"legal_representative": {"type": "null"}}}


def submission_model(form: FormId, version: str) -> type[BaseModel]:
    """The model of a whole submission of the form under `version`: its items, its consents (with
    `marketing` where the version gives the form a marketing purpose) and a child's representative."""
    return _submission_model(forms_of(version)[form], version)


@cache
def _submission_model(policy: FormPolicy, version: str) -> type[BaseModel]:
    def extra(schema: dict[str, Any]) -> None:
        _requires_a_representative_only_under_14(schema)
        schema["examples"] = [_example_submission(policy, version)]

    return create_model(
        f"{_class_name(policy.form)}Submission",
        __config__=_STRICT | ConfigDict(json_schema_extra=extra),
        fields=(_fields_model(policy), ...),
        consent=(MarketingConsent if policy.marketing_consent else Consent, ...),
        legal_representative=(LegalRepresentative | None, None),
    )


def named_version(body: Mapping[str, Any]) -> str | None:
    """The policy version a submission's consent names, if it names one as text."""
    consent = body.get("consent")
    named = consent.get("policy_version") if isinstance(consent, Mapping) else None
    return named if isinstance(named, str) else None


def validate_submission(form: FormId, version: str, body: Mapping[str, Any]) -> BaseModel:
    """A submission checked and normalised by the model of `form` under `version`."""
    try:
        return submission_model(form, version).model_validate(dict(body))
    except ValidationError as error:
        raise ValidationFailed(
            "Some fields are missing or not valid; see details.",
            tuple(_problem(e) for e in error.errors(include_input=False)),
        ) from None


def present_items(fields: BaseModel) -> dict[str, str]:
    """The items given, in the form's order (required, then optional)."""
    return {name: value for name, value in fields.model_dump().items() if value is not None}


def _problem(error: Mapping[str, Any], prefix: str | None = None) -> FieldProblem:
    location = ".".join(str(part) for part in error.get("loc", ()))
    of_the_form = prefix is not None or location.startswith("fields.")
    unknown = "is not a field of this form" if of_the_form else "is not a field of this request"
    problem = problem_text(error, unknown=unknown)
    field = f"{prefix}.{location}" if prefix and location else (prefix or location)
    return FieldProblem(field, problem)


def validate_fields(policy: FormPolicy, values: Mapping[str, str], prefix: str = "fields") -> dict[str, str]:
    """A form's items checked and normalised by the model of its facts (a version's), as a submission is;
    for corrections, which must meet the same rules as the form the record was collected by."""
    try:
        model = _fields_model(policy).model_validate(dict(values))
    except ValidationError as error:
        raise ValidationFailed(
            "Some fields are missing or not valid; see details.",
            tuple(_problem(e, prefix) for e in error.errors(include_input=False)),
        ) from None
    return present_items(model)
