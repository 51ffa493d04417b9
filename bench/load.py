"""(Load) A bounded load run against local mode: N submissions at concurrency C over real HTTP.

Every 201 must match exactly one stored record (nothing lost, nothing duplicated), including a share
of requests retried with the same Idempotency-Key. Prints throughput and p50/p99 latency; asserts
correctness, never speed. Usage: python -m bench.load [--submissions 5000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from bench.harness import body
from policybound import tables
from policybound.adapters import codec
from tests.e2e.conftest import LocalServer, start_local

RETRY_SHARE = 10  # every tenth submission is sent twice with the same Idempotency-Key


@dataclass
class Outcome:
    status: int
    seconds: float
    submission_id: str | None
    key: str


def _submit(session: requests.Session, base: str, n: int) -> list[Outcome]:
    key = str(uuid.uuid4())
    outcomes = []
    for _ in range(2 if n % RETRY_SHARE == 0 else 1):
        start = time.perf_counter()
        response = session.post(
            f"{base}/v1/forms/contact-us",
            json=body("contact-us", f"load{n}@example.co.kr"),
            headers={"Idempotency-Key": key},
            # Generous: 32 clients queue behind one function instance, and moto slows as tables grow.
            timeout=300,
        )
        elapsed = time.perf_counter() - start
        sid = response.json().get("submission_id") if response.status_code == 201 else None
        outcomes.append(Outcome(response.status_code, elapsed, sid, key))
    return outcomes


def _stored_ids(server: LocalServer) -> list[str]:
    dynamodb = server.aws("dynamodb")
    name = next(n for n in dynamodb.list_tables()["TableNames"] if n.endswith(tables.RECORDS.logical_id.lower()))
    pages = dynamodb.get_paginator("scan").paginate(TableName=name, ProjectionExpression="submission_id")
    return [codec.plain(item)["submission_id"] for page in pages for item in page["Items"]]


def run(submissions: int, concurrency: int) -> dict[str, float]:
    server = start_local()
    sessions = [requests.Session() for _ in range(concurrency)]
    try:
        start = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            batches = list(
                pool.map(lambda n: _submit(sessions[n % concurrency], server.api_url, n), range(submissions))
            )
        wall = time.perf_counter() - start
        outcomes = [o for batch in batches for o in batch]
        stored = _stored_ids(server)
    finally:
        # Open keep-alive connections would hold the server's request threads at shutdown.
        for session in sessions:
            session.close()
        try:
            server.stop()
        except subprocess.TimeoutExpired:
            print("local mode took over 30 s to stop after the run; it was killed", file=sys.stderr)

    created = [o for o in outcomes if o.status == 201]
    by_key: dict[str, set[str | None]] = {}
    for outcome in created:
        by_key.setdefault(outcome.key, set()).add(outcome.submission_id)
    receipts = {o.submission_id for o in created}
    problems = []
    if len(stored) != len(set(stored)):
        problems.append("a record is stored twice")
    if receipts != set(stored):
        lost, orphans = len(receipts - set(stored)), len(set(stored) - receipts)
        problems.append(f"{lost} receipts without a record, {orphans} records without a receipt")
    if any(len(ids) != 1 for ids in by_key.values()):
        problems.append("a retried Idempotency-Key produced two different receipts")
    latencies = sorted(o.seconds for o in outcomes)
    figures = {
        "requests": len(outcomes),
        "created": len(created),
        "other_statuses": len(outcomes) - len(created),
        "stored_records": len(stored),
        "throughput_per_s": len(outcomes) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }
    if problems:
        statuses = Counter(o.status for o in outcomes)
        raise SystemExit(f"load run found data problems: {'; '.join(problems)} (statuses: {dict(statuses)})")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    figures = run(args.submissions, args.concurrency)
    for name, value in figures.items():
        print(f"{name}: {value:,.1f}" if isinstance(value, float) else f"{name}: {value:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
