"""Envelope encryption of records with AES-256-GCM (crypto-shredding).

Each record gets its own random data key. The record's PI is encrypted under it; the data key is
wrapped under a KMS-protected key-encryption key and stored in a separate table. Deleting that one
wrapped key makes the record — and every backup copy of it — undecryptable.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from policybound.domain.core.model import (
    ID_PATTERN,
    PersonalData,
    Representative,
    RequestOrigin,
    SealedBlob,
    WrappedKey,
)
from policybound.domain.core.ports import KeyEncryptionKeys

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12
_DATA_KEY_BYTES = 32  # AES-256
_FORMAT = b"\x01"  # leading version byte, so the format can change without guessing


def _aad(purpose: bytes, submission_id: str) -> bytes:
    # Binding the id stops a sealed blob or a wrapped key being swapped onto another record.
    return _FORMAT + purpose + b"|" + submission_id.encode()


def _cipher(key: bytes) -> AESGCM:
    # Loaded with the first record sealed or opened: the policy, cookie and visit routes never are.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return _FORMAT + nonce + _cipher(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if blob[:1] != _FORMAT:
        raise ValueError("unknown sealed format")
    nonce, ciphertext = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    return _cipher(key).decrypt(nonce, ciphertext, aad)


def _nothing() -> None:
    return None


@dataclass(eq=False, repr=False)
class EnvelopeSealer:
    """Seals and opens records' PI, each under its own data key wrapped by a KMS key-encryption key."""

    keks: KeyEncryptionKeys
    # Called once per record opened: the bulk-read alarm counts records, since one KMS call unwraps
    # a cached KEK that opens thousands of them.
    on_open: Callable[[], None] = _nothing

    def seal(self, submission_id: str, plaintext: bytes) -> tuple[SealedBlob, WrappedKey]:
        data_key = os.urandom(_DATA_KEY_BYTES)  # what AESGCM.generate_key(256) returns
        kek, kek_ciphertext = self.keks.current()
        wrapped = _encrypt(kek, data_key, _aad(b"key", submission_id))
        sealed = _encrypt(data_key, plaintext, _aad(b"record", submission_id))
        return SealedBlob(sealed), WrappedKey(wrapped=wrapped, kek_ciphertext=kek_ciphertext)

    def open(self, submission_id: str, blob: SealedBlob, key: WrappedKey) -> bytes:
        kek = self.keks.unwrap(key.kek_ciphertext)
        data_key = _decrypt(kek, key.wrapped, _aad(b"key", submission_id))
        plaintext = _decrypt(data_key, blob.ciphertext, _aad(b"record", submission_id))
        self.on_open()
        return plaintext

    # Parts added to a record after intake (an inquiry's replies) are sealed under the record's own data
    # key: destroying the record's key destroys them too, and every backup copy of them.

    def _data_key(self, submission_id: str, key: WrappedKey) -> bytes:
        kek = self.keks.unwrap(key.kek_ciphertext)
        return _decrypt(kek, key.wrapped, _aad(b"key", submission_id))

    def seal_part(self, submission_id: str, part: str, key: WrappedKey, plaintext: bytes) -> SealedBlob:
        aad = _aad(part.encode(), submission_id)
        return SealedBlob(_encrypt(self._data_key(submission_id, key), plaintext, aad))

    def open_part(self, submission_id: str, part: str, key: WrappedKey, blob: SealedBlob) -> bytes:
        aad = _aad(part.encode(), submission_id)
        return _decrypt(self._data_key(submission_id, key), blob.ciphertext, aad)


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


# A link's token, `<submission_id>.<secrets.token_urlsafe(32)>`: 43 url-safe base64 characters carry the
# 256 random bits (the unsubscribe and consent request links).
_SUBMISSION_ID = ID_PATTERN.removeprefix("^").removesuffix("$")
_LINK_SECRET = r"[A-Za-z0-9_-]{43}"  # noqa: S105 (a pattern, not a secret)
_LINK_TOKEN = re.compile(rf"(?P<id>{_SUBMISSION_ID})\.(?P<secret>{_LINK_SECRET})")
# What the links' routes state in their query schemas: the shape checked here.
LINK_TOKEN_PATTERN = rf"^{_SUBMISSION_ID}\.{_LINK_SECRET}$"


def split_link_token(token: str | None) -> tuple[str, str] | None:
    """(submission id, secret) of a well-formed link token; None for anything else."""
    match = _LINK_TOKEN.fullmatch(token or "")
    return (match["id"], match["secret"]) if match else None


def seal_payload(data: PersonalData) -> bytes:
    return json.dumps(asdict(data), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def unseal_payload(payload: bytes) -> PersonalData:
    raw = json.loads(payload)
    representative = raw.get("representative")
    return PersonalData(
        fields=raw["fields"],
        origin=RequestOrigin(**raw["origin"]),
        representative=Representative(**representative) if representative else None,
    )
