"""Cancelling a blog subscription (§4: "destroyed without delay" on cancellation).

The link in the confirmation mail carries `<submission_id>.<secret>`; the record stores only
sha256(secret). Why this is as strong as a signed token, without a signing key:
- unforgeable: the secret is 256 random bits, so it cannot be guessed, and the stored hash does not
  give it back — a copy of the table forges nothing, whereas a leaked signing key would forge a link
  for every subscriber;
- bound to one record: the secret is checked against that record's own hash;
- single-use: a used link's record is destroyed (or, under a legal hold, its secret is retired);
- expiring: a link is honoured only until its record's `retained_until`, the moment the record is due
  for destruction anyway.
A link for a record that no longer exists is answered "already unsubscribed": nothing is left to
cancel, whether it was used before, erased, or never existed — and saying so reveals nothing, as
submission ids are random UUIDs.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from policybound.domain.core import retention
from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import UnsubscribeLinkExpired, UnsubscribeLinkInvalid
from policybound.domain.core.model import StoredSubmission
from policybound.domain.core.ports import DestroyOutcome, SubmissionStore
from policybound.domain.core.sealing import hash_secret
from policybound.domain.retention.destruction import Destroyer, DestructionReason
from policybound.policy import FORMS

# `<uuid>.<secrets.token_urlsafe(32)>`: 43 url-safe base64 characters carry the 256 random bits.
_TOKEN = re.compile(
    r"(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(?P<secret>[A-Za-z0-9_-]{43})"
)
# A concurrent hold or release can change a record between reading and acting; a few rounds settle it.
_ATTEMPTS = 3


class SubscriptionState(StrEnum):
    # The link is good: the subscription can be cancelled (the confirmation page's question).
    ACTIVE = "subscribed"
    # Cancelled by this request: the record was destroyed.
    CANCELLED = "unsubscribed"
    # Cancelled by this request, but a legal hold (§4.2) keeps the record until it is released;
    # its retention ended now, so it is destroyed on the first sweep after the release.
    CANCELLED_HELD = "unsubscribed_pending_legal_hold"
    # Nothing left to cancel: a second click, a retried one-click POST, or a record already destroyed.
    ALREADY_CANCELLED = "already_unsubscribed"


@dataclass(frozen=True)
class Subscription:
    state: SubscriptionState
    # Until when the details would otherwise be kept; only while the subscription is active.
    retained_until: datetime | None = None


_ALTERED = (
    "This unsubscribe link is incomplete or has been altered. Open the link from the mail again, "
    "or copy the whole address into the browser."
)


def parse_token(token: str | None) -> tuple[str, str]:
    match = _TOKEN.fullmatch(token or "")
    if match is None:
        raise UnsubscribeLinkInvalid(_ALTERED)
    return match["id"], match["secret"]


class UnsubscribeService:
    def __init__(self, store: SubmissionStore, destroyer: Destroyer, clock: Clock) -> None:
        self._store = store
        self._destroyer = destroyer
        self._clock = clock

    def check(self, token: str | None) -> Subscription:
        """What the link would do, changing nothing: mail scanners follow links, people confirm."""
        record = self._subscription(token)
        if record is None:
            return Subscription(SubscriptionState.ALREADY_CANCELLED)
        return Subscription(SubscriptionState.ACTIVE, record.retained_until)

    def unsubscribe(self, token: str | None) -> Subscription:
        """Cancel at once: destroy the record, or, if a legal hold keeps it, end its retention now."""
        outcomes = {
            DestroyOutcome.DESTROYED: SubscriptionState.CANCELLED,
            DestroyOutcome.ALREADY_GONE: SubscriptionState.ALREADY_CANCELLED,
            DestroyOutcome.HELD: SubscriptionState.CANCELLED_HELD,
        }
        for _ in range(_ATTEMPTS):
            record = self._subscription(token)
            if record is None:
                return Subscription(SubscriptionState.ALREADY_CANCELLED)
            outcome = self._destroyer.end_use(record, DestructionReason.UNSUBSCRIBED, record.unsubscribe_hash)
            if outcome is not None:
                return Subscription(outcomes[outcome])
            # The hold was released, or another click won, since `destroy` looked: look again.
        return Subscription(SubscriptionState.ALREADY_CANCELLED)

    def _subscription(self, token: str | None) -> StoredSubmission | None:
        """The record the link may cancel; None when nothing is left to cancel."""
        submission_id, secret = parse_token(token)
        record = self._store.get(submission_id)
        if record is None:
            return None
        if not FORMS[record.form].cancellable_subscription:
            raise UnsubscribeLinkInvalid(_ALTERED)
        if record.unsubscribe_hash is None:
            # Retired when its subscriber unsubscribed while a legal hold kept the record.
            return None
        if not hmac.compare_digest(record.unsubscribe_hash, hash_secret(secret)):
            raise UnsubscribeLinkInvalid(_ALTERED)
        if retention.is_expired(retention.epoch_seconds(record.retained_until), self._clock.now()):
            raise UnsubscribeLinkExpired(
                "This unsubscribe link expired when the subscription's retention period ended "
                f"({record.retained_until.date().isoformat()}); its details are destroyed. Nothing more is needed."
            )
        return record
