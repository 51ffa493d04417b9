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
submission ids are random UUIDs. A token not of a link's shape is a bad request (400); a well-formed one
whose secret is not the record's names nothing known (404, as an unknown id).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from policybound.domain.core import retention
from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import UnsubscribeLinkExpired, UnsubscribeLinkInvalid, UnsubscribeLinkUnknown
from policybound.domain.core.model import StoredSubmission
from policybound.domain.core.ports import DestroyOutcome, KeyedHash, SubmissionStore
from policybound.domain.core.sealing import hash_secret, split_link_token
from policybound.domain.retention.destruction import Destroyer, DestructionReason
from policybound.domain.retention.withdrawal import PurposeWithdrawals, WithdrawalOutcome
from policybound.policy import FORMS, MARKETING_PURPOSES, Purpose, forms_kept_for

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


class UnsubscribeEffect(StrEnum):
    """What unsubscribing does to the record behind the link (would do, while it is active)."""

    # A blog subscription is cancelled: its record is destroyed (§4), or kept only under a legal hold.
    SUBSCRIPTION_DESTROYED = "subscription_destroyed"
    # A downloader stops marketing email: that consent is withdrawn and the record stays for the purposes
    # left (providing the resources) until its retention ends.
    MARKETING_CONSENT_WITHDRAWN = "marketing_consent_withdrawn"


@dataclass(frozen=True)
class Subscription:
    """Where an unsubscribe link's subscription stands, and what following it does or did."""

    state: SubscriptionState
    # Until when the record is kept: while a subscription is active (if not cancelled), and after a
    # marketing consent is withdrawn (for the purposes left).
    retained_until: datetime | None = None
    # What the link does (ACTIVE) or did (the others); None when no record is left behind it to tell.
    effect: UnsubscribeEffect | None = None


def _effect_of(record: StoredSubmission) -> UnsubscribeEffect:
    if FORMS[record.form].cancellable_subscription:
        return UnsubscribeEffect.SUBSCRIPTION_DESTROYED
    return UnsubscribeEffect.MARKETING_CONSENT_WITHDRAWN


_ALTERED = (
    "This unsubscribe link is incomplete or has been altered. Open the link from the mail again, "
    "or copy the whole address into the browser."
)


def parse_token(token: str | None) -> tuple[str, str]:
    parts = split_link_token(token)
    if parts is None:
        raise UnsubscribeLinkInvalid(_ALTERED)
    return parts


# A letter's link (`domain.letters`) carries `<submission_id>.<keyed hash of the id>`: the same shape as
# the confirmation's, but derived in KMS instead of stored, so every letter to a record has its link
# without a per-letter secret kept anywhere. Forging one needs the HMAC key, which never leaves KMS.
LETTER_LINK_PURPOSE = "letter-unsubscribe"


def letter_unsubscribe_token(submission_id: str, keyed: KeyedHash) -> str:
    return f"{submission_id}.{keyed.keyed_hash(LETTER_LINK_PURPOSE, submission_id.encode())}"


