"""What ships to Lambda, built without Docker: the functions' code and the layer with every library they
import beyond the runtime's boto3, both with bytecode compiled for the runtime's Python.

The layer: pip downloads the pinned wheels of lambdas/requirements.txt (Powertools, pydantic, tzdata and
the rest) for the functions' platform (Linux x86_64, CPython 3.13) on the host. Every library there ships
such wheels (cryptography as abi3), so nothing is compiled from C. No public layer is used: what a
published layer version carries cannot be checked before deploy, and these are the versions the tests run.

Bytecode: Lambda unpacks a function into a read-only /var/task, so a module without valid bytecode is
compiled again on every cold start. CDK zips assets with fixed timestamps, which would make timestamp-based
.pyc files stale; these are hash-based and unchecked (PEP 552): the archive is immutable once deployed.
The host compiles them, so its interpreter must be the runtime's minor version (the Makefile's venv is).

CDK caches each asset by the hash of its input and of the bundling command, which names the Python
version, so a synth re-runs pip only when the pins change.
"""

from __future__ import annotations

import compileall
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.paths import LAMBDAS_DIR

RUNTIME = lambda_.Runtime.PYTHON_3_13
# x86_64, the architecture of the machines that build and test: the start-as-deployed test runs the very
# wheels that ship (arm64 would be about 20% cheaper per GB-second, and untestable here).
ARCHITECTURE = lambda_.Architecture.X86_64
PYTHON_VERSION = RUNTIME.name.removeprefix("python")  # "3.13"
# Lambda's Python 3.13 runs on Amazon Linux 2023 (glibc 2.34): any of these wheel tags loads there.
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64")
# Python files that never run in a function.
CODE_EXCLUDES = (
    *("__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache", ".ruff_cache"),
    *("tests", "test_*.py", "*_test.py"),
)
# Not code: the layer's input.
CODE_ROOT_EXCLUDES = ("requirements.txt",)

# Docker's conventions for the bundling directories; the local bundlers map them to host paths.
_INPUT, _OUTPUT = "/asset-input", "/asset-output"
_COMPILE = ("compile", f"--python-version={PYTHON_VERSION}", "--invalidation-mode=unchecked-hash")

PIP_ARGUMENTS: tuple[str, ...] = (
    "pip",
    "install",
    "--quiet",
    "--no-compile",  # compiled below, as unchecked-hash bytecode
    "--only-binary=:all:",
    "--implementation",
    "cp",
    "--python-version",
    PYTHON_VERSION,
    *(argument for platform in PLATFORMS for argument in ("--platform", platform)),
    "--target",
    f"{_OUTPUT}/python",  # a Python layer's libraries live under python/ (on sys.path at /opt/python)
    "--requirement",
    f"{_INPUT}/requirements.txt",
)


class BundlingFailedError(RuntimeError):
    pass


def compile_for_runtime(directory: Path) -> None:
    """Unchecked-hash bytecode for every module under `directory`, by this (the runtime's) Python."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" != PYTHON_VERSION:
        raise BundlingFailedError(
            f"bytecode for Lambda's Python {PYTHON_VERSION} must be compiled by Python {PYTHON_VERSION}, "
            f"not {sys.version.split()[0]}: run synth from the Makefile's .venv (make synth)"
        )
    compiled = compileall.compile_dir(
        directory, quiet=2, workers=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    if not compiled:
        raise BundlingFailedError(
            f"compiling {directory} for Lambda failed (a syntax error in Python {PYTHON_VERSION}?)"
        )


@jsii.implements(ILocalBundling)
class PipOnHost:
    """Runs the bundling command with this interpreter's pip instead of in a container, then compiles."""

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        arguments = list(options.command or ())
        command = [
            argument.replace(_OUTPUT, output_dir).replace(_INPUT, str(LAMBDAS_DIR))
            for argument in arguments[: arguments.index("&&")]
        ]
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [sys.executable, "-m", *command], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise BundlingFailedError(
                f"installing lambdas/requirements.txt for Lambda (x86_64, Python {PYTHON_VERSION}) failed:\n"
                f"{result.stderr[-4000:]}"
            )
        compile_for_runtime(Path(output_dir))
        return True


@jsii.implements(ILocalBundling)
class CodeOnHost:
    """Copies lambdas/ without what never runs in a function, then compiles it."""

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        output = Path(output_dir)
        for child in LAMBDAS_DIR.iterdir():
            if child.name in CODE_ROOT_EXCLUDES or any(child.match(pattern) for pattern in CODE_EXCLUDES):
                continue
            if child.is_dir():
                shutil.copytree(child, output / child.name, ignore=shutil.ignore_patterns(*CODE_EXCLUDES))
            else:
                shutil.copy2(child, output / child.name)
        compile_for_runtime(output)
        return True


def _bundling(command: tuple[str, ...], local: object) -> BundlingOptions:
    return BundlingOptions(
        # Never pulled: the local bundler always bundles. Docker is not available on our machines.
        image=DockerImage.from_registry("policybound/no-docker-bundling"),
        command=list(command),
        local=local,  # type: ignore[arg-type]
    )


def application_code() -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR),
        # The asset's hash (and so whether it is bundled again) follows the source minus what is left out.
        exclude=[*CODE_ROOT_EXCLUDES, *(f"**/{pattern}" for pattern in CODE_EXCLUDES)],
        asset_hash_type=AssetHashType.SOURCE,
        bundling=_bundling(_COMPILE, CodeOnHost()),
    )


def dependency_code() -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR),
        # Only requirements.txt is input, so the asset (and pip) changes only when the pins change.
        exclude=["*", "!requirements.txt"],
        asset_hash_type=AssetHashType.SOURCE,
        bundling=_bundling((*PIP_ARGUMENTS, "&&", *_COMPILE), PipOnHost()),
    )


def dependency_layer(scope: Construct, construct_id: str) -> lambda_.LayerVersion:
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=dependency_code(),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description="Policybound: every library of lambdas/requirements.txt (Powertools, pydantic, tzdata, ...)",
    )
