"""Start functions the way Lambda does, from a synthesized cloud assembly (cdk.out).

Each function runs in its own fresh interpreter of the runtime's Python that has nothing but the
runtime's own libraries (`.venv-runtime/`: boto3 from requirements-runtime.txt), with the function's
code asset and layer assets on the path where Lambda puts them (/var/task before /opt/python) and the
environment its template gives it. Bytecode is never written, as on Lambda's read-only /var/task, and
the worker reports every module it had to compile from source: a cold start should compile nothing.
No system time-zone database either (`PYTHONTZPATH` empty): the layer's tzdata must serve Asia/Seoul.

Used by the start-as-deployed test and the cold-start benchmark. `python -m tools.lambda_runtime`
makes (or keeps) `.venv-runtime/`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import venv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNTIME_VENV = REPO_ROOT / ".venv-runtime"
RUNTIME_REQUIREMENTS = REPO_ROOT / "requirements-runtime.txt"
API_STACK = "PolicyboundApi"

# Runs inside the runtime-like interpreter: argv[1] is the handler ("module.function"), argv[2] a JSON
# list of the asset directories. Answers one JSON line per invocation on its own copy of stdout; what
# the function prints (logs, EMF metrics) goes to stderr.
WORKER = r"""
import importlib, importlib.machinery, json, os, sys, time, traceback
sys.dont_write_bytecode = True
protocol = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
roots = tuple(json.loads(sys.argv[2]))
compiled = []
_source_to_code = importlib.machinery.SourceFileLoader.source_to_code
def _recording(self, data, path, *args, **kwargs):
    if str(path).startswith(roots):
        compiled.append(str(path))
    return _source_to_code(self, data, path, *args, **kwargs)
importlib.machinery.SourceFileLoader.source_to_code = _recording

class Context:
    def __init__(self, function_name, memory_limit_in_mb, aws_request_id, remaining_ms):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = aws_request_id
        self.invoked_function_arn = "arn:aws:lambda:ap-northeast-2:123456789012:function:" + function_name
        self.log_group_name = "/aws/lambda/" + function_name
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + remaining_ms / 1000
    def get_remaining_time_in_millis(self):
        return int((self._deadline - time.monotonic()) * 1000)

def answer(message):
    protocol.write(json.dumps(message, default=str) + "\n")
    protocol.flush()

start = time.perf_counter()
try:
    module_name, function_name = sys.argv[1].rsplit(".", 1)
    handler = getattr(importlib.import_module(module_name), function_name)
except BaseException:
    answer({"init_error": traceback.format_exc()})
    sys.exit(1)
init_seconds = time.perf_counter() - start
libraries = {}
for name in ("aws_lambda_powertools", "pydantic", "pydantic_core", "tzdata", "boto3", "botocore"):
    module = sys.modules.get(name)
    if module is not None:
        libraries[name] = {"file": module.__file__, "version": getattr(module, "__version__", None)}
answer({"init_seconds": init_seconds, "python": list(sys.version_info[:3]), "compiled": list(compiled),
        "libraries": libraries, "modules": len(sys.modules)})
for line in sys.stdin:
    request = json.loads(line)
    compiled.clear()
    try:
        result = handler(request["event"], Context(**request["context"]))
        answer({"result": result, "compiled": list(compiled)})
    except Exception as error:
        answer({"error": type(error).__name__, "message": str(error), "traceback": traceback.format_exc()})
