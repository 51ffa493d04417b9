"""cdk-nag gates: every synth runs the AWS Solutions and Serverless rule packs, and fails on any finding
that is neither fixed nor acknowledged here with a reason a reviewer can check."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, CfnResource, DefaultStackSynthesizer, Stack, Validations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
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


def skip_checkov(resource: CfnResource, check_id: str, reason: str) -> None:
    """Skip one checkov check on one resource only (template Metadata `checkov.skip`), with its reason; checks
    skipped for every resource are in .checkov.yaml."""
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValueError(f"skipping {check_id} needs a real reason, got {reason!r}")
    metadata = resource.cfn_options.metadata or {}
    checkov = dict(metadata.get("checkov", {}))
    checkov["skip"] = [*checkov.get("skip", []), {"id": check_id, "comment": reason}]
    resource.cfn_options.metadata = {**metadata, "checkov": checkov}


def bucket_arn_finding(bucket: s3.Bucket) -> str:
    """A bucket's ARN as cdk-nag writes it in a finding, for a bucket of the same stack."""
    resource = bucket.node.default_child
    assert isinstance(resource, s3.CfnBucket)
    return f"<{Stack.of(bucket).resolve(resource.logical_id)}.Arn>"


def acknowledge_bucket_deployment(
    deployment: s3_deployment.BucketDeployment, destination_arn: str, what: str, *, invalidates: bool = False
) -> None:
    """The findings on CDK's BucketDeployment custom resource: a singleton function CDK owns, run by
    CloudFormation at deploy time only, which `what` (e.g. "copies the sample files at deploy time").
    `destination_arn`: the destination bucket's ARN as cdk-nag writes it (`bucket_arn_finding`)."""
    stack = Stack.of(deployment)
    handler = next((c for c in stack.node.children if c.node.id.startswith("Custom::CDKBucketDeployment")), deployment)
    why = (
        f"CDK's BucketDeployment custom resource (a singleton function CDK owns) {what}; it handles no personal "
        "information and is never invoked by a request."
    )
    assets = f"arn:aws:s3:::cdk-{DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-{stack.region}/*"
    wildcards = "CDK grants it wildcard object actions on the asset bucket and its destination bucket only"
    findings: list[tuple[str, str]] = [
        (
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "it uses AWSLambdaBasicExecutionRole for its own logs",
        ),
        *(
            (f"AwsSolutions-IAM5[{finding}]", wildcards)
            for finding in (
                "Action::s3:GetObject*",
                "Action::s3:GetBucket*",
                "Action::s3:List*",
                "Action::s3:DeleteObject*",
                "Action::s3:Abort*",
                f"Resource::{assets}",
                f"Resource::{destination_arn}/*",
            )
        ),
        ("AwsSolutions-L1", "CDK pins its runtime"),
        ("Serverless-LambdaDLQ", "CloudFormation invokes it synchronously and reports failures in the stack"),
        ("Serverless-LambdaDefaultMemorySize", "CDK sets its memory"),
        ("Serverless-LambdaLatestVersion", "CDK pins its runtime"),
        ("Serverless-LambdaTracing", "it runs once per deploy, outside any request path"),
        ("Serverless-LambdaLogRetention", "CDK owns its log group"),
    ]
    if invalidates:
        policy = handler.node.try_find_child("ServiceRole")
        policy = policy.node.try_find_child("DefaultPolicy") if policy is not None else None
        resource = policy.node.default_child if policy is not None else None
        assert isinstance(resource, CfnResource), "CDK's BucketDeployment role has no default policy"
        skip_checkov(
            resource,
            "CKV_AWS_111",
            f"{why} CloudFront invalidations take no narrower resource than * in CDK's grant; the only write it "
            "allows beyond its buckets is cloudfront:CreateInvalidation, which drops cached copies and changes "
            "nothing.",
        )
        findings.append(
            (
                "AwsSolutions-IAM5[Resource::*]",
                "CDK grants cloudfront:CreateInvalidation and GetInvalidation on every distribution, as CloudFront "
                "invalidations support no narrower resource in CDK's policy; it invalidates the site's cached files",
            )
        )
    for rule, detail in findings:
        acknowledge(handler, rule, f"{why} Here: {detail}.")
