"""Viewing, correcting and erasing one's records through a rights session (§6)."""

from __future__ import annotations

import json

import pytest

from policybound.domain.core.errors import NotFound, RetainedByLaw, ValidationFailed
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.retention.destruction import DestructionReason
from policybound.domain.rights.verification import StoredSession
from tests.conftest import VALID_FIELDS
from tests.support.rights import RightsWorld, build_world

MINJI = VALID_FIELDS["contact-us"]["email"]
JIHO = VALID_FIELDS["resources-download"]["email"]


@pytest.fixture
def world() -> RightsWorld:
    return build_world()


def session(world: RightsWorld, email: str) -> StoredSession:
    return world.rights.session(world.session_for(email))


def test_view_shows_every_live_record_of_the_address_decrypted_with_its_consent(world: RightsWorld) -> None:
    first = world.submit("contact-us")
    second = world.submit("blog-subscription", email=MINJI)
    world.submit("resources-download")  # someone else's
    views = world.rights.records(session(world, MINJI))
    assert {v.opened.record.submission_id for v in views} == {first, second}
    contact = next(v for v in views if v.opened.record.submission_id == first)
    assert contact.opened.data.fields["inquiry"] == VALID_FIELDS["contact-us"]["inquiry"]
    assert contact.opened.record.consent.purposes
    assert contact.provisions == ()
    assert contact.relationship == "subject"


def test_a_record_past_its_retention_is_not_shown(world: RightsWorld) -> None:
    world.submit("contact-us")
    world.clock.advance(days=366 * 5)
    token = world.session_for(MINJI)
    assert world.rights.records(world.rights.session(token)) == []


