"""cdk-nag gates: every synth runs the AWS Solutions and Serverless rule packs, and fails on any finding
that is neither fixed nor acknowledged here with a reason a reviewer can check."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from constructs import IConstruct

# A reason must say why the finding does not apply or what compensates for it; a shorter one is a stub.
MIN_REASON_LENGTH = 40


def add_rule_packs(app: App) -> None:
    Validations.of(app).add_plugins(
        # Acknowledgments also go into each resource's template Metadata (`cdk_nag.rules_to_suppress`),
        # so an auditor reading a template sees every exception and its reason next to the resource.
        AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True),
        ServerlessChecks(app),
    )


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one finding on `scope` and everything under it (ids like `AwsSolutions-IAM5[Resource::*]`)."""
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValueError(f"acknowledging {rule_id} needs a real reason, got {reason!r}")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))
