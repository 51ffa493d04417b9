"""The one shape of a private bucket of Policybound's: TLS only, every public access blocked, no ACLs,
versioned, kept when its stack is deleted, SSE-S3 unless it says otherwise. Read by the functions' roles,
CloudFront or CloudTrail, never public."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.nag import acknowledge


def private_bucket(
    scope: Construct,
    construct_id: str,
    *,
    no_access_logs_because: str | None,
    encryption: s3.BucketEncryption = s3.BucketEncryption.S3_MANAGED,
    **props: Any,
) -> s3.Bucket:
    """`no_access_logs_because`: why the bucket keeps no server access logs (cdk-nag S1), or None for one
    that keeps them (`server_access_logs_bucket` among `props`). `props`: what else this bucket has, as
    `s3.Bucket` takes it (lifecycle rules, object lock, its KMS key)."""
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=encryption,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned=True,
        removal_policy=RemovalPolicy.RETAIN,
        **props,
    )
    if no_access_logs_because is not None:
        acknowledge(bucket, "AwsSolutions-S1", no_access_logs_because)
    return bucket
