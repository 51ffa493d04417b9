from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlparse

import pytest

from policybound.domain.core import retention
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.errors import PolicyVersionOutdated, RequiredConsentWithheld, Unavailable
from policybound.domain.core.model import RequestOrigin
from policybound.domain.core.sealing import EnvelopeSealer, hash_secret, unseal_payload
from policybound.domain.intake.service import ConsentGiven, IntakeService
from policybound.policy import FORMS, POLICY_VERSION, FormId, Purpose
from tests.conftest import NOW, VALID_FIELDS
from tests.support.fakes import FakeBlindIndex, FakeKeks, FakeMailer, FakeStore

ORIGIN = RequestOrigin(source_ip="203.0.113.9", user_agent="pytest")


@pytest.fixture
def parts() -> tuple[IntakeService, FakeStore, FakeMailer, EnvelopeSealer]:
    store, mailer = FakeStore(), FakeMailer()
    sealer = EnvelopeSealer(FakeKeks())
    service = IntakeService(
        store=store,
        sealer=sealer,
        blind_index=FakeBlindIndex(),
        mailer=mailer,
        clock=FixedClock(NOW),
        unsubscribe_url=lambda token: f"https://api.example.com/v1/unsubscribe?token={token}",
    )
    return service, store, mailer, sealer


def consent(required: bool | None = True, optional: bool = False, version: str = POLICY_VERSION) -> ConsentGiven:
    return ConsentGiven(required=required, optional=optional, policy_version=version)


@pytest.mark.parametrize("required", [False, None])
def test_withheld_required_consent_stores_nothing(parts, required) -> None:
    service, store, mailer, _ = parts
    with pytest.raises(RequiredConsentWithheld):
        service.submit(FORMS[FormId.CONTACT_US], VALID_FIELDS["contact-us"], consent(required), ORIGIN)
    assert store.records == {}
    assert store.keys == {}
    assert mailer.sent == []


def test_outdated_policy_version_names_the_current_one_and_stores_nothing(parts) -> None:
    service, store, _, _ = parts
    with pytest.raises(PolicyVersionOutdated) as refused:
        service.submit(FORMS[FormId.CONTACT_US], VALID_FIELDS["contact-us"], consent(version="2018-01-01"), ORIGIN)
    assert refused.value.current == POLICY_VERSION
    assert POLICY_VERSION in refused.value.message
    assert store.records == {}


def test_optional_items_without_optional_consent_are_dropped_not_stored(parts) -> None:
    service, store, _, sealer = parts
    receipt = service.submit(
        FORMS[FormId.RESOURCES_DOWNLOAD], VALID_FIELDS["resources-download"], consent(optional=False), ORIGIN
    )
    assert receipt.items_dropped == ("department",)
    assert "department" not in receipt.items_collected
    record = store.records[receipt.submission_id]
    opened = unseal_payload(sealer.open(receipt.submission_id, record.sealed, store.keys[receipt.submission_id]))
    assert "department" not in opened.fields
    assert record.consent.items == receipt.items_collected
    assert record.items_dropped == ("department",)


def test_optional_items_with_optional_consent_are_kept(parts) -> None:
    service, store, _, sealer = parts
    receipt = service.submit(
        FORMS[FormId.RESOURCES_DOWNLOAD], VALID_FIELDS["resources-download"], consent(optional=True), ORIGIN
    )
    assert receipt.items_dropped == ()
    record = store.records[receipt.submission_id]
    opened = unseal_payload(sealer.open(receipt.submission_id, record.sealed, store.keys[receipt.submission_id]))
    assert opened.fields["department"] == "Digital Strategy Office"
    assert record.consent.optional is True


