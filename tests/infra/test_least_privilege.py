"""Least privilege: no `*` on `*` anywhere, and each function's role holds exactly what its spec lists."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policybound import tables
from stacks.data_stack import TABLE_ENCRYPTION_KEY
from stacks.functions import FUNCTIONS, FunctionSpec, TableStream
from tests.infra.conftest import Synth, as_list, cdk_path, resources, statements

POLICY_HOLDERS = {
    "AWS::IAM::Policy": "PolicyDocument",
    "AWS::KMS::Key": "KeyPolicy",
    "AWS::S3::BucketPolicy": "PolicyDocument",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
}


def all_statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for resource in template["Resources"].values():
        key = POLICY_HOLDERS.get(resource["Type"])
        if key:
            found += [(cdk_path(resource), s) for s in statements(resource["Properties"][key])]
        for policy in resource["Properties"].get("Policies", []) if resource["Type"] == "AWS::IAM::Role" else []:
            found += [(cdk_path(resource), s) for s in statements(policy["PolicyDocument"])]
    return found


def test_no_statement_allows_every_action_on_every_resource(synth: Synth) -> None:
    checked = 0
    for name, template in synth.templates.items():
        for path, statement in all_statements(template):
            checked += 1
            if statement["Effect"] != "Allow":
                continue
            actions = as_list(statement.get("Action", []))
            resources_ = as_list(statement.get("Resource", []))
            assert not ("*" in actions and "*" in resources_), f"{name} {path}: * on *"
            assert "*" not in actions, f"{name} {path}: Action *"
            assert not any(a.endswith(":*") for a in actions if not a.startswith("kms:")), f"{name} {path}: {actions}"
    assert checked > 20


def function_policy(api: dict[str, Any], spec: FunctionSpec) -> list[dict[str, Any]]:
    """Every statement of the function's role: its default policy, and its staff pool policy if any."""
    policies = [
        p for p in resources(api, "AWS::IAM::Policy").values() if cdk_path(p).startswith(f"PolicyboundApi/{spec.name}/")
    ]
    assert len(policies) == (2 if spec.staff_pool_actions else 1), spec.name
    return [s for p in policies for s in statements(p["Properties"]["PolicyDocument"])]


