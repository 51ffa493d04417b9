"""Starts local mode: moto server, provisioning, and the gateway in front of the real entry points."""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from local import consents, environment, moto_transactions, outbox, sweep
from local.gateway import Gateway, Handler, Instances
from local.letter_queue import LetterQueuePoller
from local.provision import provision
from local.router_state import make_router_state_per_thread
from local.staff import StaffAccess
from local.stored_items import stored_items
from policybound import settings
from stacks.paths import WEB_DIR

SITE_ROOT = WEB_DIR


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status, mimetype="application/json")


@dataclass
class LocalMode:
    gateway: Gateway
    api_server: BaseWSGIServer
    moto: Any
    moto_url: str

    @property
    def api_url(self) -> str:
        return f"http://{self.api_server.host}:{self.api_server.port}"


def merge_openapi(public: str, staff: str) -> str:
    """One document for both APIs, as a developer browsing local mode expects; the schemas of the two
    apps share names only where they are the same models (the error shape), and ValueError says where not."""
    merged, other = json.loads(public), json.loads(staff)
    # The staff document's token requirement is global there; here it goes on each staff operation.
    staff_security = other.get("security")
    for operations in other.get("paths", {}).values():
        for operation in operations.values():
            if staff_security and isinstance(operation, dict):
                operation.setdefault("security", staff_security)
    merged.setdefault("paths", {}).update(other.get("paths", {}))
    for section, values in other.get("components", {}).items():
        kept = merged.setdefault("components", {}).setdefault(section, {})
        clashes = sorted(name for name, value in values.items() if name in kept and kept[name] != value)
        if clashes:
            # One name would point one app's operations at the other's models.
            raise ValueError(f"both APIs name different {section} {clashes}; rename one of each")
        kept.update(values)
    tags = {tag["name"]: tag for tag in [*merged.get("tags", []), *other.get("tags", [])]}
    if tags:
        merged["tags"] = list(tags.values())
    return json.dumps(merged)


# Modules that hold per-instance state at module level: the API's routers (Powertools points a router
# at the last resolver that included it, and routes read that resolver's context and dependency
# overrides through it), so each instance imports these afresh. Domain and adapter modules hold none and
# stay imported once. The event itself Powertools keeps per process: see local.router_state.
PER_INSTANCE_PACKAGES = ("policybound.api",)


# Instances start in the request threads that need them: one start at a time swaps sys.modules.
_STARTING = threading.Lock()


def _per_instance(name: str) -> bool:
    return any(name == package or name.startswith(f"{package}.") for package in PER_INSTANCE_PACKAGES)


def fresh_instance(module_name: str) -> Handler:
    """A new instance of an entry point: its module executed afresh (settings, wiring, clients and
    caches of its own), with API modules of its own (so two instances never share a router and the
    event it reads), as a Lambda cold start; other library modules stay imported once."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(module_name)
    with _STARTING:
        # Other request threads import while this one starts: the names are read from a copy of
        # sys.modules (one call, under the GIL), never by iterating the dictionary they change.
        shared = {name: sys.modules.pop(name) for name in list(sys.modules) if _per_instance(name)}
        try:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        finally:
            # The instance keeps its own API modules; every other importer keeps the first ones.
            for name in list(sys.modules):
                if _per_instance(name):
                    sys.modules.pop(name, None)
            sys.modules.update(shared)
    handler: Handler = module.lambda_handler
    return handler


def instances(first: ModuleType, size: int = environment.FUNCTION_INSTANCES) -> Instances:
    """Up to `size` instances of an entry point; the first is the module already imported."""
    # Instances are threads here, not processes: what Powertools keeps per process is kept per thread.
    make_router_state_per_thread()
    started = [first.lambda_handler]
    return Instances(lambda: started.pop() if started else fresh_instance(first.__name__), size)


def loopback_hosts(port: int) -> tuple[str, ...]:
    """The Host values local mode answers to: its loopback address and the loopback names that no
    DNS answer can point elsewhere."""
    return (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}")


def build_gateway(staff: StaffAccess, port: int) -> Gateway:
    """Imports the entry points only now: they read their settings at import, as in Lambda."""
    from entrypoints import api, staff_api, staff_sign_in
    from policybound.api.public.app import openapi_json
    from policybound.api.staff.app import staff_openapi_json

    def outbox_route(_: Request) -> Response:
        return json_response(outbox.sent_mail())

    def stored_items_route(_: Request) -> Response:
        return json_response(stored_items())

    staff.triggers = instances(staff_sign_in)
    return Gateway(
        api_handler=instances(api),
        openapi=lambda: merge_openapi(openapi_json(api.app), staff_openapi_json(staff_api.app)),
        site_root=SITE_ROOT,
        local_routes={
            ("GET", "/_local/outbox"): outbox_route,
            ("GET", "/_local/stored-items"): stored_items_route,
            ("POST", "/_local/sweep"): sweep.sweep_route,
            ("POST", "/_local/seal-consents"): consents.seal_route,
            ("POST", "/_local/staff-token"): staff.token_route,
            ("POST", "/_local/staff-sign-in"): staff.sign_in_route,
        },
        staff_handler=instances(staff_api),
        staff_authorizer=staff.authorizer,
        allowed_hosts=loopback_hosts(port),
    )


def letter_poller(moto_url: str) -> LetterQueuePoller:
    """The letter queue's consumer: the real sender entry point, fed as its event source mapping would."""
    import boto3

    from entrypoints import letter_sender
    from policybound import tables
    from policybound.policy import AWS_REGION

    sqs = boto3.client("sqs", region_name=AWS_REGION, endpoint_url=moto_url)
    return LetterQueuePoller(sqs, os.environ[tables.LETTER_QUEUE.env_var], letter_sender.lambda_handler)