def test_a_correction_applies_at_once_under_a_fresh_key_and_is_ledgered_without_pi(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    old_key = world.store.keys[submission_id]
    view = world.rights.correct(
        session(world, MINJI), submission_id, {"job_grade": "Director", "contact": "010 9876 5432"}
    )
    assert view.opened.data.fields["job_grade"] == "Director"
    assert view.opened.data.fields["contact"] == "+821098765432"  # normalised as the form does
    assert world.store.keys[submission_id] != old_key
    reopened = world.reader.open_live(submission_id)
    assert reopened is not None
    assert reopened.data.fields["job_grade"] == "Director"
    assert reopened.data.origin.source_ip == "203.0.113.7"  # the consent proof's origin survives
    [entry] = [
        e for e in world.store.ledger.chains[LedgerKind.RIGHTS_REQUEST] if e.payload["event"] == "record_corrected"
    ]
    assert entry.payload["items"] == ["contact", "job_grade"]
    assert entry.payload["by"] == "subject"
    assert "Director" not in json.dumps(entry.payload)


@pytest.mark.parametrize(
    ("patch", "field", "problem"),
    [
        ({"email": "not-an-email"}, "fields.email", "is not a valid email address"),
        ({"name": None}, "fields.name", "is required"),
        ({"favourite_colour": "blue"}, "fields.favourite_colour", "is not a field of this form"),
        ({"name": "x" * 101}, "fields.name", "at most 100"),
        ({"name": "tab\tinside"}, "fields.name", "control characters"),
    ],
)
def test_a_correction_meets_the_forms_own_rules_and_nothing_changes_when_it_does_not(
    world: RightsWorld, patch: dict[str, str | None], field: str, problem: str
) -> None:
    submission_id = world.submit("contact-us")
    before = (world.store.records[submission_id], world.store.keys[submission_id])
    with pytest.raises(ValidationFailed) as refused:
        world.rights.correct(session(world, MINJI), submission_id, patch)
    [detail] = [d for d in refused.value.details if d.field == field]
    assert problem in detail.problem
    assert (world.store.records[submission_id], world.store.keys[submission_id]) == before


def test_an_optional_item_is_added_only_with_optional_consent_and_can_be_removed(world: RightsWorld) -> None:
    without = world.submit("blog-subscription", optional=False)
    email = VALID_FIELDS["blog-subscription"]["email"]
    me = session(world, email)
    with pytest.raises(ValidationFailed) as refused:
        world.rights.correct(me, without, {"interests": "AI"})
    assert refused.value.details[0].field == "fields.interests"
    with_consent = world.submit("blog-subscription", optional=True)
    view = world.rights.correct(me, with_consent, {"interests": None})
    assert "interests" not in view.opened.data.fields


def test_correcting_the_email_moves_the_record_to_the_new_address(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    me = session(world, MINJI)
    world.rights.correct(me, submission_id, {"email": "Minji.New@Example.co.kr"})
    assert world.store.records[submission_id].subject == world.blind_index.subject_of("Minji.New@example.co.kr")
    assert world.rights.records(me) == []


def test_another_persons_record_is_not_found_for_any_action(world: RightsWorld) -> None:
    theirs = world.submit("resources-download")
    world.submit("contact-us")
    me = session(world, MINJI)
    with pytest.raises(NotFound):
        world.rights.correct(me, theirs, {"name": "Mallory"})
    with pytest.raises(NotFound):
        world.rights.erase(me, theirs)
    with pytest.raises(NotFound):
        world.rights.erase(me, "no-such-id")
    assert theirs in world.store.records


def test_erasure_destroys_record_and_key_with_a_subject_erasure_entry(world: RightsWorld) -> None:
    first, second = world.submit("contact-us"), world.submit("blog-subscription", email=MINJI)
    me = session(world, MINJI)
    world.rights.erase(me, first)
    assert first not in world.store.records
    assert first not in world.store.keys
    [entry] = world.store.ledger.chains[LedgerKind.DESTRUCTION]
    assert entry.payload["submission_id"] == first
    assert entry.payload["reason"] == DestructionReason.SUBJECT_ERASURE
    assert second in world.store.records


def test_erasing_everything_leaves_other_peoples_records(world: RightsWorld) -> None:
    mine = [world.submit("contact-us"), world.submit("blog-subscription", email=MINJI)]
    theirs = world.submit("resources-download")
    world.rights.erase_all(session(world, MINJI))
    assert set(world.store.records) == {theirs}
    assert not set(mine) & set(world.store.keys)
    reasons = {e.payload["reason"] for e in world.store.ledger.chains[LedgerKind.DESTRUCTION]}
    assert reasons == {"subject_erasure"}


def test_a_record_under_legal_hold_is_kept_and_the_subject_is_told_why(world: RightsWorld) -> None:
    held, free = world.submit("contact-us"), world.submit("blog-subscription", email=MINJI)
    world.store.held.add(held)
    me = session(world, MINJI)
    with pytest.raises(RetainedByLaw) as refused:
        world.rights.erase_all(me)
    assert "1 of your records" in refused.value.message
    assert held in world.store.records
    assert free not in world.store.records
    # Out of use since: a second request finds nothing left to erase.
    with pytest.raises(NotFound):
        world.rights.erase(me, held)


def test_a_refused_erasure_ends_the_records_use_and_retention_and_says_so(world: RightsWorld) -> None:
    held = world.submit("blog-subscription", email=MINJI)
    world.store.held.add(held)
    with pytest.raises(RetainedByLaw) as refused:
        world.rights.erase(session(world, MINJI), held)
    # The message promises what now happens: no use, only the investigation, deletion after the hold.
    assert "not used for anything" in refused.value.message
    assert "deleted as soon as" in refused.value.message
    record = world.store.records[held]
    assert record.use_ended_by == "subject_erasure"
    assert record.retained_until <= world.clock.now()
    assert record.unsubscribe_hash is None
    assert world.rights.records(session(world, MINJI)) == []
    [event] = world.store.ledger.chains[LedgerKind.LEGAL_HOLD]
    assert event.payload == {"event": "erasure_deferred_while_held", "submission_id": held}