def table_of(resource: Any) -> str:
    text = json.dumps(resource)
    names = [spec.logical_id for spec in tables.TABLES if spec.logical_id in text]
    assert names, text
    return max(names, key=len)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_function_role_holds_only_the_dynamodb_and_kms_actions_of_its_spec(synth: Synth, spec: FunctionSpec) -> None:
    api = synth.template("PolicyboundApi")
    granted: dict[str, set[str]] = {}
    by_leading_keys: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    keys: dict[str, set[str]] = {}
    for statement in function_policy(api, spec):
        actions = set(as_list(statement["Action"]))
        if actions == {"dynamodb:ListStreams"}:
            # ListStreams has no resource-level permissions; it lists stream ARNs, never items.
            assert statement["Resource"] == "*"
        elif any(a.startswith("dynamodb:") for a in actions) and "Condition" not in statement:
            for resource in as_list(statement["Resource"]):
                granted.setdefault(table_of(resource), set()).update(actions)
        elif all(a.startswith("dynamodb:") for a in actions) and "dynamodb:LeadingKeys" in json.dumps(
            statement.get("Condition", {})
        ):
            leading = tuple(statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"])
            for resource in as_list(statement["Resource"]):
                by_leading_keys.setdefault((table_of(resource), leading), set()).update(actions)
        elif any(a.startswith("kms:") for a in actions):
            condition = statement.get("Condition", {}).get("StringEquals", {})
            if "kms:ViaService" in condition:
                # Table encryption: only through DynamoDB, and only the tables key.
                assert condition["kms:ViaService"] == "dynamodb.ap-northeast-2.amazonaws.com"
                assert tables.TABLES_KEY.logical_id in json.dumps(statement["Resource"])
                continue
            for resource in as_list(statement["Resource"]):
                spec_of_key = next(k for k in tables.KMS_KEYS if k.logical_id in json.dumps(resource))
                # Direct use of a key always carries that key's encryption context, if it has one.
                context = {f"kms:EncryptionContext:{n}": v for n, v in spec_of_key.encryption_context}
                assert condition == context, statement
                keys.setdefault(spec_of_key.logical_id, set()).update(actions)
        elif any(a.startswith("s3:") for a in actions):
            # Checked by test_bucket_access_is_exactly_the_specs_objects.
            pass
        else:
            allowed = {
                "cognito-idp:",
                "logs:",
                "xray:",
                "ses:",
                "sqs:",
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            }
            assert all(any(a.startswith(p) for p in allowed) for a in actions), actions
    expected: dict[str, set[str]] = {}
    expected_by_leading_keys: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for access in spec.tables:
        if access.leading_keys:
            expected_by_leading_keys.setdefault((access.table.logical_id, access.leading_keys), set()).update(
                access.actions
            )
        else:
            expected.setdefault(access.table.logical_id, set()).update(access.actions)
    assert by_leading_keys == expected_by_leading_keys
    stream_actions = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
    assert {t: a - stream_actions for t, a in granted.items() if a - stream_actions} == expected
    expected_keys = {access.key.logical_id: set(access.actions) for access in spec.keys}
    if isinstance(spec.trigger, TableStream):
        # Reading a stream of a table encrypted with a customer managed key: Decrypt on the tables' key.
        expected_keys.setdefault(TABLE_ENCRYPTION_KEY.logical_id, set()).add("kms:Decrypt")
    assert keys == expected_keys


def test_index_queries_name_the_index(synth: Synth) -> None:
    api = synth.template("PolicyboundApi")
    for spec in FUNCTIONS:
        text = json.dumps(function_policy(api, spec))
        for access in spec.tables:
            for index in access.indexes:
                assert f"/index/{index}" in text, (spec.name, index)
        # No index is reachable unless its spec names it.
        named = {index for access in spec.tables for index in access.indexes}
        for table in tables.TABLES:
            for declared in table.indexes:
                if declared.name not in named:
                    assert f"/index/{declared.name}" not in text, (spec.name, declared.name)


def test_mail_is_sent_only_as_the_configured_sender(synth: Synth) -> None:
    api = synth.template("PolicyboundApi")
    for spec in FUNCTIONS:
        mail = [s for s in function_policy(api, spec) if "ses:SendRawEmail" in as_list(s["Action"])]
        if spec.sends_mail:
            (statement,) = mail
            assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": synth.built.deployment.mail_sender}}
        else:
            assert not mail


def test_no_managed_policies_on_function_roles(synth: Synth) -> None:
    api = synth.template("PolicyboundApi")
    for spec in FUNCTIONS:
        (role,) = [r for r in resources(api, "AWS::IAM::Role").values() if f"/{spec.name}/Role/" in cdk_path(r)]
        assert "ManagedPolicyArns" not in role["Properties"], spec.name


def test_only_the_staff_function_manages_staff_access_and_only_on_its_pool(synth: Synth) -> None:
    api = synth.template("PolicyboundApi")
    for spec in FUNCTIONS:
        cognito = [
            s for s in function_policy(api, spec) if any(a.startswith("cognito-idp:") for a in as_list(s["Action"]))
        ]
        if spec.staff_pool_actions:
            (statement,) = cognito
            assert set(as_list(statement["Action"])) == set(spec.staff_pool_actions)
            assert "StaffUserPool" in json.dumps(statement["Resource"])
            assert all(not a.endswith("*") for a in spec.staff_pool_actions)
        else:
            assert not cognito, spec.name


def test_bucket_access_is_exactly_the_specs_objects(synth: Synth) -> None:
    """S3 only as a spec lists it: its actions on the named objects, never a bucket-wide or wildcard key."""
    api = synth.template("PolicyboundApi")
    for spec in FUNCTIONS:
        granted: set[tuple[str, str]] = set()
        for statement in function_policy(api, spec):
            actions = [a for a in as_list(statement["Action"]) if a.startswith("s3:")]
            for resource in as_list(statement["Resource"]) if actions else []:
                text = json.dumps(resource)
                assert "*" not in text, (spec.name, text)
                (bucket,) = [b.logical_id for b in tables.BUCKETS if b.logical_id in text]
                key = resource["Fn::Join"][1][-1].removeprefix("/")
                granted |= {(f"{bucket}/{key}", a) for a in actions}
        expected = {
            (f"{access.bucket.logical_id}/{key}", action)
            for access in spec.buckets
            for key in access.objects
            for action in access.actions
        }
        assert granted == expected, spec.name
    public = next(s for s in FUNCTIONS if s.name == "PublicApi")
    assert public.buckets, "the public API signs the resources-download links"
