"""The consent ledger over fakes: a submission leaves an unsealed consent entry without PI, the sealing
job chains them in batches with Merkle roots, and verification catches what a chain alone would miss."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import timedelta

import pytest

from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerEntry, LedgerKind, entry_hash
from policybound.domain.core.model import RequestOrigin
from policybound.domain.evidence.consent_ledger import SEAL_BATCH_SIZE, merkle_root
from policybound.domain.evidence.ledger_audit import verify_one
from policybound.domain.intake.service import ConsentGiven
from policybound.policy import FORMS, POLICY_VERSION, FormId
from tests.conftest import NOW, VALID_FIELDS
from tests.support.ports import MovableClock, fake_services

ORIGIN = RequestOrigin(source_ip="203.0.113.9", user_agent="pytest-agent")


class World:
    def __init__(self) -> None:
        self.clock = MovableClock(NOW)
        services = fake_services(self.clock)
        self.store, self.mailer = services.ports.store, services.ports.mailer
        self.intake, self.sealing = services.intake, services.consent_sealing

    def submit(self, form: str = "contact-us") -> str:
        self.clock.at += timedelta(seconds=1)
        receipt = self.intake.submit(
            FORMS[FormId(form)],
            dict(VALID_FIELDS[form]),
            ConsentGiven(required=True, optional=True, policy_version=POLICY_VERSION),
            ORIGIN,
        )
        return receipt.submission_id

    @property
    def chain(self) -> list[LedgerEntry]:
        return self.store.ledger.chains.get(LedgerKind.CONSENT, [])


@pytest.fixture
def world() -> World:
    return World()


def test_a_submission_leaves_an_unsealed_consent_entry_with_what_was_agreed_and_no_pi(world: World) -> None:
    submission_id = world.submit("resources-download")
    (draft,) = world.store.ledger.waiting.values()
    record = world.store.records[submission_id]
    assert draft.kind is LedgerKind.CONSENT
    assert draft.payload["submission_id"] == submission_id
    assert draft.payload["form"] == "resources-download"
    assert draft.payload["policy_version"] == POLICY_VERSION
    assert draft.payload["items"] == list(record.consent.items)
    assert draft.payload["purposes"] == [p.value for p in record.consent.purposes]
    assert draft.payload["consented_at"] == record.consent.consented_at.isoformat()
    text = json.dumps(draft.payload)
    for value in [*VALID_FIELDS["resources-download"].values(), ORIGIN.source_ip, ORIGIN.user_agent, record.subject]:
        assert str(value) not in text
    # Nothing is in the chain until the sealing job runs: no head was read for the submission.
    assert world.chain == []


def test_sealing_chains_every_waiting_consent_in_batches_with_their_merkle_roots(world: World) -> None:
    ids = [world.submit() for _ in range(SEAL_BATCH_SIZE + 3)]
    report = world.sealing.run()
    assert (report.sealed, report.batches, report.complete) == (len(ids), 2, True)
    assert world.store.ledger.waiting == {}
    given = [e for e in world.chain if e.payload["event"] == "given"]
    assert [e.payload["submission_id"] for e in given] == ids
    batches = [e for e in world.chain if e.payload["event"] == "batch_sealed"]
    assert [b.payload["count"] for b in batches] == [SEAL_BATCH_SIZE, 3]
    assert batches[1].payload["first_seq"] == SEAL_BATCH_SIZE + 2
    verdict = verify_one(world.store.ledger, LedgerKind.CONSENT)
    assert verdict.broken is None
    assert verdict.batches == 2
    assert world.sealing.run().sealed == 0


def test_the_merkle_root_is_rfc_6962s_tree_hash() -> None:
    def leaf(value: str) -> bytes:
        return hashlib.sha256(b"\x00" + value.encode()).digest()

    def node(left: bytes, right: bytes) -> bytes:
        return hashlib.sha256(b"\x01" + left + right).digest()

    a, b, c = "a" * 64, "b" * 64, "c" * 64
    assert merkle_root([a]) == leaf(a).hex()
    assert merkle_root([a, b]) == node(leaf(a), leaf(b)).hex()
    assert merkle_root([a, b, c]) == node(node(leaf(a), leaf(b)), leaf(c)).hex()
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()


def rechained(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """The chain rebuilt so that every link and hash holds again: what a forger with write access does."""
    out: list[LedgerEntry] = []
    for entry in entries:
        prev = out[-1].hash if out else "0" * 64
        seq = len(out) + 1
        out.append(
            replace(entry, seq=seq, prev_hash=prev, hash=entry_hash(entry.kind, seq, entry.at, entry.payload, prev))
        )
    return out


def test_an_edited_consent_rechained_by_a_forger_still_fails_its_batchs_root(world: World) -> None:
    for _ in range(3):
        world.submit("resources-download")
    world.sealing.run()
    chain = list(world.chain)
    edited = dict(chain[1].payload) | {"purposes": ["resource_delivery", "email_marketing"]}
    chain[1] = replace(chain[1], payload=edited)
    world.store.ledger.chains[LedgerKind.CONSENT] = rechained(chain)
    broken = verify_one(world.store.ledger, LedgerKind.CONSENT).broken
    assert broken is not None
    assert broken.seq == 4
    assert "Merkle root" in broken.problem


def test_a_consent_dropped_from_its_batch_or_a_batch_entry_removed_is_found(world: World) -> None:
    for _ in range(3):
        world.submit()
    world.sealing.run()
    chain = list(world.chain)
    world.store.ledger.chains[LedgerKind.CONSENT] = rechained([chain[0], chain[2], chain[3]])
    dropped = verify_one(world.store.ledger, LedgerKind.CONSENT).broken
    assert dropped is not None
    assert "does not name" in dropped.problem
    world.store.ledger.chains[LedgerKind.CONSENT] = rechained(chain[:3])
    unsealed = verify_one(world.store.ledger, LedgerKind.CONSENT).broken
    assert unsealed is not None
    assert unsealed.seq == 1
    assert "without a batch" in unsealed.problem


def test_a_run_told_to_stop_leaves_the_rest_waiting(world: World) -> None:
    for _ in range(SEAL_BATCH_SIZE + 1):
        world.submit()
    answers = iter([True, False])
    report = world.sealing.run(keep_going=lambda: next(answers))
    assert (report.sealed, report.complete) == (SEAL_BATCH_SIZE, False)
    assert len(world.store.ledger.waiting) == 1


def test_a_run_that_keeps_losing_its_batch_gives_up(world: World) -> None:
    world.submit()
    world.store.ledger.seal = lambda batch, at: False  # type: ignore[method-assign]
    with pytest.raises(Unavailable):
        world.sealing.run()


def test_a_taken_back_submission_leaves_no_consent_or_a_destruction_once_sealed(world: World) -> None:
    world.mailer.fail = True
    with pytest.raises(Unavailable):
        world.submit("blog-subscription")
    assert world.store.records == {}
    assert world.store.ledger.waiting == {}
    assert LedgerKind.DESTRUCTION not in world.store.ledger.chains

    # Sealed between the store and the failed mail: the evidence stays, and the record is destroyed.
    world.mailer.fail = False
    submission_id = world.submit("blog-subscription")
    world.sealing.run()
    record = world.store.records[submission_id]
    world.mailer.fail = True
    world.intake._take_back(record)
    assert submission_id not in world.store.records
    [destroyed] = world.store.ledger.chains[LedgerKind.DESTRUCTION]
    assert destroyed.payload["submission_id"] == submission_id
    assert destroyed.payload["reason"] == "intake_failed"
