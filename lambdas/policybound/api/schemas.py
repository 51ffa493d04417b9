"""Response shapes, for the OpenAPI document and for serialising results."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

from policybound.domain.cookies.consents import CookieConsent
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.model import ConsentProof, Receipt
from policybound.policy import POLICY_TIMEZONE


def rfc3339(moment: datetime) -> str:
    # Seoul's offset: the site's visitors and staff read these times in Korea.
    return moment.astimezone(POLICY_TIMEZONE).isoformat(timespec="seconds")


def wire(value: object) -> Any:
    """A domain value as a response carries it: an enum as its value, a moment in RFC 3339 (Seoul), a
    day in ISO 8601, a tuple or list as a list of such values, a mapping as a plain dict."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [wire(item) for item in value]
    if isinstance(value, (set, frozenset)):
        # A set has no order of its own: the shape must say which one (e.g. sorted) in `computed`.
        raise TypeError("a set has no stable order: give the field's value explicitly")
    if isinstance(value, Mapping):
        return dict(value)
    return value


Shape = TypeVar("Shape", bound=BaseModel)


def from_domain(shape: type[Shape], source: object, **computed: Any) -> Shape:
    """`shape` with each field read, in wire form, from the attribute of the same name on `source`; the
    fields in `computed` (named otherwise in the domain, or worked out) are taken as given instead."""
    unknown = computed.keys() - shape.model_fields.keys()
    if unknown:
        # Pydantic would drop an unknown name silently and read the misspelt field from `source`.
        raise TypeError(f"{shape.__name__} has no fields {sorted(unknown)}")
    return shape(
        **{name: computed[name] if name in computed else wire(getattr(source, name)) for name in shape.model_fields}
    )


class ReceiptOut(LazyModel):
    submission_id: str
    form: str
    received_at: str
    retained_until: str
    purposes: list[str]
    items_collected: list[str]
    items_dropped: list[str]
    policy_version: str
    # "pending_guardian" for a child under 14 until the legal representative confirms (then "active").
    status: str = "active"

    @classmethod
    def of(cls, receipt: Receipt) -> ReceiptOut:
        return from_domain(cls, receipt)


class ConsentOut(LazyModel):
    """The proof of consent kept with a record (§1): what was agreed to, when, under which version."""

    policy_version: str
    consented_at: str
    optional: bool
    items: list[str]
    purposes: list[str]

    @classmethod
    def of(cls, consent: ConsentProof) -> ConsentOut:
        return from_domain(cls, consent)


class FieldProblemOut(LazyModel):
    field: str
    problem: str


class ErrorBody(LazyModel):
    code: str
    message: str
    details: list[FieldProblemOut]


class ErrorOut(LazyModel):
    error: ErrorBody


class CookieConsentOut(LazyModel):
    consent_id: str
    choice: str
    categories: list[str]
    policy_version: str
    recorded_at: str

    @classmethod
    def of(cls, consent: CookieConsent) -> CookieConsentOut:
        return from_domain(cls, consent)


def ok(status: int, model: type[BaseModel], description: str) -> dict[int, Any]:
    """The success answer, for routes that list their responses (Powertools then lists only those)."""
    return {status: {"description": description, "content": {"application/json": {"model": model}}}}


def error_responses(statuses: dict[int, str]) -> dict[int, Any]:
    """OpenAPI responses for the given error statuses, each in the one error shape."""
    return {
        status: {"description": text, "content": {"application/json": {"model": ErrorOut}}}
        for status, text in statuses.items()
    }


def mailed_link_responses(ok: str, model: type[BaseModel], refused: dict[int, str]) -> dict[int, Any]:
    """The answers of a route a mailed link opens: a page for a browser, JSON for a caller that asks,
    both for its 200 and for each refusal (`refused`: status -> what it means)."""
    page = {"text/html": {"schema": {"type": "string"}}}
    error = {"application/json": {"model": ErrorOut}, **page}
    answers: dict[int, Any] = {200: {"description": ok, "content": {"application/json": {"model": model}, **page}}}
    answers |= {status: {"description": meaning, "content": error} for status, meaning in refused.items()}
    return answers
