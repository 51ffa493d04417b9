"""Idle sessions expire; repeated failed sign-ins lock the account, known or not, without saying so;
passwords older than 90 days are refused once they were right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from policybound.api.staff.auth import Role
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.errors import Unauthorized
from policybound.domain.staff.sessions import StaffSessions
from policybound.domain.staff.sign_in import SIGN_IN_FAILED, SignInGuard, SignInRefused, attempt_key, password_refusal
from policybound.obligations import MAX_FAILED_SIGN_INS, SIGN_IN_LOCKOUT, STAFF_IDLE_LIMIT
from tests.support.staff import StaffApi, error_code
from tests.support.staff_fakes import FakeAttemptStore, FakeSessionStore

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def sessions_at(clock: FixedClock) -> StaffSessions:
    return StaffSessions(FakeSessionStore(), clock)


def test_activity_keeps_a_session_alive_and_idleness_ends_it() -> None:
    clock = FixedClock(T0)
    sessions = sessions_at(clock)
    signed_in = int(T0.timestamp())
    for _ in range(4):  # two hours of work, a request every 25 minutes
        sessions.seen(sessions.check("u-1", signed_in, "jti-1"))
        clock.at += timedelta(minutes=25)
    clock.at += STAFF_IDLE_LIMIT
    with pytest.raises(Unauthorized, match="idle"):
        sessions.check("u-1", signed_in, "jti-1")
    clock.at += timedelta(minutes=1)
    with pytest.raises(Unauthorized):  # an idle session stays ended: only a new sign-in helps
        sessions.check("u-1", signed_in, "jti-1")
    sessions.check("u-1", int(clock.at.timestamp()), "jti-2")


def test_only_work_that_succeeded_keeps_a_session_alive() -> None:
    clock = FixedClock(T0)
    sessions = sessions_at(clock)
    signed_in = int(T0.timestamp())
    for _ in range(3):  # refused requests: checked, never seen
        sessions.check("u-1", signed_in, None)
        clock.at += timedelta(minutes=12)
    with pytest.raises(Unauthorized, match="idle"):
        sessions.check("u-1", signed_in, None)


def test_a_token_first_used_long_after_sign_in_is_idle() -> None:
    clock = FixedClock(T0)
    with pytest.raises(Unauthorized, match="idle"):
        sessions_at(clock).check("u-1", int((T0 - timedelta(minutes=45)).timestamp()), None)


def test_a_session_ends_after_a_working_day_however_active() -> None:
    clock = FixedClock(T0)
    sessions = sessions_at(clock)
    signed_in = int(T0.timestamp())
    for _ in range(12 * 4):
        sessions.seen(sessions.check("u-1", signed_in, None))
        clock.at += timedelta(minutes=15)
    with pytest.raises(Unauthorized, match="12 hours"):
        sessions.check("u-1", signed_in, None)


def test_a_token_without_sign_in_time_is_refused() -> None:
    with pytest.raises(Unauthorized):
        sessions_at(FixedClock(T0)).check("u-1", None, None)


def test_a_refused_staff_request_stores_no_session_activity(staff_api: StaffApi) -> None:
    caller = staff_api.as_role(Role.STAFF)
    assert caller.get("/v1/staff/submissions", query_string={"limit": "0"}).status_code == 422
    assert caller.get("/v1/staff/submissions/nope").status_code == 404
    assert staff_api.sessions.last == {}
    assert caller.get("/v1/staff/me").status_code == 200
    assert len(staff_api.sessions.last) == 1


def test_the_staff_api_answers_401_to_an_idle_session(staff_api: StaffApi) -> None:
    long_ago = int((staff_api.clock.now() - timedelta(hours=2)).timestamp())
    response = staff_api.as_role(Role.STAFF, auth_time=long_ago).get("/v1/staff/me")
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"


def guard_at(clock: FixedClock) -> tuple[SignInGuard, FakeAttemptStore]:
    store = FakeAttemptStore()
    return SignInGuard(store, clock), store


FRESH = (T0 - timedelta(days=10)).isoformat()


def test_five_failed_sign_ins_lock_the_account_for_thirty_minutes() -> None:
    clock = FixedClock(T0)
    guard, _ = guard_at(clock)
    for _ in range(MAX_FAILED_SIGN_INS):  # each attempt fails: no post-authentication call
        guard.before("kim")
        clock.at += timedelta(minutes=1)
    with pytest.raises(SignInRefused):
        guard.before("kim")
    clock.at += SIGN_IN_LOCKOUT - timedelta(minutes=2)
    with pytest.raises(SignInRefused):
        guard.before("kim")
    clock.at += timedelta(minutes=2)
    guard.before("kim")  # the lock is over; this attempt counts again from one
    guard.succeeded("kim", FRESH)
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        guard.before("kim")
    guard.before("kim")


def test_a_locked_account_is_refused_with_the_answer_of_a_wrong_password_and_names_nothing() -> None:
    guard, _ = guard_at(FixedClock(T0))
    for _ in range(MAX_FAILED_SIGN_INS):
        guard.before("kim")
    with pytest.raises(SignInRefused) as refused:
        guard.before("kim")
    assert str(refused.value) == SIGN_IN_FAILED == "Incorrect username or password."


def test_an_unknown_user_name_is_counted_and_locked_as_a_known_one() -> None:
    guard, store = guard_at(FixedClock(T0))
    answers = {}
    for name in ("kim", "nobody-by-this-name"):
        for _ in range(MAX_FAILED_SIGN_INS):
            guard.before(name)
        with pytest.raises(SignInRefused) as refused:
            guard.before(name)
        answers[name] = str(refused.value)
    assert answers["kim"] == answers["nobody-by-this-name"]
    # A typed name may be anyone's address: the counts are kept under its hash only.
    assert "kim" not in store.attempts
    assert store.get(attempt_key("kim")).failed == MAX_FAILED_SIGN_INS


def test_a_successful_sign_in_gives_its_tries_back() -> None:
    clock = FixedClock(T0)
    guard, store = guard_at(clock)
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        guard.before("kim")
    guard.before("kim")  # the fifth try, claimed before its password is checked: the right one
    guard.succeeded("kim", FRESH)
    assert store.get(attempt_key("kim")).failed == 0
    guard.before("kim")  # not locked: only the four failures had counted, and the success cleared them


@pytest.mark.parametrize(
    ("changed", "refused"),
    [
        ((T0 - timedelta(days=89)).isoformat(), False),
        ((T0 - timedelta(days=90)).isoformat(), False),
        ((T0 - timedelta(days=91)).isoformat(), True),
        (None, True),
        ("yesterday", True),
        ("2026-11-01T00:00:00", True),  # no offset: unknowable instant
    ],
)
def test_passwords_older_than_ninety_days_are_refused(changed: str | None, refused: bool) -> None:
    assert (password_refusal(changed, T0) is not None) is refused


def test_an_old_password_is_refused_only_once_it_was_right() -> None:
    clock = FixedClock(T0)
    guard, store = guard_at(clock)
    old = (T0 - timedelta(days=120)).isoformat()
    # Before the password is checked nothing is said about the account: an attacker without the
    # password learns neither that it exists nor that its password is old.
    guard.before("kim")
    with pytest.raises(SignInRefused, match="90 days"):
        guard.succeeded("kim", old)
    # The password was right: the try is given back even though the sign-in is refused.
    assert store.get(attempt_key("kim")).failed == 0
