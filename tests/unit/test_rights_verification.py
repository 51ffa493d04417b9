"""Verification for data-subject rights: codes, locks, sessions, and no way to tell known addresses."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest

from policybound.domain.core.errors import Unauthorized
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.rights.service import RightsKind, code_key
from policybound.domain.rights.verification import CodeLocked, CodeRejected
from policybound.obligations import MAX_WRONG_TRIES
from tests.support.rights import DECOY, KNOWN, UNKNOWN, RightsWorld, build_world, world_with_an_inquiry, wrong


@pytest.fixture
def world() -> RightsWorld:
    return world_with_an_inquiry()


def test_a_known_address_gets_a_six_digit_code_in_korean_and_english(world: RightsWorld) -> None:
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    [mail] = world.mailer.sent
    assert mail.to == (KNOWN,)
    code = world.last_code(KNOWN)
    assert len(code) == 6
    assert code.isdigit()
    assert "본인 확인 코드" in mail.text
    assert "Your code" in mail.text
    assert mail.text.index("본인 확인") < mail.text.index("Your code")  # Korean first
    assert "10분" in mail.text
    assert "10 minutes" in mail.text


def test_the_code_is_stored_only_as_a_keyed_hash(world: RightsWorld) -> None:
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    code = world.last_code(KNOWN)
    [state] = world.verifications.codes.values()
    stored = repr(state)
    assert code not in stored
    # Not a plain hash of the digits, which a million guesses would reverse.
    assert hashlib.sha256(code.encode()).hexdigest() not in stored
    assert hashlib.sha256(f"{state.key}\n{code}".encode()).hexdigest() not in stored


def test_an_unknown_address_gets_a_decoy_code_that_nobody_receives(world: RightsWorld) -> None:
    world.rights.request_code(UNKNOWN, RightsKind.ERASURE)
    [mail] = world.mailer.sent
    assert mail.to == (DECOY,)
    assert UNKNOWN not in mail.text
    assert code_key(world.blind_index.subject_of(UNKNOWN)) in world.verifications.codes


class Recorder:
    """Wraps a port and writes each call's name (never its arguments) to a shared log."""

    def __init__(self, inner: Any, name: str, log: list[str]) -> None:
        self._inner, self._name, self._log = inner, name, log

    def __getattr__(self, attribute: str) -> Any:
        target = getattr(self._inner, attribute)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self._log.append(f"{self._name}.{attribute}")
            return target(*args, **kwargs)

        return call


def calls_of_a_code_request(email: str) -> tuple[list[str], int, str]:
    """The port calls a request makes (in order), the mails sent, and the size of the mail."""
    world = build_world()
    world.submit("contact-us")
    world.mailer.sent.clear()
    log: list[str] = []
    rights = world.rights
    rights.store = Recorder(world.store, "records", log)
    rights.blind_index = Recorder(world.blind_index, "blind_index", log)
    rights.mailer = Recorder(world.mailer, "mailer", log)
    rights.codes.store = Recorder(world.verifications, "codes", log)
    rights.codes.hasher = Recorder(world.hasher, "kms_mac", log)
    rights.request_code(email, RightsKind.ACCESS)
    [mail] = world.mailer.sent
    return log, len(world.mailer.sent), mail.text.replace(world.last_code(mail.to[0]), "######")


def test_known_and_unknown_addresses_make_the_same_calls_in_the_same_order() -> None:
    """No timing difference to measure: the same store, KMS and mail calls happen on both paths."""
    known_calls, known_mails, known_text = calls_of_a_code_request(KNOWN)
    unknown_calls, unknown_mails, unknown_text = calls_of_a_code_request(UNKNOWN)
    assert known_calls == unknown_calls
    assert known_calls == [
        "blind_index.subject_of",
        "records.ids_of_subject",
        "records.ids_of_guardian",
        "codes.get_code",
        "codes.count_code_mail",
        "kms_mac.keyed_hash",
        "codes.replace_code",
        "mailer.send",
    ]
    assert known_mails == unknown_mails == 1
    assert known_text == unknown_text


def test_the_right_code_opens_a_session_bound_to_the_address(world: RightsWorld) -> None:
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    issued = world.rights.open_session(KNOWN, world.last_code(KNOWN))
    assert issued.expires_at == world.clock.now() + timedelta(minutes=15)
    session = world.rights.session(issued.token)
    assert session.subject == world.blind_index.subject_of(KNOWN)
    # Stored by hash: the token itself is nowhere at rest.
    assert issued.token not in repr(world.verifications.sessions)


def test_a_code_works_once(world: RightsWorld) -> None:
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    code = world.last_code(KNOWN)
    world.rights.open_session(KNOWN, code)
    with pytest.raises(CodeRejected):
        world.rights.open_session(KNOWN, code)


def test_a_code_for_one_address_does_not_open_another(world: RightsWorld) -> None:
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    code = world.last_code(KNOWN)
    world.rights.request_code(UNKNOWN, RightsKind.ACCESS)
    with pytest.raises(CodeRejected):
        world.rights.open_session(UNKNOWN, code)


def test_a_code_expires_after_ten_minutes(world: RightsWorld) -> None:
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    code = world.last_code(KNOWN)
    world.clock.advance(minutes=10)
    with pytest.raises(CodeRejected):
        world.rights.open_session(KNOWN, code)


def test_a_code_still_works_a_second_before_it_expires(world: RightsWorld) -> None:
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    world.clock.advance(minutes=9, seconds=59)
    assert world.rights.open_session(KNOWN, world.last_code(KNOWN)).token


def test_five_wrong_tries_lock_the_code_even_against_the_right_one(world: RightsWorld) -> None:
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    code = world.last_code(KNOWN)
    for _ in range(MAX_WRONG_TRIES - 1):
        with pytest.raises(CodeRejected):
            world.rights.open_session(KNOWN, wrong(code))
    with pytest.raises(CodeLocked):
        world.rights.open_session(KNOWN, wrong(code))
    with pytest.raises(CodeLocked):
        world.rights.open_session(KNOWN, code)


def test_a_session_ends_after_fifteen_minutes(world: RightsWorld) -> None:
    token = world.session_for(KNOWN)
    world.clock.advance(minutes=14, seconds=59)
    assert world.rights.session(token)
    world.clock.advance(seconds=1)
    with pytest.raises(Unauthorized):
        world.rights.session(token)


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 300])
def test_missing_or_made_up_tokens_are_refused(world: RightsWorld, token: str | None) -> None:
    with pytest.raises(Unauthorized):
        world.rights.session(token)


def test_verification_is_ledgered_without_the_address(world: RightsWorld) -> None:
    world.session_for(KNOWN, RightsKind.ERASURE)
    [entry] = world.store.ledger.chains[LedgerKind.RIGHTS_REQUEST]
    assert entry.payload == {"event": "identity_verified", "channel": "api", "kind": "erasure"}
