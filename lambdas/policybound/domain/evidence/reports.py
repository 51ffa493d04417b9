"""Evidence for auditors (§4, §9): every record collected is accounted for, every destruction reported.

Reconciliation answers "show me every record collected, and for each, that it is still lawfully held or
was destroyed": the consent ledger names every submission ever collected (sealed entries and the ones
still waiting to be sealed), the records table names what is still kept (and which of it a legal hold
keeps), and the destruction chain names what was destroyed. A collected id that is neither kept nor
destroyed is `unaccounted` — the finding an auditor looks for.

The destruction report lists one month's destructions with how each happened, when its backups became
unreadable (its data key was deleted in the destruction's own transaction; for the TTL backstop, when
the key was shredded after TTL removed the item) and when the last point-in-time backup that could hold
it expires. Each row names its ledger entry (sequence number and hash) and the report names the chain's
head, so a printed report can be checked against the ledger later.

Both read whole chains: they are audit reads, run rarely, and the chains hold ids and hashes only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from policybound import tables
from policybound.domain.core.ledger import ChainHead, LedgerDraft, LedgerEntry, LedgerKind
from policybound.domain.evidence.consent_ledger import GIVEN
from policybound.domain.evidence.ledger_audit import all_entries
from policybound.domain.retention.destruction import DestructionReason
from policybound.domain.staff.access_review import month_bounds
from policybound.domain.staff.ports import LedgerReader

# How each destruction came about, as the report names it.
PATHS: dict[str, str] = {
    DestructionReason.RETENTION_EXPIRED.value: "sweep",
    DestructionReason.TTL_BACKSTOP.value: "ttl_backstop",
    DestructionReason.UNSUBSCRIBED.value: "unsubscribe",
    DestructionReason.SUBJECT_ERASURE.value: "erasure",
    DestructionReason.GUARDIAN_UNCONFIRMED.value: "guardian_unconfirmed",
    DestructionReason.INTAKE_FAILED.value: "intake_failed",
    DestructionReason.CONSENT_WITHDRAWN.value: "consent_withdrawn",
}
PITR_WINDOW = timedelta(days=tables.PITR_RECOVERY_DAYS)


@dataclass(frozen=True)
class KeptRecord:
    """A record still in the records table (by id; whether a legal hold keeps it)."""

    submission_id: str
    held: bool


class RecordCensus(Protocol):
    def kept(self) -> Iterator[KeptRecord]:
        """Every record in the records table, by id, through the form index (never a scan)."""
        ...


class UnsealedConsents(Protocol):
    def unsealed(self) -> Iterator[LedgerDraft]:
        """Every consent entry still waiting for the sealing job."""
        ...


class EvidenceLedger(LedgerReader, UnsealedConsents, Protocol):
    pass


@dataclass(frozen=True)
class Reconciliation:
    """Every record collected, accounted for: live, held or destroyed, and any that are not."""

    collected: int
    live: int
    held: int
    destroyed: int
    unaccounted: tuple[str, ...]
    # Collected, but their consent entries are not sealed into the chain yet (the job runs every 15 min).
    unsealed: int
    # Kept or destroyed, yet no consent entry names them (e.g. records stored before the consent ledger).
    without_consent_entry: tuple[str, ...]
    consent_head: ChainHead | None
    destruction_head: ChainHead | None


def _id_of(entry: LedgerEntry | LedgerDraft) -> str | None:
    value = entry.payload.get("submission_id")
    return value if isinstance(value, str) else None


def reconcile(
    consents: Iterable[LedgerEntry],
    unsealed: Iterable[LedgerDraft],
    kept: Iterable[KeptRecord],
    destructions: Iterable[LedgerEntry],
) -> Reconciliation:
    # Read in this order, so that nothing moving meanwhile looks lost: an entry sealed between the first
    # two reads is seen twice (once is enough), a record stored after the consents were read is only
    # `without_consent_entry`, and one destroyed after the census is found in the destruction chain.
    waiting = {sid for draft in unsealed if (sid := _id_of(draft))}
    consent_head: ChainHead | None = None
    collected: set[str] = set()
    for entry in consents:
        consent_head = entry.head
        if entry.payload.get("event") == GIVEN and (sid := _id_of(entry)):
            collected.add(sid)
    waiting -= collected
    collected |= waiting
    live: dict[str, bool] = {record.submission_id: record.held for record in kept}
    destruction_head: ChainHead | None = None
    destroyed: set[str] = set()
    for entry in destructions:
        destruction_head = entry.head
        if sid := _id_of(entry):
            destroyed.add(sid)
    live_collected = collected & live.keys()
    destroyed_collected = (collected & destroyed) - live_collected
    return Reconciliation(
        collected=len(collected),
        live=len(live_collected),
        held=sum(1 for sid in live_collected if live[sid]),
        destroyed=len(destroyed_collected),
        unaccounted=tuple(sorted(collected - live_collected - destroyed_collected)),
        unsealed=len(waiting),
        without_consent_entry=tuple(sorted((live.keys() | destroyed) - collected)),
        consent_head=consent_head,
        destruction_head=destruction_head,
    )


@dataclass(frozen=True)
class DestructionRow:
    """One destruction as the monthly report lists it, with the ledger entry that proves it."""

    submission_id: str
    form: str
    reason: str
    path: str
    due_at: str
    destroyed_at: str
    # The data key was deleted: every backup copy of the record is unreadable from then on.
    backups_unreadable_at: str
    # The last point-in-time backup that can hold the record (unreadable) expires by then.
    last_backup_expires_at: str
    ledger_seq: int
    ledger_hash: str


@dataclass(frozen=True)
class DestructionReport:
    """The destructions of one month, by path, with the destruction chain's head."""

    month: str
    rows: tuple[DestructionRow, ...]
    by_path: dict[str, int] = field(default_factory=dict)
    # The destruction chain's head when the report was made: verify the ledger up to it to check the report.
    chain_head: ChainHead | None = None


