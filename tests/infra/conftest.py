"""One synth of the whole app per test session; every infra test reads its templates.

jsii's Node process is slow to start and a synth costs seconds, so tests share this one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Must be set before aws_cdk starts jsii's Node process (the value is Node's major version).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import pytest
from aws_cdk import App

from stacks.app import PolicyboundApp, build
from stacks.deployment import cdk_json_context

# CDK's own switch to skip asset bundling (used for the extra synths; the main one bundles for real).
SKIP_BUNDLING: dict[str, Any] = {"aws:cdk:bundling-stacks": []}
# What the CDK CLI passes: construct paths and asset paths in template Metadata (tests find resources by them).
CLI_METADATA = {"aws:cdk:enable-path-metadata": True, "aws:cdk:enable-asset-metadata": True}


@dataclass
class Synth:
    built: PolicyboundApp
    outdir: Path

    def template(self, stack_name: str) -> dict[str, Any]:
        template: dict[str, Any] = json.loads((self.outdir / f"{stack_name}.template.json").read_text())
        return template

    @property
    def templates(self) -> dict[str, dict[str, Any]]:
        return {stack.stack_name: self.template(stack.stack_name) for stack in self.built.stacks}

    @property
    def manifest(self) -> dict[str, Any]:
        manifest: dict[str, Any] = json.loads((self.outdir / "manifest.json").read_text())
        return manifest


def synthesize(
    outdir: Path,
    context: dict[str, Any] | None = None,
    extend: Callable[[PolicyboundApp], None] | None = None,
) -> Synth:
    app = App(context=cdk_json_context() | CLI_METADATA | (context or {}), outdir=str(outdir))
    built = build(app)
    if extend:
        extend(built)
    app.synth()
    return Synth(built, outdir)


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("cdk.out"))


def resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == resource_type}


def cdk_path(resource: dict[str, Any]) -> str:
    return str(resource.get("Metadata", {}).get("aws:cdk:path", ""))


def one(template: dict[str, Any], resource_type: str, path_part: str) -> dict[str, Any]:
    found = [r for r in resources(template, resource_type).values() if f"/{path_part}/" in cdk_path(r) + "/"]
    assert len(found) == 1, f"expected one {resource_type} under {path_part}, found {len(found)}"
    return found[0]


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document.get("Statement", [])
    return found if isinstance(found, list) else [found]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
