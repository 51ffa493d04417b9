"""Items the sweeper reads per record it destroys, as the table grows (`make bench-sweeper`).

The table is filled with N records, of which the same D are due; the real sweeper (16 shards of the
sparse expiry index, batches of 50) then runs against moto in-process. Every DynamoDB response is
counted as DynamoDB bills reads: a Query reads its `ScannedCount` items, a GetItem one item when it
finds one. The figure to compare is items read per destroyed record: it stays flat as N grows
because the sweeper queries the index for what is due and never scans the table. Prints; never
asserts times (moto's speed says nothing about DynamoDB's).

moto snapshots every table a transaction touches (a deep copy, to roll back on failure), which makes
each destruction cost O(table) under moto — 10,000 records took over 9 minutes to sweep that way. No
transaction fails here, so the bench skips that snapshot while sweeping: it changes moto's speed, not
a single item the sweeper reads.

    python -m bench.sweeper_reads [N ...]     default: 10000 100000
"""

from __future__ import annotations

import copy
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from bench.harness import moto_stack
from policybound.adapters.dynamodb import key_item, record_item
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.model import ConsentProof, RecordStatus, SealedBlob, StoredSubmission, WrappedKey
from policybound.domain.core.retention import retained_until
from policybound.policy import POLICY_VERSION, FormId, Purpose
from tests.conftest import NOW

DUE = 200
BATCH_WRITE = 25


def synthetic(consented_offset_days: int) -> tuple[StoredSubmission, WrappedKey]:
    """A record as intake stores it; its sealed blob and key are random bytes: the sweeper never opens one."""
    consented = NOW - timedelta(days=consented_offset_days)
    record = StoredSubmission(
        submission_id=str(uuid.uuid4()),
        form=FormId.CONTACT_US,
        status=RecordStatus.ACTIVE,
        subject=os.urandom(16).hex(),
        received_at=consented,
        retained_until=retained_until(consented),
        consent=ConsentProof(POLICY_VERSION, consented, False, ("name", "email"), (Purpose.INQUIRY_RESPONSE,)),
        items_dropped=(),
        sealed=SealedBlob(os.urandom(300)),
    )
    return record, WrappedKey(os.urandom(60), os.urandom(180))


def populate(dynamodb: Any, records_table: str, keys_table: str, total: int, due: int) -> None:
    """`due` records consented more than 60 months before NOW (due), the rest within the last 5 years."""
    pending: dict[str, list[dict[str, Any]]] = {records_table: [], keys_table: []}

    def flush() -> None:
        requests = {table: items for table, items in pending.items() if items}
        while requests:
            unprocessed = dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
            requests = unprocessed
        for items in pending.values():
            items.clear()

    for n in range(total):
        offset = 365 * 5 + 30 + n % 300 if n < due else n % (365 * 4)
        record, key = synthetic(offset)
        pending[records_table].append({"PutRequest": {"Item": record_item(record)}})
        pending[keys_table].append({"PutRequest": {"Item": key_item(record.submission_id, key)}})
        if len(pending[records_table]) * 2 >= BATCH_WRITE - 1:
            flush()
    flush()


def count_reads(client: Any) -> Counter[str]:
    """Items read, by what read them, from every DynamoDB response the client gets."""
    reads: Counter[str] = Counter()

    def after(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        reads[f"calls:{model.name}"] += 1
        if model.name in ("Query", "Scan"):
            reads[f"items:{model.name}"] += int(parsed.get("ScannedCount", 0))
        elif model.name == "GetItem":
            reads["items:GetItem"] += 1 if parsed.get("Item") else 0

    client.meta.events.register("after-call.dynamodb.*", after)
    return reads


@contextmanager
def without_moto_table_snapshots() -> Iterator[None]:
    from unittest import mock

    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import Table

    class NoTableSnapshot:
        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    with mock.patch.object(models, "copy", NoTableSnapshot):
        yield


def measure(total: int, due: int = DUE) -> dict[str, Any]:
    with moto_stack(clock=FixedClock(NOW)) as stack:
        settings = stack.wiring.settings
        started = time.monotonic()
        populate(stack.wiring.ports.dynamodb, settings.records_table, settings.keys_table, total, due)
        filled = time.monotonic() - started
        reads = count_reads(stack.wiring.ports.dynamodb)
        started = time.monotonic()
        with without_moto_table_snapshots():
            report = stack.wiring.sweeper.run()
        swept = time.monotonic() - started
    items = sum(count for name, count in reads.items() if name.startswith("items:"))
    return {
        "stored": total,
        "destroyed": report.destroyed,
        "items_read": items,
        "per_destroyed": items / max(report.destroyed, 1),
        "scans": reads["calls:Scan"],
        "queries": reads["calls:Query"],
        "gets": reads["calls:GetItem"],
        "fill_seconds": filled,
        "sweep_seconds": swept,
    }


def main(argv: list[str]) -> int:
    sizes = [int(arg) for arg in argv] or [10_000, 100_000]
    print(f"Sweeper reads per destroyed record ({DUE} due in each table; moto in-process)\n")
    print("| stored records | destroyed | items read | items read per destroyed | scans | queries | gets |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    timings = []
    for size in sizes:
        row = measure(size)
        print(
            f"| {row['stored']:,} | {row['destroyed']} | {row['items_read']:,} | {row['per_destroyed']:.2f} "
            f"| {row['scans']} | {row['queries']} | {row['gets']} |",
            flush=True,
        )
        timings.append(f"{size:,}: filled in {row['fill_seconds']:.0f} s, swept in {row['sweep_seconds']:.1f} s")
    print("\nWall time under moto (not DynamoDB's): " + "; ".join(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
