"""The sweeper at its boundaries, in batches, resumed, repeated, and against a stale index."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from policybound.domain.core.ledger import LedgerKind, verify_chain
from policybound.domain.retention.destruction import Destroyer
from policybound.domain.retention.sweeper import SweepCursor, Sweeper, SweepOutcome
from tests.support.fakes import FakeStore
from tests.support.retention import STAFF_ID, World, every_pi_value
from tests.support.rights_fakes import FakeRightsStore

SECOND = timedelta(seconds=1)


def test_one_second_before_due_is_kept_and_at_due_is_destroyed() -> None:
    world = World()
    receipt = world.submit()

    report = world.at(receipt.retained_until - SECOND).sweeper.run()
    assert report.destroyed == 0
    assert world.exists(receipt.submission_id)

    report = world.at(receipt.retained_until).sweeper.run()
    assert report.destroyed == 1
    assert report.complete
    assert receipt.submission_id not in world.store.records
    assert receipt.submission_id not in world.store.keys


def test_the_destruction_entry_names_the_record_and_holds_no_pi() -> None:
    world = World()
    receipt = world.submit("blog-subscription")
    world.at(receipt.retained_until + timedelta(hours=1)).sweeper.run()

    [entry] = world.ledger(LedgerKind.DESTRUCTION)
    assert entry.payload == {
        "submission_id": receipt.submission_id,
        "form": "blog-subscription",
        "consented_at": receipt.received_at.isoformat(),
        "due_at": receipt.retained_until.isoformat(),
        "destroyed_at": (receipt.retained_until + timedelta(hours=1)).isoformat(),
        "reason": "retention_expired",
    }
    for value in every_pi_value():
        assert value not in world.ledger_text()


def test_a_held_record_is_kept_and_destroyed_on_the_first_sweep_after_release() -> None:
    world = World()
    held, free = world.submit(), world.submit()
    hold = world.holds.hold_records([held.submission_id], "CASE-2031-17", "Police request", STAFF_ID)

    report = world.at(held.retained_until + timedelta(days=30)).sweeper.run()
    assert report.destroyed == 1
    assert world.exists(held.submission_id)
    assert not world.exists(free.submission_id)

    world.holds.release(hold.hold_id, STAFF_ID)
    report = world.sweeper.run()
    assert report.destroyed == 1
    assert not world.exists(held.submission_id)


def test_work_goes_in_bounded_batches_and_a_stopped_run_resumes_from_its_cursor() -> None:
    world = World()
    receipts = [world.submit() for _ in range(7)]
    world.at(receipts[-1].retained_until)
    asked = iter([True, True, False])

    first = world.sweeper.run(keep_going=lambda: next(asked))
    assert (first.destroyed, first.batches) == (6, 2)
    assert first.cursor is not None
    assert not first.complete

    second = world.sweeper.run(cursor=SweepCursor.decode(first.cursor.encode()))
    assert second.destroyed == 1
    assert second.complete
    assert not any(world.exists(r.submission_id) for r in receipts)


def test_starting_over_also_resumes_because_destroyed_records_leave_the_index() -> None:
    world = World()
    receipts = [world.submit() for _ in range(5)]
    world.at(receipts[-1].retained_until)
    asked = iter([True, False])
    assert world.sweeper.run(keep_going=lambda: next(asked)).destroyed == 3
    assert world.sweeper.run().destroyed == 2


def test_sweeping_again_is_a_no_op() -> None:
    world = World()
    for _ in range(4):
        world.submit()
    world.at(world.clock.now() + timedelta(days=365 * 6))
    assert world.sweeper.run().destroyed == 4

    again = world.sweeper.run()
    assert again.destroyed == 0
    assert again.listed == 0
    entries = world.ledger(LedgerKind.DESTRUCTION)
    assert len(entries) == 4
    assert verify_chain(entries) is None


def test_progress_hears_every_outcome() -> None:
    world = World()
    for _ in range(4):
        world.submit()
    heard: list[SweepOutcome] = []
    world.at(world.clock.now() + timedelta(days=365 * 6)).sweeper.run(on_record=heard.append)
    assert heard == [SweepOutcome.DESTROYED] * 4


class StaleIndexStore(FakeRightsStore):
    """An index that still lists what changed since: an id destroyed meanwhile, and every record
    whether due or held."""

    def due(self, shard: str, now_epoch: int, limit: int, after: str | None = None) -> tuple[list[str], str | None]:
        if after is not None or shard != "0":
            return [], None
        return [*sorted(self.records), "00000000-0000-4000-8000-000000000000"], None


def test_a_stale_index_never_makes_the_sweeper_destroy_what_is_not_due_or_held() -> None:
    world = World(store=StaleIndexStore())
    due, held, not_due = world.submit(), world.submit(), world.submit()
    world.store.held.add(held.submission_id)
    # Its retention was changed after the index listed it (the index is eventually consistent).
    stored = world.store.records[not_due.submission_id]
    world.store.records[not_due.submission_id] = replace(stored, retained_until=due.retained_until + SECOND)

    report = world.at(due.retained_until).sweeper.run()
    assert report.counts == {
        SweepOutcome.DESTROYED: 1,
        SweepOutcome.HELD: 1,
        SweepOutcome.NOT_DUE: 1,
        SweepOutcome.ALREADY_GONE: 1,
    }
    assert not world.exists(due.submission_id)
    assert world.exists(held.submission_id)
    assert world.exists(not_due.submission_id)


def test_every_shard_is_visited() -> None:
    store = FakeStore()
    asked: list[str] = []

    class Recording(FakeStore):
        def due(self, shard: str, now_epoch: int, limit: int, after: str | None = None):
            asked.append(shard)
            return [], None

    sweeper = Sweeper(Recording(), Destroyer(store, World().clock), World().clock, shards=("0", "1", "2"))
    sweeper.run()
    assert asked == ["0", "1", "2"]


@pytest.mark.parametrize("text", ["", "{}", '{"shard": -1}', '{"shard": "1"}', '{"shard": 1, "after": 5}', "[1]"])
def test_a_cursor_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a sweep cursor"):
        SweepCursor.decode(text)
