"""Domain errors. The API maps each to an HTTP status and code in one place (`policybound.api.errors`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one request field, named by its path."""

    field: str
    problem: str


def problem_text(error: Mapping[str, Any], unknown: str) -> str:
    """What is wrong with a field, from one pydantic error, in words a person can act on. The
    submitted value (pydantic's `input`) is never echoed: it is personal information."""
    kind = error.get("type", "")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return unknown
    return str(error.get("msg", "is invalid")).removeprefix("Value error, ")


class DomainError(Exception):
    """Base of every error a caller can act on. Messages never contain personal information."""

    def __init__(self, message: str, details: tuple[FieldProblem, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(DomainError):
    pass


class RequiredConsentWithheld(DomainError):
    pass


@dataclass
class PolicyVersionOutdated(DomainError):
    """Consent was given to a policy version that is no longer in force."""

    sent: str
    current: str
    details: tuple[FieldProblem, ...] = field(default=())
    # The request field that carried the version: forms nest it in `consent`, cookie consents do not.
    at: str = "consent.policy_version"

    def __post_init__(self) -> None:
        DomainError.__init__(
            self,
            f"Consent was given to policy version {self.sent!r}, but version {self.current!r} is in force. "
            "Show the current policy and ask for consent again.",
            (FieldProblem(self.at, f"must be {self.current!r}"),),
        )


class NotFound(DomainError):
    pass


class Unauthorized(DomainError):
    """No valid staff identity came with the request (missing, expired or tampered token)."""


class Forbidden(DomainError):
    """The caller is known, but neither role nor purpose allows this."""


class RecordNotUsable(DomainError):
    """The record cannot serve this use: it is restricted (a correction is pending), awaits its legal
    representative (§6), holds none of the items asked for, or has no marketing consent to withdraw."""


class RetainedByLaw(DomainError):
    """Erasure asked for a record under a legal hold: it is preserved as the law requires (§4.2)."""


class AlreadyCompleted(DomainError):
    """The request was completed already; its outcome stands."""


class OutcomeDoesNotFit(DomainError):
    """A completion valid in itself that does not fit the request as stored: corrections for a request
    that is not a rectification (or none for one), or for a record the request does not concern. A
    conflict with the resource, which no schema of the body can know, rather than a malformed body."""


class UnsubscribeLinkInvalid(DomainError):
    """The unsubscribe link is incomplete: its token is missing or not of a link's shape."""


class UnsubscribeLinkUnknown(UnsubscribeLinkInvalid):
    """The unsubscribe link is well formed but names nothing known: its secret is not the record's (altered),
    or the record is not a subscription it could cancel."""


class UnsubscribeLinkExpired(DomainError):
    """The unsubscribe link's subscription reached the end of its retention: there is nothing left to cancel."""


class ConsentLinkInvalid(DomainError):
    """The consent link is incomplete: its token is missing or not of a link's shape."""


class ConsentLinkUnknown(ConsentLinkInvalid):
    """The consent link is well formed but names no request for consent that is kept: altered, superseded, or
    for details that no longer exist (which cannot be told apart from details that never did)."""


class ConsentLinkExpired(DomainError):
    """The consent link's time ran out, or the details it was for are no longer kept."""


class RateLimited(DomainError):
    """Too many of these requests for now; `retry_after` says when one will be accepted again."""

    def __init__(self, message: str, retry_after: timedelta) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency failed; nothing partial was stored and the request is safe to retry."""

    def __init__(self, dependency: str) -> None:
        super().__init__(
            f"A service Policybound depends on ({dependency}) did not answer. Nothing was stored; please retry."
        )
        self.dependency = dependency


class MailThrottled(Unavailable):
    """SES refused a mail because the account's sending rate or quota is exceeded: it was not sent."""

    def __init__(self) -> None:
        super().__init__("SES (sending rate exceeded)")
