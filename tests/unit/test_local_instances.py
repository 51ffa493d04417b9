"""Local mode runs each function as Lambda does: several instances side by side, one event at a time each."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from local.gateway import Instances


class Counting:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.started = 0

    def start(self) -> Any:
        with self.lock:
            self.started += 1
        busy = threading.Lock()

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            # One event at a time per instance: a second event in the same instance would find it taken.
            assert busy.acquire(blocking=False), "an instance got a second event while busy"
            with self.lock:
                self.running += 1
                self.most = max(self.most, self.running)
            time.sleep(0.05)
            with self.lock:
                self.running -= 1
            busy.release()
            return {"statusCode": 200, "body": str(id(handler))}

        return handler


def test_parallel_events_run_in_several_instances_up_to_the_limit() -> None:
    counting = Counting()
    instances = Instances(counting.start, size=3)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: instances({"n": n}, None), range(16)))
    assert counting.most == 3
    assert counting.started == instances.started == 3
    assert len({answer["body"] for answer in answers}) == 3


def test_sequential_events_reuse_one_warm_instance() -> None:
    counting = Counting()
    instances = Instances(counting.start, size=3)
    for n in range(5):
        instances({"n": n}, None)
    assert counting.started == 1


def test_an_instance_that_fails_to_start_leaves_room_for_another() -> None:
    attempts: list[int] = []

    def start() -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("init failed")
        return lambda event, context: {"statusCode": 200}

    instances = Instances(start, size=1)
    with pytest.raises(RuntimeError):
        instances({}, None)
    assert instances({}, None) == {"statusCode": 200}


def test_the_local_server_starts_fresh_instances_of_an_entry_module() -> None:
    from local.server import fresh_instance

    one, other = fresh_instance("tests.unit.instance_module"), fresh_instance("tests.unit.instance_module")
    assert one({}, None)["instance"] != other({}, None)["instance"]


def test_an_instance_starts_while_other_threads_import_modules() -> None:
    """Requests in other threads keep importing (services import their modules when first used) while
    an instance starts and swaps the API modules in sys.modules; a start must never fail for that."""
    import sys
    import types

    from local.server import fresh_instance

    stop = threading.Event()

    def importing() -> None:
        # What an import does to sys.modules, as fast as a thread can.
        names = [f"tests.unit._imported_meanwhile_{n}" for n in range(20)]
        while not stop.is_set():
            for name in names:
                sys.modules[name] = types.ModuleType(name)
            for name in names:
                del sys.modules[name]

    interval = sys.getswitchinterval()
    # Switch threads often, as a loaded machine does, so the other thread runs during each start.
    sys.setswitchinterval(1e-6)
    other = threading.Thread(target=importing)
    other.start()
    try:
        for _ in range(50):
            fresh_instance("tests.unit.instance_module")
    finally:
        stop.set()
        other.join()
        sys.setswitchinterval(interval)


def test_two_instances_of_an_api_never_share_a_router(monkeypatch: pytest.MonkeyPatch) -> None:
    """Powertools points a router at the last resolver that included it, and routes read the current
    event through it: instances sharing route modules would read each other's requests."""
    import sys

    from local.environment import app_environment, aws_environment
    from local.server import fresh_instance
    from policybound import tables

    keys = {spec.logical_id: f"test-{spec.logical_id}" for spec in tables.KMS_KEYS}
    keys |= {spec.logical_id: f"https://sqs.test/{spec.logical_id}" for spec in tables.QUEUES}
    for name, value in (app_environment(keys) | aws_environment("http://127.0.0.1:9")).items():
        monkeypatch.setenv(name, value)
    before = sys.modules.get("policybound.api.public.routes.forms")

    import inspect

    one, other = (inspect.unwrap(fresh_instance("entrypoints.api")) for _ in range(2))

    one_app, other_app = one.__globals__["app"], other.__globals__["app"]
    one_forms = one.__globals__["create_app"].__globals__["forms"]
    other_forms = other.__globals__["create_app"].__globals__["forms"]
    assert one_forms is not other_forms
    assert one_forms.router.api_resolver is one_app
    assert other_forms.router.api_resolver is other_app
    # Every other importer still finds the module it had.
    assert sys.modules.get("policybound.api.public.routes.forms") is before


def test_two_instances_resolving_at_once_each_read_their_own_event() -> None:
    """Powertools keeps the current event on its router class, one per process as in Lambda; local
    mode's instances are threads of one process, and each must still read only its own event."""
    import json

    from local.server import instances
    from tests.unit import resolver_module

    both = instances(resolver_module, size=2)

    def call(said: str) -> dict[str, Any]:
        event = {
            "httpMethod": "GET",
            "path": "/echo",
            "resource": "/echo",
            "queryStringParameters": {"said": said},
            "multiValueQueryStringParameters": {"said": [said]},
            "headers": {},
            "requestContext": {"stage": "test", "requestId": said},
            "body": None,
            "isBase64Encoded": False,
        }
        answer = both(event, None)
        assert answer["statusCode"] == 200, answer
        body: dict[str, Any] = json.loads(answer["body"])
        return body

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(call, ["first", "second"]))
    assert both.started == 2
    assert answers == [
        {"validated": "first", "read": "first"},
        {"validated": "second", "read": "second"},
    ]
