"""(b) Cold start: each function's import and init from the deployed assets (cdk.out's code and layer), in
the runtime-like interpreter (`.venv-runtime/`: the runtime's boto3 and nothing else, bytecode never
written), against a bare boto3 handler started the same way. Run `make synth` first (`make bench` does).

Each sample is a fresh interpreter, as a Lambda cold start is, timed from inside (the interpreter's own
start-up is excluded). Function and bare handler are started in turn, so the ratio compares samples
taken under the same load; the count of modules loaded at start does not depend on load at all. A
route family that needs a library the others do not (phonenumbers, email-validator, cryptography,
Powertools' OpenAPI models) loads it on its first request, so what this measures is the start every
request pays.
"""

from __future__ import annotations

import py_compile
import statistics
import tempfile
from pathlib import Path

from local.environment import app_environment, aws_environment
from policybound import tables
from policybound.settings import environment_name
from tools.lambda_runtime import DeployedFunction, StartedFunction, deployed_functions, resolve_environment

ROOT = Path(__file__).resolve().parent.parent
CDK_OUT = ROOT / "cdk.out"
REPEAT = 9

BARE = """
import boto3
client = boto3.client("dynamodb", region_name="ap-northeast-2")
def lambda_handler(event, context):
    return {"statusCode": 200, "body": "{}"}
"""


def _environment(function: DeployedFunction) -> dict[str, str]:
    # Names only: init must not look any key or queue up.
    logical_ids = [spec.logical_id for spec in tables.KMS_KEYS] + [spec.logical_id for spec in tables.QUEUES]
    references = app_environment({logical_id: f"bench-{logical_id}" for logical_id in logical_ids})
    # A syntactically valid pool id is all init needs.
    references |= {environment_name("staff_user_pool_id"): "ap-northeast-2_BenchPool1"}
    values = {variable: references.get(variable, "bench") for variable in function.environment}
    # Never contacted: init must not call AWS.
    return resolve_environment(function, values) | aws_environment("http://127.0.0.1:9")


def _start(function: DeployedFunction) -> StartedFunction:
    started = StartedFunction(function, _environment(function))
    if started.compiled_at_start:
        started.stop()
        raise SystemExit(f"{function.name} compiled {len(started.compiled_at_start)} modules at start")
    return started


def paired_init(function: DeployedFunction, bare: DeployedFunction) -> tuple[float, float, int, int]:
    """Medians of (function, bare) init seconds, the two started in turn, and the modules each loaded.

    Taking the samples in pairs means a burst of load on a shared machine slows both sides of a pair,
    so the ratio holds where the milliseconds do not."""
    ours: list[float] = []
    theirs: list[float] = []
    modules = bare_modules = 0
    for _ in range(REPEAT):
        for target, samples in ((function, ours), (bare, theirs)):
            with _start(target) as started:
                samples.append(started.init_seconds)
                if target is function:
                    modules = started.modules_at_start
                else:
                    bare_modules = started.modules_at_start
    return statistics.median(ours), statistics.median(theirs), modules, bare_modules


def measure() -> list[dict[str, float | str | int]]:
    if not CDK_OUT.is_dir():
        raise SystemExit("cdk.out is missing: run `make synth` first")
    functions = deployed_functions(CDK_OUT)
    rows: list[dict[str, float | str | int]] = []
    with tempfile.TemporaryDirectory() as directory:
        bare_module = Path(directory, "bare.py")
        bare_module.write_text(BARE)
        # Shipped like ours: unchecked-hash bytecode, so neither side compiles at start.
        py_compile.compile(str(bare_module), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        bare_function = DeployedFunction(
            name="Bare",
            handler="bare.lambda_handler",
            runtime="python3.13",
            memory_mb=1024,
            code=Path(directory),
            layers=(),
        )
        for name, function in sorted(functions.items()):
            seconds, bare_seconds, modules, bare_modules = paired_init(function, bare_function)
            rows.append(
                {
                    "entry_point": f"{name} ({function.handler})",
                    "seconds": seconds,
                    "bare_seconds": bare_seconds,
                    "ratio": seconds / bare_seconds,
                    "modules": modules,
                    "bare_modules": bare_modules,
                }
            )
    return rows


if __name__ == "__main__":
    for row in measure():
        ms, bare_ms = float(row["seconds"]) * 1000, float(row["bare_seconds"]) * 1000
        print(
            f"{row['entry_point']}: {ms:.0f} ms against {bare_ms:.0f} ms bare (×{float(row['ratio']):.2f}); "
            f"{row['modules']} modules loaded against {row['bare_modules']}"
        )
