"""No drift: the tables and keys local mode provisions (against moto) match the synthesized template."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.environment import table_name
from local.provision import provision_keys, provision_tables
from policybound import tables
from tests.infra.conftest import Synth, cdk_path, one, resources


@pytest.fixture(scope="module")
def local_mode(monkeypatch_module: pytest.MonkeyPatch) -> dict[str, Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="ap-northeast-2")
        kms = boto3.client("kms", region_name="ap-northeast-2")
        provision_tables(dynamodb)
        key_ids = provision_keys(kms)
        described = {
            spec.logical_id: (
                dynamodb.describe_table(TableName=table_name(spec))["Table"],
                dynamodb.describe_time_to_live(TableName=table_name(spec))["TimeToLiveDescription"],
            )
            for spec in tables.TABLES
        }
        keys = {
            spec.logical_id: (
                kms.describe_key(KeyId=key_ids[spec.logical_id])["KeyMetadata"],
                kms.get_key_rotation_status(KeyId=key_ids[spec.logical_id])["KeyRotationEnabled"],
            )
            for spec in tables.KMS_KEYS
        }
        aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
        return {"tables": described, "keys": keys, "aliases": aliases, "key_ids": key_ids}


@pytest.fixture(scope="module")
def monkeypatch_module() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "local")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "local")
        patch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
        # moto's in-process mock answers only AWS's own endpoints, not a local server's URL.
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_KMS"):
            patch.delenv(name, raising=False)
        yield patch


def _key_schema(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def _indexes(indexes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        index["IndexName"]: (
            _key_schema(index["KeySchema"]),
            index["Projection"]["ProjectionType"],
            sorted(index["Projection"].get("NonKeyAttributes", [])),
        )
        for index in indexes
    }


def test_local_mode_provisions_exactly_the_deployed_tables(synth: Synth, local_mode: dict[str, Any]) -> None:
    data = synth.template("PolicyboundData")
    deployed = {cdk_path(r).split("/")[1]: r["Properties"] for r in resources(data, "AWS::DynamoDB::Table").values()}
    assert set(deployed) == set(local_mode["tables"]) == {spec.logical_id for spec in tables.TABLES}
    for logical_id, (local, ttl) in local_mode["tables"].items():
        cloud = deployed[logical_id]
        assert _key_schema(local["KeySchema"]) == _key_schema(cloud["KeySchema"]), logical_id
        assert sorted(map(tuple, (a.values() for a in local["AttributeDefinitions"]))) == sorted(
            map(tuple, (a.values() for a in cloud["AttributeDefinitions"]))
        ), logical_id
        assert _indexes(local.get("GlobalSecondaryIndexes", [])) == _indexes(cloud.get("GlobalSecondaryIndexes", [])), (
            logical_id
        )
        local_stream = local.get("StreamSpecification", {}).get("StreamViewType")
        assert local_stream == cloud.get("StreamSpecification", {}).get("StreamViewType"), logical_id
        local_ttl = ttl.get("AttributeName") if ttl["TimeToLiveStatus"] == "ENABLED" else None
        assert local_ttl == cloud.get("TimeToLiveSpecification", {}).get("AttributeName"), logical_id


def test_local_mode_provisions_exactly_the_deployed_keys(synth: Synth, local_mode: dict[str, Any]) -> None:
    data = synth.template("PolicyboundData")
    aliases = {
        r["Properties"]["AliasName"]: cdk_path(r).split("/")[1] for r in resources(data, "AWS::KMS::Alias").values()
    }
    for spec in tables.KMS_KEYS:
        metadata, rotation = local_mode["keys"][spec.logical_id]
        cloud = one(data, "AWS::KMS::Key", spec.logical_id)["Properties"]
        assert metadata["KeySpec"] == cloud.get("KeySpec", "SYMMETRIC_DEFAULT")
        assert metadata["KeyUsage"] == cloud.get("KeyUsage", "ENCRYPT_DECRYPT")
        assert rotation is cloud.get("EnableKeyRotation", False)
        assert local_mode["aliases"][spec.alias] == local_mode["key_ids"][spec.logical_id]
        assert aliases[spec.alias] == spec.logical_id
