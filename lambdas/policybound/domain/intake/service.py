"""Accepting a form submission: consent rules, retention, sealing and storage (§1, §4, §5)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from policybound.domain.core import retention
from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import (
    FieldProblem,
    PolicyVersionOutdated,
    RateLimited,
    RequiredConsentWithheld,
    Unavailable,
    ValidationFailed,
)
from policybound.domain.core.forms import named_version, validate_submission
from policybound.domain.core.mail import subscription_confirmation
from policybound.domain.core.model import (
    ConsentProof,
    PersonalData,
    Receipt,
    RecordStatus,
    Representative,
    RequestOrigin,
    StoredSubmission,
    random_id,
)
from policybound.domain.core.ports import BlindIndex, Mailer, Sealer, SubmissionStore
from policybound.domain.core.sealing import hash_secret, seal_payload
from policybound.domain.evidence.consent_ledger import consent_given
from policybound.domain.purposes.resource_delivery import ResourceDelivery
from policybound.domain.retention.destruction import DestructionReason, destruction_entry
from policybound.domain.rights.guardians import (
    GuardianConfirmations,
    check_representative_differs,
    confirmation_deadline,
)
from policybound.policy import FORMS, FormId, FormPolicy, forms_of, in_force_at


@dataclass(frozen=True)
class ConsentGiven:
    """The consents a submission gives, as its sender ticked them."""

    required: bool | None
    optional: bool
    policy_version: str
    # §6: the submitter declares they are under 14; a legal representative must then confirm.
    under_14: bool = False
    # PIPA art. 22: marketing is consented to apart; without it the record is not kept for marketing.
    marketing: bool = False


def _check_representative(consent: ConsentGiven, representative: Representative | None) -> None:
    # PIPA art. 22-2: a child under 14 cannot consent alone; an adult's submission names no guardian.
    if consent.under_14 and representative is None:
        raise ValidationFailed(
            "A child under 14 needs a legal representative's consent: add their name and email address, "
            "and we will ask them to confirm.",
            (FieldProblem("legal_representative", "is required when consent.under_14 is true"),),
        )
    if representative is not None and not consent.under_14:
        raise ValidationFailed(
            "A legal representative is named only for a child under 14; remove it, or declare the age.",
            (FieldProblem("legal_representative", "is allowed only when consent.under_14 is true"),),
        )


@dataclass(eq=False, repr=False)
class IntakeService:
    """Accepts a form's submission and stores it sealed, with its consent."""

    store: SubmissionStore
    sealer: Sealer
    blind_index: BlindIndex
    mailer: Mailer
    clock: Clock
    unsubscribe_url: Callable[[str], str]
    new_id: Callable[[], str] = random_id
    guardians: GuardianConfirmations | None = None
    resources: ResourceDelivery | None = None

    def read(self, form: FormId, body: Mapping[str, Any]) -> BaseModel:
        """A submission's body checked and normalised against the form as the version in force states it:
        a later version's items are collected by that version's model, made from its data.

        A consent to any other version is refused first (409), as `submit` would refuse it: the page must
        show the text in force and ask again, and the items it asks for may differ under it, so judging
        them against another version's form would answer the wrong question."""
        in_force = in_force_at(self.clock.now())
        named = named_version(body)
        if named is not None and named != in_force:
            raise PolicyVersionOutdated(sent=named, current=in_force)
        return validate_submission(form, in_force, body)

    def submit(
        self,
        form: FormPolicy,
        items: dict[str, str],
        consent: ConsentGiven,
        origin: RequestOrigin,
        representative: Representative | None = None,
    ) -> Receipt:
        """Store a submission whose items are already validated against the form's model.

        Refusals happen before anything is stored: an outdated policy version first (consent to an
        old text is no consent to the current one), then withheld required consent.
        """
        # §12: the version in force follows the clock; a new one takes over on its effective date.
        current = in_force_at(self.clock.now())
        if consent.policy_version != current:
            raise PolicyVersionOutdated(sent=consent.policy_version, current=current)
        # The version in force says which items the form keeps and why (its purposes), as GET /v1/policy
        # shows them; the rest of the form's policy (its retention, its subscription) is the caller's.
        stated = forms_of(current)[form.form]
        form = replace(
            form,
            required_items=stated.required_items,
            optional_items=stated.optional_items,
            purposes=stated.purposes,
        )
        if consent.required is not True:
            raise RequiredConsentWithheld(
                "Consent to the collection and use of the required items was not given, so nothing was "
                "stored. Tick the required consent box to submit this form."
            )
        _check_representative(consent, representative)
        if representative is not None and self.guardians is None:
            raise RuntimeError("IntakeService needs GuardianConfirmations to accept a child's submission")
        # §1.1: optional items are collected only with their own consent; otherwise they are dropped.
        kept = {
            name: value
            for name, value in items.items()
            if name in form.required_items or (name in form.optional_items and consent.optional)
        }
        check_representative_differs(kept["email"], representative, "legal_representative.email")
        dropped = tuple(name for name in form.optional_items if name in items and name not in kept)
        collected = tuple(name for name in form.items if name in kept)
        purposes = form.purposes_consented(consent.marketing)

        now = self.clock.now()
        submission_id = self.new_id()
        # A child's submission waits for its representative: unconfirmed, it is due 7 days from now.
        pending = representative is not None
        retained_until = confirmation_deadline(now) if pending else retention.retained_until(now, form.retention_months)
        subject = self.blind_index.subject_of(kept["email"])
        guardian = self.blind_index.subject_of(representative.email) if representative else None
        sealed, key = self.sealer.seal(submission_id, seal_payload(PersonalData(kept, origin, representative)))

        unsubscribe_secret = secrets.token_urlsafe(32) if form.cancellable_subscription else None
        record = StoredSubmission(
            submission_id=submission_id,
            form=form.form,
            status=RecordStatus.PENDING_GUARDIAN if pending else RecordStatus.ACTIVE,
            subject=subject,
            received_at=now,
            retained_until=retained_until,
            consent=ConsentProof(
                policy_version=current,
                consented_at=now,
                optional=consent.optional,
                items=collected,
                purposes=purposes,
                under_14=consent.under_14,
            ),
            items_dropped=dropped,
            sealed=sealed,
            unsubscribe_hash=hash_secret(unsubscribe_secret) if unsubscribe_secret else None,
            guardian=guardian,
        )
        consent_entry = consent_given(record)
        self.store.create(record, key, consent_entry)

        if representative:
            self._ask_representative(record, representative)

        if unsubscribe_secret:
            self._confirm_subscription(record, kept["email"], unsubscribe_secret)

        if self.resources is not None and not pending:
            self._deliver_resource(record, kept)

        return Receipt(
            submission_id=submission_id,
            form=form.form,
            received_at=now,
            retained_until=retained_until,
            purposes=purposes,
            items_collected=collected,
            items_dropped=dropped,
            policy_version=current,
            status=record.status,
        )

    def _ask_representative(self, record: StoredSubmission, representative: Representative) -> None:
        assert self.guardians is not None  # checked before anything was stored
        try:
            self.guardians.request_confirmation(record, representative)
        except (Unavailable, RateLimited):
            # Without the code the representative cannot consent, and the record would only wait to be
            # destroyed: take it back, so the client's retry (503) starts clean.
            self._take_back(record)
            raise

    def _take_back(self, record: StoredSubmission) -> None:
        """Undo a submission whose follow-up failed. Evidence is never deleted: if the sealing job already
        chained its consent entry, the record is destroyed with a destruction entry instead."""
        if not self.store.discard(record.submission_id, consent_given(record)):
            self.store.destroy(
                record.submission_id, destruction_entry(record, DestructionReason.INTAKE_FAILED, self.clock)
            )

    def _deliver_resource(self, record: StoredSubmission, kept: dict[str, str]) -> None:
        assert self.resources is not None
        try:
            self.resources.deliver_requested(kept)
        except Unavailable:
            # The request was for the file: without the link it is unanswered, so take the record back
            # and let the client's retry (503) start clean.
            self._take_back(record)
            raise

    def _confirm_subscription(self, record: StoredSubmission, email: str, secret: str) -> None:
        url = self.unsubscribe_url(f"{record.submission_id}.{secret}")
        mail = subscription_confirmation(
            email,
            url,
            record.retained_until.date().isoformat(),
            FORMS[record.form].retention_months,
            pending=record.status is RecordStatus.PENDING_GUARDIAN,
        )
        try:
            self.mailer.send(mail)
        except Unavailable:
            # A subscriber who never got the mail has no way to unsubscribe: take the record back, so
            # the client's retry (503) starts clean instead of leaving an orphan subscription.
            self._take_back(record)
            raise
