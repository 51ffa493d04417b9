"""Cookie consent (§7): which cookie categories a visitor allowed, under which policy version.

Strictly necessary cookies need no consent; every other category is off unless chosen. A choice is
one of three answers the banner offers — allow all, a selection, block all — and the categories must
agree with it. A consent record holds no personal information: an id, the choice, the categories,
the policy version and the time. It lives 60 months like the records whose analytics it may allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from policybound.domain.core import retention
from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import NotFound, PolicyVersionOutdated
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.model import ID_PATTERN, random_id
from policybound.policy import CONSENTABLE_COOKIE_CATEGORIES, COOKIE_CATEGORIES, POLICY_VERSION, in_force_at

ANALYTICS = "analytics"
# A consent id is an id like every other this server makes (`random_id`).
CONSENT_ID_PATTERN = ID_PATTERN


class CookieChoice(StrEnum):
    ALL = "all"
    SELECTED = "selected"
    NONE = "none"


def _known_categories() -> str:
    return ", ".join(repr(name) for name in CONSENTABLE_COOKIE_CATEGORIES)


def _categories_agree_with_choice(schema: dict[str, Any]) -> None:
    # What `_agree_with_choice` enforces, for clients and fuzzers: 'none' lists nothing, 'all' lists
    # nothing or every category.
    every = [{"contains": {"const": name}} for name in CONSENTABLE_COOKIE_CATEGORIES]
    schema["allOf"] = [
        {
            "if": {"properties": {"choice": {"const": CookieChoice.NONE.value}}},
            "then": {"properties": {"categories": {"maxItems": 0}}},
        },
        {
            "if": {"properties": {"choice": {"const": CookieChoice.ALL.value}}},
            "then": {"properties": {"categories": {"anyOf": [{"maxItems": 0}, {"allOf": every}]}}},
        },
    ]


class CookieConsentRequest(LazyModel):
    """What the banner sends. Categories are normalised to the policy's order without repeats."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_categories_agree_with_choice)

    choice: CookieChoice = Field(description="all: every category; selected: the listed ones; none: none")
    categories: tuple[str, ...] = Field(
        default=(),
        validate_default=True,
        max_length=len(COOKIE_CATEGORIES) * 2,
        description="The categories allowed; for 'all' every consentable category (or omit), for 'none' none",
        examples=[list(CONSENTABLE_COOKIE_CATEGORIES)],
        # A closed set; the validator below refuses others with a message naming the right ones.
        json_schema_extra={"items": {"type": "string", "enum": list(CONSENTABLE_COOKIE_CATEGORIES)}},
    )
    policy_version: str = Field(
        min_length=1,
        max_length=32,
        examples=[POLICY_VERSION],
        description="The version the banner showed (GET /v1/policy's `version`); any other is refused (409)",
    )

    @field_validator("categories")
    @classmethod
    def _agree_with_choice(cls, categories: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        unknown = [name for name in categories if name not in CONSENTABLE_COOKIE_CATEGORIES]
        if unknown:
            necessary = [c.name for c in COOKIE_CATEGORIES if not c.requires_consent]
            if set(unknown) <= set(necessary):
                raise ValueError("strictly necessary cookies need no consent; list only " + _known_categories())
            raise ValueError("has unknown categories; the categories that need consent are " + _known_categories())
        given = set(categories)
        ordered = tuple(name for name in CONSENTABLE_COOKIE_CATEGORIES if name in given)
        choice = info.data.get("choice")
        if choice == CookieChoice.ALL:
            if given and ordered != CONSENTABLE_COOKIE_CATEGORIES:
                raise ValueError("must list every category (or be omitted) when choice is 'all'; use 'selected'")
            return CONSENTABLE_COOKIE_CATEGORIES
        if choice == CookieChoice.NONE and given:
            raise ValueError("must be empty when choice is 'none'")
        return ordered


@dataclass(frozen=True)
class CookieConsent:
    """A visitor's stored cookie choice: categories, policy version and times, no PI."""

    consent_id: str
    choice: CookieChoice
    categories: tuple[str, ...]
    policy_version: str
    recorded_at: datetime
    expires_at: datetime
    # Set when the visitor withdrew it; the consent is gone once what it allowed is deleted.
    withdrawn_at: datetime | None = None

    def allows(self, category: str, now: datetime) -> bool:
        """True while the consent is current, unexpired, not withdrawn, and lists the category."""
        return (
            self.withdrawn_at is None
            and self.policy_version == in_force_at(now)
            and not retention.is_expired(retention.epoch_seconds(self.expires_at), now)
            and category in self.categories
        )


class CookieConsentStore(Protocol):
    def put(self, consent: CookieConsent) -> None: ...

    def get(self, consent_id: str) -> CookieConsent | None:
        """The consent as stored, expired or not (DynamoDB TTL lags): callers check expiry."""
        ...

    def mark_withdrawn(self, consent_id: str, at: datetime) -> bool:
        """Mark the consent withdrawn, so that no visit is recorded under it from now on. False when
        there is no such consent."""
        ...

    def delete(self, consent_id: str) -> None: ...


class WithdrawnVisits(Protocol):
    def delete_of_consent(self, consent_id: str) -> int:
        """Delete every visit recorded under the consent; how many there were."""
        ...


@dataclass(eq=False, repr=False)
class CookieConsentService:
    """Records a visitor's cookie choice, and withdraws it with everything collected under it."""

    store: CookieConsentStore
    visits: WithdrawnVisits
    clock: Clock
    new_id: Callable[[], str] = random_id

    def withdraw(self, consent_id: str) -> int:
        """Withdraw a consent and delete everything collected under it: every visit, then the consent.

        Marked withdrawn first, so no visit joins while the visits are deleted; a failure halfway
        leaves the consent withdrawn but present, and repeating the request finishes the work.
        Returns how many visits were deleted.
        """
        if not self.store.mark_withdrawn(consent_id, self.clock.now()):
            raise NotFound("There is no cookie consent with this id (it may have been withdrawn already).")
        deleted = self.visits.delete_of_consent(consent_id)
        self.store.delete(consent_id)
        return deleted

    def record(self, request: CookieConsentRequest) -> CookieConsent:
        """Store the visitor's choice. A choice made under an old policy text is refused (409), so the
        banner shows the current text and asks again."""
        current = in_force_at(self.clock.now())
        if request.policy_version != current:
            raise PolicyVersionOutdated(sent=request.policy_version, current=current, at="policy_version")
        now = self.clock.now()
        consent = CookieConsent(
            consent_id=self.new_id(),
            choice=request.choice,
            categories=request.categories,
            policy_version=current,
            recorded_at=now,
            expires_at=retention.retained_until(now),
        )
        self.store.put(consent)
        return consent