def test_record_holds_proof_of_consent_and_sealed_pi_only(parts) -> None:
    service, store, _, sealer = parts
    receipt = service.submit(FORMS[FormId.CONTACT_US], VALID_FIELDS["contact-us"], consent(), ORIGIN)
    record = store.records[receipt.submission_id]
    assert record.consent.policy_version == POLICY_VERSION
    assert record.consent.consented_at == NOW
    assert record.consent.purposes == (Purpose.INQUIRY_RESPONSE,)
    assert record.retained_until.date().isoformat() == "2031-11-30"
    for value in VALID_FIELDS["contact-us"].values():
        assert value.encode() not in record.sealed.ciphertext
    opened = unseal_payload(sealer.open(receipt.submission_id, record.sealed, store.keys[receipt.submission_id]))
    assert opened.fields == VALID_FIELDS["contact-us"]
    assert opened.origin == ORIGIN


def test_same_mailbox_gives_same_subject_index_whatever_the_domains_case(parts) -> None:
    service, store, _, _ = parts
    first = service.submit(FORMS[FormId.CONTACT_US], VALID_FIELDS["contact-us"], consent(), ORIGIN)
    other = dict(VALID_FIELDS["contact-us"], email="minji@EXAMPLE.co.kr")
    second = service.submit(FORMS[FormId.CONTACT_US], other, consent(), ORIGIN)
    assert store.records[first.submission_id].subject == store.records[second.submission_id].subject
    assert "minji" not in store.records[first.submission_id].subject
    # The local part is the receiving server's to interpret (RFC 5321 §2.4): another mailbox.
    third = service.submit(FORMS[FormId.CONTACT_US], dict(other, email="MINJI@example.co.kr"), consent(), ORIGIN)
    assert store.records[third.submission_id].subject != store.records[first.submission_id].subject


def test_blog_subscription_mails_an_unguessable_single_record_unsubscribe_link(parts) -> None:
    service, store, mailer, _ = parts
    receipt = service.submit(FORMS[FormId.BLOG_SUBSCRIPTION], VALID_FIELDS["blog-subscription"], consent(), ORIGIN)
    [mail] = mailer.sent
    assert mail.to == ("seoyeon@example.co.kr",)
    assert "구독" in mail.text
    assert "unsubscribe" in mail.text.lower()
    url = mail.headers["List-Unsubscribe"].strip("<>")
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = parse_qs(urlparse(url).query)["token"][0]
    submission_id, secret = token.split(".", 1)
    assert submission_id == receipt.submission_id
    assert len(secret) >= 40
    assert store.records[submission_id].unsubscribe_hash == hash_secret(secret)


def test_contact_form_sends_no_mail_and_has_no_unsubscribe_secret(parts) -> None:
    service, store, mailer, _ = parts
    receipt = service.submit(FORMS[FormId.CONTACT_US], VALID_FIELDS["contact-us"], consent(), ORIGIN)
    assert mailer.sent == []
    assert store.records[receipt.submission_id].unsubscribe_hash is None


def test_failed_confirmation_mail_takes_the_subscription_back(parts) -> None:
    service, store, mailer, _ = parts
    mailer.fail = True
    with pytest.raises(Unavailable):
        service.submit(FORMS[FormId.BLOG_SUBSCRIPTION], VALID_FIELDS["blog-subscription"], consent(), ORIGIN)
    assert store.records == {}
    assert store.keys == {}


def test_storage_failure_is_unavailable_and_sends_nothing(parts) -> None:
    service, store, mailer, _ = parts
    store.fail_create = True
    with pytest.raises(Unavailable):
        service.submit(FORMS[FormId.BLOG_SUBSCRIPTION], VALID_FIELDS["blog-subscription"], consent(), ORIGIN)
    assert mailer.sent == []


def test_retention_is_the_forms_own_period(parts) -> None:
    service, store, _, _ = parts
    shorter = replace(FORMS[FormId.CONTACT_US], retention_months=36)
    receipt = service.submit(shorter, VALID_FIELDS["contact-us"], consent(), ORIGIN)
    assert receipt.retained_until == retention.retained_until(receipt.received_at, 36)
    assert store.records[receipt.submission_id].retained_until == receipt.retained_until
