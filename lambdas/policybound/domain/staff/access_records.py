"""Access records (PIPA safety standard art. 8): every staff read, export or change of PI, as a ledger
entry of kind ACCESS: who (user id and sign-in name), when, from which IP, whose data (submission ids),
what action and for which purpose. Never the PI itself.

Written before the data is handed over: if the record cannot be written, the caller gets nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from policybound.domain.core.clock import Clock
from policybound.domain.core.ledger import LedgerDraft, LedgerEntry, LedgerKind, LedgerValue
from policybound.domain.core.ports import LedgerStore
from policybound.domain.staff.actor import Actor
from policybound.obligations import ACCESS_RECORD_RETENTION
from policybound.policy import Purpose


class AccessAction(StrEnum):
    LIST = "list"
    READ = "read"
    LOOKUP = "lookup"
    EXPORT = "export"
    CHANGE = "change"
    NOTIFY = "notify"


class AccessPurpose(StrEnum):
    """Why staff touched PI: one of the purposes it was collected for (§2), or a duty of the policy."""

    INQUIRY_RESPONSE = Purpose.INQUIRY_RESPONSE.value
    RESOURCE_DELIVERY = Purpose.RESOURCE_DELIVERY.value
    EMAIL_MARKETING = Purpose.EMAIL_MARKETING.value
    BLOG_LETTER = Purpose.BLOG_LETTER.value
    # §6: answering a subject's request to view, correct or delete their data.
    RIGHTS_REQUEST = "rights_request"
    # §8: telling subjects about a breach of their data.
    INCIDENT_RESPONSE = "incident_response"
    # §4.2: the investigation a legal hold preserves records for (the hold is named on each read).
    LEGAL_HOLD = "legal_hold"

    @property
    def collection_purpose(self) -> Purpose | None:
        """The §2 purpose this is, or None for a duty that is not a collection purpose."""
        return Purpose(self.value) if self.value in {p.value for p in Purpose} else None


def retain_until(at: datetime, retention: relativedelta) -> str:
    return (at + retention).date().isoformat()


@dataclass(eq=False, repr=False)
class AccessRecorder:
    """Writes the access record of each staff read, export or change of PI."""

    ledger: LedgerStore
    clock: Clock

    def record(
        self,
        actor: Actor,
        action: AccessAction,
        purposes: Iterable[AccessPurpose],
        submission_ids: Iterable[str],
        route: str,
        rights_request_id: str | None = None,
        legal_hold_id: str | None = None,
    ) -> LedgerEntry:
        """`rights_request_id`: the open request a read for rights_request answers; `legal_hold_id`: the
        hold whose investigation a read for legal_hold serves. Either is named in the entry."""
        now = self.clock.now()
        ids = list(dict.fromkeys(submission_ids))
        payload: dict[str, LedgerValue] = {
            "user_id": actor.user_id,
            "username": actor.username,
            "source_ip": actor.source_ip,
            "action": action.value,
            "purposes": sorted({p.value for p in purposes}),
            "route": route,
            "submission_ids": ids,
            "count": len(ids),
            "retain_until": retain_until(now, ACCESS_RECORD_RETENTION),
        }
        if rights_request_id:
            payload["rights_request_id"] = rights_request_id
        if legal_hold_id:
            payload["legal_hold_id"] = legal_hold_id
        return self.ledger.append(LedgerDraft(kind=LedgerKind.ACCESS, at=now, payload=payload))
