"""What ships to Lambda: the function asset holds the code and nothing else; the dependency layer holds
arm64 / CPython 3.14 wheels, built without Docker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.conftest import Synth, cdk_path, resources

EM_AARCH64 = 183


def asset_dir(synth: Synth, resource_type: str, path_part: str) -> Path:
    (resource,) = [
        r for r in resources(synth.template("PolicyboundApi"), resource_type).values() if path_part in cdk_path(r)
    ]
    return synth.outdir / resource["Metadata"]["aws:asset:path"]


@pytest.fixture(scope="module")
def function_asset(synth: Synth) -> Path:
    return asset_dir(synth, "AWS::Lambda::Function", "/PublicApi/")


def test_function_asset_holds_the_domain_package_and_entry_points_only(function_asset: Path) -> None:
    top = {p.name for p in function_asset.iterdir()}
    assert top == {"policybound", "entrypoints"}
    assert (function_asset / "entrypoints" / "api.py").is_file()
    assert (function_asset / "policybound" / "policy.py").is_file()
    names = {p.name for p in function_asset.rglob("*")}
    for unwanted in ("tests", "local", "stacks", "__pycache__", "requirements.txt", "conftest.py"):
        assert unwanted not in names
    assert not list(function_asset.rglob("*.pyc"))


def test_dependency_layer_holds_arm64_wheels_for_python_3_14(synth: Synth) -> None:
    layer = asset_dir(synth, "AWS::Lambda::LayerVersion", "/Dependencies/") / "python"
    for package in ("email_validator", "dns", "idna", "phonenumbers", "cryptography", "dateutil"):
        assert (layer / package).is_dir(), package
    for library in ("boto3", "botocore", "aws_lambda_powertools", "pydantic"):
        assert not (layer / library).exists(), f"{library} comes from the runtime or the Powertools layer"
    rust = layer / "cryptography" / "hazmat" / "bindings" / "_rust.abi3.so"
    header = rust.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    assert int.from_bytes(header[18:20], "little") == EM_AARCH64
    assert list(layer.glob("_cffi_backend.cpython-314-aarch64-linux-gnu.so"))
    assert not list(layer.rglob("*.pyc"))
