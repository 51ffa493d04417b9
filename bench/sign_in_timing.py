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

from local.cognito import PASSWORD_CHANGED_ATTRIBUTE, POOL_NAME
from policybound.obligations import MAX_FAILED_SIGN_INS
from tests.e2e.conftest import LocalServer, start_local

PASSWORD = "Correct-Horse-9-Battery!"  # noqa: S105 - a bench account's, in local mode's pool only
WRONG = "Not-The-Passw0rd!"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sign_in_timing")
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args(argv)
    server = start_local()
    try:
        return measure(server, args.samples)
    finally:
        server.stop()


def measure(server: LocalServer, samples: int) -> int:
    cognito = server.aws("cognito-idp")
    pool_id = next(p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == POOL_NAME)
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())

    def known() -> str:
        username = f"bench-{uuid.uuid4().hex[:10]}"
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": PASSWORD_CHANGED_ATTRIBUTE, "Value": now}],
        )
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
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
            return sign_in(username, PASSWORD)  # the right password for a known name: refused by the lock

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
