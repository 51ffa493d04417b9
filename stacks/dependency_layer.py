"""The layer with the libraries the Lambda runtime and the Powertools layer do not provide.

Built without Docker: pip downloads the pinned wheels of lambdas/requirements.txt for the functions'
platform (Linux arm64, CPython 3.14) on the host. Every library there ships such wheels (cryptography
as abi3), so nothing is compiled. CDK caches the result by the hash of requirements.txt and the pip
arguments, so a synth re-runs pip only when one of them changes.
"""

from __future__ import annotations

import subprocess
import sys

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.paths import LAMBDAS_DIR

RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
_PYTHON_VERSION = RUNTIME.name.removeprefix("python")  # "3.14"
# Lambda's Python 3.14 runs on Amazon Linux 2023 (glibc 2.34): any of these wheel tags loads there.
_PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64", "manylinux_2_34_aarch64")

# Docker's conventions for the bundling directories; the local bundler maps them to host paths.
_INPUT, _OUTPUT = "/asset-input", "/asset-output"

PIP_ARGUMENTS: tuple[str, ...] = (
    "pip",
    "install",
    "--quiet",
    "--no-compile",  # .pyc files compiled by the host's Python would be for the wrong version
    "--only-binary=:all:",
    "--implementation",
    "cp",
    "--python-version",
    _PYTHON_VERSION,
    *(argument for platform in _PLATFORMS for argument in ("--platform", platform)),
    "--target",
    f"{_OUTPUT}/python",  # a Python layer's libraries live under python/ (on sys.path at /opt/python)
    "--requirement",
    f"{_INPUT}/requirements.txt",
)


class BundlingFailedError(RuntimeError):
    pass


@jsii.implements(ILocalBundling)
class PipOnHost:
    """Runs the bundling command with this interpreter's pip instead of in a container."""

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        command = [
            argument.replace(_OUTPUT, output_dir).replace(_INPUT, str(LAMBDAS_DIR))
            for argument in options.command or ()
        ]
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [sys.executable, "-m", *command], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise BundlingFailedError(
                "installing lambdas/requirements.txt for Lambda (arm64, Python "
                f"{_PYTHON_VERSION}) failed:\n{result.stderr[-4000:]}"
            )
        return True


def dependency_code() -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR),
        # Only requirements.txt is input, so the asset (and pip) changes only when the pins change.
        exclude=["*", "!requirements.txt"],
        asset_hash_type=AssetHashType.SOURCE,
        bundling=BundlingOptions(
            # Never pulled: PipOnHost always bundles. Docker is not available on our machines.
            image=DockerImage.from_registry("policybound/no-docker-bundling"),
            command=list(PIP_ARGUMENTS),
            local=PipOnHost(),  # type: ignore[arg-type]
        ),
    )


def dependency_layer(scope: Construct, construct_id: str) -> lambda_.LayerVersion:
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=dependency_code(),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description="Policybound: libraries from lambdas/requirements.txt (not in the runtime or Powertools)",
    )
