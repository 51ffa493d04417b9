"""CloudTrail log file integrity: every digest file links to the one before it (hash of its content),
covers its log files (hash of each), and — given the trail's public key — is signed by CloudTrail.

Follows AWS's "Validating CloudTrail log file integrity with custom implementations": hashes are
SHA-256 of the uncompressed content; the signed string is the digest's end time, its S3 path, the hash
of its content and the previous digest's signature, one per line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tools.audit.sources import TrailSource, is_digest, uncompressed


@dataclass(frozen=True)
class DigestFinding:
    digest: str
    status: str
    problem: str


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signed_string(digest: dict[str, Any], content_hash: str) -> bytes:
    path = f"{digest['digestS3Bucket']}/{digest['digestS3Object']}"
    return "\n".join(
        [digest["digestEndTime"], path, content_hash, digest.get("previousDigestSignature") or "null"]
    ).encode()


def load_public_key(data: bytes) -> rsa.RSAPublicKey:
    key = (
        serialization.load_pem_public_key(data)
        if data.lstrip().startswith(b"-----")
        else serialization.load_der_public_key(data)
    )
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("CloudTrail digest keys are RSA keys")
    return key


def verify_digests(source: TrailSource, public_keys: dict[str, rsa.RSAPublicKey] | None = None) -> list[DigestFinding]:
    """One finding per digest file, in chain order; status `ok` or `broken` with the first problem."""
    loaded: list[tuple[str, dict[str, Any], bytes]] = []
    for key in source.object_keys():
        if not is_digest(key):
            continue
        data = source.read(key)
        if data is None:
            continue
        content = uncompressed(data)
        loaded.append((key, json.loads(content), content))
    loaded.sort(key=lambda entry: entry[1].get("digestEndTime", ""))
    findings: list[DigestFinding] = []
    previous: tuple[str, dict[str, Any], bytes] | None = None
    for key, digest, content in loaded:
        problem = _first_problem(source, key, digest, content, previous, public_keys)
        findings.append(DigestFinding(key, "broken" if problem else "ok", problem or ""))
        previous = (key, digest, content)
    return findings


def _first_problem(
    source: TrailSource,
    key: str,
    digest: dict[str, Any],
    content: bytes,
    previous: tuple[str, dict[str, Any], bytes] | None,
    public_keys: dict[str, rsa.RSAPublicKey] | None,
) -> str | None:
    if previous is None and digest.get("previousDigestS3Object"):
        # Only a trail's very first digest has no predecessor; otherwise it was removed (or not copied).
        return f"the digest before it ({digest['previousDigestS3Object']}) is missing"
    if previous is not None:
        previous_key, previous_digest, previous_content = previous
        if digest.get("previousDigestS3Object") != previous_key:
            return f"does not point to the digest before it ({previous_key})"
        if digest.get("previousDigestHashValue") != _sha256(previous_content):
            return f"the digest before it ({previous_key}) was changed"
        if digest.get("digestStartTime") != previous_digest.get("digestEndTime"):
            return "a gap in time after the digest before it (a digest is missing)"
    for log in digest.get("logFiles", []):
        data = source.read(log["s3Object"])
        if data is None:
            return f"log file {log['s3Object']} is missing"
        if _sha256(uncompressed(data)) != log["hashValue"]:
            return f"log file {log['s3Object']} was changed"
    if public_keys is not None:
        fingerprint = digest.get("digestPublicKeyFingerprint", "")
        public_key = public_keys.get(fingerprint)
        signature = source.signature(key)
        if public_key is None:
            return f"no public key with fingerprint {fingerprint}"
        if signature is None:
            return "no signature found"
        try:
            public_key.verify(
                bytes.fromhex(signature), signed_string(digest, _sha256(content)), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError):
            return "signature does not verify"
    return None
