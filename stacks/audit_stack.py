"""Audit: a CloudTrail trail in Seoul that auditors can trust.

Management events (every API call on the account, KMS included, and the global IAM and STS events)
and data events for the tables that hold PI go to an object-locked, KMS-encrypted S3 bucket with
log-file validation, and to CloudWatch Logs for alarms and queries. Kept at least three years: §8.2's
grant/change/revocation records need three, staff access records two.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from policybound import tables
from policybound.obligations import ACCESS_RIGHTS_YEARS, longest_days
from stacks.data_stack import DataStack
from stacks.private_bucket import private_bucket

TRAIL_NAME = "policybound-audit"
# The longest period the policy's administrative measures need (access rights' records), in days with
# every leap day they can span.
RETENTION_DAYS = longest_days(ACCESS_RIGHTS_YEARS)
TRAIL_LOG_RETENTION = logs.RetentionDays.THREE_YEARS


class AuditStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, data: DataStack, **kwargs: object) -> None:
        super().__init__(scope, construct_id, termination_protection=True, **kwargs)  # type: ignore[arg-type]
        self.trail_arn = self.format_arn(service="cloudtrail", resource="trail", resource_name=TRAIL_NAME)
        self.key = self._key()
        self.access_logs_bucket = self._access_logs_bucket()
        self.bucket = self._trail_bucket()
        self.log_group = logs.LogGroup(
            self, "TrailLogs", retention=TRAIL_LOG_RETENTION, removal_policy=RemovalPolicy.RETAIN
        )
        self.trail = self._trail(data)

    def _key(self) -> kms.Key:
        key = kms.Key(
            self,
            "TrailKey",
            alias="alias/policybound-audit-trail",
            description="Policybound: CloudTrail log files",
            enable_key_rotation=True,
            pending_window=Duration.days(30),
            removal_policy=RemovalPolicy.RETAIN,
        )
        key.add_to_resource_policy(
            self._for_this_trail(
                "CloudTrailEncryptsThisTrailsLogs",
                "kms:GenerateDataKey*",
                "*",
                like={"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{self.account}:trail/*"},
            )
        )
        key.add_to_resource_policy(self._for_this_trail("CloudTrailDescribesKey", "kms:DescribeKey", "*"))
        return key

    def _for_this_trail(
        self,
        sid: str,
        action: str,
        resource: str,
        *,
        equals: dict[str, str] | None = None,
        like: dict[str, str] | None = None,
    ) -> iam.PolicyStatement:
        """A resource-policy statement for CloudTrail acting for this trail only (`aws:SourceArn`): no other
        account's or trail's CloudTrail can use the key or the bucket through it."""
        conditions: dict[str, Any] = {"StringEquals": {"aws:SourceArn": self.trail_arn, **(equals or {})}}
        if like:
            conditions["StringLike"] = like
        return iam.PolicyStatement(
            sid=sid,
            principals=[iam.ServicePrincipal("cloudtrail.amazonaws.com")],
            actions=[action],
            resources=[resource],
            conditions=conditions,
        )

    def _access_logs_bucket(self) -> s3.Bucket:
        return private_bucket(
            self,
            "TrailBucketAccessLogs",
            # S3 server access logging delivers only to buckets encrypted with S3-managed keys (the default).
            no_access_logs_because="This bucket receives the trail bucket's server access logs; logging it too "
            "would need another bucket, and so on without end. Reads of it are recorded by CloudTrail management "
            "events.",
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(RETENTION_DAYS), noncurrent_version_expiration=Duration.days(30)
                )
            ],
        )

    def _trail_bucket(self) -> s3.Bucket:
        bucket = private_bucket(
            self,
            "TrailBucket",
            no_access_logs_because=None,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            # Compliance mode: nobody, root included, can delete or overwrite a log file for three years.
            object_lock_enabled=True,
            object_lock_default_retention=s3.ObjectLockRetention.compliance(Duration.days(RETENTION_DAYS)),
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="trail-bucket/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="KeepThreeYearsThenExpire",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transition_after=Duration.days(90)
                        )
                    ],
                    expiration=Duration.days(RETENTION_DAYS),
                    noncurrent_version_expiration=Duration.days(30),
                )
            ],
        )
        bucket.add_to_resource_policy(self._for_this_trail("CloudTrailChecksAcl", "s3:GetBucketAcl", bucket.bucket_arn))
        bucket.add_to_resource_policy(
            self._for_this_trail(
                "CloudTrailWritesThisTrailsLogs",
                "s3:PutObject",
                bucket.arn_for_objects(f"AWSLogs/{self.account}/*"),
                equals={"s3:x-amz-acl": "bucket-owner-full-control"},
            )
        )
        return bucket

    def _trail(self, data: DataStack) -> cloudtrail.CfnTrail:
        role = iam.Role(
            self,
            "TrailToLogsRole",
            assumed_by=iam.ServicePrincipal("cloudtrail.amazonaws.com"),
            description="CloudTrail delivers the Policybound trail to its log group",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[self.log_group.log_group_arn]
            )
        )
        pi_table_arns = [data.table(spec).table_arn for spec in tables.TABLES if spec.holds_pi]
        trail = cloudtrail.CfnTrail(
            self,
            "Trail",
            trail_name=TRAIL_NAME,
            is_logging=True,
            s3_bucket_name=self.bucket.bucket_name,
            kms_key_id=self.key.key_arn,
            enable_log_file_validation=True,
            # IAM and STS (who created a role, who assumed it) log as us-east-1 events, and only a
            # multi-region trail receives them outside us-east-1. The trail, its bucket and its logs stay
            # in Seoul (§5); what it gains are events about the account, none holding PI.
            is_multi_region_trail=True,
            include_global_service_events=True,
            cloud_watch_logs_log_group_arn=self.log_group.log_group_arn,
            cloud_watch_logs_role_arn=role.role_arn,
            advanced_event_selectors=[
                # Every management event, KMS's included (Decrypt, GenerateDataKey, GenerateMac ...).
                cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                    name="Management events, including KMS",
                    field_selectors=[
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(
                            field="eventCategory", equal_to=["Management"]
                        )
                    ],
                ),
                # Item-level reads and writes of the PI tables: who read or changed which record, and when.
                cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                    name="DynamoDB data events on tables holding personal information",
                    field_selectors=[
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(field="eventCategory", equal_to=["Data"]),
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(
                            field="resources.type", equal_to=["AWS::DynamoDB::Table"]
                        ),
                        cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(
                            field="resources.ARN", equal_to=pi_table_arns
                        ),
                    ],
                ),
            ],
        )
        # CloudTrail checks the bucket policy, and that its role may write to the log group, when the trail
        # is created: both must exist first.
        assert self.bucket.policy is not None
        trail.node.add_dependency(self.bucket.policy)
        trail.node.add_dependency(role)
        return trail
