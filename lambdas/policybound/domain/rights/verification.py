"""One-time codes and rights sessions: how a person proves they hold an email address (§6).

A code is 6 random digits, kept only as a keyed hash (HMAC in KMS): six digits are a million
candidates, so an unkeyed hash would fall to an offline search in a second. A code is used once and
locked after 5 wrong tries; asking for a new code while a code is live keeps the wrong tries, so
asking again does not buy more guesses. A session token is 256 random bits, kept as its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import FieldProblem, Unauthorized
from policybound.domain.core.ports import KeyedHash

CODE_DIGITS = 6
MAX_WRONG_TRIES = 5
CODE_HASH_PURPOSE = "rights-code"


@dataclass(frozen=True)
class CodeState:
    """A code as stored: under a key naming what it proves (an address's blind index, a record)."""

    key: str
    code_hash: str
    issued_at: datetime
    expires_at: datetime
    failures: int = 0
    # What the code was asked for (e.g. the kind of rights request); no PI.
    context: str = ""

    def live(self, now: datetime) -> bool:
        return now < self.expires_at

    @property
    def locked(self) -> bool:
        return self.failures >= MAX_WRONG_TRIES


@dataclass(frozen=True)
class StoredSession:
    token_hash: str
    subject: str
    expires_at: datetime
    context: str = ""


class VerificationStore(Protocol):
    def get_code(self, key: str) -> CodeState | None: ...

    def put_code(self, state: CodeState) -> None:
        """Replace the code under `state.key`."""
        ...

    def count_failure(self, key: str) -> int:
        """Add one wrong try to the code under `key`, atomically; the tries counted so far."""
        ...

    def consume_code(self, key: str, code_hash: str) -> bool:
        """Delete the code if it is still this one; False when another request used or replaced it."""
        ...

    def put_session(self, session: StoredSession) -> None: ...

    def get_session(self, token_hash: str) -> StoredSession | None: ...


class CodeRejected(Unauthorized):
    """The code is wrong, expired, used already, or was never issued: one answer for all of them."""

    def __init__(self) -> None:
        super().__init__(
            "The code is wrong or has expired. Check the latest email, or ask for a new code.",
            (FieldProblem("code", "is wrong or has expired"),),
        )


class CodeLocked(Unauthorized):
    def __init__(self, minutes: int) -> None:
        super().__init__(
            f"This code is locked after {MAX_WRONG_TRIES} wrong tries. Ask for a new code in {minutes} minutes.",
            (FieldProblem("code", f"is locked after {MAX_WRONG_TRIES} wrong tries"),),
        )


def token_hash(token: str) -> str:
    # The token is 256 random bits, so a plain hash is enough: there is nothing to search.
    return hashlib.sha256(token.encode()).hexdigest()


def random_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


class OneTimeCodes:
    def __init__(
        self,
        store: VerificationStore,
        hasher: KeyedHash,
        clock: Clock,
        new_code: Callable[[], str] = random_code,
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._clock = clock
        self._new_code = new_code

    def _hash(self, key: str, code: str) -> str:
        # Bound to the key, so a code hash copied onto another address or record verifies nothing.
        return self._hasher.keyed_hash(CODE_HASH_PURPOSE, f"{key}\n{code}".encode())

    def issue(self, key: str, valid_for: timedelta, context: str = "") -> str | None:
        """A new code for `key`, replacing any earlier one; None while the current one is locked."""
        now = self._clock.now()
        current = self._store.get_code(key)
        carried = current.failures if current is not None and current.live(now) else 0
        if carried >= MAX_WRONG_TRIES:
            return None
        code = self._new_code()
        state = CodeState(key, self._hash(key, code), now, now + valid_for, carried, context)
        self._store.put_code(state)
        return code

    def verify(self, key: str, code: str, consume: bool = True) -> CodeState:
        """Use up the code, or raise CodeRejected / CodeLocked (an Unauthorized: 401). With
        `consume=False` the caller retires it with `retire` once what the code allows is done, so a
        retry after a failure there can use the same code."""
        now = self._clock.now()
        state = self._store.get_code(key)
        if state is None or not state.live(now):
            raise CodeRejected()
        if state.locked:
            raise CodeLocked(self._minutes_left(state, now))
        if not hmac.compare_digest(self._hash(key, code), state.code_hash):
            failures = self._store.count_failure(key)
            if failures >= MAX_WRONG_TRIES:
                raise CodeLocked(self._minutes_left(state, now))
            raise CodeRejected()
        # Deleted on condition it is still this code: of two requests racing with it, one wins.
        if consume and not self._store.consume_code(key, state.code_hash):
            raise CodeRejected()
        return replace(state, failures=0)

    def retire(self, state: CodeState) -> None:
        self._store.consume_code(state.key, state.code_hash)

    @staticmethod
    def _minutes_left(state: CodeState, now: datetime) -> int:
        return max(1, -(-int((state.expires_at - now).total_seconds()) // 60))


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime


class Sessions:
    def __init__(self, store: VerificationStore, clock: Clock, valid_for: timedelta) -> None:
        self._store = store
        self._clock = clock
        self._valid_for = valid_for

    def open(self, subject: str, context: str = "") -> IssuedSession:
        token = secrets.token_urlsafe(32)
        expires_at = self._clock.now() + self._valid_for
        self._store.put_session(StoredSession(token_hash(token), subject, expires_at, context))
        return IssuedSession(token, expires_at)

    def find(self, token: str) -> StoredSession | None:
        """The live session a token opens; None for an unknown, malformed or expired token."""
        if not token or len(token) > 256:
            return None
        session = self._store.get_session(token_hash(token))
        # TTL deletes items days late: expiry is decided here, at read time.
        if session is None or self._clock.now() >= session.expires_at:
            return None
        return session
