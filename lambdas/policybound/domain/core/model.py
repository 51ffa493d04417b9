"""What a submission is once accepted: the PI it holds, the proof of consent, and its retention."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from policybound.policy import FormId, Purpose

# Every id this API hands out (submissions, holds, requests, letters, …) is a random UUID in its text
# form (`random_id`); request schemas state it for ids a caller sends.
ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def random_id() -> str:
    """A fresh id, of the form `ID_PATTERN` describes."""
    return str(uuid.uuid4())


class RecordStatus(StrEnum):
    ACTIVE = "active"
    # A correction is pending: the record is neither used nor provided (§6).
    RESTRICTED = "restricted"
    # A child under 14 submitted it; until the legal representative confirms (PIPA art. 22-2) it is not
    # used, only the PI manager among staff sees it, and it is destroyed after 7 days unconfirmed.
    PENDING_GUARDIAN = "pending_guardian"


@dataclass(frozen=True)
class RequestOrigin:
    """Automatically collected with the request (§1.2), kept sealed as part of the consent proof."""

    source_ip: str | None
    user_agent: str | None


@dataclass(frozen=True)
class ConsentProof:
    """What the person consented to, under which version, and when: the proof kept with the record."""

    policy_version: str
    consented_at: datetime
    optional: bool
    items: tuple[str, ...]
    purposes: tuple[Purpose, ...]
    # The submitter declared they are under 14: the legal representative's confirmation is the consent.
    under_14: bool = False
    guardian_confirmed_at: datetime | None = None
    # §12: when the person consented to a later version that added items or purposes (`policy_version`
    # is then that version; `consented_at` stays the first consent, from which retention counts).
    renewed_at: datetime | None = None


@dataclass(frozen=True)
class Representative:
    """A child's legal representative (§6), named in the child's submission; kept sealed with it."""

    name: str
    email: str
    contact: str | None = None


@dataclass(frozen=True)
class PersonalData:
    """Everything about a person that is kept only sealed."""

    fields: dict[str, str]
    origin: RequestOrigin
    representative: Representative | None = None


@dataclass(frozen=True)
class SealedBlob:
    """A record's PI, encrypted under its own data key (see `sealing`)."""

    ciphertext: bytes


@dataclass(frozen=True)
class WrappedKey:
    """A record's data key, wrapped; stored apart from the record. Deleting it shreds the record."""

    wrapped: bytes
    # The KMS ciphertext of the key-encryption key that wraps `wrapped`.
    kek_ciphertext: bytes


@dataclass(frozen=True)
class ConsentRequest:
    """§12: a version in force added items or purposes to the record's form, and its person was asked
    (once) to consent to them. The link's secret is kept only as its hash; one request may cover several
    records of the same person, who got one mail."""

    version: str
    token_hash: str
    asked_at: datetime
    expires_at: datetime
    answered_at: datetime | None = None


@dataclass(frozen=True)
class StoredSubmission:
    """A record as stored: its ids, status, retention and consent in the clear, its PI sealed."""

    submission_id: str
    form: FormId
    status: RecordStatus
    subject: str
    received_at: datetime
    retained_until: datetime
    consent: ConsentProof
    items_dropped: tuple[str, ...]
    sealed: SealedBlob
    unsubscribe_hash: str | None = None
    # Blind index of the legal representative's address, on the record of a child under 14.
    guardian: str | None = None
    # Why its use ended early while a legal hold kept it (a destruction reason's value: an unsubscribe
    # or an erasure): the destruction after the hold's release is recorded under this reason.
    use_ended_by: str | None = None
    consent_request: ConsentRequest | None = None


@dataclass(frozen=True)
class Receipt:
    """What the submitter is told was collected, for what, and until when."""

    submission_id: str
    form: FormId
    received_at: datetime
    retained_until: datetime
    purposes: tuple[Purpose, ...]
    items_collected: tuple[str, ...]
    items_dropped: tuple[str, ...]
    policy_version: str
    status: RecordStatus = RecordStatus.ACTIVE


@dataclass(frozen=True)
class LegalHold:
    """§4.2: records preserved for an investigation past their retention, until released.

    Holds no personal information: the case reference names the case, not a person, and the records
    are named by id only (a hold placed by email address keeps the ids it found, never the address).
    """

    hold_id: str
    case_reference: str
    reason: str
    submission_ids: tuple[str, ...]
    placed_by: str
    placed_at: datetime
    released_by: str | None = None
    released_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None
