"""Staff in local mode, for tests and benches: the seeded accounts' tokens, a legal hold placed as a
manager would, and accounts of a run's own in the user pool, made as an administrator makes them (a
permanent password, the time it was set stamped, since the sign-in trigger reads its age, and a group
when the account is to be let in)."""

from __future__ import annotations

import time
from typing import Any

import requests

from local.cognito import PASSWORD_CHANGED_ATTRIBUTE, POOL_NAME

ACCOUNT_PASSWORD = "Correct-Horse-9-Battery!"


def id_token(api_url: str, username: str, http: Any = requests) -> str:
    """A seeded account's id token, from the route only local mode has (no password asked)."""
    response = http.post(f"{api_url}/_local/staff-token", json={"username": username}, timeout=30)
    assert response.status_code == 200, response.text
    return str(response.json()["id_token"])


def staff_headers(api_url: str, username: str, http: Any = requests) -> dict[str, str]:
    """The Authorization header of a seeded account's request."""
    return {"Authorization": f"Bearer {id_token(api_url, username, http)}"}


def place_hold(api_url: str, http: Any, manager: dict[str, str], submission_id: str) -> str:
    """Holds one record for a (made-up) preservation order; the hold's id."""
    body = {"submission_ids": [submission_id], "case_reference": "2031고단1234", "reason": "Preservation order"}
    placed = http.post(f"{api_url}/v1/staff/legal-holds", json=body, headers=manager, timeout=30)
    assert placed.status_code == 201, placed.text
    return str(placed.json()["hold_id"])


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