@contextmanager
def local_mode(
    api_host: str = environment.API_HOST,
    api_port: int = environment.API_PORT,
    moto_host: str = environment.MOTO_HOST,
    moto_port: int = environment.MOTO_PORT,
) -> Iterator[LocalMode]:
    from moto.server import ThreadedMotoServer

    moto_transactions.install()
    # werkzeug's access log would print every moto call and every URL, unsubscribe tokens included.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    for host, port, what in ((moto_host, moto_port, "moto server"), (api_host, api_port, "API")):
        if port and environment.port_in_use(host, port):
            raise SystemExit(
                f"Port {port} on {host} is taken, so the local {what} cannot start. "
                "Is `make run` already running? Stop it (Ctrl-C) or free the port."
            )
    moto = ThreadedMotoServer(ip_address=moto_host, port=moto_port, verbose=False)
    moto.start()
    try:
        moto_url = f"http://{moto_host}:{moto.get_host_and_port()[1]}"
        os.environ.update(environment.aws_environment(moto_url))
        key_ids = provision(moto_url)
        staff = StaffAccess.provision(moto_url)
        server = make_server(api_host, api_port, lambda e, s: gateway(e, s), threaded=True)
        os.environ.update(environment.app_environment(key_ids, f"http://{api_host}:{server.port}"))
        os.environ[settings.environment_name("staff_user_pool_id")] = staff.pool.pool_id
        os.environ[settings.environment_name("staff_app_client_ids")] = staff.pool.client_id
        gateway = build_gateway(staff, server.port)
        schedule = consents.Schedule()
        schedule.start()
        poller = letter_poller(moto_url)
        poller.start()
        try:
            yield LocalMode(gateway=gateway, api_server=server, moto=moto, moto_url=moto_url)
        finally:
            poller.stop()
            schedule.stop()
    finally:
        moto.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local", description="Run Policybound locally.")
    parser.add_argument("--api-port", type=int, default=environment.API_PORT)
    parser.add_argument("--moto-port", type=int, default=environment.MOTO_PORT)
    args = parser.parse_args(argv)
    # Python leaves SIGINT alone when it starts ignored, as a script's background job (`make run &`)
    # or a CI step starts it: Ctrl-C would then do nothing. SIGTERM (what `kill` and CI send) stops it
    # the same orderly way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with local_mode(api_port=args.api_port, moto_port=args.moto_port) as mode:
        # Ctrl-C can arrive as soon as the banner is out (a script waits for it), even before print returns.
        try:
            _serve(mode)
        except KeyboardInterrupt:
            print("\nStopping Policybound local mode.", flush=True)
        finally:
            mode.api_server.server_close()
    return 0


def _serve(mode: LocalMode) -> None:
    print(
        "Policybound local mode is running.\n"
        f"  Sample site and API   {mode.api_url}/\n"
        f"  OpenAPI document      {mode.api_url}/openapi.json\n"
        f"  Sent mail             {mode.api_url}/_local/outbox\n"
        f"  Stored items          {mode.api_url}/_local/stored-items  (counts per table and queue)\n"
        f"  Sweep as of a time    POST {mode.api_url}/_local/sweep "
        '{"as_of": "2031-12-01T00:00:00+09:00"}  (or `make sweep AS_OF=...`)\n'
        f"  Seal consents now     POST {mode.api_url}/_local/seal-consents  (also every few seconds)\n"
        f"  Staff tokens          POST {mode.api_url}/_local/staff-token "
        '{"username": "manager" | "staff" | "auditor"}\n'
        f"  Local AWS (moto)      {mode.moto_url}  region ap-northeast-2, any credentials\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    mode.api_server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
