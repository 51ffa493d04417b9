"""Request shapes for the three forms, generated from the policy module.

Each form's `fields` model has exactly the items the policy lists for it: required items must be
present, optional items may be, anything else is refused. Values are normalised on the way in.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, ValidationError, create_model

from policybound.domain.core.errors import FieldProblem, ValidationFailed, problem_text
from policybound.domain.core.normalize import normalize_item
from policybound.policy import FORMS, ITEMS, POLICY_VERSION, FormId, FormPolicy

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


def _item_type(name: str) -> Any:
    item = ITEMS[name]

    def normalise(value: str) -> str:
        return normalize_item(name, value)

    # The raw cap guards the normaliser against huge strings; the item's own limit is checked after
    # normalisation (NFC can change length) by normalize_item.
    return Annotated[
        str,
        Field(description=item.label.en, max_length=item.max_length * 4, examples=_EXAMPLES.get(name)),
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


class Consent(BaseModel):
    model_config = _STRICT

    # Not `Literal[True]`: a withheld consent is a distinct, named refusal, not a malformed request.
    required: StrictBool | None = Field(default=None, description="Consent to the required items; must be true")
    optional: StrictBool = Field(default=False, description="Consent to the optional items")
    policy_version: str = Field(min_length=1, max_length=32, examples=[POLICY_VERSION])
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


class LegalRepresentative(BaseModel):
    """The legal representative of a child under 14; a consent code is sent to `email`."""

    model_config = _STRICT

    name: _item_type("name")  # type: ignore[valid-type]
    email: _item_type("email")  # type: ignore[valid-type]
    contact: _item_type("contact") | None = None  # type: ignore[valid-type]


def _class_name(form: FormId) -> str:
    return "".join(part.capitalize() for part in form.value.split("-"))


@cache
def fields_model(form: FormId) -> type[BaseModel]:
    policy = FORMS[form]
    definitions: dict[str, Any] = {name: (_item_type(name), ...) for name in policy.required_items}
    definitions |= {name: (_item_type(name) | None, None) for name in policy.optional_items}
    return create_model(f"{_class_name(form)}Fields", __config__=_STRICT, **definitions)


@cache
def submission_model(form: FormId) -> type[BaseModel]:
    return create_model(
        f"{_class_name(form)}Submission",
        __config__=_STRICT,
        fields=(fields_model(form), ...),
        consent=(MarketingConsent if FORMS[form].marketing_consent else Consent, ...),
        legal_representative=(LegalRepresentative | None, None),
    )


def present_items(policy: FormPolicy, fields: BaseModel) -> dict[str, str]:
    values = fields.model_dump()
    return {name: values[name] for name in policy.items if values.get(name) is not None}


def _problem(error: Mapping[str, Any], prefix: str) -> FieldProblem:
    location = ".".join(str(part) for part in error.get("loc", ()))
    problem = problem_text(error, unknown="is not a field of this form")
    return FieldProblem(f"{prefix}.{location}" if location else prefix, problem)


def validate_fields(form: FormId, values: Mapping[str, str], prefix: str = "fields") -> dict[str, str]:
    """A form's items checked and normalised by the form's own model, as a submission is; for
    corrections, which must meet the same rules as the form."""
    try:
        model = fields_model(form).model_validate(dict(values))
    except ValidationError as error:
        raise ValidationFailed(
            "Some fields are missing or not valid; see details.",
            tuple(_problem(e, prefix) for e in error.errors(include_input=False)),
        ) from None
    return present_items(FORMS[form], model)
