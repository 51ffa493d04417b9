"""What the domain needs from the outside world. Adapters implement these against AWS; unit tests
use the in-memory fakes in `tests/support/fakes.py`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from policybound.domain.core.ledger import LedgerDraft, LedgerEntry, LedgerKind
from policybound.domain.core.model import LegalHold, SealedBlob, StoredSubmission, WrappedKey
from policybound.policy import Purpose


class Sealer(Protocol):
    """Encrypts a record's PI under a fresh data key, and opens it again with that key."""

    def seal(self, submission_id: str, plaintext: bytes) -> tuple[SealedBlob, WrappedKey]: ...

    def open(self, submission_id: str, blob: SealedBlob, key: WrappedKey) -> bytes: ...


class BlindIndex(Protocol):
    """A keyed, one-way index of an email address: equal addresses, equal index; no way back."""

    def subject_of(self, email: str) -> str: ...


class SubmissionStore(Protocol):
    def create(self, submission: StoredSubmission, key: WrappedKey, consent: LedgerDraft) -> None:
        """Store the record, its key and its unsealed consent entry together, or none of them."""
        ...

    def discard(self, submission_id: str, consent: LedgerDraft) -> bool:
        """Remove a record, its key and its unsealed consent entry that were just created and never used
        (a failed follow-up step). False, removing nothing, when the consent entry was sealed meanwhile:
        then the record must be destroyed with its ledger entry instead."""
        ...

    def get(self, submission_id: str) -> StoredSubmission | None:
        """The record as stored, expired or not: callers decide what expiry means (see `records`)."""
        ...

    def get_key(self, submission_id: str) -> WrappedKey | None: ...

    def get_many(self, submission_ids: Sequence[str]) -> dict[str, StoredSubmission]:
        """The stored records among these ids, by id (expired or not), read in batches; absent ids are
        missing from the answer."""
        ...

    def get_keys(self, submission_ids: Sequence[str]) -> dict[str, WrappedKey]:
        """The keys of these records that still exist, by id, read in batches."""
        ...

    def ids_of_subject(self, subject: str) -> list[str]:
        """Every submission id under a blind index, newest first, through the subject index."""
        ...

    def due(self, shard: str, now_epoch: int, limit: int, after: str | None = None) -> tuple[list[str], str | None]:
        """Ids whose retention ended by `now_epoch` in one expiry shard, oldest first, and a cursor to
        resume from (None when the shard holds no more due records). Held records are not listed."""
        ...

    def destroy(self, submission_id: str, entry: LedgerDraft) -> DestroyOutcome:
        """Delete record and key and append the ledger entry, in one transaction, unless the record
        is gone already or under a legal hold."""
        ...

    def shred_key(self, submission_id: str, entry: LedgerDraft) -> DestroyOutcome:
        """Delete the key of a record that is gone already (removed by DynamoDB's TTL) and append the
        ledger entry, in one transaction; ALREADY_GONE when the key is gone too (a repeated event)."""
        ...

    def end_held_use(
        self, submission_id: str, now_epoch: int, reason: str, entry: LedgerDraft, unsubscribe_hash: str | None = None
    ) -> bool:
        """A held record's subscriber unsubscribed, or its subject asked for erasure: end its use and
        retention now (every reader treats it as gone; it is destroyed as soon as its holds are
        released, under `reason`) and retire its unsubscribe secret; with the ledger entry, in one
        transaction. False when the record is no longer held, its use has ended already, or (given
        `unsubscribe_hash`) the secret was retired already."""
        ...


class DestroyOutcome(StrEnum):
    DESTROYED = "destroyed"
    ALREADY_GONE = "already_gone"
    HELD = "held"


@dataclass(frozen=True)
class OutgoingMail:
    """A plain-text mail to send, with any extra headers (List-Unsubscribe)."""

    to: tuple[str, ...]
    subject: str
    text: str
    headers: dict[str, str] = field(default_factory=dict)


class Mailer(Protocol):
    def send(self, mail: OutgoingMail) -> None: ...


class KeyEncryptionKeys(Protocol):
    """Key-encryption keys (KEKs) from KMS: a current one to wrap new data keys, and any older one
    by its KMS ciphertext to unwrap. Implementations cache plaintext KEKs in memory for a short time,
    so most submissions make no KMS call at all."""

    def current(self) -> tuple[bytes, bytes]:
        """(plaintext KEK, its KMS ciphertext)."""
        ...

    def unwrap(self, kek_ciphertext: bytes) -> bytes: ...


class LegalHoldStore(Protocol):
    def place(self, hold: LegalHold, entry: LedgerDraft, now_epoch: int) -> tuple[str, ...]:
        """Put the hold on each of its records and store it with its ledger entry, all or nothing.

        Returns the ids that cannot be held — gone, or past their retention and not held already —
        and when there are any, nothing was written."""
        ...

    def get(self, hold_id: str) -> LegalHold | None: ...

    def release(self, hold: LegalHold, entry: LedgerDraft) -> bool:
        """Store `hold` (now with its release), take it off each record — a record left with no hold gets
        its expiry back — and append the ledger entry, all or nothing. False when it was released already."""
        ...


class LedgerStore(Protocol):
    def append(self, draft: LedgerDraft) -> LedgerEntry:
        """Place the draft at the end of its kind's chain, retrying if another writer got there first."""
        ...

    def entries(self, kind: LedgerKind, after_seq: int = 0, limit: int = 100) -> list[LedgerEntry]:
        """Entries of one chain in `seq` order, starting after `after_seq`."""
        ...


class KeyedHash(Protocol):
    """HMAC-SHA-256 under a key that never leaves KMS, for secrets too small to hash plainly (6-digit
    codes). Each purpose gets its own message prefix, apart from the blind index's."""

    def keyed_hash(self, purpose: str, message: bytes) -> str: ...


class RecordChanges(Protocol):
    """Changes to a stored record after intake: corrections, restriction, a guardian's confirmation."""

    def ids_of_guardian(self, guardian: str) -> list[str]:
        """Every submission id whose legal representative has this blind index, newest first."""
        ...

    def replace_personal_data(
        self, submission_id: str, sealed: SealedBlob, key: WrappedKey, subject: str, entry: LedgerDraft
    ) -> bool:
        """Store corrected PI sealed under a fresh data key (the old key, and with it every backup of
        the uncorrected PI, is gone), the subject's blind index, and the ledger entry, in one
        transaction. False when the record is gone."""
        ...

    def restrict(self, submission_id: str, request_id: str) -> bool:
        """Mark the record restricted while the correction request is open. False when it is gone."""
        ...

    def lift_restriction(self, submission_id: str, request_id: str) -> None:
        """The request is closed: the record is active again once no correction request is open."""
        ...

    def remove_purpose(self, submission_id: str, position: int, purpose: Purpose, entry: LedgerDraft) -> bool:
        """Take `purpose`, found at `position` of the record's consented purposes, off the record, with the
        ledger entry, in one transaction. False when the record is gone or its purposes changed meanwhile."""
        ...

    def confirm_guardian(
        self, submission_id: str, retained_until: datetime, confirmed_at: datetime, entry: LedgerDraft
    ) -> bool:
        """A pending child's record becomes active with its full retention, with the ledger entry, in
        one transaction. False when it is gone or no longer pending."""
        ...
