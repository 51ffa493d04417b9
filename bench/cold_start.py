"""(b) Cold start: each function's import and init from the deployed assets (cdk.out's code and layer), in
the runtime-like interpreter (`.venv-runtime/`: the runtime's boto3 and nothing else, bytecode never
written), against a bare boto3 handler started the same way. Run `make synth` first (`make bench` does).

Each sample is a fresh interpreter, as a Lambda cold start is, timed from inside (the interpreter's own
start-up is excluded); the figure that matters is the ratio measured in one run.
"""

from __future__ import annotations

import py_compile
import statistics
import tempfile
from pathlib import Path

from local.environment import app_environment, aws_environment
from tools.lambda_runtime import DeployedFunction, StartedFunction, deployed_functions, resolve_environment

ROOT = Path(__file__).resolve().parent.parent
CDK_OUT = ROOT / "cdk.out"
REPEAT = 7

BARE = """
import boto3
client = boto3.client("dynamodb", region_name="ap-northeast-2")
def lambda_handler(event, context):
    return {"statusCode": 200, "body": "{}"}
"""


def _environment(function: DeployedFunction) -> dict[str, str]:
    references = app_environment(
        {"TablesKey": "bench-tables-key", "DataKey": "bench-data-key", "BlindIndexKey": "bench-mac-key"}
    )
    # A syntactically valid pool id is all init needs.
    references |= {"STAFF_USER_POOL_ID": "ap-northeast-2_BenchPool1"}
    values = {variable: references.get(variable, "bench") for variable in function.environment}
    # Never contacted: init must not call AWS.
    return resolve_environment(function, values) | aws_environment("http://127.0.0.1:9")


def median_init(function: DeployedFunction) -> float:
    samples = []
    for _ in range(REPEAT):
        with StartedFunction(function, _environment(function)) as started:
            if started.compiled_at_start:
                raise SystemExit(f"{function.name} compiled {len(started.compiled_at_start)} modules at start")
            samples.append(started.init_seconds)
    return statistics.median(samples)


def measure() -> list[dict[str, float | str]]:
    if not CDK_OUT.is_dir():
        raise SystemExit("cdk.out is missing: run `make synth` first")
    functions = deployed_functions(CDK_OUT)
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
        bare = median_init(bare_function)
    rows: list[dict[str, float | str]] = [{"entry_point": "bare boto3 handler", "seconds": bare, "ratio": 1.0}]
    for name, function in sorted(functions.items()):
        seconds = median_init(function)
        rows.append({"entry_point": f"{name} ({function.handler})", "seconds": seconds, "ratio": seconds / bare})
    return rows


if __name__ == "__main__":
    for row in measure():
        print(f"{row['entry_point']}: {float(row['seconds']) * 1000:.0f} ms (×{float(row['ratio']):.2f})")
