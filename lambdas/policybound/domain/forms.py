"""Request shapes for the three forms, generated from the policy module.

Each form's `fields` model has exactly the items the policy lists for it: required items must be
present, optional items may be, anything else is refused. Values are normalised on the way in.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, create_model

from policybound.domain.normalize import normalize_item
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
        consent=(Consent, ...),
    )


def present_items(policy: FormPolicy, fields: BaseModel) -> dict[str, str]:
    values = fields.model_dump()
    return {name: values[name] for name in policy.items if values.get(name) is not None}
