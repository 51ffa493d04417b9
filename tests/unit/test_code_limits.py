"""Guessing and mail limits of one-time codes: five compared tries per code however parallel the guesses,
a lockout that the person ends by asking for a new code, and caps on codes per address and overall."""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from policybound.api.errors import domain_error_response
from policybound.domain.core.errors import Unauthorized
from policybound.domain.core.model import Representative
from policybound.domain.rights.service import RightsKind
from policybound.domain.rights.verification import CodeLocked, CodeRejected, CodesExhausted, CodeState
from policybound.obligations import CODE_WINDOW, MAX_CODES_PER_WINDOW, MAX_WRONG_TRIES
from tests.support.rights import DECOY, KNOWN, UNKNOWN, RightsWorld, build_world, world_with_an_inquiry, wrong
from tests.support.rights_fakes import FakeVerificationStore

PARENT = Representative("Kim Parent", "parent@example.co.kr", None)
GUESSES = 40


@pytest.fixture
def world() -> RightsWorld:
    return world_with_an_inquiry()


class ReadersMeet(FakeVerificationStore):
    """Every guess reads the code before any of them counts a try: the interleaving a scaled-out
    function sees when many guesses arrive at once."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.barrier = threading.Barrier(parties, timeout=5)
        self.racing = False
        self.waited = threading.local()

    def get_code(self, key: str) -> CodeState | None:
        state = super().get_code(key)
        if self.racing and not getattr(self.waited, "done", False):
            self.waited.done = True
            self.barrier.wait()
        return state


def test_parallel_guesses_compare_at_most_five_tries() -> None:
    world = build_world()
    store = ReadersMeet(GUESSES)
    store.codes, store.sessions = world.verifications.codes, world.verifications.sessions
    world.rights.codes.store = store
    world.rights.sessions.store = store
    world.submit("contact-us")
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    code = world.last_code(KNOWN)
    hashes_before = world.hasher.calls
    store.racing = True

    def guess(_: int) -> str:
        try:
            world.rights.open_session(KNOWN, wrong(code))
        except Unauthorized as refused:
            return type(refused).__name__
        return "opened"

    with ThreadPoolExecutor(GUESSES) as pool:
        answers = list(pool.map(guess, range(GUESSES)))
    store.racing = False
    compared = world.hasher.calls - hashes_before
    assert compared <= MAX_WRONG_TRIES, f"{compared} guesses were compared"
    assert answers.count("CodeRejected") == MAX_WRONG_TRIES - 1
    assert "opened" not in answers
    with pytest.raises(CodeLocked):
        world.rights.open_session(KNOWN, code)  # even the right code: its tries are used up


def test_a_lockout_ends_when_the_person_asks_for_a_new_code(world: RightsWorld) -> None:
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    stolen = world.last_code(KNOWN)
    for _ in range(MAX_WRONG_TRIES):
        with pytest.raises(Unauthorized):
            world.rights.open_session(KNOWN, wrong(stolen))
    with pytest.raises(CodeLocked):
        world.rights.open_session(KNOWN, stolen)
    world.rights.request_code(KNOWN, RightsKind.ACCESS)
    assert world.rights.open_session(KNOWN, world.last_code(KNOWN)).token


@pytest.mark.parametrize("address", [KNOWN, UNKNOWN])
def test_codes_per_address_are_capped_so_asking_again_does_not_buy_unlimited_guesses(
    world: RightsWorld, address: str
) -> None:
    guesses = 0
    for _ in range(MAX_CODES_PER_WINDOW):
        world.rights.request_code(address, RightsKind.ACCESS)
        code = world.last_code(address if address == KNOWN else DECOY)
        for _ in range(MAX_WRONG_TRIES):
            with pytest.raises(Unauthorized):
                world.rights.open_session(address, wrong(code))
            guesses += 1
    sent = len(world.mailer.sent)
    with pytest.raises(CodesExhausted) as capped:
        world.rights.request_code(address, RightsKind.ACCESS)
    assert len(world.mailer.sent) == sent  # no mail: the mailbox is not flooded either
    assert guesses == MAX_CODES_PER_WINDOW * MAX_WRONG_TRIES  # the most an hour allows
    answer = domain_error_response(capped.value)
    assert answer.status_code == 429
    assert 0 < int(str(answer.headers["Retry-After"])) <= CODE_WINDOW.total_seconds()
    world.clock.advance(seconds=CODE_WINDOW.total_seconds())
    world.rights.request_code(address, RightsKind.ACCESS)
    assert len(world.mailer.sent) == sent + 1


def test_a_known_and_an_unknown_address_are_capped_alike(world: RightsWorld) -> None:
    for address in (KNOWN, UNKNOWN):
        for _ in range(MAX_CODES_PER_WINDOW):
            world.rights.request_code(address, RightsKind.ACCESS)
        with pytest.raises(CodesExhausted):
            world.rights.request_code(address, RightsKind.ACCESS)


def test_all_code_mails_together_are_capped_per_hour(world: RightsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[CodesExhausted.__module__], "MAX_CODE_MAILS_PER_HOUR", 3)
    for n in range(3):
        world.rights.request_code(f"someone-{n}@example.co.kr", RightsKind.ACCESS)
    with pytest.raises(CodesExhausted):
        world.rights.request_code(KNOWN, RightsKind.ACCESS)
    assert len(world.mailer.sent) == 3


def test_a_representative_locked_out_by_wrong_codes_asks_again_and_confirms() -> None:
    world = build_world()
    submission_id = world.submit("blog-subscription", representative=PARENT)
    first = world.last_code(PARENT.email)
    for _ in range(MAX_WRONG_TRIES):
        with pytest.raises(Unauthorized):
            world.guardians.confirm(submission_id, wrong(first))
    with pytest.raises(CodeLocked):
        world.guardians.confirm(submission_id, first)
    world.guardians.ask_again(submission_id)
    second = world.last_code(PARENT.email)
    assert world.guardians.confirm(submission_id, second).status.value == "active"


def test_asking_again_for_a_representative_is_capped_and_tells_strangers_nothing() -> None:
    world = build_world()
    submission_id = world.submit("blog-subscription", representative=PARENT)
    for _ in range(MAX_CODES_PER_WINDOW - 1):  # intake sent the first
        world.guardians.ask_again(submission_id)
    sent = len(world.mailer.sent)
    with pytest.raises(CodesExhausted):
        world.guardians.ask_again(submission_id)
    world.guardians.ask_again("no-such-submission")  # nothing, and no different answer
    assert len(world.mailer.sent) == sent
    with pytest.raises(CodeRejected):
        world.guardians.confirm("no-such-submission", "123456")
