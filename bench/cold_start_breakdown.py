"""Where the public API's cold start goes: the bare boto3 handler of `bench.cold_start`, then the same handler
importing, in turn, the libraries the public API cannot start without (Powertools' Logger, its REST resolver,
then pydantic with Powertools' validation parameters and idempotency), against the public API itself. Each
step runs from the deployed layer in the runtime-like interpreter, the steps started in turn (median of
REPEAT rounds), so what separates the last library step from the function is our own code, and the last
library step is the floor for any function that validates with Powertools and pydantic.

`make synth` first, then `python -m bench.cold_start_breakdown`. It prints ratios; it asserts nothing.
"""

from __future__ import annotations

import py_compile
import statistics
import tempfile
from pathlib import Path

from bench.cold_start import BARE, CDK_OUT, _environment
from tools.lambda_runtime import DeployedFunction, StartedFunction, deployed_functions

REPEAT = 7
LOGGER = "from aws_lambda_powertools import Logger\nlogger = Logger()\n"
RESOLVER = "from aws_lambda_powertools.event_handler import APIGatewayRestResolver\n"
VALIDATION = (
    "import pydantic\nimport aws_lambda_powertools.utilities.idempotency\n"
    "from aws_lambda_powertools.event_handler.openapi import params\n"
)
# The least a validating API can start with: the resolver validating one route's body with one model, none
# of our modules. What this costs over the bare handler is the floor no change of ours can go under.
FLOOR = (
    "import pydantic\n"
    "app = APIGatewayRestResolver(enable_validation=True)\n"
    "class Body(pydantic.BaseModel):\n    name: str\n"
    "@app.post('/v1/items')\ndef create(body: Body) -> dict:\n    return {}\n"
)
STEPS = {
    "bare boto3 handler": BARE,
    "+ Powertools Logger": BARE + LOGGER,
    "+ REST resolver": BARE + LOGGER + RESOLVER,
    "+ pydantic, validation params, idempotency": BARE + LOGGER + RESOLVER + VALIDATION,
    "+ one validated route (no code of ours)": BARE + LOGGER + RESOLVER + VALIDATION + FLOOR,
}


def measure(function_name: str = "PublicApi") -> list[tuple[str, float, float, int]]:
    """(step, median seconds, ratio to the bare handler, modules loaded) for each step, then the function."""
    if not CDK_OUT.is_dir():
        raise SystemExit("cdk.out is missing: run `make synth` first")
    function = deployed_functions(CDK_OUT)[function_name]
    environment = _environment(function)
    with tempfile.TemporaryDirectory() as directory:
        targets: dict[str, DeployedFunction] = {}
        for index, (step, source) in enumerate(STEPS.items()):
            code = Path(directory, str(index))
            code.mkdir()
            module = code / "bare.py"
            module.write_text(source)
            py_compile.compile(str(module), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            targets[step] = DeployedFunction(
                name="Bare",
                handler="bare.lambda_handler",
                runtime=function.runtime,
                memory_mb=function.memory_mb,
                code=code,
                layers=function.layers,
            )
        targets[f"{function_name} ({function.handler})"] = function
        samples: dict[str, list[float]] = {step: [] for step in targets}
        modules: dict[str, int] = {}
        for _ in range(REPEAT):
            for step, target in targets.items():
                with StartedFunction(target, environment) as started:
                    samples[step].append(started.init_seconds)
                    modules[step] = started.modules_at_start
    bare = statistics.median(samples["bare boto3 handler"])
    return [(step, statistics.median(s), statistics.median(s) / bare, modules[step]) for step, s in samples.items()]


if __name__ == "__main__":
    for step, seconds, ratio, loaded in measure():
        print(f"{step}: {seconds * 1000:.0f} ms (×{ratio:.2f}); {loaded} modules")
