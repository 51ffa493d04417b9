"""(Load) A letter to N blog subscribers in local mode: N subscriptions over real HTTP, one letter from
a staff token, the real sender draining the queue (local mode's poller on moto's SQS), then the outbox
counted per recipient. Before it, the AWS calls per recipient of the same path are counted on an
in-process moto account. Prints the figures, writes them as section (h) of bench/results.md, and exits
non-zero unless every subscriber got the letter exactly once.
Usage: python -m bench.letters [--subscribers 2000] [--concurrency 8] [--counted 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import requests

from bench.harness import CallCounter, body, moto_stack
from local.letter_queue import LetterQueuePoller
from policybound.domain.staff.actor import Actor
from policybound.letter_batches import handle_batches
from policybound.settings import environment_name
from policybound.wiring import Wiring
from tests.conftest import submission
from tests.e2e.conftest import start_local
from tests.support.local_staff import staff_headers

RESULTS = Path(__file__).resolve().parent / "results.md"
# How local mode's stop went (SIGINT, then a kill after the e2e fixture's timeout).
STOPPED: list[str] = []
TITLE = "### (h) Letters: a letter to the marketing audience"


NOTE = (
    "The sender's database work is per batch of 25, not per recipient: one BatchGetItem of the records, one "
    "transaction claiming them, one BatchGetItem of their keys (one KEK unwrap for all), one transaction "
    "settling outcomes and counts. What stays per recipient is the mail and the link's keyed hash (KMS "
    "GenerateMac: the HMAC key never leaves KMS). The audience is read a page of 100 at a time. Local mode's "
    "moto applies TransactWriteItems at the cost of the items it names (`local/moto_transactions.py`); moto "
    "itself copies every table a transaction touches, which made 2,000 subscriptions take many minutes."
)


def _detail(calls: Counter[str], recipients: int) -> str:
    return ", ".join(f"{name} {count / recipients:.2f}" for name, count in sorted(calls.items()))


def calls_per_recipient(recipients: int) -> dict[str, Any]:
    """The AWS calls of sending one letter (the staff request, then every queued batch) per recipient."""
    with moto_stack() as stack:
        for n in range(recipients):
            response = stack.client.post(
                "/v1/forms/blog-subscription", json=body("blog-subscription", f"counted{n}@example.co.kr")
            )
            assert response.status_code == 201, response.get_data(as_text=True)
        # A wiring of its own, on a session whose every client counts its calls (SQS's included).
        session = boto3.Session()
        counter = CallCounter()
        session.events.register("before-call.*.*", counter.count)
        wiring = Wiring(stack.wiring.settings, session=session)
        poller = LetterQueuePoller(
            wiring.ports.client("sqs"),
            wiring.settings.letter_queue_url,
            lambda e, c: handle_batches(wiring, e, c),
            wait_seconds=0,
        )
        letters = wiring.letters
        actor = Actor("bench-user", "bench", "127.0.0.1")
        letter = letters.send(actor, "Counted letter", "Bench.", "POST /v1/staff/letters")
        queued = counter.take()
        while poller.poll_once():
            pass
        delivered = counter.take()
        assert wiring.ports.letter_store.get(letter.letter_id).sent == recipients  # type: ignore[union-attr]
    sender = Counter({k: v for k, v in delivered.items() if not k.startswith("sqs:")})
    return {
        "recipients": recipients,
        "send_calls": sum(queued.values()) / recipients,
        "send_detail": _detail(queued, recipients),
        "sender_calls": sum(sender.values()) / recipients,
        "sender_detail": _detail(sender, recipients),
        "sqs_calls": sum(v for k, v in delivered.items() if k.startswith("sqs:")) / recipients,
    }


def _peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def load_run(subscribers: int, concurrency: int) -> dict[str, Any]:
    server = start_local()
    try:
        base = server.api_url
        addresses = [f"bench.{n:05d}@example.co.kr" for n in range(subscribers)]
        started = time.monotonic()
        with requests.Session() as http, ThreadPoolExecutor(concurrency) as pool:

            def subscribe(address: str) -> int:
                form = submission("blog-subscription", email=address)
                return http.post(f"{base}/v1/forms/blog-subscription", json=form, timeout=60).status_code

            statuses = Counter(pool.map(subscribe, addresses))
        subscribed = time.monotonic() - started
        print(f"{subscribers} subscriptions in {subscribed:.0f} s: {dict(statuses)}", file=sys.stderr, flush=True)
        bearer = staff_headers(base, "staff")
        subject = f"Bench letter {time.time_ns()}"
        started = time.monotonic()
        queued = requests.post(
            f"{base}/v1/staff/letters", json={"subject": subject, "body": "Bench."}, headers=bearer, timeout=120
        )
        accepted = time.monotonic() - started
        letter = queued.json()
        print(f"letter accepted in {accepted:.1f} s: {letter}", file=sys.stderr, flush=True)
        while True:
            state = requests.get(f"{base}/v1/staff/letters/{letter['letter_id']}", headers=bearer, timeout=30).json()
            if state["complete"] or time.monotonic() - started > 3600:
                break
            time.sleep(1)
        delivered = time.monotonic() - started
        mails = [m for m in requests.get(f"{base}/_local/outbox", timeout=120).json() if m["subject"] == subject]
        per_recipient = Counter(m["to"][0] for m in mails)
        found = {
            "subscribers": subscribers,
            "statuses": dict(statuses),
            "subscribed_seconds": subscribed,
            "accepted_seconds": accepted,
            "recipients": letter["recipients"],
            "deliveries": state["deliveries"],
            "delivered_seconds": delivered,
            "mails": len(mails),
            "once": sum(1 for a in addresses if per_recipient[a] == 1),
            "more": sum(1 for a in addresses if per_recipient[a] > 1),
            "missing": sum(1 for a in addresses if per_recipient[a] == 0),
            "links": len({m["headers"]["List-Unsubscribe"] for m in mails}),
            "server_peak_mib": _peak_rss_mib(server.process.pid),
            "sends_per_second": float(os.environ.get(environment_name("letter_sends_per_second"), "200")),
        }
        print(f"load run: {found}", file=sys.stderr, flush=True)
        return found
    finally:
        stopping = time.monotonic()
        try:
            server.stop()
            STOPPED.append(f"{time.monotonic() - stopping:.0f} s")
        except subprocess.TimeoutExpired:
            # Killed: what was measured stands; a server slow to stop is no figure of the letter.
            STOPPED.append(f"killed after {time.monotonic() - stopping:.0f} s")
            print("local mode did not stop within its timeout and was killed", file=sys.stderr)


def section(counted: dict[str, Any], load: dict[str, Any], wall: float) -> str:
    peak = load["server_peak_mib"]
    rows = [
        (
            "subscribers (HTTP, real intake)",
            f"{load['subscribers']:,}: statuses {load['statuses']}, {load['subscribed_seconds']:.0f} s",
        ),
        ("letter accepted (202)", f"{load['accepted_seconds']:.1f} s, recipients {load['recipients']:,}"),
        (
            "all delivered (GET …/letters/{id} complete)",
            f"{load['delivered_seconds']:.0f} s after the request, "
            f"{load['mails'] / load['delivered_seconds']:.1f} mails/s (local pace {load['sends_per_second']:g}/s)",
        ),
        ("deliveries counted", str(load["deliveries"])),
        ("mailed exactly once / more than once / not mailed", f"{load['once']:,} / {load['more']} / {load['missing']}"),
        ("distinct one-click links", f"{load['links']:,}"),
        (
            "AWS calls per recipient: the sender",
            f"{counted['sender_calls']:.2f} ({counted['sender_detail']}), + SQS {counted['sqs_calls']:.2f}",
        ),
        ("AWS calls per recipient: POST /v1/staff/letters", f"{counted['send_calls']:.2f} ({counted['send_detail']})"),
        ("local mode's peak memory (API, sender and moto in one process)", f"{peak:.0f} MiB" if peak else "n/a"),
        ("whole run (both parts)", f"{wall:.0f} s, of which stopping local mode {', '.join(STOPPED) or 'n/a'}"),
    ]
    lines = [
        TITLE,
        "",
        f"Run {datetime.now(UTC).isoformat(timespec='seconds')} on {platform.machine()}, "
        f"Python {platform.python_version()}, with `python -m bench.letters` (`make bench-letters`); calls counted "
        f"on an in-process moto account over {counted['recipients']} recipients.",
        "",
        "| what | measured |",
        "|---|---|",
        *[f"| {what} | {value} |" for what, value in rows],
        "",
        NOTE,
    ]
    return "\n".join(lines) + "\n"


def recorded() -> str:
    """This section as the last load run wrote it (`make bench` does not repeat the load run)."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    if TITLE not in text:
        return ""
    rest = text[text.index(TITLE) :]
    end = rest.find("\n### ", 1)
    return rest if end < 0 else rest[: end + 1]


def write(found: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else ""
    old = recorded()
    RESULTS.write_text(text.replace(old, found) if old else text.rstrip("\n") + "\n\n" + found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.letters")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--counted", type=int, default=100)
    args = parser.parse_args(argv)
    started = time.monotonic()
    counted = calls_per_recipient(args.counted)
    load = load_run(args.subscribers, args.concurrency)
    found = section(counted, load, time.monotonic() - started)
    print(found)
    print(f"bench process peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    write(found)
    ok = load["once"] == args.subscribers and load["more"] == 0 and load["links"] == args.subscribers
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
