"""Every staff route in the route × role table, behind local mode's Cognito authorizer (RS256 tokens
checked against a JWKS, issuer, audience, expiry and token use): no token, an expired token, a tampered
token, an idle session and a wrong group are refused; the right group gets through."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.test import Client

from local.cognito import CognitoAuthorizer, StaffPool
from policybound.api.staff.auth import Role
from policybound.api.staff.permissions import ROUTE_ROLES
from tests.conftest import NOW
from tests.support.gateways import TEST_APP_CLIENT, staff_gateway
from tests.support.staff import StaffApi, build_staff_api, claims_for, error_code

POOL = StaffPool("ap-northeast-2_Local1", TEST_APP_CLIENT)
KEY = RSAKey.generate_key(2048, parameters={"kid": "pool-key"}, private=True)
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "pool-key"}, private=True)
JWKS: dict[str, Any] = dict(KeySet([KEY]).as_dict(private=False))


def token(groups: list[str], *, expires_in: int = 3600, key: RSAKey = KEY, **claims: Any) -> str:
    now = int(NOW.timestamp())
    payload = {
        "sub": f"sub-{'-'.join(groups) or 'none'}",
        "cognito:username": "-".join(groups) or "nobody",
        "cognito:groups": groups,
        "iss": POOL.issuer,
        "aud": POOL.client_id,
        "token_use": "id",
        "auth_time": now,
        "iat": now,
        "exp": now + expires_in,
    } | claims
    return jwt.encode({"alg": "RS256", "kid": "pool-key"}, payload, key)


def tampered(valid: str, **changes: Any) -> str:
    header, payload, signature = valid.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps(claims | changes).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


@pytest.fixture(scope="module")
def gated() -> tuple[StaffApi, Client]:
    api = build_staff_api(NOW)
    # The pool's members, as `token` names them: each role's user in that role's group.
    for role in Role:
        api.directory.add(role.value, role.value)
    authorizer = CognitoAuthorizer(POOL, JWKS, now=lambda: NOW.timestamp())
    gateway = staff_gateway(api.app, authorizer)
    return api, Client(gateway)


ROUTES = sorted(ROUTE_ROLES)


def concrete(path: str) -> str:
    return re.sub(r"<[^>]+>", "x", path)


def call(client: Client, method: str, path: str, bearer: str | None) -> Any:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return client.open(concrete(path), method=method, headers=headers)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_no_token_is_401(gated: tuple[StaffApi, Client], method: str, path: str) -> None:
    response = call(gated[1], method, path, None)
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_expired_token_is_401(gated: tuple[StaffApi, Client], method: str, path: str) -> None:
    allowed = [role.value for role in ROUTE_ROLES[(method, path)]]
    assert call(gated[1], method, path, token(allowed, expires_in=-1)).status_code == 401


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_tampered_token_is_401(gated: tuple[StaffApi, Client], method: str, path: str) -> None:
    # A signed-in member of no group adds every group to their token: the signature no longer matches.
    forged = tampered(token([]), **{"cognito:groups": [role.value for role in Role]})
    assert call(gated[1], method, path, forged).status_code == 401
    # Signed with a key that is not the pool's.
    allowed = [role.value for role in ROUTE_ROLES[(method, path)]]
    assert call(gated[1], method, path, token(allowed, key=OTHER_KEY)).status_code == 401


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_token_of_another_app_client_of_the_pool_is_401(
    gated: tuple[StaffApi, Client], method: str, path: str
) -> None:
    # API Gateway's Cognito authorizer accepts an id token of any app client of the pool; the function
    # admits only the staff console's, whatever groups the token carries.
    api = gated[0]
    allowed = [role.value for role in ROUTE_ROLES[(method, path)]]
    for audience in ("another-app-of-the-pool", ""):
        claims = claims_for(allowed, "kim.staff", f"sub-other-{method}{path}", int(NOW.timestamp()))
        bearer = api.authorizer.issue(claims | {"aud": audience})
        response = api.client.open(concrete(path), method=method, headers={"Authorization": bearer})
        assert response.status_code == 401, (audience, response.get_data(as_text=True))
        assert error_code(response) == "unauthorized"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_wrong_group_is_403(gated: tuple[StaffApi, Client], method: str, path: str) -> None:
    allowed = ROUTE_ROLES[(method, path)]
    others = [[role.value] for role in Role if role not in allowed] or [[]]
    for groups in others:
        response = call(gated[1], method, path, token(groups))
        assert response.status_code == 403, groups
        assert error_code(response) == "forbidden"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_right_group_gets_through_and_an_idle_session_does_not(
    gated: tuple[StaffApi, Client], method: str, path: str
) -> None:
    for role in ROUTE_ROLES[(method, path)]:
        response = call(gated[1], method, path, token([role.value], sub=f"sub-{role}-{method}{path}"))
        assert response.status_code not in (401, 403), (role, response.get_data(as_text=True))
    two_hours_ago = int(NOW.timestamp()) - 7200
    role = next(iter(ROUTE_ROLES[(method, path)]))
    idle = token([role.value], auth_time=two_hours_ago, sub=f"sub-idle-{method}{path}")
    assert call(gated[1], method, path, idle).status_code == 401


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://cognito-idp.ap-northeast-2.amazonaws.com/ap-northeast-2_Other"},
        {"aud": "another-client"},
        {"token_use": "access"},
    ],
)
def test_tokens_of_another_pool_client_or_use_are_401(gated: tuple[StaffApi, Client], claims: dict[str, Any]) -> None:
    assert call(gated[1], "GET", "/v1/staff/me", token(["staff"], **claims)).status_code == 401


def test_claims_reach_the_function_as_api_gateway_passes_them() -> None:
    authorizer = CognitoAuthorizer(POOL, JWKS, now=time.time)
    claims = authorizer(f"Bearer {token(['staff', 'auditor'], expires_in=10**9)}")
    assert claims is not None
    assert claims["cognito:groups"] == "staff,auditor"
    assert all(isinstance(value, str) for value in claims.values())
