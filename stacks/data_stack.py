"""Data: every DynamoDB table and KMS key declared in `policybound.tables`, built generically.

A table or key added to `tables.TABLES` / `tables.KMS_KEYS` appears here at the next synth with
encryption, deletion protection, retention on stack delete and PI tags — no edit to this file.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from policybound import tables
from policybound.catalogue import RESOURCE_KEY_PREFIX
from stacks.dead_letters import dead_letter_queue
from stacks.functions import key_users
from stacks.nag import acknowledge, acknowledge_bucket_deployment, bucket_arn_finding
from stacks.paths import SAMPLE_RESOURCES_DIR
from stacks.pi_tags import pi_tags
from stacks.private_bucket import private_bucket

# Tables are encrypted at rest with a key of their own: the data key wraps record keys, and a grant that
# DynamoDB needs (its callers, its streams) must never also open sealed records.
TABLE_ENCRYPTION_KEY = tables.TABLES_KEY

# What the account's administrators may do with a key whose users are named: manage it, never use it.
# Left out on purpose: every cryptographic action, and kms:CreateGrant (a grant is a way to use the key).
KEY_ADMINISTRATION_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}
_STREAMS = {
    "OLD_IMAGE": dynamodb.StreamViewType.OLD_IMAGE,
    "NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
}
_KEY_SPECS = {"SYMMETRIC_DEFAULT": kms.KeySpec.SYMMETRIC_DEFAULT, "HMAC_256": kms.KeySpec.HMAC_256}
_KEY_USAGES = {
    "ENCRYPT_DECRYPT": kms.KeyUsage.ENCRYPT_DECRYPT,
    "GENERATE_VERIFY_MAC": kms.KeyUsage.GENERATE_VERIFY_MAC,
}


def _attribute(attribute: tables.Attribute) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=attribute.name, type=_ATTRIBUTE_TYPES[attribute.type])


class MissingReasonError(ValueError):
    """A table declaration turns backups off without saying why."""


class DataStack(Stack):
    """Holds the PI. Changes rarely; termination protection and RETAIN keep it through mistakes."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, termination_protection=True, **kwargs)  # type: ignore[arg-type]
        self.keys: dict[str, kms.Key] = {spec.logical_id: self._key(spec) for spec in tables.KMS_KEYS}
        self.tables: dict[str, dynamodb.Table] = {spec.logical_id: self._table(spec) for spec in tables.TABLES}
        self.buckets: dict[str, s3.Bucket] = {spec.logical_id: self._bucket(spec) for spec in tables.BUCKETS}
        self._sample_resources()
        self.queues: dict[str, sqs.Queue] = {spec.logical_id: self._queue(spec) for spec in tables.QUEUES}

    def key(self, spec: tables.KmsKeySpec) -> kms.Key:
        return self.keys[spec.logical_id]

    def table(self, spec: tables.TableSpec) -> dynamodb.Table:
        return self.tables[spec.logical_id]

    def bucket(self, spec: tables.BucketSpec) -> s3.Bucket:
        return self.buckets[spec.logical_id]

    def queue(self, spec: tables.QueueSpec) -> sqs.Queue:
        return self.queues[spec.logical_id]

    def _queue(self, spec: tables.QueueSpec) -> sqs.Queue:
        why = (
            f"This queue is itself the dead-letter queue of {spec.logical_id} ({spec.purpose}); what lands here "
            "is inspected and redriven by hand, so it has no dead-letter queue of its own."
        )
        dead_letters = dead_letter_queue(
            self, f"{spec.logical_id}DeadLetters", no_dead_letters_because=why, no_redrive_because=why
        )
        return sqs.Queue(
            self,
            spec.logical_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(spec.visibility_timeout_seconds),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=spec.max_receive_count),
        )

    def _bucket(self, spec: tables.BucketSpec) -> s3.Bucket:
        bucket = private_bucket(
            self,
            spec.logical_id,
            no_access_logs_because=f"{spec.logical_id} holds no personal information ({spec.purpose}); its server "
            "access logs would record every downloader's IP address, a second copy of PI nobody consented to (see the "
            "API's access log, which leaves IPs out for the same reason). Object reads are signed by the API "
            "function's role.",
        )
        if spec.holds_pi:
            for key, value in pi_tags(spec.purpose).items():
                Tags.of(bucket).add(key, value)
        return bucket

    def _sample_resources(self) -> None:
        """The catalogue's sample files, so a fresh deployment answers a download; a company uploads its own
        files under the same keys (policybound.catalogue), and later deploys leave other objects alone."""
        deployment = s3_deployment.BucketDeployment(
            self,
            "SampleResources",
            sources=[s3_deployment.Source.asset(str(SAMPLE_RESOURCES_DIR))],
            destination_bucket=self.bucket(tables.RESOURCE_FILES),
            destination_key_prefix=RESOURCE_KEY_PREFIX,
            prune=False,
            retain_on_delete=True,
        )
        acknowledge_bucket_deployment(
            deployment,
            bucket_arn_finding(self.bucket(tables.RESOURCE_FILES)),
            "copies the sample resource files at deploy time only",
        )

    def key_policy(self, spec: tables.KmsKeySpec) -> iam.PolicyDocument:
        """Administrators manage the key; only the function roles that declare the key use it, and only
        with its encryption context. The principal is the account, narrowed by `aws:PrincipalArn`: KMS
        refuses a key policy naming a role that does not exist yet, and the roles come in a later stack."""
        account = iam.AccountRootPrincipal()
        statements = [
            iam.PolicyStatement(
                sid="AccountAdministersTheKeyButCannotUseIt",
                principals=[account],
                actions=list(KEY_ADMINISTRATION_ACTIONS),
                resources=["*"],
            )
        ]
        users = key_users(spec)
        if users:
            conditions: dict[str, object] = {
                "ArnEquals": {
                    "aws:PrincipalArn": [
                        self.format_arn(service="iam", region="", resource="role", resource_name=name)
                        for name in sorted(users)
                    ]
                }
            }
            if spec.encryption_context:
                conditions["StringEquals"] = {
                    f"kms:EncryptionContext:{name}": value for name, value in spec.encryption_context
                }
            statements.append(
                iam.PolicyStatement(
                    sid="OnlyTheNamedFunctionRolesUseTheKey",
                    principals=[account],
                    actions=sorted({action for actions in users.values() for action in actions}),
                    resources=["*"],
                    conditions=conditions,
                )
            )
        return iam.PolicyDocument(statements=statements)

    def _key(self, spec: tables.KmsKeySpec) -> kms.Key:
        key = kms.Key(
            self,
            spec.logical_id,
            alias=spec.alias,
            description=spec.description,
            key_spec=_KEY_SPECS[spec.key_spec],
            key_usage=_KEY_USAGES[spec.key_usage],
            # Without a policy, CDK's default lets any IAM principal with kms:* use the key.
            policy=self.key_policy(spec) if spec.named_users_only else None,
            enable_key_rotation=spec.rotates,
            # Scheduling deletion of a key destroys every record it protects: wait the longest window.
            pending_window=Duration.days(30),
            removal_policy=RemovalPolicy.RETAIN,
        )
        if not spec.rotates:
            acknowledge(
                key,
                "AwsSolutions-KMS5",
                f"{spec.logical_id} is a {spec.key_spec} key; KMS rotates only symmetric encryption keys "
                "automatically. Rotating an HMAC key would change every blind index; it is rotated by re-keying.",
            )
        # Every key here protects PI (table encryption, record key wrapping, pseudonymous blind index).
        for tag, value in pi_tags(spec.description).items():
            Tags.of(key).add(tag, value)
        return key

    def _table(self, spec: tables.TableSpec) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            spec.logical_id,
            partition_key=_attribute(spec.partition),
            sort_key=_attribute(spec.sort) if spec.sort else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key(TABLE_ENCRYPTION_KEY),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=spec.point_in_time_recovery,
                recovery_period_in_days=tables.PITR_RECOVERY_DAYS if spec.point_in_time_recovery else None,
            ),
            time_to_live_attribute=spec.ttl_attribute,
            stream=_STREAMS[spec.stream] if spec.stream else None,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition),
                sort_key=_attribute(index.sort) if index.sort else None,
                projection_type=_PROJECTIONS[index.projection],
                non_key_attributes=list(index.non_key_attributes) or None,
            )
        if spec.holds_pi:
            for key, value in pi_tags(spec.purpose).items():
                Tags.of(table).add(key, value)
        if not spec.point_in_time_recovery:
            if not spec.no_backup_reason:
                raise MissingReasonError(
                    f"tables.{spec.logical_id} turns point-in-time recovery off without a no_backup_reason"
                )
            acknowledge(table, "AwsSolutions-DDB3", f"Point-in-time recovery off: {spec.no_backup_reason}")
        return table
