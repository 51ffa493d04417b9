"""The sweeper (§4, §9.1): destroys every record whose retention ended, within the hour.

It reads the sharded, sparse expiry index — never the table — so a run's work grows with what is
due, not with what is stored. Held records have no shard and so are never listed (§4.2). Each record
is destroyed in its own transaction (record, key and ledger entry together), so a run that stops
anywhere leaves nothing half-done, and a second run finds only what is still due: sweeping is
idempotent. A run stops between batches when told to and hands back a cursor to resume from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from policybound.domain.core import retention
from policybound.domain.core.clock import Clock
from policybound.domain.core.ports import DestroyOutcome, SubmissionStore
from policybound.domain.retention.destruction import Destroyer, DestructionReason

DEFAULT_BATCH_SIZE = 50


class SweepOutcome(StrEnum):
    DESTROYED = "destroyed"
    # Destroyed by someone else since the index listed it (an unsubscribe, an erasure, another sweep).
    ALREADY_GONE = "already_gone"
    # Put under a legal hold since the index listed it.
    HELD = "held"
    # The index (eventually consistent) listed a record whose stored retention has not ended: never destroy it.
    NOT_DUE = "not_due"


@dataclass(frozen=True)
class SweepCursor:
    """Where a sweep stopped: the shard (by position) and the index position within it."""

    shard: int
    after: str | None = None

    def encode(self) -> str:
        return json.dumps({"shard": self.shard, "after": self.after}, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str) -> SweepCursor:
        try:
            raw = json.loads(text)
            shard, after = raw["shard"], raw.get("after")
        except (ValueError, TypeError, KeyError) as error:
            raise ValueError("not a sweep cursor") from error
        if not isinstance(shard, int) or shard < 0 or not (after is None or isinstance(after, str)):
            raise ValueError("not a sweep cursor")
        return cls(shard, after)


@dataclass
class SweepReport:
    """What one sweep found, by outcome, and where it stopped if it did not finish."""

    as_of: datetime
    counts: dict[SweepOutcome, int] = field(default_factory=lambda: dict.fromkeys(SweepOutcome, 0))
    batches: int = 0
    # Set when the run stopped before sweeping every shard; None when nothing due was left unvisited.
    cursor: SweepCursor | None = None

    @property
    def destroyed(self) -> int:
        return self.counts[SweepOutcome.DESTROYED]

    @property
    def listed(self) -> int:
        return sum(self.counts.values())

    @property
    def complete(self) -> bool:
        return self.cursor is None


@dataclass(eq=False, repr=False)
class Sweeper:
    """Destroys records whose retention ended, shard by shard through the expiry index."""

    store: SubmissionStore
    destroyer: Destroyer
    clock: Clock
    shards: Sequence[str]
    batch_size: int = DEFAULT_BATCH_SIZE

    def __post_init__(self) -> None:
        if not self.shards or self.batch_size < 1:
            raise ValueError("a sweeper needs at least one shard and a positive batch size")
        # A copy: a caller's list changed later does not change what this sweeper visits.
        self.shards = tuple(self.shards)

    def run(
        self,
        cursor: SweepCursor | None = None,
        keep_going: Callable[[], bool] = lambda: True,
        on_record: Callable[[SweepOutcome], None] = lambda _: None,
    ) -> SweepReport:
        """Destroy what was due when the run started, shard by shard, a batch at a time.

        `keep_going` is asked before each batch (the entry point stops well before its timeout);
        `on_record` hears each outcome (the CLI's progress bar).
        """
        # One "now" for the whole run: what falls due while it runs is the next run's work.
        now = self.clock.now()
        now_epoch = retention.epoch_seconds(now)
        report = SweepReport(as_of=now)
        position = cursor or SweepCursor(0)
        while position.shard < len(self.shards):
            if not keep_going():
                report.cursor = position
                return report
            ids, after = self.store.due(self.shards[position.shard], now_epoch, self.batch_size, position.after)
            report.batches += 1
            for submission_id in ids:
                outcome = self._sweep_one(submission_id, now)
                report.counts[outcome] += 1
                on_record(outcome)
            position = SweepCursor(position.shard, after) if after else SweepCursor(position.shard + 1)
        return report

    def _sweep_one(self, submission_id: str, now: datetime) -> SweepOutcome:
        record = self.store.get(submission_id)
        if record is None:
            return SweepOutcome.ALREADY_GONE
        if not retention.is_expired(retention.epoch_seconds(record.retained_until), now):
            return SweepOutcome.NOT_DUE
        outcome = self.destroyer.destroy(record, DestructionReason.RETENTION_EXPIRED)
        return {
            DestroyOutcome.DESTROYED: SweepOutcome.DESTROYED,
            DestroyOutcome.ALREADY_GONE: SweepOutcome.ALREADY_GONE,
            DestroyOutcome.HELD: SweepOutcome.HELD,
        }[outcome]
