"""Staff sessions end when idle (PIPA safety standard art. 6: automatic disconnection when a handler
stops working) and after a working day at most, whatever the tokens' own lifetimes.

A session is one sign-in: Cognito keeps `auth_time` (and `origin_jti`) the same in every id token
refreshed from it, so both name the session. Each staff request that succeeds moves its last activity
forward; a session idle longer than the limit stays expired, and only a new sign-in starts another.

When a member loses a group, every session they have ends at once: the store keeps, per user, the
moment their access changed, and a session that began before it is refused, whatever its token
still says (tokens live up to an hour and the gateway's authorizer trusts them until then).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import Unauthorized
from policybound.obligations import STAFF_IDLE_LIMIT, STAFF_SESSION_LIMIT


@dataclass(frozen=True)
class Activity:
    """What a staff session last did."""

    # When the session last did something that succeeded, or None if it never did.
    last_seen: datetime | None
    # Signed out: nothing brings it back, whatever its tokens say.
    ended: bool = False


class SessionStore(Protocol):
    def activity(self, session_id: str) -> Activity: ...

    def seen(self, session_id: str, now: datetime, ends_at: datetime) -> None:
        """Moves the last activity forward, unless the session has ended."""
        ...

    def end(self, session_id: str, now: datetime, ends_at: datetime) -> None: ...

    def ended_before(self, user_id: str) -> datetime | None:
        """When the user's sessions were last ended (sessions begun up to then are over), if ever."""
        ...

    def end_sessions(self, user_id: str, at: datetime, kept_until: datetime) -> None: ...


def session_id(user_id: str, auth_time: int, origin_jti: str | None) -> str:
    return hashlib.sha256(f"{user_id}|{auth_time}|{origin_jti or ''}".encode()).hexdigest()


@dataclass(frozen=True)
class LiveSession:
    """A session that may go on, and when it ends at the latest."""

    session_id: str
    ends_at: datetime


@dataclass(eq=False, repr=False)
class StaffSessions:
    """`check` before a request (reads only); `seen` after it succeeded; `end` at sign-out. A
    refused request neither keeps a session alive nor stores anything."""

    store: SessionStore
    clock: Clock
    idle: timedelta = STAFF_IDLE_LIMIT
    longest: timedelta = STAFF_SESSION_LIMIT

    def check(self, user_id: str, auth_time: int | None, origin_jti: str | None) -> LiveSession:
        """The caller's session if it is still live; otherwise Unauthorized."""
        if auth_time is None:
            raise Unauthorized("The token does not say when you signed in; sign in again.")
        now = self.clock.now()
        started = datetime.fromtimestamp(auth_time, now.tzinfo)
        if now - started >= self.longest:
            raise Unauthorized(
                f"Sessions end {int(self.longest.total_seconds() // 3600)} hours after sign-in; sign in again."
            )
        ended = self.store.ended_before(user_id)
        if ended is not None and started <= ended:
            raise Unauthorized("Your access rights changed after you signed in; sign in again.")
        session = LiveSession(session_id(user_id, auth_time, origin_jti), started + self.longest)
        activity = self.store.activity(session.session_id)
        if activity.ended:
            raise Unauthorized("This session was signed out; sign in again.")
        last_active = activity.last_seen or started
        if now - last_active > self.idle:
            raise Unauthorized(
                f"Your session was idle for more than {int(self.idle.total_seconds() // 60)} minutes; sign in again."
            )
        return session

    def seen(self, session: LiveSession) -> None:
        self.store.seen(session.session_id, self.clock.now(), session.ends_at)

    def end_all(self, user_id: str) -> None:
        """End every session the user has now; only a sign-in after this moment works."""
        now = self.clock.now()
        # Kept as long as the longest session, after which no earlier session could be live anyway.
        self.store.end_sessions(user_id, now, now + self.longest)

    def end(self, session: LiveSession) -> None:
        """Sign-out: the session's tokens are refused from now on, though they have not expired."""
        self.store.end(session.session_id, self.clock.now(), session.ends_at)
