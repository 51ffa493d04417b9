"""Calling the staff API in unit tests as API Gateway would: events carrying Cognito authorizer claims.

`StaffApi.as_role(Role.STAFF).get(path)` sends a request through local mode's gateway with a token
that a test authorizer maps to claims shaped as the REST API's Cognito authorizer passes them.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from werkzeug.test import Client, TestResponse

from policybound.api.staff.auth import Role

SOURCE_IP = "127.0.0.1"


def claims_for(roles: Iterable[Role | str], username: str = "kim.staff", user_id: str | None = None) -> dict[str, str]:
    """Claims as API Gateway's REST Cognito authorizer passes them: all strings, groups comma-joined."""
    return {
        "sub": user_id or f"sub-{username}",
        "cognito:username": username,
        "cognito:groups": ",".join(str(role) for role in roles),
        "token_use": "id",
        "iss": "https://cognito-idp.ap-northeast-2.amazonaws.com/ap-northeast-2_Test",
        "aud": "test-client",
        "auth_time": "1796014800",
        "exp": "Mon Nov 30 06:00:00 UTC 2026",
    }


@dataclass
class FakeAuthorizer:
    """Stands in for the Cognito authorizer: a token is valid only if a test issued it."""

    issued: dict[str, dict[str, str]] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def issue(self, claims: dict[str, str]) -> str:
        token = f"test-token-{next(self._counter)}"
        self.issued[token] = claims
        return token

    def __call__(self, authorization: str | None) -> dict[str, str] | None:
        token = (authorization or "").removeprefix("Bearer ").strip()
        return self.issued.get(token)


@dataclass
class StaffCaller:
    client: Client
    headers: dict[str, str]

    def open(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = self.headers | kwargs.pop("headers", {})
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.open("DELETE", path, **kwargs)


@dataclass
class StaffClient:
    client: Client
    app: APIGatewayRestResolver
    authorizer: FakeAuthorizer

    def as_role(self, *roles: Role | str, username: str | None = None, user_id: str | None = None) -> StaffCaller:
        """A caller in the given groups (none: signed in but in no group)."""
        name = username or (f"{roles[0]}.user" if roles else "nobody")
        token = self.authorizer.issue(claims_for(roles, name, user_id))
        return StaffCaller(self.client, {"Authorization": token})

    @property
    def anonymous(self) -> StaffCaller:
        return StaffCaller(self.client, {})


def json_of(response: TestResponse) -> Any:
    return json.loads(response.get_data(as_text=True))


def error_code(response: TestResponse) -> str:
    return str(json_of(response)["error"]["code"])
