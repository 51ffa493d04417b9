"""Reading the ledger as an auditor: pages of one chain, every chain verified, entries of a period.

Reads go chain by chain through the ledger's key (one partition per kind), never by scanning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from policybound.domain.core.ledger import ChainBreak, LedgerEntry, LedgerKind, verify_chain
from policybound.domain.evidence.consent_ledger import BatchCheck
from policybound.domain.staff.pagination import Page
from policybound.domain.staff.ports import LedgerReader

VERIFY_PAGE = 500


@dataclass(frozen=True)
class ChainReport:
    """One chain's check: how many entries, its head, and the first break if it does not hold."""

    kind: LedgerKind
    entries: int
    head_hash: str | None
    broken: ChainBreak | None
    # The consent chain only: how many sealed batches, each checked against its Merkle root.
    batches: int | None = None


def all_entries(
    ledger: LedgerReader, kind: LedgerKind, after_seq: int = 0, page: int = VERIFY_PAGE
) -> Iterator[LedgerEntry]:
    while True:
        batch = ledger.entries(kind, after_seq=after_seq, limit=page)
        yield from batch
        if len(batch) < page:
            return
        after_seq = batch[-1].seq


class _Counted:
    """Passes entries through to verification, remembering how many and the last one."""

    def __init__(self, entries: Iterator[LedgerEntry]) -> None:
        self._entries = entries
        self.total = 0
        self.last: LedgerEntry | None = None

    def __iter__(self) -> Iterator[LedgerEntry]:
        for entry in self._entries:
            self.total += 1
            self.last = entry
            yield entry


def verify_one(ledger: LedgerReader, kind: LedgerKind) -> ChainReport:
    """One chain to its first break; the consent chain's batches are checked in the same pass."""
    batches = BatchCheck() if kind is LedgerKind.CONSENT else None
    entries = all_entries(ledger, kind)
    counted = _Counted(batches.watch(entries) if batches else entries)
    broken = verify_chain(counted)
    if broken is None and batches is not None:
        broken = batches.finish()
    head = counted.last.hash if counted.last is not None and broken is None else None
    return ChainReport(kind, counted.total, head, broken, batches.batches if batches else None)


def verify_all(ledger: LedgerReader) -> list[ChainReport]:
    """Every chain, each to its first break (or its end)."""
    return [verify_one(ledger, kind) for kind in LedgerKind]


def entries_page(ledger: LedgerReader, kind: LedgerKind, after_seq: int, limit: int) -> Page[LedgerEntry]:
    entries = ledger.entries(kind, after_seq=after_seq, limit=limit)
    return Page(entries, str(entries[-1].seq) if len(entries) == limit else None)


def first_seq_from(ledger: LedgerReader, kind: LedgerKind, moment: datetime) -> int:
    """The first sequence number written at or after `moment`: a binary search over the chain, so a
    month's review reads O(log n) entries to find its start instead of the whole chain."""
    head = ledger.head(kind)
    low, high = 1, (head.seq + 1 if head else 1)
    while low < high:
        middle = (low + high) // 2
        found = ledger.entries(kind, after_seq=middle - 1, limit=1)
        if found and found[0].at < moment:
            low = middle + 1
        else:
            high = middle
    return low


def entries_between(ledger: LedgerReader, kind: LedgerKind, start: datetime, end: datetime) -> Iterator[LedgerEntry]:
    """Entries with `start <= at < end`, in chain order."""
    for entry in all_entries(ledger, kind, after_seq=first_seq_from(ledger, kind, start) - 1):
        if entry.at >= end:
            return
        if entry.at >= start:
            yield entry
