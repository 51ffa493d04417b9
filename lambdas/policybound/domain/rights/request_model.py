"""What a rights request is (§6), apart from how it is handled: its kinds of channel, identity check,
status and outcome, the request as stored, and the store. Readers (the staff's lists, the adapters)
import this, never the service that changes requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.rights.service import RightsKind
from policybound.obligations import RIGHTS_REQUEST_DUE_DAYS
from policybound.policy import POLICY_TIMEZONE


class Channel(StrEnum):
    WRITING = "writing"
    PHONE = "phone"
    EMAIL = "email"


class IdentityCheck(StrEnum):
    """How staff verified that the requester is the person (or their legal representative)."""

    ID_DOCUMENT = "id_document"
    REGISTERED_EMAIL = "registered_email"
    PHONE_CALLBACK = "phone_callback"
    REPRESENTATIVE_DOCUMENT = "representative_document"


class RightsRequestStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"


class Outcome(StrEnum):
    FULFILLED = "fulfilled"
    REFUSED = "refused"


class RefusalBasis(StrEnum):
    """Grounds to refuse or limit a request (PIPA art. 35(4), 36(1), 37(2)); no free text, no PI."""

    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    NO_RECORDS = "no_records"
    REQUIRED_BY_LAW = "required_by_law"
    HARM_TO_OTHERS = "harm_to_others"


@dataclass(frozen=True)
class RightsRequest:
    """A rights request as stored: ids and the address's blind index, no PI."""

    request_id: str
    channel: Channel
    kind: RightsKind
    identity_verification: IdentityCheck
    subject: str
    submission_ids: tuple[str, ...]
    received_at: datetime
    due_on: date
    recorded_by: str
    keep_until: datetime
    status: RightsRequestStatus = RightsRequestStatus.OPEN
    outcome: Outcome | None = None
    refusal_basis: RefusalBasis | None = None
    completed_at: datetime | None = None
    completed_by: str | None = None
    corrected_items: tuple[str, ...] = ()
    erased: tuple[str, ...] = ()
    retained: tuple[str, ...] = ()

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days


class RightsRequestStore(Protocol):
    def put(self, request: RightsRequest, entry: LedgerDraft) -> None:
        """A new request with its ledger entry, in one transaction."""
        ...

    def get(self, request_id: str) -> RightsRequest | None: ...

    def complete(self, request: RightsRequest, entry: LedgerDraft) -> bool:
        """Store the completed request with its ledger entry, in one transaction, if it is still open."""
        ...

    def with_status(self, status: RightsRequestStatus) -> list[RightsRequest]:
        """Requests in that status, earliest due first."""
        ...


def due_on(received_at: datetime) -> date:
    return received_at.astimezone(POLICY_TIMEZONE).date() + timedelta(days=RIGHTS_REQUEST_DUE_DAYS)
