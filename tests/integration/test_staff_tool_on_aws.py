"""`python -m tools.staff create` against a staff pool shaped like the deployed one (moto): the account
can sign in (the trigger accepts its password stamp), sits in exactly its role's group, and waits for its
temporary password to be changed; a refusal leaves no account behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from policybound.adapters.cognito import PASSWORD_CHANGED_ATTRIBUTE
from policybound.domain.staff.actor import Role
from policybound.domain.staff.sign_in import password_refusal
from policybound.policy import AWS_REGION
from tools.staff.__main__ import main

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def cognito(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": AWS_REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("cognito-idp", region_name=AWS_REGION)


def deployed_like_pool(cognito: Any, groups: list[str]) -> str:
    """As stacks/staff_identity.py makes it: sign-in by email, the password stamp attribute, role groups."""
    pool_id: str = cognito.create_user_pool(
        PoolName="staff",
        UsernameAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        Schema=[
            {"Name": PASSWORD_CHANGED_ATTRIBUTE.removeprefix("custom:"), "AttributeDataType": "String", "Mutable": True}
        ],
    )["UserPool"]["Id"]
    for group in groups:
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    return pool_id


def attributes_of(user: dict[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user.get("Attributes", user.get("UserAttributes", []))}


def test_creates_a_manager_who_can_sign_in_and_must_change_the_temporary_password(cognito: Any) -> None:
    pool_id = deployed_like_pool(cognito, [role.value for role in Role])
    code = main(
        [
            "create",
            "--email",
            "kim.manager@example.co.kr",
            "--name",
            "Kim Manager",
            "--role",
            "pi_manager",
            "--user-pool-id",
            pool_id,
        ],
        now=NOW,
    )
    assert code == 0
    (user,) = cognito.list_users(UserPoolId=pool_id)["Users"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    attributes = attributes_of(user)
    assert attributes["email"] == "kim.manager@example.co.kr"
    assert attributes["email_verified"] == "true"
    assert attributes["name"] == "Kim Manager"
    stamp = attributes[PASSWORD_CHANGED_ATTRIBUTE]
    # The sign-in trigger's rule accepts it now and refuses it after 90 days, like any password.
    assert password_refusal(stamp, NOW + timedelta(days=1)) is None
    assert password_refusal(stamp, NOW + timedelta(days=91)) is not None
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=user["Username"])["Groups"]
    assert [g["GroupName"] for g in groups] == ["pi_manager"]


def test_finds_the_pool_from_the_stack_output(cognito: Any) -> None:
    pool_id = deployed_like_pool(cognito, ["auditor"])
    cloudformation = boto3.client("cloudformation", region_name=AWS_REGION)
    template = (
        '{"Resources": {"Nothing": {"Type": "AWS::SNS::Topic"}}, '
        f'"Outputs": {{"StaffUserPoolId": {{"Value": "{pool_id}"}}}}}}'
    )
    cloudformation.create_stack(StackName="PolicyboundApi", TemplateBody=template)
    assert main(["create", "--email", "lee@example.co.kr", "--name", "Lee", "--role", "auditor"], now=NOW) == 0
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 1


def test_a_missing_group_changes_nothing(cognito: Any, capsys: pytest.CaptureFixture[str]) -> None:
    pool_id = deployed_like_pool(cognito, ["staff"])
    code = main(
        [
            "create",
            "--email",
            "park@example.co.kr",
            "--name",
            "Park",
            "--role",
            "pi_manager",
            "--user-pool-id",
            pool_id,
        ],
        now=NOW,
    )
    assert code == 1
    assert "no group 'pi_manager'" in capsys.readouterr().err
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_an_existing_account_is_refused_clearly(cognito: Any, capsys: pytest.CaptureFixture[str]) -> None:
    pool_id = deployed_like_pool(cognito, ["staff"])
    args = ["create", "--email", "choi@example.co.kr", "--name", "Choi", "--role", "staff", "--user-pool-id", pool_id]
    assert main(args, now=NOW) == 0
    assert main(args, now=NOW) == 1
    assert "Cognito refused the account" in capsys.readouterr().err
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 1


def test_usage_errors_exit_2(cognito: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["create", "--email", "a@b.kr", "--name", "A", "--role", "owner", "--user-pool-id", "x"])
    assert exited.value.code == 2
    assert main(["create", "--email", "not-an-address", "--name", "A", "--role", "staff", "--user-pool-id", "x"]) == 2
    assert os.environ["AWS_DEFAULT_REGION"] == AWS_REGION


def test_a_failed_group_assignment_deletes_the_account_again(cognito: Any) -> None:
    from botocore.exceptions import ClientError

    from tools.staff.__main__ import StaffToolError, create_staff_member

    pool_id = deployed_like_pool(cognito, ["staff"])

    class GroupStepFails:
        def __getattr__(self, name: str) -> Any:
            return getattr(cognito, name)

        def admin_add_user_to_group(self, **_: Any) -> None:
            raise ClientError(
                {"Error": {"Code": "InternalErrorException", "Message": "try later"}}, "AdminAddUserToGroup"
            )

    with pytest.raises(StaffToolError, match="deleted again"):
        create_staff_member(GroupStepFails(), pool_id, email="han@example.co.kr", name="Han", role=Role.STAFF, now=NOW)
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []
