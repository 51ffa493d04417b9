"""Staff sessions end when idle (PIPA safety standard art. 6: automatic disconnection when a handler
stops working) and after a working day at most, whatever the tokens' own lifetimes.

A session is one sign-in: Cognito keeps `auth_time` (and `origin_jti`) the same in every id token
refreshed from it, so both name the session. Each staff request moves its last activity forward; a
session idle longer than the limit stays expired, and only a new sign-in starts another.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Protocol

from policybound.domain.clock import Clock
from policybound.domain.errors import Unauthorized

IDLE_LIMIT = timedelta(minutes=30)
MAX_SESSION = timedelta(hours=12)


class SessionStore(Protocol):
    def touch(self, session_id: str, now: datetime, idle_since: datetime, may_start: bool, ends_at: datetime) -> bool:
        """Set the session's last activity to `now` if it was active at or after `idle_since` (or, when
        unknown and `may_start`, start it). False when the session is idle."""
        ...


def session_id(user_id: str, auth_time: int, origin_jti: str | None) -> str:
    return hashlib.sha256(f"{user_id}|{auth_time}|{origin_jti or ''}".encode()).hexdigest()


class StaffSessions:
    def __init__(
        self, store: SessionStore, clock: Clock, idle: timedelta = IDLE_LIMIT, longest: timedelta = MAX_SESSION
    ) -> None:
        self._store = store
        self._clock = clock
        self._idle = idle
        self._longest = longest

    def check(self, user_id: str, auth_time: int | None, origin_jti: str | None) -> None:
        """Raise Unauthorized unless the caller's session is still live; record this activity."""
        if auth_time is None:
            raise Unauthorized("The token does not say when you signed in; sign in again.")
        now = self._clock.now()
        started = datetime.fromtimestamp(auth_time, now.tzinfo)
        if now - started >= self._longest:
            raise Unauthorized(
                f"Sessions end {int(self._longest.total_seconds() // 3600)} hours after sign-in; sign in again."
            )
        idle_since = now - self._idle
        live = self._store.touch(
            session_id(user_id, auth_time, origin_jti),
            now,
            idle_since,
            may_start=started >= idle_since,
            ends_at=started + self._longest,
        )
        if not live:
            raise Unauthorized(
                f"Your session was idle for more than {int(self._idle.total_seconds() // 60)} minutes; sign in again."
            )
