"""Staff sign-in in local mode: the user pool, the authorizer in front of /v1/staff/*, and
`POST /_local/staff-token` for the seeded accounts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
from werkzeug.wrappers import Request, Response

from local.cognito import (
    SEED_PASSWORD,
    SEEDED_USERS,
    CognitoAuthorizer,
    StaffPool,
    jwks_of,
    provision_staff_pool,
    sign_in,
)
from local.provision import _client


def _error(status: int, code: str, message: str, field: str | None = None) -> Response:
    details = [{"field": field, "problem": message}] if field else []
    body = {"error": {"code": code, "message": message, "details": details}}
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _fetch_json(url: str) -> dict[str, Any]:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


@dataclass
class StaffAccess:
    cognito: Any
    pool: StaffPool
    authorizer: CognitoAuthorizer

    @classmethod
    def provision(cls, moto_url: str) -> StaffAccess:
        cognito = _client("cognito-idp", moto_url)
        pool = provision_staff_pool(cognito)
        return cls(cognito, pool, CognitoAuthorizer(pool, jwks_of(moto_url, pool, _fetch_json)))

    def token_route(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return _error(400, "invalid_json", "The request body is not valid JSON.")
        username = body.get("username") if isinstance(body, dict) else None
        if username not in SEEDED_USERS:
            return _error(422, "validation_failed", f"must be one of {', '.join(SEEDED_USERS)}", field="username")
        tokens = sign_in(self.cognito, self.pool, username, SEED_PASSWORD)
        return Response(json.dumps({"id_token": tokens["IdToken"]}), mimetype="application/json")
