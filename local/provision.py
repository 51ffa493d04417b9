"""Creates local mode's tables, KMS keys and mail identity from the same declarations as the stacks."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from local.environment import MAIL_SENDER, TABLE_PREFIX, bucket_name, table_name
from policybound import tables
from policybound.catalogue import RESOURCES
from policybound.policy import AWS_REGION
from stacks.paths import SAMPLE_RESOURCES_DIR


def moto_client(name: str, endpoint_url: str) -> Any:
    """A boto3 client of the local moto server (any credentials do)."""
    return boto3.client(
        name,
        region_name=AWS_REGION,
        endpoint_url=endpoint_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
    )


def provision_tables(dynamodb: Any, prefix: str = TABLE_PREFIX) -> None:
    for spec in tables.TABLES:
        name = table_name(spec, prefix)
        try:
            dynamodb.create_table(**tables.create_table_request(spec, name))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceInUseException":
                raise
        if spec.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute}
            )


def provision_keys(kms: Any) -> dict[str, str]:
    """Key ids by logical id; an existing alias is reused so provisioning can run again."""
    existing = {alias["AliasName"]: alias.get("TargetKeyId") for alias in kms.list_aliases()["Aliases"]}
    key_ids: dict[str, str] = {}
    for spec in tables.KMS_KEYS:
        key_id = existing.get(spec.alias)
        if not key_id:
            key_id = kms.create_key(Description=spec.description, KeySpec=spec.key_spec, KeyUsage=spec.key_usage)[
                "KeyMetadata"
            ]["KeyId"]
            kms.create_alias(AliasName=spec.alias, TargetKeyId=key_id)
            if spec.rotates:
                kms.enable_key_rotation(KeyId=key_id)
        key_ids[spec.logical_id] = key_id
    return key_ids


def provision_buckets(s3: Any) -> None:
    """Private, encrypted buckets as the stacks make them; the resources bucket gets the sample files."""
    for spec in tables.BUCKETS:
        name = bucket_name(spec)
        try:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": AWS_REGION})
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
    for resource in RESOURCES:
        s3.put_object(
            Bucket=bucket_name(tables.RESOURCE_FILES),
            Key=resource.object_key,
            Body=(SAMPLE_RESOURCES_DIR / resource.file_name).read_bytes(),
            ContentType=resource.content_type,
        )


def provision_queues(sqs: Any, prefix: str = TABLE_PREFIX) -> dict[str, str]:
    """Queue URLs by logical id, each queue with its dead-letter queue as the stacks make them."""
    urls: dict[str, str] = {}
    for spec in tables.QUEUES:
        name = table_name(spec, prefix)
        dead = sqs.create_queue(QueueName=f"{name}-dead-letters")["QueueUrl"]
        dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": str(spec.max_receive_count)})
        attributes = {"VisibilityTimeout": str(spec.visibility_timeout_seconds), "RedrivePolicy": redrive}
        urls[spec.logical_id] = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return urls


def provision_account(kms: Any, ses: Any, s3: Any) -> dict[str, str]:
    """What every table set of an account shares: buckets, KMS keys (ids by logical id), the mail identity."""
    provision_buckets(s3)
    key_ids = provision_keys(kms)
    ses.verify_email_identity(EmailAddress=MAIL_SENDER)
    return key_ids


def provision_with(dynamodb: Any, kms: Any, ses: Any, s3: Any, sqs: Any) -> dict[str, str]:
    """Creates everything; returns the ids the functions' environment needs (keys, queue URLs) by logical id."""
    provision_tables(dynamodb)
    return provision_account(kms, ses, s3) | provision_queues(sqs)


def provision(endpoint_url: str) -> dict[str, str]:
    return provision_with(*(moto_client(name, endpoint_url) for name in ("dynamodb", "kms", "ses", "s3", "sqs")))
