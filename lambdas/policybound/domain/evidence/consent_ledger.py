"""The consent ledger (§1, §4): every accepted submission's consent, kept as evidence after the record.

A submission must not pay for a chain head read, so its consent entry is written *unsealed*, in the
very transaction that stores the record (no extra AWS call). A scheduled job then seals what is
waiting into the consent chain in batches: each entry gets its place in the hash chain, and a batch
entry after them holds the Merkle root (RFC 6962) of their hashes. Verification recomputes both, so
an entry edited, dropped or slipped in afterwards breaks the chain or its batch's root.

Entries hold what was consented to — submission id, form, policy version, items, purposes, time —
and nothing that leads back to the person: no blind index, no address, no IP.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import ChainBreak, ChainHead, LedgerDraft, LedgerEntry, LedgerKind, chain
from policybound.domain.core.model import StoredSubmission

GIVEN = "given"
BATCH_SEALED = "batch_sealed"

# One batch is one DynamoDB transaction (at most 100 items): each entry is put into the chain and
# deleted from the unsealed ones, plus the batch entry itself.
SEAL_BATCH_SIZE = 49
# Losing a batch to another run more often than this in a row means something else is wrong.
_MAX_LOST_BATCHES = 5


def consent_given(record: StoredSubmission) -> LedgerDraft:
    """The consent entry of a new record: what was agreed to, by id — never who agreed."""
    consent = record.consent
    return LedgerDraft.about_record(
        LedgerKind.CONSENT,
        consent.consented_at,
        GIVEN,
        record,
        policy_version=consent.policy_version,
        items=list(consent.items),
        purposes=[purpose.value for purpose in consent.purposes],
        optional_consent=consent.optional,
        under_14=consent.under_14,
        consented_at=consent.consented_at.isoformat(),
    )


# --- Merkle tree (RFC 6962 §2.1: leaves and nodes hashed apart, split at the largest power of two) ---


def _leaf(data: str) -> bytes:
    return hashlib.sha256(b"\x00" + data.encode()).digest()


def _root(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _root(leaves[:split]) + _root(leaves[split:])).digest()


def merkle_root(entry_hashes: Sequence[str]) -> str:
    """The Merkle tree hash over entry hashes (hex), in chain order."""
    if not entry_hashes:
        return hashlib.sha256(b"").hexdigest()
    return _root([_leaf(value) for value in entry_hashes]).hex()


def sealed_batch(drafts: Sequence[LedgerDraft], head: ChainHead | None, at: datetime) -> list[LedgerEntry]:
    """The entries that seal `drafts` after `head`: one chained entry each, then the batch entry."""
    entries: list[LedgerEntry] = []
    for draft in drafts:
        entries.append(chain(draft, entries[-1].head if entries else head))
    batch = LedgerDraft.event(
        LedgerKind.CONSENT,
        at,
        BATCH_SEALED,
        first_seq=entries[0].seq,
        last_seq=entries[-1].seq,
        count=len(entries),
        merkle_root=merkle_root([entry.hash for entry in entries]),
    )
    return [*entries, chain(batch, entries[-1].head)]


class BatchCheck:
    """Checks, entry by entry in chain order, that every given consent is sealed in exactly one batch and
    that each batch's Merkle root matches the entries it names. Feed it, then ask `finish`."""

    def __init__(self) -> None:
        self.batches = 0
        self._open: list[LedgerEntry] = []
        self.broken: ChainBreak | None = None

    def feed(self, entry: LedgerEntry) -> None:
        if self.broken is not None:
            return
        event = entry.payload.get("event")
        if event == GIVEN:
            self._open.append(entry)
        elif event == BATCH_SEALED:
            self._close(entry)
        elif self._open:
            self.broken = ChainBreak(entry.kind, entry.seq, "interrupts a batch of consents before it is sealed")

    def _close(self, batch: LedgerEntry) -> None:
        payload = batch.payload
        first, last = (self._open[0].seq, self._open[-1].seq) if self._open else (None, None)
        if (payload.get("first_seq"), payload.get("last_seq"), payload.get("count")) != (first, last, len(self._open)):
            self.broken = ChainBreak(batch.kind, batch.seq, "does not name the consents sealed just before it")
        elif payload.get("merkle_root") != merkle_root([entry.hash for entry in self._open]):
            self.broken = ChainBreak(batch.kind, batch.seq, "Merkle root does not match the consents of its batch")
        self.batches += 1
        self._open = []

    def finish(self) -> ChainBreak | None:
        if self.broken is None and self._open:
            first = self._open[0]
            self.broken = ChainBreak(first.kind, first.seq, "consents in the chain without a batch that seals them")
        return self.broken

    def watch(self, entries: Iterable[LedgerEntry]) -> Iterator[LedgerEntry]:
        for entry in entries:
            self.feed(entry)
            yield entry


# --- Sealing job -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingConsent:
    """An unsealed consent entry, at its position among the unsealed ones (oldest first)."""

    position: int
    draft: LedgerDraft


class ConsentLedgerStore(Protocol):
    def pending(self, limit: int) -> list[PendingConsent]:
        """The oldest unsealed consent entries."""
        ...

    def seal(self, batch: Sequence[PendingConsent], at: datetime) -> bool:
        """Move `batch` into the consent chain with its batch entry (`sealed_batch`), in one transaction
        that also removes them from the unsealed ones. False when another run sealed some of them first
        (nothing written)."""
        ...


@dataclass
class SealReport:
    """What one sealing run did."""

    sealed: int = 0
    batches: int = 0
    # Some entries were left waiting: the run was told to stop.
    complete: bool = True


@dataclass(eq=False, repr=False)
class ConsentSealing:
    """Seals waiting consent entries into the consent chain, a batch at a time."""

    store: ConsentLedgerStore
    clock: Clock
    batch_size: int = SEAL_BATCH_SIZE

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= SEAL_BATCH_SIZE:
            raise ValueError(f"a batch holds 1 to {SEAL_BATCH_SIZE} consents")

    def run(self, keep_going: Callable[[], bool] = lambda: True) -> SealReport:
        """Seal everything waiting, a batch per transaction; `keep_going` is asked before each batch."""
        report = SealReport()
        lost = 0
        while True:
            batch = self.store.pending(self.batch_size)
            if not batch:
                return report
            if not keep_going():
                report.complete = False
                return report
            if self.store.seal(batch, self.clock.now()):
                report.sealed += len(batch)
                report.batches += 1
                lost = 0
                continue
            lost += 1
            if lost >= _MAX_LOST_BATCHES:
                raise Unavailable("DynamoDB (consent sealing contention)")
