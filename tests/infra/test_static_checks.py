"""cfn-lint and checkov on the synthesized templates; every skip is in a config file with its reason."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stacks.paths import REPO_ROOT
from tests.infra.conftest import Synth

CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"


def test_cfn_lint_finds_no_errors_or_warnings(synth: Synth) -> None:
    templates = sorted(str(p) for p in synth.outdir.glob("*.template.json"))
    assert len(templates) == 5
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--config-file",
            str(REPO_ROOT / ".cfnlintrc.yaml"),
            "--format",
            "json",
            "--",
            *templates,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [], json.dumps(findings, indent=1)[:4000]
    assert result.returncode == 0, result.stderr


def test_checkov_passes_with_only_the_configured_skips(synth: Synth) -> None:
    if not CHECKOV.exists():
        if os.environ.get("CI"):
            pytest.fail("checkov is not installed: `make test` installs it into .venv-checkov")
        pytest.skip("checkov not installed (run `make checkov` or `make test`)")
    result = subprocess.run(
        [str(CHECKOV), "--config-file", str(REPO_ROOT / ".checkov.yaml"), "-d", str(synth.outdir), "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [check for report in reports for check in report.get("results", {}).get("failed_checks", [])]
    details = [(c["check_id"], c["resource"], c["file_path"]) for c in failed]
    assert not failed, details
    assert sum(report["summary"]["passed"] for report in reports) > 50


@pytest.mark.parametrize("config", [".checkov.yaml", ".cfnlintrc.yaml"])
def test_every_skip_states_its_reason(config: str) -> None:
    text = (REPO_ROOT / config).read_text()
    skips = re.findall(r"^\s*-\s*(CKV\w*|[EWI]\d{4})\b(.*)$", text, flags=re.MULTILINE)
    assert skips
    lines = text.splitlines()
    for check, rest in skips:
        if config == ".checkov.yaml":
            assert re.search(r"# Reason: .{40,}", rest), check
        else:
            index = next(i for i, line in enumerate(lines) if line.strip() == f"- {check}")
            assert "Reason:" in " ".join(lines[max(0, index - 3) : index]), check


def test_every_skip_on_a_single_resource_states_its_reason(synth: Synth) -> None:
    # A check skipped for one resource only (stacks/nag.py: skip_checkov) sits in that resource's Metadata.
    skips = [
        (name, skip)
        for template in synth.templates.values()
        for name, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for name, skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), name
        assert len(skip["comment"]) >= 40, (name, skip)
