"""Legal holds (§4.2) in the domain: placed by ids or by email, refused whole, released, stacked."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from policybound.domain.core.errors import NotFound, ValidationFailed
from policybound.domain.core.ledger import LedgerKind, verify_chain
from policybound.domain.core.ports import DestroyOutcome
from policybound.domain.retention.destruction import DestructionReason
from tests.support.retention import STAFF_ID, World

LATER = timedelta(days=365 * 6)


def test_held_records_survive_every_destruction_path_until_released() -> None:
    world = World()
    receipt = world.submit()
    hold = world.holds.hold_records([receipt.submission_id], "CASE-2031-17", "Court order", STAFF_ID)
    record = world.store.records[receipt.submission_id]

    world.at(receipt.retained_until + LATER)
    assert world.sweeper.run().destroyed == 0
    assert world.destroyer.destroy(record, DestructionReason.SUBJECT_ERASURE) is DestroyOutcome.HELD
    assert world.exists(receipt.submission_id)

    release = world.holds.release(hold.hold_id, "other-manager")
    assert release.changed
    assert release.hold.released_by == "other-manager"
    assert world.sweeper.run().destroyed == 1
    assert not world.exists(receipt.submission_id)


def test_the_ledger_names_ids_and_case_never_the_reason_text() -> None:
    world = World()
    receipt = world.submit()
    hold = world.holds.hold_records([receipt.submission_id], "CASE-9", "Seoul police request 2031-44", STAFF_ID)
    world.holds.release(hold.hold_id, STAFF_ID)

    placed, released = world.ledger(LedgerKind.LEGAL_HOLD)
    assert placed.payload == {
        "event": "placed",
        "hold_id": hold.hold_id,
        "case_reference": "CASE-9",
        "submission_ids": [receipt.submission_id],
        "selected_by": "submission_ids",
        "placed_by": STAFF_ID,
        "reason_sha256": hashlib.sha256(b"Seoul police request 2031-44").hexdigest(),
    }
    assert released.payload["event"] == "released"
    assert released.payload["released_by"] == STAFF_ID
    assert "Seoul police" not in world.ledger_text()
    assert verify_chain(world.ledger(LedgerKind.LEGAL_HOLD)) is None


def test_a_hold_by_email_takes_every_live_record_of_that_person_and_no_one_elses() -> None:
    world = World()
    first = world.submit("contact-us")
    second = world.submit("blog-subscription", email="minji@EXAMPLE.CO.KR")  # same mailbox, other spelling
    stranger = world.submit("contact-us", email="someone@example.co.kr")

    hold = world.holds.hold_subject("minji@example.co.kr", "CASE-3", "Investigation", STAFF_ID)
    assert set(hold.submission_ids) == {first.submission_id, second.submission_id}
    assert world.ledger(LedgerKind.LEGAL_HOLD)[0].payload["selected_by"] == "email"
    assert "minji" not in world.ledger_text().lower()

    world.at(first.retained_until + LATER).sweeper.run()
    assert world.exists(first.submission_id)
    assert world.exists(second.submission_id)
    assert not world.exists(stranger.submission_id)


def test_an_email_without_records_is_not_found() -> None:
    with pytest.raises(NotFound) as refused:
        World().holds.hold_subject("nobody@example.co.kr", "CASE-1", "Investigation", STAFF_ID)
    assert refused.value.details[0].field == "email"
    assert "nobody" not in refused.value.message


def test_one_unknown_id_refuses_the_whole_hold_and_names_it() -> None:
    world = World()
    kept = world.submit()
    unknown = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(NotFound) as refused:
        world.holds.hold_records([kept.submission_id, unknown], "CASE-1", "Investigation", STAFF_ID)
    assert [d.field for d in refused.value.details] == ["submission_ids[1]"]
    assert world.store.held == set()
    assert world.hold_store.holds == {}
    assert world.ledger(LedgerKind.LEGAL_HOLD) == []


def test_a_record_past_its_retention_cannot_be_held_back_from_destruction() -> None:
    world = World()
    receipt = world.submit()
    world.at(receipt.retained_until)
    with pytest.raises(NotFound):
        world.holds.hold_records([receipt.submission_id], "CASE-1", "Too late", STAFF_ID)
    assert world.sweeper.run().destroyed == 1


def test_a_record_under_two_holds_stays_held_until_both_are_released() -> None:
    world = World()
    receipt = world.submit()
    first = world.holds.hold_records([receipt.submission_id], "CASE-1", "One", STAFF_ID)
    world.at(receipt.retained_until + LATER)
    # Past due, but kept by the first hold: a second hold may still join it.
    second = world.holds.hold_records([receipt.submission_id], "CASE-2", "Two", STAFF_ID)

    world.holds.release(first.hold_id, STAFF_ID)
    assert world.sweeper.run().destroyed == 0
    world.holds.release(second.hold_id, STAFF_ID)
    assert world.sweeper.run().destroyed == 1


def test_releasing_twice_changes_nothing_the_second_time() -> None:
    world = World()
    hold = world.holds.hold_records([world.submit().submission_id], "CASE-1", "Investigation", STAFF_ID)
    assert world.holds.release(hold.hold_id, STAFF_ID).changed
    again = world.holds.release(hold.hold_id, "someone-else")
    assert not again.changed
    assert again.hold.released_by == STAFF_ID
    assert len(world.ledger(LedgerKind.LEGAL_HOLD)) == 2


def test_releasing_an_unknown_hold_is_not_found() -> None:
    with pytest.raises(NotFound):
        World().holds.release("no-such-hold", STAFF_ID)


@pytest.mark.parametrize("count", [0, 51])
def test_a_hold_names_one_to_fifty_records(count: int) -> None:
    with pytest.raises(ValidationFailed):
        World().holds.hold_records([f"id-{n}" for n in range(count)], "CASE-1", "Investigation", STAFF_ID)
