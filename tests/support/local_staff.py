"""Staff accounts of a test's or a bench run's own in local mode's user pool, made as an administrator
makes them: a permanent password, the time it was set stamped (the sign-in trigger reads its age), and a
group when the account is to be let in."""

from __future__ import annotations

import time
from typing import Any

from local.cognito import PASSWORD_CHANGED_ATTRIBUTE, POOL_NAME

ACCOUNT_PASSWORD = "Correct-Horse-9-Battery!"


def pool_id_of(cognito: Any) -> str:
    """Local mode's staff user pool, found by its name (moto gives it a new id each start)."""
    return str(next(p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == POOL_NAME))


def changed_at(age_seconds: float = 0) -> str:
    """A password-changed stamp for a password set `age_seconds` ago, as the trigger stores it."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - age_seconds))


def add_account(
    cognito: Any,
    pool_id: str,
    username: str,
    *,
    password_changed_at: str,
    password: str = ACCOUNT_PASSWORD,
    group: str | None = None,
) -> None:
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": PASSWORD_CHANGED_ATTRIBUTE, "Value": password_changed_at}],
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    if group is not None:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
