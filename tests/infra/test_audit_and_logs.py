"""Audit trail, its bucket, log retention everywhere, and the PI manager's alarms."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policybound import tables
from stacks.audit_stack import RETENTION_DAYS, TRAIL_NAME
from tests.infra.conftest import Synth, cdk_path, one, resources, statements


@pytest.fixture(scope="module")
def audit(synth: Synth) -> dict[str, Any]:
    return synth.template("PolicyboundAudit")


def test_trail_records_management_events_and_pi_table_data_events_with_validation(audit: dict[str, Any]) -> None:
    (trail,) = resources(audit, "AWS::CloudTrail::Trail").values()
    properties = trail["Properties"]
    assert properties["TrailName"] == TRAIL_NAME
    assert properties["EnableLogFileValidation"] is True
    assert properties["IsLogging"] is True
    # Global IAM/STS events (role changes, role assumptions) reach a trail outside us-east-1 only when it
    # is multi-region; the trail's bucket and log group are the Seoul ones checked here.
    assert properties["IsMultiRegionTrail"] is True
    assert properties["IncludeGlobalServiceEvents"] is True
    assert "EventSelectors" not in properties
    management, data_events = properties["AdvancedEventSelectors"]
    assert management["FieldSelectors"] == [{"Field": "eventCategory", "Equals": ["Management"]}]
    fields = {f["Field"]: f for f in data_events["FieldSelectors"]}
    assert fields["eventCategory"]["Equals"] == ["Data"]
    assert fields["resources.type"]["Equals"] == ["AWS::DynamoDB::Table"]
    arns = json.dumps(fields["resources.ARN"]["Equals"])
    pi_tables = [spec.logical_id for spec in tables.TABLES if spec.holds_pi]
    assert len(fields["resources.ARN"]["Equals"]) == len(pi_tables)
    for logical_id in pi_tables:
        assert f"GetAtt{logical_id}" in arns
    # KMS calls are management events; nothing excludes them.
    assert "NotEquals" not in json.dumps(management)
    assert "CloudWatchLogsLogGroupArn" in properties
    assert "KMSKeyId" in properties


def test_trail_bucket_is_locked_versioned_encrypted_private_tls_only_and_keeps_three_years(
    audit: dict[str, Any],
) -> None:
    bucket = one(audit, "AWS::S3::Bucket", "TrailBucket")
    properties = bucket["Properties"]
    assert properties["ObjectLockEnabled"] is True
    retention = properties["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention == {"Mode": "COMPLIANCE", "Days": RETENTION_DAYS}
    assert RETENTION_DAYS >= 3 * 365
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert "TrailKey" in json.dumps(encryption["ServerSideEncryptionByDefault"]["KMSMasterKeyID"])
    assert all(properties["PublicAccessBlockConfiguration"].values())
    (rule,) = properties["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] >= 3 * 365
    assert "LoggingConfiguration" in properties
    policy = one(audit, "AWS::S3::BucketPolicy", "TrailBucket")
    denies = [s for s in statements(policy["Properties"]["PolicyDocument"]) if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)
    writes = [s for s in statements(policy["Properties"]["PolicyDocument"]) if s.get("Action") == "s3:PutObject"]
    assert all("aws:SourceArn" in s["Condition"]["StringEquals"] for s in writes)


def test_trail_key_rotates_and_only_this_trail_may_use_it(audit: dict[str, Any]) -> None:
    key = one(audit, "AWS::KMS::Key", "TrailKey")
    assert key["Properties"]["EnableKeyRotation"] is True
    cloudtrail = [
        s
        for s in statements(key["Properties"]["KeyPolicy"])
        if s.get("Principal") == {"Service": "cloudtrail.amazonaws.com"}
    ]
    assert cloudtrail
    assert all("aws:SourceArn" in s["Condition"]["StringEquals"] for s in cloudtrail)


def test_every_log_group_has_an_explicit_retention(synth: Synth) -> None:
    groups = 0
    for name, template in synth.templates.items():
        for group in resources(template, "AWS::Logs::LogGroup").values():
            groups += 1
            assert group["Properties"]["RetentionInDays"] > 0, f"{name} {cdk_path(group)}"
    assert groups >= 5
    trail_logs = one(synth.template("PolicyboundAudit"), "AWS::Logs::LogGroup", "TrailLogs")
    assert trail_logs["Properties"]["RetentionInDays"] >= 3 * 365


def test_no_resource_writes_to_a_log_group_without_retention(synth: Synth) -> None:
    api = synth.template("PolicyboundApi")
    names = json.dumps([g["Properties"].get("LogGroupName") for g in resources(api, "AWS::Logs::LogGroup").values()])
    # API Gateway's execution log group would otherwise be created by the service, never expiring.
    assert "API-Gateway-Execution-Logs_" in names
    assert "aws-waf-logs-" in names
    for function in resources(api, "AWS::Lambda::Function").values():
        assert "Ref" in function["Properties"]["LoggingConfig"]["LogGroup"]


def test_alarms_reach_the_pi_manager_through_an_encrypted_topic(synth: Synth) -> None:
    alarms = synth.template("PolicyboundAlarms")
    (topic_id, topic), *_ = resources(alarms, "AWS::SNS::Topic").items()
    assert "KmsMasterKeyId" in topic["Properties"]
    (subscription,) = resources(alarms, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == synth.built.deployment.alarm_email
    found = {cdk_path(a).split("/")[1]: a for a in resources(alarms, "AWS::CloudWatch::Alarm").values()}
    for name in (
        "WafBlockSpike",
        "Api5xx",
        "StaffAuthFailures",
        "BulkRecordReads",
        "KeyAccessChanged",
        "PublicApiErrors",
    ):
        assert found[name]["Properties"]["AlarmActions"] == [{"Ref": topic_id}], name
    assert found["WafBlockSpike"]["Properties"]["MetricName"] == "BlockedRequests"
    filters = {cdk_path(f).split("/")[1]: f for f in resources(alarms, "AWS::Logs::MetricFilter").values()}
    staff = filters["StaffAuthFailuresFilter"]["Properties"]["FilterPattern"]
    assert '$.status = "401"' in staff
    assert '$.status = "403"' in staff
    assert "/v1/staff/{proxy+}" in staff
    changes = json.dumps(filters["KeyAccessChangesFilter"]["Properties"]["FilterPattern"])
    for event in ("PutKeyPolicy", "CreateGrant", "DisableKey", "ScheduleKeyDeletion"):
        assert event in changes
    assert "DataKey" in changes
    assert "BlindIndexKey" in changes


def test_the_bulk_read_alarm_counts_records_opened_by_every_api_function(synth: Synth) -> None:
    alarms = synth.template("PolicyboundAlarms")
    found = {cdk_path(a).split("/")[1]: a for a in resources(alarms, "AWS::CloudWatch::Alarm").values()}
    alarm = found["BulkRecordReads"]["Properties"]
    assert alarm["Threshold"] == synth.built.deployment.records_opened_per_5_minutes_alarm
    metrics = [m["MetricStat"]["Metric"] for m in alarm["Metrics"] if "MetricStat" in m]
    assert {m["MetricName"] for m in metrics} == {"RecordsOpened"}
    assert {m["Namespace"] for m in metrics} == {"Policybound"}
    services = {d["Value"] for m in metrics for d in m["Dimensions"] if d["Name"] == "service"}
    api = synth.template("PolicyboundApi")
    served = {
        f["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
        for f in resources(api, "AWS::Lambda::Function").values()
        if "/PublicApi/" in cdk_path(f) or "/StaffApi/" in cdk_path(f)
    }
    assert services == served
    (expression,) = [m for m in alarm["Metrics"] if "Expression" in m]
    assert expression["ReturnData"] is True
    # No alarm counts KMS Decrypt calls any more: one call unwraps a KEK that opens thousands of records.
    assert "DataKeyDecrypts" not in json.dumps(alarms)
