"""The data stack is built from policybound.tables: every table and key, with the properties the spec names."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from aws_cdk import App, Environment
from aws_cdk.assertions import Template

from policybound import tables
from stacks.data_stack import DataStack, MissingReasonError
from stacks.pi_tags import pi_tags
from tests.infra.conftest import Synth, one, resources


@pytest.fixture(scope="module")
def data(synth: Synth) -> dict[str, Any]:
    return synth.template("PolicyboundData")


def table(template: dict[str, Any], spec: tables.TableSpec) -> dict[str, Any]:
    return one(template, "AWS::DynamoDB::Table", spec.logical_id)["Properties"]


def test_every_declared_table_and_key_is_in_the_template(data: dict[str, Any]) -> None:
    assert len(resources(data, "AWS::DynamoDB::Table")) == len(tables.TABLES)
    assert len(resources(data, "AWS::KMS::Key")) == len(tables.KMS_KEYS)
    aliases = {r["Properties"]["AliasName"] for r in resources(data, "AWS::KMS::Alias").values()}
    assert aliases == {spec.alias for spec in tables.KMS_KEYS}


def test_records_ttl_is_the_attribute_the_policy_module_names(data: dict[str, Any]) -> None:
    ttl = table(data, tables.RECORDS)["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": tables.RECORDS.ttl_attribute, "Enabled": True}
    assert tables.RECORDS.ttl_attribute == tables.RECORD_TTL_ATTRIBUTE


@pytest.mark.parametrize("spec", tables.TABLES, ids=lambda s: s.logical_id)
def test_table_follows_its_spec(data: dict[str, Any], spec: tables.TableSpec) -> None:
    resource = one(data, "AWS::DynamoDB::Table", spec.logical_id)
    properties = resource["Properties"]
    pitr = properties.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled", False)
    assert pitr is spec.point_in_time_recovery
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["SSESpecification"]["SSEType"] == "KMS"
    # Tables have a key of their own: the data key only wraps record keys.
    assert "TablesKey" in str(properties["SSESpecification"]["KMSMasterKeyId"])
    assert properties["DeletionProtectionEnabled"] is True
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    if spec.ttl_attribute:
        assert properties["TimeToLiveSpecification"]["AttributeName"] == spec.ttl_attribute
    else:
        assert "TimeToLiveSpecification" not in properties
    assert properties.get("StreamSpecification", {}).get("StreamViewType") == spec.stream
    assert [i["IndexName"] for i in properties.get("GlobalSecondaryIndexes", [])] == [i.name for i in spec.indexes]


@pytest.mark.parametrize("spec", [s for s in tables.TABLES if s.holds_pi], ids=lambda s: s.logical_id)
def test_tables_holding_pi_name_consignee_duties_region_purpose_and_retention(
    data: dict[str, Any], spec: tables.TableSpec
) -> None:
    tags = {tag["Key"]: tag["Value"] for tag in table(data, spec)["Tags"]}
    expected = pi_tags(spec.purpose)
    assert expected.items() <= tags.items()
    assert tags["policybound:consignee"] == "Amazon Web Services"
    assert tags["policybound:region"] == "ap-northeast-2"
    assert "60 months" in tags["policybound:retention"]
    assert "inquiry_response" in tags["policybound:purposes"]
    assert tags["policybound:consigned-duties"] == "Data storage and system operation"


def test_tables_without_pi_carry_no_pi_tags(data: dict[str, Any]) -> None:
    for spec in tables.TABLES:
        if not spec.holds_pi:
            tags = {tag["Key"] for tag in table(data, spec).get("Tags", [])}
            assert "policybound:holds-personal-information" not in tags, spec.logical_id


def test_tag_values_use_only_characters_aws_accepts() -> None:
    import re

    for key, value in pi_tags("Form submissions (sealed PI, consent), 100% «Seoul»").items():
        assert re.fullmatch(r"[\w .:/=+\-@]{1,128}", key)
        assert re.fullmatch(r"[\w .:/=+\-@]{0,256}", value), value


@pytest.mark.parametrize("spec", tables.KMS_KEYS, ids=lambda s: s.logical_id)
def test_keys_follow_their_spec_and_rotate_when_kms_can(data: dict[str, Any], spec: tables.KmsKeySpec) -> None:
    resource = one(data, "AWS::KMS::Key", spec.logical_id)
    properties = resource["Properties"]
    assert properties.get("KeySpec", "SYMMETRIC_DEFAULT") == spec.key_spec
    assert properties.get("KeyUsage", "ENCRYPT_DECRYPT") == spec.key_usage
    assert properties.get("EnableKeyRotation", False) is spec.rotates
    assert properties["PendingWindowInDays"] == 30
    assert resource["DeletionPolicy"] == "Retain"
    assert tables.DATA_KEY.rotates


def _synth_data_only(monkeypatch: pytest.MonkeyPatch, new_tables: tuple[tables.TableSpec, ...]) -> Template:
    monkeypatch.setattr(tables, "TABLES", new_tables)
    stack = DataStack(App(), "Data", env=Environment(region="ap-northeast-2"))
    return Template.from_stack(stack)


def test_a_table_added_to_the_declarations_appears_without_editing_the_stacks(monkeypatch: pytest.MonkeyPatch) -> None:
    holds = tables.TableSpec(
        logical_id="NotYetDeclaredExample",
        env_var="NOT_YET_DECLARED_EXAMPLE_TABLE",
        partition=tables.Attribute("example_id", "S"),
        indexes=(tables.Index("by_subject", tables.Attribute("subject", "S")),),
        holds_pi=True,
        purpose="Example of a table added later",
    )
    declared = len(tables.TABLES)
    template = _synth_data_only(monkeypatch, (*tables.TABLES, holds))
    template.resource_count_is("AWS::DynamoDB::Table", declared + 1)
    (found,) = [
        r["Properties"]
        for name, r in resources(dict(template.to_json()), "AWS::DynamoDB::Table").items()
        if name.startswith("NotYetDeclaredExample")
    ]
    assert found["GlobalSecondaryIndexes"][0]["IndexName"] == "by_subject"
    assert {"Key": "policybound:holds", "Value": "Example of a table added later"} in found["Tags"]


def test_a_table_without_backups_must_say_why(monkeypatch: pytest.MonkeyPatch) -> None:
    careless = dataclasses.replace(tables.IDEMPOTENCY, logical_id="Careless", no_backup_reason="")
    with pytest.raises(MissingReasonError, match="Careless"):
        _synth_data_only(monkeypatch, (careless,))
