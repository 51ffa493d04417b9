"""KMS: key-encryption keys for record sealing, and the HMAC blind index."""

from __future__ import annotations

import base64
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policybound import tables
from policybound.adapters.aws import translate_errors
from policybound.domain.core.normalize import subject_key

# Bound to every KEK so a ciphertext made for another purpose cannot be decrypted as one; the key
# policy refuses any use of the data key without it.
_KEK_CONTEXT = dict(tables.DATA_KEY.encryption_context)
_BLIND_INDEX_PREFIX = b"policybound/subject/v1:"


class KmsKeyEncryptionKeys:
    """KEKs from `GenerateDataKey`, reused in memory for a bounded time and number of records.

    One KMS call then seals thousands of records on a warm function, instead of one call per record.
    The bounds limit how much one leaked KEK could unwrap.
    """

    def __init__(
        self,
        kms: Any,
        key_id: str,
        max_age_seconds: float = 900,
        max_uses: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
        unwrap_cache_size: int = 64,
    ) -> None:
        self._kms = kms
        self._key_id = key_id
        self._max_age = max_age_seconds
        self._max_uses = max_uses
        self._monotonic = monotonic
        self._current: tuple[bytes, bytes] | None = None
        self._born = 0.0
        self._uses = 0
        self._unwrapped: OrderedDict[bytes, bytes] = OrderedDict()
        self._unwrap_cache_size = unwrap_cache_size

    def current(self) -> tuple[bytes, bytes]:
        fresh = self._monotonic() - self._born < self._max_age and self._uses < self._max_uses
        if self._current is None or not fresh:
            with translate_errors("KMS"):
                response = self._kms.generate_data_key(
                    KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=_KEK_CONTEXT
                )
            self._current = (response["Plaintext"], response["CiphertextBlob"])
            self._born, self._uses = self._monotonic(), 0
            self._remember(response["CiphertextBlob"], response["Plaintext"])
        self._uses += 1
        return self._current

    def unwrap(self, kek_ciphertext: bytes) -> bytes:
        cached = self._unwrapped.get(kek_ciphertext)
        if cached is not None:
            self._unwrapped.move_to_end(kek_ciphertext)
            return cached
        with translate_errors("KMS"):
            response = self._kms.decrypt(
                CiphertextBlob=kek_ciphertext, KeyId=self._key_id, EncryptionContext=_KEK_CONTEXT
            )
        plaintext: bytes = response["Plaintext"]
        self._remember(kek_ciphertext, plaintext)
        return plaintext

    def _remember(self, ciphertext: bytes, plaintext: bytes) -> None:
        self._unwrapped[ciphertext] = plaintext
        while len(self._unwrapped) > self._unwrap_cache_size:
            self._unwrapped.popitem(last=False)


@dataclass(eq=False, repr=False)
class KmsBlindIndex:
    """HMAC-SHA-256 of the mailbox identity (`normalize.mailbox`) with a key that never leaves KMS."""

    kms: Any
    key_id: str

    def subject_of(self, email: str) -> str:
        message = _BLIND_INDEX_PREFIX + subject_key(email)
        with translate_errors("KMS"):
            response = self.kms.generate_mac(KeyId=self.key_id, MacAlgorithm="HMAC_SHA_256", Message=message)
        return base64.urlsafe_b64encode(response["Mac"]).decode().rstrip("=")


@dataclass(eq=False, repr=False)
class KmsKeyedHash:
    """HMAC-SHA-256 in KMS for small secrets (one-time codes), under the blind index's key.

    Each purpose has its own prefix, so no keyed hash of a code can ever equal a subject's blind index
    (or another purpose's hash) even though they share the key; a stolen table gives an attacker
    nothing to search offline without KMS.
    """

    kms: Any
    key_id: str

    def keyed_hash(self, purpose: str, message: bytes) -> str:
        prefix = f"policybound/{purpose}/v1:".encode()
        if prefix == _BLIND_INDEX_PREFIX or not purpose.replace("-", "").isalnum():
            raise ValueError(f"not a keyed-hash purpose: {purpose!r}")
        with translate_errors("KMS"):
            response = self.kms.generate_mac(KeyId=self.key_id, MacAlgorithm="HMAC_SHA_256", Message=prefix + message)
        return base64.urlsafe_b64encode(response["Mac"]).decode().rstrip("=")
