"""(Timing) Staff sign-in answers in local mode over real HTTP: does the time of an answer tell a known
user name from an unknown one, or a locked account from an open one? Each sample is a fresh name, so
no lockout carries over; the kinds take turns, so the machine's load falls on all of them alike.
Prints the median and spread of each kind and their ratios to a known name's wrong password; exits
non-zero unless every answer is the same 401. Usage: python -m bench.sign_in_timing [--samples 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable

import requests

from policybound.obligations import MAX_FAILED_SIGN_INS
from tests.e2e.conftest import LocalServer, running_local
from tests.support.local_staff import ACCOUNT_PASSWORD, add_account, changed_at, pool_id_of

WRONG = "Not-The-Passw0rd!"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sign_in_timing")
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args(argv)
    with running_local() as server:
        return measure(server, args.samples)


def measure(server: LocalServer, samples: int) -> int:
    cognito = server.aws("cognito-idp")
    pool_id, now = pool_id_of(cognito), changed_at()

    def known() -> str:
        username = f"bench-{uuid.uuid4().hex[:10]}"
        add_account(cognito, pool_id, username, password_changed_at=now)
        return username

    def unknown() -> str:
        return f"bench-{uuid.uuid4().hex[:10]}"

    answers: set[tuple[int, str]] = set()

    def sign_in(username: str, password: str) -> float:
        started = time.perf_counter()
        response = requests.post(
            f"{server.api_url}/_local/staff-sign-in", json={"username": username, "password": password}, timeout=60
        )
        elapsed = time.perf_counter() - started
        answers.add((response.status_code, response.text))
        return elapsed

    def locked(name: Callable[[], str]) -> Callable[[], float]:
        def attempt() -> float:
            username = name()
            for _ in range(MAX_FAILED_SIGN_INS):
                sign_in(username, WRONG)
            return sign_in(username, ACCOUNT_PASSWORD)  # the right password for a known name: refused by the lock

        return attempt

    kinds: dict[str, Callable[[], float]] = {
        "known name, wrong password": lambda: sign_in(known(), WRONG),
        "unknown name": lambda: sign_in(unknown(), WRONG),
        "known name, locked": locked(known),
        "unknown name, locked": locked(unknown),
    }
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(samples):
        for kind, attempt in kinds.items():
            times[kind].append(attempt())
    base = statistics.median(times["known name, wrong password"])
    print(f"| answer ({samples} samples each) | median ms | p10–p90 ms | ratio to a known name's wrong password |")
    print("|---|---|---|---|")
    for kind, values in times.items():
        deciles = statistics.quantiles(values, n=10)
        median = statistics.median(values)
        print(
            f"| {kind} | {median * 1000:.1f} | {deciles[0] * 1000:.1f}–{deciles[-1] * 1000:.1f} | {median / base:.2f} |"
        )
    print(f"distinct answers (status, body): {len(answers)}")
    return 0 if len(answers) == 1 and next(iter(answers))[0] == 401 else 1


if __name__ == "__main__":
    sys.exit(main())
