"""Response shapes, for the OpenAPI document and for serialising results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from policybound.domain.cookies.consents import CookieConsent
from policybound.domain.core.model import ConsentProof, Receipt
from policybound.policy import POLICY_TIMEZONE


def rfc3339(moment: datetime) -> str:
    # Seoul's offset: the site's visitors and staff read these times in Korea.
    return moment.astimezone(POLICY_TIMEZONE).isoformat(timespec="seconds")


class ReceiptOut(BaseModel):
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
        return cls(
            submission_id=receipt.submission_id,
            form=receipt.form.value,
            received_at=rfc3339(receipt.received_at),
            retained_until=rfc3339(receipt.retained_until),
            purposes=[p.value for p in receipt.purposes],
            items_collected=list(receipt.items_collected),
            items_dropped=list(receipt.items_dropped),
            policy_version=receipt.policy_version,
            status=receipt.status.value,
        )


class ConsentOut(BaseModel):
    """The proof of consent kept with a record (§1): what was agreed to, when, under which version."""

    policy_version: str
    consented_at: str
    optional: bool
    items: list[str]
    purposes: list[str]

    @classmethod
    def fields_of(cls, consent: ConsentProof) -> dict[str, Any]:
        return {
            "policy_version": consent.policy_version,
            "consented_at": rfc3339(consent.consented_at),
            "optional": consent.optional,
            "items": list(consent.items),
            "purposes": [p.value for p in consent.purposes],
        }

    @classmethod
    def of(cls, consent: ConsentProof) -> ConsentOut:
        return cls(**cls.fields_of(consent))


class FieldProblemOut(BaseModel):
    field: str
    problem: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[FieldProblemOut]


class ErrorOut(BaseModel):
    error: ErrorBody


class CookieConsentOut(BaseModel):
    consent_id: str
    choice: str
    categories: list[str]
    policy_version: str
    recorded_at: str

    @classmethod
    def of(cls, consent: CookieConsent) -> CookieConsentOut:
        return cls(
            consent_id=consent.consent_id,
            choice=consent.choice.value,
            categories=list(consent.categories),
            policy_version=consent.policy_version,
            recorded_at=rfc3339(consent.recorded_at),
        )


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
