"""What the domain needs from the outside world. Adapters implement these against AWS; unit tests
use the in-memory fakes in `tests/fakes.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from policybound.domain.model import SealedBlob, StoredSubmission, WrappedKey


class Sealer(Protocol):
    """Encrypts a record's PI under a fresh data key, and opens it again with that key."""

    def seal(self, submission_id: str, plaintext: bytes) -> tuple[SealedBlob, WrappedKey]: ...

    def open(self, submission_id: str, blob: SealedBlob, key: WrappedKey) -> bytes: ...


class BlindIndex(Protocol):
    """A keyed, one-way index of an email address: equal addresses, equal index; no way back."""

    def subject_of(self, email: str) -> str: ...


class SubmissionStore(Protocol):
    def create(self, submission: StoredSubmission, key: WrappedKey) -> None:
        """Store the record and its key together, or neither."""
        ...

    def discard(self, submission_id: str) -> None:
        """Remove a record and its key that were just created and never used (a failed follow-up step)."""
        ...


@dataclass(frozen=True)
class OutgoingMail:
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
