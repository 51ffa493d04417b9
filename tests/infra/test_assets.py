"""What ships to Lambda: the function asset holds the code and nothing else; the layer holds every library
the code imports beyond boto3 — x86_64 / CPython 3.13 wheels at the pinned versions, built without Docker —
and both carry bytecode for the runtime's Python that a read-only /var/task never has to recompile."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from stacks.paths import LAMBDA_REQUIREMENTS
from tests.infra.conftest import Synth, cdk_path, resources

EM_X86_64 = 62
# PEP 552 flags word: bit 0 = hash-based, bit 1 = check the source's hash.
HASH_BASED, CHECK_SOURCE = 0b01, 0b10


def asset_dir(synth: Synth, resource_type: str, path_part: str) -> Path:
    (resource,) = [
        r for r in resources(synth.template("PolicyboundApi"), resource_type).values() if path_part in cdk_path(r)
    ]
    return synth.outdir / resource["Metadata"]["aws:asset:path"]


@pytest.fixture(scope="module")
def function_asset(synth: Synth) -> Path:
    return asset_dir(synth, "AWS::Lambda::Function", "/PublicApi/")


@pytest.fixture(scope="module")
def layer(synth: Synth) -> Path:
    return asset_dir(synth, "AWS::Lambda::LayerVersion", "/Dependencies/") / "python"


def pins() -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in LAMBDA_REQUIREMENTS.read_text().splitlines())
    return dict(line.split("==") for line in lines if line)


def canonical(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def assert_bytecode_for_every_module(root: Path) -> None:
    sources = [p for p in root.rglob("*.py") if "__pycache__" not in p.parts]
    assert sources
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))
        assert cached.name.endswith(".cpython-313.pyc"), cached
        assert cached.is_file(), f"no bytecode for {source.relative_to(root)}"
        header = cached.read_bytes()[:16]
        assert header[:4] == importlib.util.MAGIC_NUMBER, f"{cached} is not bytecode of this Python"
        flags = int.from_bytes(header[4:8], "little")
        assert flags & HASH_BASED, f"{cached} is timestamp-based: stale once unzipped"
        assert not flags & CHECK_SOURCE, f"{cached} would be checked against its source"


def test_function_asset_holds_the_domain_package_and_entry_points_only(function_asset: Path) -> None:
    top = {p.name for p in function_asset.iterdir()}
    assert top == {"policybound", "entrypoints"}
    assert (function_asset / "entrypoints" / "api.py").is_file()
    assert (function_asset / "policybound" / "policy.py").is_file()
    names = {p.name for p in function_asset.rglob("*")}
    for unwanted in ("tests", "local", "stacks", "requirements.txt", "conftest.py"):
        assert unwanted not in names


def test_function_asset_ships_unchecked_bytecode_for_python_3_13(function_asset: Path) -> None:
    assert_bytecode_for_every_module(function_asset)


def test_layer_ships_exactly_the_pinned_distributions(layer: Path) -> None:
    shipped = {}
    for info in layer.glob("*.dist-info"):
        name, version = info.name.removesuffix(".dist-info").rsplit("-", 1)
        shipped[canonical(name)] = version
    assert shipped == {canonical(name): version for name, version in pins().items()}
    for must in ("aws-lambda-powertools", "pydantic", "pydantic-core", "tzdata"):
        assert canonical(must) in shipped
    for package in ("aws_lambda_powertools", "pydantic", "pydantic_core", "tzdata", "email_validator", "cryptography"):
        assert (layer / package).is_dir(), package
    assert (layer / "tzdata" / "zoneinfo" / "Asia" / "Seoul").is_file()
    for library in ("boto3", "botocore"):
        assert not (layer / library).exists(), f"{library} comes from the Lambda runtime"


def test_layer_holds_x86_64_wheels_for_python_3_13_with_their_bytecode(layer: Path) -> None:
    for binary in (
        layer / "cryptography" / "hazmat" / "bindings" / "_rust.abi3.so",
        *layer.glob("pydantic_core/_pydantic_core.cpython-313-x86_64-linux-gnu.so"),
    ):
        header = binary.read_bytes()[:20]
        assert header[:4] == b"\x7fELF"
        assert int.from_bytes(header[18:20], "little") == EM_X86_64
    assert list(layer.glob("pydantic_core/_pydantic_core.cpython-313-x86_64-linux-gnu.so"))
    assert list(layer.glob("_cffi_backend.cpython-313-x86_64-linux-gnu.so"))
    assert_bytecode_for_every_module(layer)
