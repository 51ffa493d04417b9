"""Read-time expiry (§4): a record past `retained_until` is gone for every reader, before any sweep.

DynamoDB's TTL deletes "within a few days" and the sweeper runs hourly, so the stored item can outlive
its retention; every read path (staff, rights, unsubscribe, holds by email) goes through RecordReader.
"""

from __future__ import annotations

from datetime import timedelta

from tests.support.retention import World

SECOND = timedelta(seconds=1)


def test_one_second_before_due_a_record_reads_and_opens() -> None:
    world = World()
    receipt = world.submit()
    world.at(receipt.retained_until - SECOND)
    opened = world.reader.open_live(receipt.submission_id)
    assert opened is not None
    assert opened.data.fields["name"] == "Kim Minji"
    subject = world.store.records[receipt.submission_id].subject
    assert [r.submission_id for r in world.reader.of_subject(subject)] == [receipt.submission_id]


def test_at_due_a_record_is_gone_for_every_reader_while_still_stored() -> None:
    world = World()
    receipt = world.submit()
    subject = world.store.records[receipt.submission_id].subject
    world.at(receipt.retained_until)
    assert receipt.submission_id in world.store.records  # the sweep has not run yet
    assert world.reader.live(receipt.submission_id) is None
    assert world.reader.open_live(receipt.submission_id) is None
    assert world.reader.of_subject(subject) == []


def test_a_held_record_past_due_is_kept_but_still_gone_for_readers() -> None:
    world = World()
    receipt = world.submit()
    world.holds.hold_records([receipt.submission_id], "CASE-1", "Investigation", "manager")
    world.at(receipt.retained_until + timedelta(days=1))
    assert world.sweeper.run().destroyed == 0
    assert world.exists(receipt.submission_id)
    # §9.1: kept only to be preserved, not to be used.
    assert world.reader.live(receipt.submission_id) is None
