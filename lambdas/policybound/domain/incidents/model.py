"""What an incident is (§8; PIPA art. 34): its category, the suspect accesses, and its 72-hour notice deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from policybound.obligations import BREACH_NOTICE_DEADLINE


class IncidentCategory(StrEnum):
    """§8: personal information lost, stolen, leaked, falsified or damaged."""

    LOSS = "loss"
    THEFT = "theft"
    LEAK = "leak"
    FALSIFICATION = "falsification"
    DAMAGE = "damage"


@dataclass(frozen=True)
class SuspectAccess:
    """Accesses by these staff accounts in this window are treated as involved (e.g. a stolen login)."""

    staff_user_ids: tuple[str, ...]
    since: datetime
    until: datetime


@dataclass(frozen=True)
class Incident:
    incident_id: str
    category: IncidentCategory
    discovered_at: datetime
    opened_at: datetime
    opened_by: str
    reference: str
    summary: str
    measures: str
    involved: tuple[str, ...]
    notified: tuple[str, ...] = ()
    notices_sent_at: datetime | None = None

    @property
    def notify_by(self) -> datetime:
        return self.discovered_at + BREACH_NOTICE_DEADLINE
