"""Staff sign-in: one function is the pool's PreAuthentication, PostAuthentication and PostConfirmation
trigger; the pool has the password-change stamp (readable, not writable, by the app client); short
tokens, revocation, strong passwords, accounts created by administrators only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policybound import tables
from policybound.adapters.cognito import PASSWORD_CHANGED_ATTRIBUTE
from policybound.domain.staff.actor import STAFF_GROUPS, Role
from policybound.obligations import STAFF_SESSION_LIMIT, whole_minutes
from policybound.settings import environment_name
from stacks import staff_identity
from stacks.functions import FUNCTIONS
from tests.infra.conftest import Synth, cdk_path, resources, statements


@pytest.fixture(scope="module")
def api(synth: Synth) -> dict[str, Any]:
    return synth.template("PolicyboundApi")


def logical_id(api: dict[str, Any], resource_type: str, path_part: str) -> str:
    (found,) = [k for k, r in resources(api, resource_type).items() if f"/{path_part}/" in cdk_path(r)]
    return found


def test_one_function_is_all_three_sign_in_triggers(api: dict[str, Any]) -> None:
    trigger = logical_id(api, "AWS::Lambda::Function", "StaffSignIn")
    (pool_id, pool), *_ = resources(api, "AWS::Cognito::UserPool").items()
    arn = {"Fn::GetAtt": [trigger, "Arn"]}
    assert pool["Properties"]["LambdaConfig"] == {
        "PreAuthentication": arn,
        "PostAuthentication": arn,
        "PostConfirmation": arn,
    }
    permissions = [
        p["Properties"]
        for p in resources(api, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == arn
    ]
    assert len(permissions) == 3
    for permission in permissions:
        assert permission["Principal"] == "cognito-idp.amazonaws.com"
        assert permission["SourceArn"] == {"Fn::GetAtt": [pool_id, "Arn"]}


def test_pool_has_the_password_stamp_that_only_the_trigger_writes(api: dict[str, Any]) -> None:
    (pool,) = resources(api, "AWS::Cognito::UserPool").values()
    assert {"AttributeDataType": "String", "Mutable": True, "Name": "password_changed_at"} in pool["Properties"][
        "Schema"
    ]
    (client,) = resources(api, "AWS::Cognito::UserPoolClient").values()
    assert PASSWORD_CHANGED_ATTRIBUTE in client["Properties"]["ReadAttributes"]
    # Listed explicitly: an absent WriteAttributes would let the client write every writable attribute.
    assert "WriteAttributes" in client["Properties"]
    assert PASSWORD_CHANGED_ATTRIBUTE not in client["Properties"]["WriteAttributes"]
    assert not any(a.startswith("custom:") for a in client["Properties"]["WriteAttributes"])


def test_short_tokens_revocation_strong_passwords_admin_created_users(api: dict[str, Any]) -> None:
    (client,) = resources(api, "AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    units = properties["TokenValidityUnits"]
    assert (properties["IdTokenValidity"], units["IdToken"]) == (60, "minutes")
    assert units["RefreshToken"] == "minutes"
    assert properties["RefreshTokenValidity"] == whole_minutes(STAFF_SESSION_LIMIT)
    assert properties["EnableTokenRevocation"] is True
    (pool,) = resources(api, "AWS::Cognito::UserPool").values()
    password = pool["Properties"]["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 12
    assert all(password[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True


def test_trigger_touches_only_its_sign_in_items_and_stamps_only_its_pool(api: dict[str, Any]) -> None:
    (spec,) = [s for s in FUNCTIONS if s.name == "StaffSignIn"]
    # adapters.staff_access.DynamoAttemptStore: claim (update_item, returning the item when its condition
    # fails), clear (delete_item); nothing else.
    assert {a.table.logical_id: set(a.actions) for a in spec.tables} == {
        tables.STAFF_SIGN_INS.logical_id: {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    }
    assert spec.keys == ()
    assert not spec.sends_mail
    pool_policy = resources(api, "AWS::IAM::Policy")[logical_id(api, "AWS::IAM::Policy", "StaffSignIn/StaffPoolAccess")]
    (statement,) = statements(pool_policy["Properties"]["PolicyDocument"])
    assert statement["Action"] == "cognito-idp:AdminUpdateUserAttributes"
    (pool_id,) = resources(api, "AWS::Cognito::UserPool")
    # Formatted from the pool id (not the pool's Arn attribute), in its own policy: no cycle.
    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            ["arn:aws:cognito-idp:ap-northeast-2:", {"Ref": "AWS::AccountId"}, ":userpool/", {"Ref": pool_id}],
        ]
    }
    default_policy = json.dumps(
        [p for p in resources(api, "AWS::IAM::Policy").values() if "/StaffSignIn/Role/" in cdk_path(p)]
    )
    assert pool_id not in default_policy


def test_trigger_gets_no_pool_id_it_would_depend_on(api: dict[str, Any]) -> None:
    function = resources(api, "AWS::Lambda::Function")[logical_id(api, "AWS::Lambda::Function", "StaffSignIn")]
    assert environment_name("staff_user_pool_id") not in function["Properties"]["Environment"]["Variables"]
    assert function["Properties"]["Timeout"] <= 5


def test_pool_groups_are_the_roles_of_the_policybound_package(api: dict[str, Any]) -> None:
    groups = {g["Properties"]["GroupName"] for g in resources(api, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == {role.value for role in Role} == set(STAFF_GROUPS)
    assert set(staff_identity.GROUP_DESCRIPTIONS) == set(Role)
    from policybound.api.staff import auth

    assert auth.Role is Role


def test_every_counted_try_is_a_password_check_and_unknown_names_are_counted_too(api: dict[str, Any]) -> None:
    (client,) = resources(api, "AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    # Cognito runs the pre-authentication trigger for a user name that does not exist only when the
    # client prevents user existence errors; so unknown names are counted and locked like known ones.
    assert properties["PreventUserExistenceErrors"] == "ENABLED"
    # No app-side password flow: in SRP or custom auth, pre-authentication runs at the first step, before
    # any password proof, so a caller could use up a member's tries without ever being checked. Passwords
    # are typed only into Cognito's managed login pages, which post the user name and password together.
    assert properties["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
