"""Staff sign-in rules, applied by the Cognito triggers (§8.2: passwords regularly renewed; PIPA safety
standard art. 5: repeated failures limit access).

Cognito calls the pre-authentication trigger before it checks a password (also for a user name that
does not exist, as the app client prevents user existence errors) and the post-authentication trigger
only once the password and the second factor were right. It tells no trigger of a wrong password. So
each attempt claims a try before its password is checked, in one conditional write that also refuses it
once MAX_FAILED_SIGN_INS tries are claimed: parallel guesses (Cognito runs the trigger many times side by side)
get at most MAX_FAILED_SIGN_INS password checks. A sign-in that succeeds gives its try back (all of them), so the
tries still counted are the attempts that failed. The lock lasts SIGN_IN_LOCKOUT from the last counted try.

Nothing a sign-in answers tells whether a user name exists: an unknown name is counted and locked
exactly like a known one, and a locked account is refused with the answer of a wrong password. What
only the account's holder may learn (the password is too old) is said after the password was right.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import DomainError
from policybound.obligations import MAX_FAILED_SIGN_INS, PASSWORD_MAX_AGE, SIGN_IN_LOCKOUT

# Counters outlive any lockout; after a day without attempts the count starts again.
ATTEMPTS_KEPT = timedelta(days=1)
# Cognito's own answer to a wrong password or an unknown user name; a locked account gets it too.
SIGN_IN_FAILED = "Incorrect username or password."


class SignInRefused(DomainError):
    """Cognito shows the message to the person signing in; it names no one."""


@dataclass(frozen=True)
class Attempts:
    """A user's failed sign-ins, and when the last try was."""

    failed: int
    last_at: datetime | None


class AttemptStore(Protocol):
    def get(self, key: str) -> Attempts: ...

    def claim(self, key: str, now: datetime, max_tries: int, lock_over: datetime, expires_at: datetime) -> bool:
        """Count one try under `key` at `now` in one conditional write: if fewer than `max_tries` are
        counted, or the last was counted at or before `lock_over` (then the count starts again at one).
        False when neither holds: the account is locked."""
        ...

    def clear(self, key: str) -> None: ...


def attempt_key(username: str) -> str:
    """What the counts are kept under: a typed user name may be anyone's address, so only its hash."""
    return hashlib.sha256(username.encode()).hexdigest()


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


@dataclass(eq=False, repr=False)
class SignInGuard:
    """Applies the sign-in rules: a lockout after repeated failures, and no sign-in on a password too old."""

    attempts: AttemptStore
    clock: Clock

    def before(self, username: str) -> None:
        """The pre-authentication trigger, for known and unknown user names alike: claim a try, or
        refuse a locked account with the answer of a wrong password."""
        now = self.clock.now()
        if not self.attempts.claim(
            attempt_key(username), now, MAX_FAILED_SIGN_INS, now - SIGN_IN_LOCKOUT, now + ATTEMPTS_KEPT
        ):
            raise SignInRefused(SIGN_IN_FAILED)

    def succeeded(self, username: str, password_changed_at: str | None) -> None:
        """The post-authentication trigger (the password and second factor were right): the tries are
        given back; then a password too old to use is refused, now that its holder is known to be asking."""
        self.attempts.clear(attempt_key(username))
        refusal = password_refusal(password_changed_at, self.clock.now())
        if refusal:
            raise SignInRefused(refusal)

    def password_reset(self, username: str) -> None:
        """A completed password reset (the holder proved the mailbox): the tries start again."""
        self.attempts.clear(attempt_key(username))
