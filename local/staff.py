"""Staff sign-in in local mode: the user pool, the authorizer in front of /v1/staff/*, and
`POST /_local/staff-token` for the seeded accounts."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from botocore.exceptions import ClientError
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
from local.gateway import Handler, LambdaContext
from local.provision import moto_client
from policybound.api.errors import error_body
from policybound.domain.core.errors import FieldProblem
from policybound.domain.staff.sign_in import SIGN_IN_FAILED
from policybound.policy import AWS_REGION


def _error(status: int, code: str, message: str, field: str | None = None) -> Response:
    details = [FieldProblem(field, message)] if field else []
    return Response(error_body(code, message, details), status=status, mimetype="application/json")


def _fetch_json(url: str) -> dict[str, Any]:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


@dataclass
class SignInOutcome:
    id_token: str | None = None
    status: int = 200
    code: str = ""
    message: str = ""


def trigger_event(source: str, pool: StaffPool, username: str, attributes: dict[str, str]) -> dict[str, Any]:
    """The event Cognito hands the user pool's sign-in trigger (local mode's, and the tests' on moto)."""
    return {
        "version": "1",
        "triggerSource": source,
        "region": AWS_REGION,
        "userPoolId": pool.pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "local", "clientId": pool.client_id},
        "request": {"userAttributes": attributes, "validationData": {}},
        "response": {},
    }


@dataclass
class StaffAccess:
    cognito: Any
    pool: StaffPool
    authorizer: CognitoAuthorizer
    # The user pool's trigger entry point, set once the entry points may be imported (see build_gateway).
    triggers: Handler | None = None

    @classmethod
    def provision(cls, moto_url: str) -> StaffAccess:
        cognito = moto_client("cognito-idp", moto_url)
        pool = provision_staff_pool(cognito)
        return cls(cognito, pool, CognitoAuthorizer(pool, jwks_of(moto_url, pool, _fetch_json)))

    def _trigger(self, source: str, username: str, attributes: dict[str, str], **request: Any) -> None:
        if self.triggers is not None:
            event = trigger_event(source, self.pool, username, attributes)
            event["request"] |= request
            self.triggers(event, LambdaContext("policybound-staff-sign-in", str(uuid.uuid4())))

    def sign_in(self, username: str, password: str) -> SignInOutcome:
        """As Cognito does with user existence errors prevented: the pre-authentication trigger (for an
        unknown user name too, flagged `userNotFound`), the password check, then the post-authentication
        trigger. An unknown name takes the same steps as a known one and gets the same answers; a locked
        account (the pre-authentication refusal) is answered as a wrong password. Only the
        post-authentication refusal, given to someone whose password was right, says why."""
        try:
            user = self.cognito.admin_get_user(UserPoolId=self.pool.pool_id, Username=username)
        except ClientError:
            user = None
        attributes = {a["Name"]: a["Value"] for a in (user or {}).get("UserAttributes", [])}
        failed = SignInOutcome(status=401, code="unauthorized", message=SIGN_IN_FAILED)
        try:
            self._trigger("PreAuthentication_Authentication", username, attributes, userNotFound=user is None)
        except Exception:  # Cognito refuses the sign-in on any error of the trigger
            return failed
        try:
            tokens = sign_in(self.cognito, self.pool, username, password)
        except ClientError:
            return failed
        try:
            self._trigger("PostAuthentication_Authentication", username, attributes)
        except Exception as refused:  # Cognito turns any trigger error into a refusal with its message
            message = f"PostAuthentication failed with error {str(refused).rstrip('.')}."
            return SignInOutcome(status=403, code="forbidden", message=message)
        return SignInOutcome(id_token=tokens["IdToken"])

    def _answer(self, outcome: SignInOutcome) -> Response:
        if outcome.id_token is None:
            return _error(outcome.status, outcome.code, outcome.message)
        return Response(json.dumps({"id_token": outcome.id_token}), mimetype="application/json")

    def _body(self, request: Request) -> dict[str, Any] | Response:
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return _error(400, "invalid_json", "The request body is not valid JSON.")
        return body if isinstance(body, dict) else _error(422, "validation_failed", "Send a JSON object.")

    def token_route(self, request: Request) -> Response:
        """POST /_local/staff-token {"username"}: a seeded account signs in with its local password."""
        body = self._body(request)
        if isinstance(body, Response):
            return body
        username = body.get("username")
        if username not in SEEDED_USERS:
            return _error(422, "validation_failed", f"must be one of {', '.join(SEEDED_USERS)}", field="username")
        return self._answer(self.sign_in(username, SEED_PASSWORD))

    def sign_in_route(self, request: Request) -> Response:
        """POST /_local/staff-sign-in {"username", "password"}: any account, any password, as a sign-in page would."""
        body = self._body(request)
        if isinstance(body, Response):
            return body
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            return _error(422, "validation_failed", "username and password are required", field="password")
        return self._answer(self.sign_in(username, password))
