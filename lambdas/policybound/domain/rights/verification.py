"""One-time codes and rights sessions: how a person proves they hold an email address (§6).

A code is 6 random digits, kept only as a keyed hash (HMAC in KMS): six digits are a million
candidates, so an unkeyed hash would fall to an offline search in a second. A code is used once and
allows 5 tries. Each try is claimed by one conditional write before the guess is compared, so
parallel guesses (Lambda runs many instances side by side) cannot compare more than 5: the check and
the count are one atomic step.

Asking for a new code ends a lockout: a stranger's wrong guesses cannot keep a person from their
rights. What bounds guessing is the issue window: at most MAX_CODES_PER_WINDOW codes per address (or
record) per hour, so at most MAX_CODES_PER_WINDOW × MAX_WRONG_TRIES guesses an hour, and at most that
many mails to one mailbox; an overall cap on code mails per hour protects every mailbox at once.
A session token is 256 random bits, kept as its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import FieldProblem, RateLimited, Unauthorized
from policybound.domain.core.ports import KeyedHash
from policybound.obligations import (
    CODE_DIGITS,
    CODE_WINDOW,
    MAX_CODE_MAILS_PER_HOUR,
    MAX_CODES_PER_WINDOW,
    MAX_WRONG_TRIES,
)

CODE_HASH_PURPOSE = "rights-code"


@dataclass(frozen=True)
class CodeState:
    """A code as stored: under a key naming what it proves (an address's blind index, a record)."""

    key: str
    code_hash: str
    issued_at: datetime
    expires_at: datetime
    # Tries claimed at this code (each claimed before its guess is compared).
    failures: int = 0
    # What the code was asked for (e.g. the kind of rights request); no PI.
    context: str = ""
    # The issue window: when it began and how many codes were issued for this key in it.
    window_start: datetime | None = None
    issued_in_window: int = 1

    def live(self, now: datetime) -> bool:
        return now < self.expires_at

    @property
    def locked(self) -> bool:
        return self.failures >= MAX_WRONG_TRIES


@dataclass(frozen=True)
class StoredSession:
    """A rights session as stored: the hash of its token, never the token."""

    token_hash: str
    subject: str
    expires_at: datetime
    context: str = ""


class VerificationStore(Protocol):
    def get_code(self, key: str) -> CodeState | None: ...

    def replace_code(self, state: CodeState, previous: CodeState | None) -> bool:
        """Store `state` under its key if the key still holds `previous` (None: nothing); False if another
        request changed it first. One conditional write: of two racing issues, one wins."""
        ...

    def claim_try(self, key: str, code_hash: str, max_tries: int) -> int | None:
        """Count one try at the code `code_hash` under `key` if fewer than `max_tries` were counted, in one
        conditional write; the tries counted including this one, or None (used up, used, or replaced)."""
        ...

    def count_code_mail(self, hour: str, limit: int, expires_at: datetime) -> bool:
        """Count one code mail in the hour `hour` if fewer than `limit` were counted; False otherwise."""
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
    def __init__(self) -> None:
        super().__init__(
            f"This code is locked after {MAX_WRONG_TRIES} wrong tries. Ask for a new code.",
            (FieldProblem("code", f"is locked after {MAX_WRONG_TRIES} wrong tries"),),
        )


class CodesExhausted(RateLimited):
    """No new code now: this address (or record) had its codes for the hour, or all code mails did."""

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, -(-int(retry_after.total_seconds()) // 60))
        super().__init__(
            f"Too many codes were asked for; ask again in {minutes} minutes. The last code sent is still valid "
            "until it expires.",
            retry_after,
        )


def token_hash(token: str) -> str:
    # The token is 256 random bits, so a plain hash is enough: there is nothing to search.
    return hashlib.sha256(token.encode()).hexdigest()


def random_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


@dataclass(eq=False, repr=False)
class OneTimeCodes:
    """Issues and verifies the codes that prove an address (or a record's representative)."""

    store: VerificationStore
    hasher: KeyedHash
    clock: Clock
    new_code: Callable[[], str] = random_code

    def _hash(self, key: str, code: str) -> str:
        # Bound to the key, so a code hash copied onto another address or record verifies nothing.
        return self.hasher.keyed_hash(CODE_HASH_PURPOSE, f"{key}\n{code}".encode())

    def issue(self, key: str, valid_for: timedelta, context: str = "") -> str:
        """A new code for `key`, replacing any earlier one (and its lockout). CodesExhausted when the key
        had its codes for this window, or all code mails for this hour were sent."""
        now = self.clock.now()
        current = self.store.get_code(key)
        window_start = current.window_start if current is not None else None
        if current is None or window_start is None or now - window_start >= CODE_WINDOW:
            window_start, issued = now, 0
        else:
            issued = current.issued_in_window
        if issued >= MAX_CODES_PER_WINDOW:
            raise CodesExhausted(window_start + CODE_WINDOW - now)
        hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        if not self.store.count_code_mail(
            hour.strftime("%Y-%m-%dT%H"), MAX_CODE_MAILS_PER_HOUR, hour + 2 * CODE_WINDOW
        ):
            raise CodesExhausted(hour + CODE_WINDOW - now)
        code = self.new_code()
        state = CodeState(key, self._hash(key, code), now, now + valid_for, 0, context, window_start, issued + 1)
        if not self.store.replace_code(state, current):
            # Another request issued a code for this key at the same moment; that one stands.
            raise CodesExhausted(timedelta(minutes=1))
        return code

    def verify(self, key: str, code: str, consume: bool = True) -> CodeState:
        """Use up the code, or raise CodeRejected / CodeLocked (an Unauthorized: 401). With
        `consume=False` the caller retires it with `retire` once what the code allows is done, so a
        retry after a failure there can use the same code."""
        now = self.clock.now()
        state = self.store.get_code(key)
        if state is None or not state.live(now):
            raise CodeRejected()
        if state.locked:
            raise CodeLocked()
        # The try is claimed before the guess is compared: a guess that cannot claim one is never compared.
        tries = self.store.claim_try(key, state.code_hash, MAX_WRONG_TRIES)
        if tries is None:
            current = self.store.get_code(key)
            if current is not None and current.code_hash == state.code_hash:
                raise CodeLocked()
            raise CodeRejected()
        if not hmac.compare_digest(self._hash(key, code), state.code_hash):
            if tries >= MAX_WRONG_TRIES:
                raise CodeLocked()
            raise CodeRejected()
        # Deleted on condition it is still this code: of two requests racing with it, one wins.
        if consume and not self.store.consume_code(key, state.code_hash):
            raise CodeRejected()
        return replace(state, failures=tries)

    def retire(self, state: CodeState) -> None:
        self.store.consume_code(state.key, state.code_hash)


@dataclass(frozen=True)
class IssuedSession:
    """A rights session's token as given to its holder, once."""

    token: str
    expires_at: datetime


@dataclass(eq=False, repr=False)
class Sessions:
    """Rights sessions: opened once a code is verified, found again by their token."""

    store: VerificationStore
    clock: Clock
    valid_for: timedelta

    def open(self, subject: str, context: str = "") -> IssuedSession:
        token = secrets.token_urlsafe(32)
        expires_at = self.clock.now() + self.valid_for
        self.store.put_session(StoredSession(token_hash(token), subject, expires_at, context))
        return IssuedSession(token, expires_at)

    def find(self, token: str) -> StoredSession | None:
        """The live session a token opens; None for an unknown, malformed or expired token."""
        if not token or len(token) > 256:
            return None
        session = self.store.get_session(token_hash(token))
        # TTL deletes items days late: expiry is decided here, at read time.
        if session is None or self.clock.now() >= session.expires_at:
            return None
        return session
