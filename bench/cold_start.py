"""(b) Cold start: importing and initialising each entry point, against a bare boto3 handler.

Each sample is a fresh interpreter (as a Lambda cold start is), timed from inside so that the
interpreter's own start-up is excluded; the figure that matters is the ratio measured in one run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from local.environment import app_environment, aws_environment

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 7

BARE = """
import boto3
client = boto3.client("dynamodb", region_name="ap-northeast-2")
def lambda_handler(event, context):
    return {"statusCode": 200, "body": "{}"}
"""

PROBE = """
import json, sys, time
start = time.perf_counter()
exec(compile(sys.argv[1], "<init>", "exec"), {})
print(json.dumps(time.perf_counter() - start))
"""


def entry_points() -> list[str]:
    return sorted(
        f"entrypoints.{path.stem}"
        for path in (ROOT / "lambdas" / "entrypoints").glob("*.py")
        if path.stem != "__init__"
    )


def _sample(code: str) -> float:
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}")
    env |= aws_environment("http://127.0.0.1:9")  # never contacted: init must not call AWS
    env |= app_environment({"DataKey": "bench-data-key", "BlindIndexKey": "bench-mac-key"}, "https://api.example.com")
    # Set by the stacks for the staff functions; a syntactically valid pool id is all init needs.
    env["STAFF_USER_POOL_ID"] = "ap-northeast-2_BenchPool1"
    result = subprocess.run([sys.executable, "-c", PROBE, code], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"init failed for {code!r}:\n{result.stderr[-2000:]}")
    output = result.stdout
    return float(json.loads(output.strip().splitlines()[-1]))


def median_init(code: str) -> float:
    return statistics.median(_sample(code) for _ in range(REPEAT))


def measure() -> list[dict[str, float | str]]:
    bare = median_init(BARE)
    rows: list[dict[str, float | str]] = [{"entry_point": "bare boto3 handler", "seconds": bare, "ratio": 1.0}]
    for module in entry_points():
        seconds = median_init(f"import {module}")
        rows.append({"entry_point": module, "seconds": seconds, "ratio": seconds / bare})
    return rows


if __name__ == "__main__":
    for row in measure():
        print(f"{row['entry_point']}: {float(row['seconds']) * 1000:.0f} ms (×{float(row['ratio']):.2f})")