@dataclass(eq=False, repr=False)
class UnsubscribeService:
    """Checks an unsubscribe link and cancels the subscription (or the marketing consent) behind it."""

    store: SubmissionStore
    destroyer: Destroyer
    clock: Clock
    keyed_hash: KeyedHash | None = None
    withdrawals: PurposeWithdrawals | None = None

    def check(self, token: str | None) -> Subscription:
        """What the link would do, changing nothing: mail scanners follow links, people confirm."""
        record = self._subscription(token)
        if record is None:
            return Subscription(SubscriptionState.ALREADY_CANCELLED)
        if self._marketing_withdrawn(record):
            withdrawn = UnsubscribeEffect.MARKETING_CONSENT_WITHDRAWN
            return Subscription(SubscriptionState.ALREADY_CANCELLED, record.retained_until, withdrawn)
        return Subscription(SubscriptionState.ACTIVE, record.retained_until, _effect_of(record))

    def unsubscribe(self, token: str | None) -> Subscription:
        """A blog subscription is cancelled at once: the record is destroyed, or, if a legal hold keeps it,
        its retention ends now. Anyone else (a downloader who agreed to marketing email) withdraws that
        consent only, through the one purpose-withdrawal operation; the rest of the record stays."""
        destroyed = UnsubscribeEffect.SUBSCRIPTION_DESTROYED
        outcomes = {
            DestroyOutcome.DESTROYED: Subscription(SubscriptionState.CANCELLED, effect=destroyed),
            DestroyOutcome.ALREADY_GONE: Subscription(SubscriptionState.ALREADY_CANCELLED),
            DestroyOutcome.HELD: Subscription(SubscriptionState.CANCELLED_HELD, effect=destroyed),
        }
        for _ in range(_ATTEMPTS):
            record = self._subscription(token)
            if record is None:
                return Subscription(SubscriptionState.ALREADY_CANCELLED)
            if not FORMS[record.form].cancellable_subscription:
                return self._withdraw_marketing(record)
            outcome = self.destroyer.end_use(record, DestructionReason.UNSUBSCRIBED, record.unsubscribe_hash)
            if outcome is not None:
                return outcomes[outcome]
            # The hold was released, or another click won, since `destroy` looked: look again.
        return Subscription(SubscriptionState.ALREADY_CANCELLED)

    @staticmethod
    def _marketing_withdrawn(record: StoredSubmission) -> bool:
        """A downloader's link whose marketing consent is gone already (or was never given)."""
        cancellable = FORMS[record.form].cancellable_subscription
        return not cancellable and Purpose.EMAIL_MARKETING not in record.consent.purposes

    def _withdraw_marketing(self, record: StoredSubmission) -> Subscription:
        if self.withdrawals is None:
            raise RuntimeError("UnsubscribeService needs PurposeWithdrawals for letters' links")
        withdrawn = UnsubscribeEffect.MARKETING_CONSENT_WITHDRAWN
        if self._marketing_withdrawn(record):
            return Subscription(SubscriptionState.ALREADY_CANCELLED, record.retained_until, withdrawn)
        outcome = self.withdrawals.withdraw_purpose(record.submission_id, Purpose.EMAIL_MARKETING)
        destroyed = UnsubscribeEffect.SUBSCRIPTION_DESTROYED
        return {
            WithdrawalOutcome.WITHDRAWN: Subscription(SubscriptionState.CANCELLED, record.retained_until, withdrawn),
            # Marketing was the record's last purpose: nothing was left to keep it for.
            WithdrawalOutcome.DESTROYED: Subscription(SubscriptionState.CANCELLED, effect=destroyed),
            WithdrawalOutcome.HELD: Subscription(SubscriptionState.CANCELLED_HELD, effect=destroyed),
            # Withdrawn meanwhile by another click or the rights page: the record stays all the same.
            WithdrawalOutcome.NOT_CONSENTED: Subscription(
                SubscriptionState.ALREADY_CANCELLED, record.retained_until, withdrawn
            ),
        }.get(outcome, Subscription(SubscriptionState.ALREADY_CANCELLED))

    def _genuine(self, record: StoredSubmission, secret: str) -> bool:
        if record.unsubscribe_hash and hmac.compare_digest(record.unsubscribe_hash, hash_secret(secret)):
            return True
        # Only forms whose records get letters have letter links.
        if self.keyed_hash is None or record.form not in forms_kept_for(MARKETING_PURPOSES):
            return False
        expected = letter_unsubscribe_token(record.submission_id, self.keyed_hash).split(".", 1)[1]
        return hmac.compare_digest(expected, secret)

    def _subscription(self, token: str | None) -> StoredSubmission | None:
        """The record behind a genuine, unexpired link; None when nothing is left behind it (gone, or a
        held subscription whose link was used)."""
        submission_id, secret = parse_token(token)
        record = self.store.get(submission_id)
        if record is None:
            return None
        cancellable = FORMS[record.form].cancellable_subscription
        if cancellable and record.unsubscribe_hash is None:
            # Retired when its subscriber unsubscribed while a legal hold kept the record.
            return None
        if not self._genuine(record, secret):
            raise UnsubscribeLinkUnknown(_ALTERED)
        if retention.is_expired(retention.epoch_seconds(record.retained_until), self.clock.now()):
            raise UnsubscribeLinkExpired(
                "This unsubscribe link expired when the subscription's retention period ended "
                f"({record.retained_until.date().isoformat()}); its details are destroyed. Nothing more is needed."
            )
        return record
