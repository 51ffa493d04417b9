"""cdk-nag gate: AWS Solutions and Serverless packs pass with every exception acknowledged for a reason,
and anything new and unacknowledged stops the synth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from stacks.app import PolicyboundApp
from stacks.nag import MIN_REASON_LENGTH, acknowledge
from tests.infra.conftest import SKIP_BUNDLING, Synth, synthesize


def acknowledgments(synth: Synth) -> list[dict[str, Any]]:
    found = []
    for template in synth.templates.values():
        for resource in template["Resources"].values():
            found += resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    return found


def test_both_packs_pass_on_the_whole_app(synth: Synth) -> None:
    report = synth.outdir / "validation-report.json"
    if report.exists():
        plugins = json.loads(report.read_text())["pluginReports"]
        assert all(p["conclusion"] == "success" for p in plugins), plugins


def test_every_acknowledgment_gives_a_real_reason_in_the_template(synth: Synth) -> None:
    found = acknowledgments(synth)
    assert found
    for rule in found:
        assert rule["id"].startswith(("AwsSolutions-", "Serverless-")), rule
        assert len(rule["reason"]) >= MIN_REASON_LENGTH, rule
    ids = {rule["id"] for rule in found}
    assert "AwsSolutions-DDB3" in ids
    assert "Serverless-LambdaDLQ" in ids


def test_an_acknowledgment_without_a_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="real reason"):
        acknowledge(None, "AwsSolutions-S1", "because")  # type: ignore[arg-type]


def test_an_unacknowledged_finding_fails_the_synth(tmp_path: Path) -> None:
    def add_careless_resources(built: PolicyboundApp) -> None:
        s3.Bucket(built.data, "CarelessBucket")
        sqs.Queue(built.api, "CarelessQueue", enforce_ssl=True)

    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synthesize(tmp_path, context=SKIP_BUNDLING, extend=add_careless_resources)
    report = json.loads((tmp_path / "validation-report.json").read_text())
    failures = {
        (violation["ruleName"], construct["constructPath"])
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    }
    assert ("AwsSolutions-S1", "PolicyboundData/CarelessBucket/Resource") in failures
    assert ("Serverless-SQSRedrivePolicy", "PolicyboundApi/CarelessQueue/Resource") in failures
    # Only the careless resources fail: everything else stays acknowledged.
    assert all("Careless" in path for _, path in failures)