def _row(entry: LedgerEntry) -> DestructionRow:
    payload = entry.payload
    reason = str(payload.get("reason", ""))
    destroyed_at = str(payload.get("destroyed_at") or entry.at.isoformat())
    moment = datetime.fromisoformat(destroyed_at)
    return DestructionRow(
        submission_id=str(payload.get("submission_id", "")),
        form=str(payload.get("form", "")),
        reason=reason,
        path=PATHS.get(reason, reason),
        due_at=str(payload.get("due_at", "")),
        destroyed_at=destroyed_at,
        backups_unreadable_at=destroyed_at,
        last_backup_expires_at=(moment + PITR_WINDOW).isoformat(),
        ledger_seq=entry.seq,
        ledger_hash=entry.hash,
    )


def destruction_report(month: str, destructions: Iterable[LedgerEntry]) -> DestructionReport:
    """The destructions whose `destroyed_at` falls in `month` (Korea time), in chain order. The whole
    chain is read: entries are in the order written, and a sweep run with its clock set (local mode, a
    late run) may write times out of order, so no search by time is trusted here."""
    start, end = month_bounds(month)
    rows: list[DestructionRow] = []
    head: ChainHead | None = None
    for entry in destructions:
        head = entry.head
        row = _row(entry)
        if start <= datetime.fromisoformat(row.destroyed_at) < end:
            rows.append(row)
    by_path: dict[str, int] = {}
    for row in rows:
        by_path[row.path] = by_path.get(row.path, 0) + 1
    return DestructionReport(month, tuple(rows), by_path, head)


@dataclass(eq=False, repr=False)
class EvidenceService:
    """The auditors' reports: the reconciliation of records against the ledger, and destructions by month."""

    ledger: EvidenceLedger
    census: RecordCensus

    def reconciliation(self) -> Reconciliation:
        return reconcile(
            all_entries(self.ledger, LedgerKind.CONSENT),
            self.ledger.unsealed(),  # read first: see `reconcile`
            self.census.kept(),
            all_entries(self.ledger, LedgerKind.DESTRUCTION),
        )

    def destructions(self, month: str) -> DestructionReport:
        return destruction_report(month, all_entries(self.ledger, LedgerKind.DESTRUCTION))
