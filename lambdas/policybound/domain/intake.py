"""Accepting a form submission: consent rules, retention, sealing and storage (§1, §4, §5)."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from policybound.domain import retention
from policybound.domain.clock import Clock
from policybound.domain.errors import PolicyVersionOutdated, RequiredConsentWithheld, Unavailable
from policybound.domain.mail import subscription_confirmation
from policybound.domain.model import (
    ConsentProof,
    PersonalData,
    Receipt,
    RecordStatus,
    RequestOrigin,
    StoredSubmission,
)
from policybound.domain.ports import BlindIndex, Mailer, Sealer, SubmissionStore
from policybound.policy import POLICY_VERSION, FormPolicy


@dataclass(frozen=True)
class ConsentGiven:
    required: bool | None
    optional: bool
    policy_version: str


def new_submission_id() -> str:
    return str(uuid.uuid4())


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def seal_payload(data: PersonalData) -> bytes:
    return json.dumps(asdict(data), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def unseal_payload(payload: bytes) -> PersonalData:
    raw = json.loads(payload)
    return PersonalData(fields=raw["fields"], origin=RequestOrigin(**raw["origin"]))


class IntakeService:
    def __init__(
        self,
        store: SubmissionStore,
        sealer: Sealer,
        blind_index: BlindIndex,
        mailer: Mailer,
        clock: Clock,
        unsubscribe_url: Callable[[str], str],
        new_id: Callable[[], str] = new_submission_id,
    ) -> None:
        self._store = store
        self._sealer = sealer
        self._blind_index = blind_index
        self._mailer = mailer
        self._clock = clock
        self._unsubscribe_url = unsubscribe_url
        self._new_id = new_id

    def submit(self, form: FormPolicy, items: dict[str, str], consent: ConsentGiven, origin: RequestOrigin) -> Receipt:
        """Store a submission whose items are already validated against the form's model.

        Refusals happen before anything is stored: an outdated policy version first (consent to an
        old text is no consent to the current one), then withheld required consent.
        """
        if consent.policy_version != POLICY_VERSION:
            raise PolicyVersionOutdated(sent=consent.policy_version, current=POLICY_VERSION)
        if consent.required is not True:
            raise RequiredConsentWithheld(
                "Consent to the collection and use of the required items was not given, so nothing was "
                "stored. Tick the required consent box to submit this form."
            )
        # §1.1: optional items are collected only with their own consent; otherwise they are dropped.
        kept = {
            name: value
            for name, value in items.items()
            if name in form.required_items or (name in form.optional_items and consent.optional)
        }
        dropped = tuple(name for name in form.optional_items if name in items and name not in kept)
        collected = tuple(name for name in form.items if name in kept)

        now = self._clock.now()
        submission_id = self._new_id()
        retained_until = retention.retained_until(now)
        subject = self._blind_index.subject_of(kept["email"])
        sealed, key = self._sealer.seal(submission_id, seal_payload(PersonalData(kept, origin)))

        unsubscribe_secret = secrets.token_urlsafe(32) if form.cancellable_subscription else None
        record = StoredSubmission(
            submission_id=submission_id,
            form=form.form,
            status=RecordStatus.ACTIVE,
            subject=subject,
            received_at=now,
            retained_until=retained_until,
            consent=ConsentProof(
                policy_version=POLICY_VERSION,
                consented_at=now,
                optional=consent.optional,
                items=collected,
                purposes=form.purposes,
            ),
            items_dropped=dropped,
            sealed=sealed,
            unsubscribe_hash=hash_secret(unsubscribe_secret) if unsubscribe_secret else None,
        )
        self._store.create(record, key)

        if unsubscribe_secret:
            self._confirm_subscription(record, kept["email"], unsubscribe_secret)

        return Receipt(
            submission_id=submission_id,
            form=form.form,
            received_at=now,
            retained_until=retained_until,
            purposes=form.purposes,
            items_collected=collected,
            items_dropped=dropped,
            policy_version=POLICY_VERSION,
        )

    def _confirm_subscription(self, record: StoredSubmission, email: str, secret: str) -> None:
        url = self._unsubscribe_url(f"{record.submission_id}.{secret}")
        mail = subscription_confirmation(email, url, record.retained_until.date().isoformat())
        try:
            self._mailer.send(mail)
        except Unavailable:
            # A subscriber who never got the mail has no way to unsubscribe: take the record back, so
            # the client's retry (503) starts clean instead of leaving an orphan subscription.
            self._store.discard(record.submission_id)
            raise
