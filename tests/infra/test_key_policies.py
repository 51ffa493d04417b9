"""The keys that open records or compute blind indexes are usable only by the roles that need them.

An account administrator holding `kms:*` in IAM must not be able to decrypt a record's key-encryption
key or compute a blind index: the key policies below grant administration only, and name the function
roles allowed to use each key (with the key's encryption context, where it has one).
"""

from __future__ import annotations

from typing import Any

import pytest

from policybound import tables
from stacks.functions import FUNCTIONS
from tests.infra.conftest import Synth, as_list, one, resources

# Any of these lets the holder use the key (or hand its use to someone else).
USE_ACTIONS = {
    "kms:*",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKey*",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateMac",
    "kms:VerifyMac",
    "kms:ReEncrypt*",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:CreateGrant",
}
NAMED_KEYS = [spec for spec in tables.KMS_KEYS if spec.named_users_only]


def _policy(synth: Synth, spec: tables.KmsKeySpec) -> list[dict[str, Any]]:
    key = one(synth.template("PolicyboundData"), "AWS::KMS::Key", spec.logical_id)
    statements: list[dict[str, Any]] = key["Properties"]["KeyPolicy"]["Statement"]
    return statements


def _role_name(arn: Any) -> str:
    # arn:<partition>:iam::<account>:role/<name>, as a string or as CloudFormation's Fn::Join of parts.
    text = arn if isinstance(arn, str) else "".join(p for p in arn["Fn::Join"][1] if isinstance(p, str))
    return text.rsplit(":role/", 1)[-1]


def _expected_roles(spec: tables.KmsKeySpec) -> set[str]:
    # Stated from the functions' declared key access, independently of the stack's helper.
    return {f.role_name for f in FUNCTIONS for access in f.keys if access.key.logical_id == spec.logical_id}


@pytest.mark.parametrize("spec", NAMED_KEYS, ids=lambda s: s.logical_id)
def test_no_statement_lets_an_administrator_use_the_key(synth: Synth, spec: tables.KmsKeySpec) -> None:
    for statement in _policy(synth, spec):
        actions = set(as_list(statement["Action"]))
        if actions & USE_ACTIONS:
            arns = as_list(statement["Condition"]["ArnEquals"]["aws:PrincipalArn"])
            assert {_role_name(arn) for arn in arns} == _expected_roles(spec), statement
        else:
            assert not any(a.endswith("*") and a != "kms:Describe*" for a in actions), actions


@pytest.mark.parametrize("spec", NAMED_KEYS, ids=lambda s: s.logical_id)
def test_the_named_roles_use_only_the_actions_they_declare(synth: Synth, spec: tables.KmsKeySpec) -> None:
    used = [s for s in _policy(synth, spec) if set(as_list(s["Action"])) & USE_ACTIONS]
    declared = {
        action
        for f in FUNCTIONS
        for access in f.keys
        if access.key.logical_id == spec.logical_id
        for action in access.actions
    }
    assert len(used) == 1
    assert set(as_list(used[0]["Action"])) == declared


def test_the_data_key_is_used_only_with_its_encryption_context(synth: Synth) -> None:
    (used,) = [s for s in _policy(synth, tables.DATA_KEY) if set(as_list(s["Action"])) & USE_ACTIONS]
    assert used["Condition"]["StringEquals"] == {"kms:EncryptionContext:purpose": "policybound-record-kek"}
    api = synth.template("PolicyboundApi")
    data_key_grants = [
        statement
        for policy in resources(api, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "kms:Decrypt" in as_list(statement["Action"]) and "DataKey" in str(statement["Resource"])
    ]
    assert data_key_grants
    for statement in data_key_grants:
        assert statement["Condition"]["StringEquals"] == {"kms:EncryptionContext:purpose": "policybound-record-kek"}


def test_function_roles_carry_the_names_the_key_policies_use(synth: Synth) -> None:
    api = synth.template("PolicyboundApi")
    names = {r["Properties"].get("RoleName") for r in resources(api, "AWS::IAM::Role").values()}
    for spec in FUNCTIONS:
        assert spec.role_name in names, spec.name


def test_no_table_is_encrypted_with_a_key_that_opens_records(synth: Synth) -> None:
    data = synth.template("PolicyboundData")
    for table in resources(data, "AWS::DynamoDB::Table").values():
        key = str(table["Properties"]["SSESpecification"]["KMSMasterKeyId"])
        assert tables.TABLES_KEY.logical_id in key
        assert tables.DATA_KEY.logical_id not in key
        assert tables.BLIND_INDEX_KEY.logical_id not in key