"""


class DeployedAssetsError(RuntimeError):
    """The cloud assembly does not describe the functions as expected, or a function failed to start."""


@dataclass(frozen=True)
class DeployedFunction:
    """One function as its template deploys it."""

    name: str  # the spec name (construct id), e.g. PublicApi
    handler: str
    runtime: str
    memory_mb: int
    code: Path
    layers: tuple[Path, ...]
    # Values as the template writes them: strings, or CloudFormation references to resolve.
    environment: Mapping[str, Any] = field(default_factory=dict)

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.code, *(layer / "python" for layer in self.layers))


def _asset(outdir: Path, resource: Mapping[str, Any], logical_id: str) -> Path:
    path = resource.get("Metadata", {}).get("aws:asset:path")
    if not path:
        raise DeployedAssetsError(f"{logical_id} has no asset path in its Metadata (synth with asset metadata)")
    return outdir / str(path)


def deployed_functions(outdir: Path, stack: str = API_STACK) -> dict[str, DeployedFunction]:
    outdir = outdir.resolve()  # the functions start in their own directory
    template = json.loads((outdir / f"{stack}.template.json").read_text())
    resources: dict[str, Any] = template["Resources"]
    functions: dict[str, DeployedFunction] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Function" or "aws:cdk:path" not in resource.get("Metadata", {}):
            continue
        properties = resource["Properties"]
        layers = []
        for layer in properties.get("Layers", []):
            if not isinstance(layer, dict) or "Ref" not in layer:
                raise DeployedAssetsError(f"{logical_id} uses a layer that is not in this assembly: {layer!r}")
            layers.append(_asset(outdir, resources[layer["Ref"]], layer["Ref"]))
        name = str(resource["Metadata"]["aws:cdk:path"]).split("/")[1]
        functions[name] = DeployedFunction(
            name=name,
            handler=properties["Handler"],
            runtime=properties["Runtime"],
            memory_mb=int(properties.get("MemorySize", 128)),
            code=_asset(outdir, resource, logical_id),
            layers=tuple(layers),
            environment=dict(properties.get("Environment", {}).get("Variables", {})),
        )
    return functions


def resolve_environment(function: DeployedFunction, values: Mapping[str, str]) -> dict[str, str]:
    """The template's environment, with each reference (table names, key ARNs, the pool id) replaced by
    `values[variable]`; literal values stay as the template has them."""
    resolved: dict[str, str] = {}
    for variable, value in function.environment.items():
        if isinstance(value, str):
            resolved[variable] = value
        elif variable in values:
            resolved[variable] = values[variable]
        else:
            raise DeployedAssetsError(f"{function.name}: no local value for {variable} (template: {value!r})")
    return resolved


def _requirements_digest() -> str:
    return hashlib.sha256(RUNTIME_REQUIREMENTS.read_bytes()).hexdigest()


def runtime_python() -> Path:
    """The runtime-like interpreter; made once and kept until requirements-runtime.txt changes."""
    python = RUNTIME_VENV / "bin" / "python"
    stamp = RUNTIME_VENV / ".installed"
    if python.is_file() and stamp.is_file() and stamp.read_text() == _requirements_digest():
        return python
    venv.EnvBuilder(clear=True, with_pip=False).create(RUNTIME_VENV)
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "-r", str(RUNTIME_REQUIREMENTS)],
        check=True,
    )
    stamp.write_text(_requirements_digest())
    return python


def lambda_environment(function: DeployedFunction, environment: Mapping[str, str]) -> dict[str, str]:
    """What Lambda's runtime sets around the function's own variables (nothing of this machine's)."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PYTHONPATH": os.pathsep.join(str(root) for root in function.roots),
        "PYTHONTZPATH": "",
        "LAMBDA_TASK_ROOT": str(function.code),
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        **environment,
    }


class StartedFunction:
    """A function after its cold start; `invoke` sends it events like Lambda's runtime API does."""

    def __init__(self, function: DeployedFunction, environment: Mapping[str, str], python: Path | None = None) -> None:
        self.function = function
        self._stderr: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                str(python or runtime_python()),
                "-s",
                "-c",
                WORKER,
                function.handler,
                json.dumps([str(root) for root in function.roots]),
            ],
            cwd=function.code,
            env=lambda_environment(function, environment),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        ready = self._read()
        if "init_error" in ready:
            self.stop()
            raise DeployedAssetsError(f"{function.name} did not start:\n{ready['init_error']}\n{self.output}")
        self.init_seconds: float = ready["init_seconds"]
        self.python: list[int] = ready["python"]
        self.compiled_at_start: list[str] = ready["compiled"]
        self.libraries: dict[str, dict[str, Any]] = ready["libraries"]
        # Modules loaded once init is done (the worker's own few included): a count that load cannot blur.
        self.modules_at_start: int = ready["modules"]
        self._requests = 0

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise DeployedAssetsError(f"{self.function.name} exited ({self._process.wait()}):\n{self.output}")
        message: dict[str, Any] = json.loads(line)
        return message

    def invoke(self, event: Mapping[str, Any], remaining_ms: int = 15_000) -> dict[str, Any]:
        """The worker's answer: `result` (what the handler returned) or `error`, and `compiled`."""
        assert self._process.stdin is not None
        self._requests += 1
        context = {
            "function_name": self.function.name,
            "memory_limit_in_mb": self.function.memory_mb,
            "aws_request_id": f"request-{self._requests}",
            "remaining_ms": remaining_ms,
        }
        self._process.stdin.write(json.dumps({"event": event, "context": context}) + "\n")
        self._process.stdin.flush()
        return self._read()

    @property
    def output(self) -> str:
        """Everything the function printed (its logs)."""
        self._stderr.seek(0)
        return self._stderr.read()

    def stop(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> StartedFunction:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


if __name__ == "__main__":
    print(runtime_python())
