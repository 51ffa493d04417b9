"""(Load) A letter to N blog subscribers in local mode: N subscriptions over real HTTP, one letter from
a staff token, the real sender draining the queue (local mode's poller on moto's SQS), then the outbox
counted per recipient. Prints counts and times; exits non-zero unless every subscriber got the letter
exactly once. Usage: python -m bench.letters [--subscribers 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.conftest import submission
from tests.e2e.conftest import start_local


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.letters")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    server = start_local()
    try:
        base = server.api_url
        addresses = [f"bench.{n:05d}@example.co.kr" for n in range(args.subscribers)]
        started = time.monotonic()
        with requests.Session() as http, ThreadPoolExecutor(args.concurrency) as pool:

            def subscribe(address: str) -> int:
                body = submission("blog-subscription", email=address)
                return http.post(f"{base}/v1/forms/blog-subscription", json=body, timeout=60).status_code

            statuses = Counter(pool.map(subscribe, addresses))
        subscribed = time.monotonic() - started
        token = requests.post(f"{base}/_local/staff-token", json={"username": "staff"}, timeout=30).json()["id_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        subject = f"Bench letter {time.time_ns()}"
        started = time.monotonic()
        queued = requests.post(
            f"{base}/v1/staff/letters", json={"subject": subject, "body": "Bench."}, headers=bearer, timeout=120
        )
        accepted = time.monotonic() - started
        letter = queued.json()
        while True:
            state = requests.get(f"{base}/v1/staff/letters/{letter['letter_id']}", headers=bearer, timeout=30).json()
            if state["complete"] or time.monotonic() - started > 3600:
                break
            time.sleep(1)
        delivered = time.monotonic() - started
        mails = [m for m in requests.get(f"{base}/_local/outbox", timeout=120).json() if m["subject"] == subject]
        per_recipient = Counter(m["to"][0] for m in mails)
        once = sum(1 for a in addresses if per_recipient[a] == 1)
        twice = sum(1 for a in addresses if per_recipient[a] > 1)
        missing = sum(1 for a in addresses if per_recipient[a] == 0)
        links = len({m["headers"]["List-Unsubscribe"] for m in mails})
        print(f"subscriptions: {args.subscribers} sent, statuses {dict(statuses)}, {subscribed:.1f} s")
        print(f"letter: 202 in {accepted:.2f} s, recipients {letter['recipients']}")
        print(f"deliveries: {state['deliveries']} in {delivered:.1f} s ({len(mails) / delivered:.1f} mails/s)")
        print(f"mailed exactly once: {once}/{args.subscribers}; more than once: {twice}; not mailed: {missing}")
        print(f"distinct one-click links: {links}")
        ok = once == args.subscribers and twice == 0 and links == args.subscribers
        return 0 if ok else 1
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
