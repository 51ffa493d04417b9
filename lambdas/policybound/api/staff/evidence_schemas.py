"""Response shapes of the evidence routes (ids, counts, times and hashes; no PI)."""

from __future__ import annotations

from pydantic import Field

from policybound.api.schemas import from_domain
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.ledger import ChainHead
from policybound.domain.evidence.reports import DestructionReport, DestructionRow, Reconciliation


class ChainHeadOut(LazyModel):
    seq: int
    hash: str

    @classmethod
    def of(cls, head: ChainHead | None) -> ChainHeadOut | None:
        return from_domain(cls, head) if head else None


class ReconciliationOut(LazyModel):
    collected: int = Field(description="submission ids the consent ledger names (sealed or waiting)")
    live: int = Field(description="of those, still kept in the records table")
    held: int = Field(description="of the live ones, kept by a legal hold")
    destroyed: int = Field(description="of those, destroyed (a destruction entry names them)")
    unaccounted: list[str] = Field(description="collected ids that are neither live nor destroyed")
    unsealed: int = Field(description="collected ids whose consent entry waits for the sealing job")
    without_consent_entry: list[str] = Field(description="kept or destroyed ids no consent entry names")
    consent_head: ChainHeadOut | None
    destruction_head: ChainHeadOut | None

    @classmethod
    def of(cls, found: Reconciliation) -> ReconciliationOut:
        return from_domain(
            cls,
            found,
            consent_head=ChainHeadOut.of(found.consent_head),
            destruction_head=ChainHeadOut.of(found.destruction_head),
        )


class DestructionOut(LazyModel):
    submission_id: str
    form: str
    reason: str
    path: str = Field(description="sweep, ttl_backstop, unsubscribe, erasure, guardian_unconfirmed or intake_failed")
    due_at: str
    destroyed_at: str
    backups_unreadable_at: str = Field(description="when the record's data key was deleted")
    last_backup_expires_at: str = Field(description="when the last point-in-time backup that can hold it expires")
    ledger_seq: int
    ledger_hash: str

    @classmethod
    def of(cls, row: DestructionRow) -> DestructionOut:
        return from_domain(cls, row)


class DestructionReportOut(LazyModel):
    month: str
    destructions: list[DestructionOut]
    by_path: dict[str, int]
    chain_head: ChainHeadOut | None = Field(description="the destruction chain's head when the report was made")

    @classmethod
    def of(cls, report: DestructionReport) -> DestructionReportOut:
        return from_domain(
            cls,
            report,
            destructions=[DestructionOut.of(row) for row in report.rows],
            chain_head=ChainHeadOut.of(report.chain_head),
        )
