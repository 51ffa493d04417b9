"""Children under 14 and their legal representatives (§6; PIPA art. 22-2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from policybound.catalogue import resource
from policybound.domain.core import retention
from policybound.domain.core.errors import Unavailable, ValidationFailed
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.core.model import RecordStatus, Representative, RequestOrigin
from policybound.domain.core.normalize import normalize_email
from policybound.domain.intake.service import ConsentGiven
from policybound.domain.retention.destruction import DestructionReason
from policybound.domain.rights.service import Relationship
from policybound.domain.rights.verification import CodeRejected
from policybound.policy import FORMS, POLICY_VERSION, FormId
from tests.conftest import NOW, VALID_FIELDS
from tests.support.rights import RightsWorld, build_world

PARENT = Representative("Kim Parent", "parent@example.co.kr", "+821055556666")
CHILD = VALID_FIELDS["blog-subscription"]["email"]


@pytest.fixture
def world() -> RightsWorld:
    return build_world()


def test_a_child_submission_waits_for_the_representative_for_seven_days(world: RightsWorld) -> None:
    submission_id = world.submit("blog-subscription", representative=PARENT)
    record = world.store.records[submission_id]
    assert record.status is RecordStatus.PENDING_GUARDIAN
    assert record.retained_until == NOW + timedelta(days=7)
    assert record.consent.under_14 is True
    assert record.guardian == world.blind_index.subject_of(PARENT.email)
    opened = world.reader.open(record)
    assert opened is not None
    assert opened.data.representative == PARENT  # sealed with the child's data, never in clear


def test_the_representative_gets_a_code_in_both_languages_without_the_childs_details(world: RightsWorld) -> None:
    submission_id = world.submit("blog-subscription", representative=PARENT)
    mail = next(m for m in world.mailer.sent if m.to == (PARENT.email,))
    assert submission_id in mail.text
    assert "법정대리인" in mail.text
    assert "legal representative" in mail.text
    for value in VALID_FIELDS["blog-subscription"].values():
        assert value not in mail.text


@pytest.mark.parametrize(("under_14", "representative"), [(True, None), (False, PARENT)])
def test_age_and_representative_must_agree_and_nothing_is_stored_otherwise(
    world: RightsWorld, under_14: bool, representative: Representative | None
) -> None:
    consent = ConsentGiven(True, False, POLICY_VERSION, under_14=under_14)
    with pytest.raises(ValidationFailed) as refused:
        world.intake.submit(
            FORMS[FormId.CONTACT_US],
            dict(VALID_FIELDS["contact-us"], contact="+821012345678"),
            consent,
            RequestOrigin(None, None),
            representative,
        )
    assert refused.value.details[0].field == "legal_representative"
    assert world.store.records == {}
    assert world.mailer.sent == []


def test_a_failed_code_mail_takes_the_childs_record_back(world: RightsWorld) -> None:
    world.mailer.fail = True
    with pytest.raises(Unavailable):
        world.submit("contact-us", representative=PARENT)
    assert world.store.records == {}
    assert world.store.keys == {}


def test_confirming_with_the_code_activates_the_record_for_its_full_retention(world: RightsWorld) -> None:
    submission_id = world.submit("blog-subscription", representative=PARENT)
    # The child's own mail promises no 60 months: nothing is kept that long before the consent.
    child_mail = world.mailer.sent[-1]
    assert "60 months from their consent" in child_mail.text
    assert "60 months after your consent" not in child_mail.text
    world.clock.advance(days=3)
    record = world.guardians.confirm(submission_id, world.last_code(PARENT.email))
    assert record.status is RecordStatus.ACTIVE
    # The representative's confirmation is the consent: 60 months count from it, not from the form.
    assert record.retained_until == retention.retained_until(NOW + timedelta(days=3))
    assert record.consent.guardian_confirmed_at == world.clock.now()
    [entry] = world.store.ledger.chains[LedgerKind.CONSENT]
    assert entry.payload["event"] == "guardian_confirmed"
    assert entry.payload["submission_id"] == submission_id


def test_a_wrong_code_an_unknown_id_and_a_second_confirmation_get_one_answer(world: RightsWorld) -> None:
    submission_id = world.submit("blog-subscription", representative=PARENT)
    code = world.last_code(PARENT.email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(CodeRejected):
        world.guardians.confirm(submission_id, wrong)
    with pytest.raises(CodeRejected):
        world.guardians.confirm("no-such-submission", code)
    world.guardians.confirm(submission_id, code)
    with pytest.raises(CodeRejected):
        world.guardians.confirm(submission_id, code)


def test_a_code_after_the_seven_days_confirms_nothing(world: RightsWorld) -> None:
    submission_id = world.submit("blog-subscription", representative=PARENT)
    code = world.last_code(PARENT.email)
    world.clock.advance(days=7)
    with pytest.raises(CodeRejected):
        world.guardians.confirm(submission_id, code)
    assert world.store.records[submission_id].status is RecordStatus.PENDING_GUARDIAN


def test_unconfirmed_the_ordinary_sweep_destroys_it_as_guardian_unconfirmed(world: RightsWorld) -> None:
    submission_id = world.submit("blog-subscription", representative=PARENT)
    world.clock.advance(days=7)
    now_epoch = retention.epoch_seconds(world.clock.now())
    # The sweeper's query: a pending record is in the expiry index with its 7-day deadline.
    due, _ = world.store.due("any", now_epoch, 10)
    assert due == [submission_id]
    world.destroyer.destroy(world.store.records[submission_id], DestructionReason.RETENTION_EXPIRED)
    [entry] = world.store.ledger.chains[LedgerKind.DESTRUCTION]
    assert entry.payload["reason"] == "guardian_unconfirmed"
    assert submission_id not in world.store.keys


def test_the_confirmed_representative_exercises_the_childs_rights(world: RightsWorld) -> None:
    submission_id = world.submit("blog-subscription", representative=PARENT)
    world.guardians.confirm(submission_id, world.last_code(PARENT.email))
    parent = world.rights.session(world.session_for(PARENT.email))
    [view] = world.rights.records(parent)
    assert view.opened.record.submission_id == submission_id
    assert view.relationship is Relationship.LEGAL_REPRESENTATIVE
    corrected = world.rights.correct(parent, submission_id, {"job_grade": "Student"})
    assert corrected.opened.data.fields["job_grade"] == "Student"
    world.rights.erase(parent, submission_id)
    assert submission_id not in world.store.records


def test_an_unconfirmed_representative_cannot_act_for_the_child(world: RightsWorld) -> None:
    world.submit("blog-subscription", representative=PARENT)
    # The pending record's guardian index makes the address known, but confers no rights yet.
    parent = world.rights.session(world.session_for(PARENT.email))
    assert world.rights.records(parent) == []


def test_the_child_sees_their_own_pending_record(world: RightsWorld) -> None:
    submission_id = world.submit("blog-subscription", representative=PARENT)
    [view] = world.rights.records(world.rights.session(world.session_for(CHILD)))
    assert view.opened.record.submission_id == submission_id
    assert view.opened.record.status is RecordStatus.PENDING_GUARDIAN


@pytest.mark.parametrize(
    "own_address",
    [
        CHILD,
        CHILD.replace("example.co.kr", "EXAMPLE.CO.KR"),
        CHILD.replace("example", "ｅｘａｍｐｌｅ"),
    ],
)
def test_a_child_cannot_name_their_own_mailbox_as_representative(world: RightsWorld, own_address: str) -> None:
    consent = ConsentGiven(True, False, POLICY_VERSION, under_14=True)
    with pytest.raises(ValidationFailed) as refused:
        world.intake.submit(
            FORMS[FormId.BLOG_SUBSCRIPTION],
            dict(VALID_FIELDS["blog-subscription"]),
            consent,
            RequestOrigin(None, None),
            Representative("Me Again", normalize_email(own_address), None),
        )
    assert refused.value.details[0].field == "legal_representative.email"
    assert world.store.records == {}
    assert world.mailer.sent == []


def test_a_different_mailbox_that_only_looks_alike_may_represent(world: RightsWorld) -> None:
    look_alike = CHILD.replace("s", "ſ", 1)
    assert look_alike != CHILD
    world.submit("blog-subscription", representative=Representative("Parent", normalize_email(look_alike), None))
    assert any(mail.to == (normalize_email(look_alike),) for mail in world.mailer.sent)


def test_a_childs_record_cannot_be_corrected_to_the_representatives_mailbox(world: RightsWorld) -> None:
    submission_id = world.submit("blog-subscription", representative=PARENT)
    world.guardians.confirm(submission_id, world.last_code(PARENT.email))
    token = world.session_for(CHILD)
    me = world.rights.session(token)
    with pytest.raises(ValidationFailed) as refused:
        world.rights.correct(me, submission_id, {"email": PARENT.email.replace("example.co.kr", "EXAMPLE.CO.KR")})
    assert refused.value.details[0].field == "fields.email"
    assert world.store.records[submission_id].subject == world.blind_index.subject_of(CHILD)


def _links(world: RightsWorld, to: str) -> list[str]:
    return [m.text for m in world.mailer.sent if m.to == (to,) and "files.example.com" in m.text]


def test_a_childs_download_is_mailed_its_link_once_the_representative_confirms(world: RightsWorld) -> None:
    child = VALID_FIELDS["resources-download"]["email"]
    submission_id = world.submit("resources-download", representative=PARENT)
    assert _links(world, child) == []  # nothing is used before the consent, the file included
    world.guardians.confirm(submission_id, world.last_code(PARENT.email))
    [link] = _links(world, child)
    wanted = resource(VALID_FIELDS["resources-download"]["resource_id"])
    assert wanted is not None
    assert wanted.object_key in link  # the file the child asked for, by the ordinary download's mail
    assert "X-Amz-Expires=3600" in link
    assert _links(world, PARENT.email) == []


def test_a_link_mail_that_fails_after_confirming_is_sent_when_the_representative_tries_again(
    world: RightsWorld,
) -> None:
    child = VALID_FIELDS["resources-download"]["email"]
    submission_id = world.submit("resources-download", representative=PARENT)
    code = world.last_code(PARENT.email)
    world.mailer.fail = True
    with pytest.raises(Unavailable):
        world.guardians.confirm(submission_id, code)
    assert world.store.records[submission_id].status is RecordStatus.ACTIVE  # the consent is recorded
    world.mailer.fail = False
    world.guardians.confirm(submission_id, code)  # the same code finishes what failed
    assert len(_links(world, child)) == 1
    with pytest.raises(CodeRejected):  # and is spent now
        world.guardians.confirm(submission_id, code)
    assert len(world.store.ledger.chains[LedgerKind.CONSENT]) == 1


def test_confirming_a_child_who_asked_for_no_file_mails_no_link(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us", representative=PARENT)
    sent = len(world.mailer.sent)
    world.guardians.confirm(submission_id, world.last_code(PARENT.email))
    assert len(world.mailer.sent) == sent
