"""The TTL backstop with hand-built stream events in AWS's shape (moto's streams name no userIdentity)."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest

from local.gateway import LambdaContext
from policybound.adapters.dynamodb import record_item
from policybound.domain.core.ledger import LedgerKind
from policybound.settings import load_settings
from tests.support.retention import TTL_IDENTITY, World, every_pi_value, stream_event, stream_record
from tests.unit.test_settings import VALID

SWEEPER_IDENTITY = None  # the sweeper's own deletes carry no userIdentity


@pytest.fixture
def backstop(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The entry point module; its own wiring (read at import, as in Lambda) is never used here."""
    for name, value in VALID.items():
        monkeypatch.setenv(name, value)
    load_settings.cache_clear()
    yield importlib.import_module("entrypoints.ttl_backstop")
    load_settings.cache_clear()


def context() -> LambdaContext:
    return LambdaContext("policybound-ttl-backstop", str(uuid.uuid4()))


def removed_by_ttl(world: World) -> tuple[str, dict[str, Any]]:
    """A record as DynamoDB's TTL leaves it: the item gone, its key still there."""
    receipt = world.submit("blog-subscription")
    item = record_item(world.store.records.pop(receipt.submission_id))
    world.at(receipt.retained_until + timedelta(days=2))
    return receipt.submission_id, item


def test_a_ttl_removal_deletes_the_key_and_writes_the_ledger_entry(backstop) -> None:
    world = World()
    submission_id, item = removed_by_ttl(world)
    result = backstop.process(stream_event(stream_record("REMOVE", item, 1, TTL_IDENTITY)), context(), world.destroyer)
    assert result == {"batchItemFailures": []}
    assert submission_id not in world.store.keys
    [entry] = world.ledger(LedgerKind.DESTRUCTION)
    assert entry.payload["submission_id"] == submission_id
    assert entry.payload["reason"] == "ttl_backstop"
    assert entry.payload["form"] == "blog-subscription"
    for value in every_pi_value():
        assert value not in world.ledger_text()


def test_a_repeated_event_writes_no_second_entry(backstop) -> None:
    world = World()
    _, item = removed_by_ttl(world)
    event = stream_event(stream_record("REMOVE", item, 1, TTL_IDENTITY))
    backstop.process(event, context(), world.destroyer)
    assert backstop.process(event, context(), world.destroyer) == {"batchItemFailures": []}
    assert len(world.ledger(LedgerKind.DESTRUCTION)) == 1


@pytest.mark.parametrize(
    ("event_name", "identity"),
    [
        ("REMOVE", SWEEPER_IDENTITY),
        ("REMOVE", {"type": "Service", "principalId": "someone.amazonaws.com"}),
        ("REMOVE", {"type": "AWS", "principalId": "dynamodb.amazonaws.com"}),
        ("MODIFY", TTL_IDENTITY),
        ("INSERT", None),
    ],
)
def test_other_changes_are_ignored(backstop, event_name: str, identity: dict[str, str] | None) -> None:
    world = World()
    receipt = world.submit()
    item = record_item(world.store.records[receipt.submission_id])
    result = backstop.process(stream_event(stream_record(event_name, item, 1, identity)), context(), world.destroyer)
    assert result == {"batchItemFailures": []}
    assert receipt.submission_id in world.store.keys
    assert world.ledger(LedgerKind.DESTRUCTION) == []


def test_a_failed_record_is_reported_so_the_stream_retries_it_and_the_rest_go_through(backstop) -> None:
    world = World()
    first_id, first = removed_by_ttl(world)
    second_id, second = removed_by_ttl(world)
    broken = stream_record("REMOVE", first, 2, TTL_IDENTITY)
    del broken["dynamodb"]["OldImage"]  # a stream whose view type lost the old image
    event = stream_event(
        stream_record("REMOVE", first, 1, TTL_IDENTITY), broken, stream_record("REMOVE", second, 3, TTL_IDENTITY)
    )

    result = backstop.process(event, context(), world.destroyer)
    assert result == {"batchItemFailures": [{"itemIdentifier": broken["dynamodb"]["SequenceNumber"]}]}
    assert first_id not in world.store.keys
    assert second_id not in world.store.keys
