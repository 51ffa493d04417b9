"""The one shape of a private bucket of Policybound's: SSE-S3, TLS only, every public access blocked, no
ACLs, versioned, kept when its stack is deleted. Read by the functions' roles or CloudFront, never public."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.nag import acknowledge


def private_bucket(scope: Construct, construct_id: str, *, no_access_logs_because: str) -> s3.Bucket:
    """`no_access_logs_because`: why the bucket keeps no server access logs (cdk-nag S1)."""
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned=True,
        removal_policy=RemovalPolicy.RETAIN,
    )
    acknowledge(bucket, "AwsSolutions-S1", no_access_logs_because)
    return bucket
