"""Cognito: the staff user pool — its users, their groups, and the password-change stamp."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound.adapters.aws import error_code, translate_errors
from policybound.domain.staff.actor import STAFF_GROUPS
from policybound.domain.staff.ports import StaffUser

# Written only by the password-reset trigger (the app client may read it, never write it).
PASSWORD_CHANGED_ATTRIBUTE = "custom:password_changed_at"  # noqa: S105 - an attribute name


def _attribute(attributes: list[dict[str, str]], name: str) -> str | None:
    return next((a["Value"] for a in attributes if a["Name"] == name), None)


@dataclass(eq=False, repr=False)
class CognitoStaffDirectory:
    """The staff directory over the staff user pool: users, their groups, global sign-out."""

    cognito: Any
    user_pool_id: str

    def _groups_of(self, username: str) -> frozenset[str]:
        paginator = self.cognito.get_paginator("admin_list_groups_for_user")
        with translate_errors("Cognito"):
            names = {
                g["GroupName"]
                for page in paginator.paginate(UserPoolId=self.user_pool_id, Username=username)
                for g in page["Groups"]
            }
        return frozenset(name for name in names if name in STAFF_GROUPS)

    def user(self, username: str) -> StaffUser | None:
        try:
            with translate_errors("Cognito", passthrough=("UserNotFoundException",)):
                found = self.cognito.admin_get_user(UserPoolId=self.user_pool_id, Username=username)
        except ClientError as error:
            if error_code(error) == "UserNotFoundException":
                return None
            raise
        return StaffUser(
            user_id=_attribute(found.get("UserAttributes", []), "sub") or username,
            username=found["Username"],
            groups=self._groups_of(found["Username"]),
            enabled=bool(found.get("Enabled", True)),
            created_at=found.get("UserCreateDate"),
        )

    def users(self) -> list[StaffUser]:
        members: dict[str, set[str]] = {}
        listed: list[dict[str, Any]] = []
        with translate_errors("Cognito"):
            for group in STAFF_GROUPS:
                for page in self.cognito.get_paginator("list_users_in_group").paginate(
                    UserPoolId=self.user_pool_id, GroupName=group
                ):
                    for user in page["Users"]:
                        members.setdefault(user["Username"], set()).add(group)
            for page in self.cognito.get_paginator("list_users").paginate(UserPoolId=self.user_pool_id):
                listed += page["Users"]
        return [
            StaffUser(
                user_id=_attribute(user.get("Attributes", []), "sub") or user["Username"],
                username=user["Username"],
                groups=frozenset(members.get(user["Username"], ())),
                enabled=bool(user.get("Enabled", True)),
                created_at=user.get("UserCreateDate"),
            )
            for user in listed
        ]

    def add_to_group(self, username: str, group: str) -> None:
        with translate_errors("Cognito"):
            self.cognito.admin_add_user_to_group(UserPoolId=self.user_pool_id, Username=username, GroupName=group)

    def remove_from_group(self, username: str, group: str) -> None:
        with translate_errors("Cognito"):
            self.cognito.admin_remove_user_from_group(UserPoolId=self.user_pool_id, Username=username, GroupName=group)

    def sign_out(self, username: str) -> None:
        with translate_errors("Cognito"):
            self.cognito.admin_user_global_sign_out(UserPoolId=self.user_pool_id, Username=username)


def stamp_password_changed(cognito: Any, user_pool_id: str, username: str, at: datetime) -> None:
    with translate_errors("Cognito"):
        cognito.admin_update_user_attributes(
            UserPoolId=user_pool_id,
            Username=username,
            UserAttributes=[{"Name": PASSWORD_CHANGED_ATTRIBUTE, "Value": at.isoformat()}],
        )
