"""The audit ledger: append-only, hash-chained entries that hold no personal information.

Each kind of event has its own chain. An entry's hash covers its content and the previous entry's
hash, so editing, removing or reordering any entry breaks every later link; `verify_chain` names the
first break. Entries carry ids, hashes, times, reasons and staff ids — never names, emails or phones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policybound.domain.core.model import StoredSubmission

GENESIS_HASH = "0" * 64


class LedgerKind(StrEnum):
    DESTRUCTION = "destruction"
    ACCESS = "access"
    DISCLOSURE = "disclosure"
    ACCESS_RIGHTS = "access_rights"
    CONSENT = "consent"
    LEGAL_HOLD = "legal_hold"
    RIGHTS_REQUEST = "rights_request"
    INCIDENT = "incident"


LedgerValue = str | int | bool | None | list[str]


@dataclass(frozen=True)
class LedgerDraft:
    """What happened, before it is placed in its chain."""

    kind: LedgerKind
    at: datetime
    payload: Mapping[str, LedgerValue]

    @classmethod
    def event(cls, kind: LedgerKind, at: datetime, event: str, /, **fields: LedgerValue) -> LedgerDraft:
        """A draft whose payload names its event first, as every chain that records several kinds of
        event does (a consent given or withdrawn, a hold placed or released). The three are positional
        only: a payload may carry a field of any name, a rights request's `kind` among them."""
        return cls(kind, at, {"event": event, **fields})

    @classmethod
    def about_record(
        cls, kind: LedgerKind, at: datetime, event: str, record: StoredSubmission, /, **fields: LedgerValue
    ) -> LedgerDraft:
        """An event about one record, which names it as the evidence reports look it up: by id and form."""
        return cls.event(kind, at, event, submission_id=record.submission_id, form=record.form.value, **fields)


@dataclass(frozen=True)
class ChainHead:
    """The last entry of a chain, which the next one links to."""

    seq: int
    hash: str


@dataclass(frozen=True)
class LedgerEntry:
    """An entry in its chain: its content, the hash of the entry before it, and its own hash."""

    kind: LedgerKind
    seq: int
    at: datetime
    payload: Mapping[str, LedgerValue]
    prev_hash: str
    hash: str

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.seq, self.hash)


def _canonical(kind: LedgerKind, seq: int, at: datetime, payload: Mapping[str, Any], prev_hash: str) -> bytes:
    document = {"kind": kind.value, "seq": seq, "at": at.isoformat(), "payload": payload, "prev": prev_hash}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(kind: LedgerKind, seq: int, at: datetime, payload: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(_canonical(kind, seq, at, payload, prev_hash)).hexdigest()


def chain(draft: LedgerDraft, head: ChainHead | None) -> LedgerEntry:
    """The entry that follows `head` (or starts the chain)."""
    seq = head.seq + 1 if head else 1
    prev = head.hash if head else GENESIS_HASH
    return LedgerEntry(
        kind=draft.kind,
        seq=seq,
        at=draft.at,
        payload=dict(draft.payload),
        prev_hash=prev,
        hash=entry_hash(draft.kind, seq, draft.at, draft.payload, prev),
    )


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops holding, and how."""

    kind: LedgerKind
    seq: int
    problem: str


def verify_chain(entries: Iterable[LedgerEntry]) -> ChainBreak | None:
    """The first break in one chain's entries (given in `seq` order), or None when it holds."""
    expected_seq, prev = 1, GENESIS_HASH
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(entry.kind, expected_seq, f"entry {expected_seq} is missing (found {entry.seq})")
        if entry.prev_hash != prev:
            return ChainBreak(entry.kind, entry.seq, "does not link to the entry before it")
        if entry_hash(entry.kind, entry.seq, entry.at, entry.payload, entry.prev_hash) != entry.hash:
            return ChainBreak(entry.kind, entry.seq, "content does not match its hash (edited)")
        expected_seq, prev = entry.seq + 1, entry.hash
    return None
