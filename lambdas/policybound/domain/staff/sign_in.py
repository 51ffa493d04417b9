"""Staff sign-in rules, applied by the Cognito triggers (§8.2: passwords regularly renewed; PIPA safety
standard art. 5: repeated failures limit access).

Cognito calls the pre-authentication trigger before it checks a password and the post-authentication
trigger only after a sign-in succeeded. So the attempts counted since the last success are the failed
ones: after MAX_FAILED of them the account is locked for LOCKOUT, counted from the last failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import DomainError

MAX_FAILED = 5
LOCKOUT = timedelta(minutes=30)
PASSWORD_MAX_AGE = timedelta(days=90)
# Counters outlive any lockout; after a day without attempts the count starts again.
ATTEMPTS_KEPT = timedelta(days=1)


class SignInRefused(DomainError):
    """Cognito shows the message to the person signing in; it names no one."""


@dataclass(frozen=True)
class Attempts:
    failed: int
    last_at: datetime | None


class AttemptStore(Protocol):
    def get(self, username: str) -> Attempts: ...

    def count(self, username: str, now: datetime, restart: bool, expires_at: datetime) -> None:
        """Add one attempt (starting from zero when `restart`), at `now`."""
        ...

    def clear(self, username: str) -> None: ...


def password_refusal(changed_at: str | None, now: datetime, max_age: timedelta = PASSWORD_MAX_AGE) -> str | None:
    """Why a password may not be used any more, or None. An unknown change date counts as too old."""
    try:
        changed = datetime.fromisoformat(changed_at) if changed_at else None
    except ValueError:
        changed = None
    if changed is None or changed.tzinfo is None:
        return "Your password's age is unknown; set a new one with 'Forgot password'."
    if now - changed > max_age:
        return f"Your password is older than {max_age.days} days; set a new one with 'Forgot password'."
    return None


class SignInGuard:
    def __init__(self, attempts: AttemptStore, clock: Clock) -> None:
        self._attempts = attempts
        self._clock = clock

    def before(self, username: str, password_changed_at: str | None) -> None:
        """The pre-authentication trigger: refuse a locked account or an old password, else count."""
        now = self._clock.now()
        state = self._attempts.get(username)
        lock_over = state.last_at is None or now - state.last_at >= LOCKOUT
        if state.failed >= MAX_FAILED and not lock_over:
            minutes = max(1, int((state.last_at + LOCKOUT - now).total_seconds() // 60)) if state.last_at else 0
            raise SignInRefused(
                f"This account is locked after {MAX_FAILED} failed sign-ins; try again in {minutes} minutes "
                "or ask the PI manager."
            )
        refusal = password_refusal(password_changed_at, now)
        if refusal:
            raise SignInRefused(refusal)
        self._attempts.count(
            username, now, restart=state.failed >= MAX_FAILED and lock_over, expires_at=now + ATTEMPTS_KEPT
        )

    def succeeded(self, username: str) -> None:
        """The post-authentication trigger (and a completed password reset): failures start again."""
        self._attempts.clear(username)
