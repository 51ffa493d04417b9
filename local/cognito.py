"""Local mode's staff user pool (moto cognito-idp) and a stand-in for API Gateway's Cognito authorizer.

The authorizer verifies an id token the way API Gateway does before any function runs: RS256
signature against the pool's JWKS, issuer, audience (the app client), expiry and `token_use`. It then
hands the function the token's claims as strings, as the REST API's authorizer does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from policybound.policy import AWS_REGION

POOL_NAME = "policybound-local-staff"
CLIENT_NAME = "policybound-local-staff-console"
PASSWORD_CHANGED_ATTRIBUTE = "custom:password_changed_at"  # noqa: S105 - an attribute name
# Local only, never a real secret: the seeded accounts of `make run`.
SEED_PASSWORD = "Local-Staff-Passw0rd!"  # noqa: S105
SEEDED_USERS: dict[str, str] = {"manager": "pi_manager", "staff": "staff", "auditor": "auditor"}
GROUPS: dict[str, str] = {
    "pi_manager": "Personal information manager: grants access, legal holds, disclosures, breach response",
    "staff": "Personal information handlers: answer inquiries, send blog letters and marketing",
    "auditor": "Auditors: read the ledger, access records and reviews",
}


@dataclass(frozen=True)
class StaffPool:
    pool_id: str
    client_id: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{AWS_REGION}.amazonaws.com/{self.pool_id}"


def _find_pool(cognito: Any) -> str | None:
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    return next((pool["Id"] for pool in pools if pool["Name"] == POOL_NAME), None)


def provision_staff_pool(cognito: Any, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> StaffPool:
    """The pool, its groups, one app client and the seeded users; reused if it exists already."""
    pool_id = _find_pool(cognito)
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=POOL_NAME,
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 12,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "TemporaryPasswordValidityDays": 1,
                }
            },
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
            Schema=[{"Name": "password_changed_at", "AttributeDataType": "String", "Mutable": True}],
        )["UserPool"]["Id"]
        for group, description in GROUPS.items():
            cognito.create_group(UserPoolId=pool_id, GroupName=group, Description=description)
        cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=CLIENT_NAME,
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        for username, group in SEEDED_USERS.items():
            cognito.admin_create_user(
                UserPoolId=pool_id,
                Username=username,
                MessageAction="SUPPRESS",
                UserAttributes=[{"Name": PASSWORD_CHANGED_ATTRIBUTE, "Value": now().isoformat()}],
            )
            cognito.admin_set_user_password(
                UserPoolId=pool_id, Username=username, Password=SEED_PASSWORD, Permanent=True
            )
            cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next(client["ClientId"] for client in clients if client["ClientName"] == CLIENT_NAME)
    return StaffPool(pool_id, client_id)


def sign_in(cognito: Any, pool: StaffPool, username: str, password: str) -> dict[str, Any]:
    """Cognito's AdminInitiateAuth result: id, access and refresh tokens."""
    result: dict[str, Any] = cognito.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )["AuthenticationResult"]
    return result


def _claim_text(name: str, value: Any) -> str:
    # The REST authorizer hands every claim over as a string: lists comma-joined, times as dates.
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if name in ("exp", "iat") and isinstance(value, int):
        return datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    return str(value)


class CognitoAuthorizer:
    """Verifies `Authorization` headers; returns the claims API Gateway would pass, or None (401)."""

    def __init__(self, pool: StaffPool, jwks: dict[str, Any], now: Callable[[], float] = time.time) -> None:
        self._pool = pool
        self._keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        self._now = now

    def __call__(self, authorization: str | None) -> dict[str, str] | None:
        token = (authorization or "").strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        if not token:
            return None
        try:
            decoded = jwt.decode(token, self._keys, algorithms=["RS256"])
            jwt.JWTClaimsRegistry(
                now=int(self._now()),
                iss={"essential": True, "value": self._pool.issuer},
                aud={"essential": True, "value": self._pool.client_id},
                exp={"essential": True},
                sub={"essential": True},
                token_use={"essential": True, "value": "id"},
            ).validate(decoded.claims)
        except (JoseError, ValueError):
            return None
        return {name: _claim_text(name, value) for name, value in decoded.claims.items()}


def jwks_of(moto_url: str, pool: StaffPool, get: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The pool's public keys from moto's JWKS endpoint, as API Gateway reads them from Cognito."""
    return get(f"{moto_url}/{pool.pool_id}/.well-known/jwks.json")


def groups_of(cognito: Any, pool: StaffPool, username: str) -> Iterable[str]:
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool.pool_id, Username=username)["Groups"]
    return [group["GroupName"] for group in groups]
