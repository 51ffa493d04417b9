"""Calling the staff API in unit tests as API Gateway would: events carrying Cognito authorizer claims.

`StaffApi.as_role(Role.STAFF).get(path)` sends a request through local mode's gateway with a token
that a test authorizer maps to claims shaped as the REST API's Cognito authorizer passes them.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from werkzeug.test import Client, TestResponse

from policybound.api import dependencies
from policybound.api.staff.auth import Role
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.ledger import LedgerEntry, LedgerKind
from policybound.domain.core.model import RequestOrigin
from policybound.domain.intake.service import ConsentGiven, IntakeService
from policybound.domain.rights.request_model import Channel, IdentityCheck, RightsRequest, due_on
from policybound.domain.rights.service import RightsKind
from policybound.policy import AWS_REGION, FORMS, POLICY_VERSION, FormId
from policybound.services import Services
from policybound.settings import environment_name
from tests.support.fakes import FakeBlindIndex, FakeLedger, FakeLegalHoldStore, FakeMailer, FakeStore
from tests.support.gateways import TEST_APP_CLIENT, staff_app, staff_gateway
from tests.support.ports import FakePorts, MovableClock, fake_services
from tests.support.rights_fakes import FakeRightsRequestStore
from tests.support.staff_fakes import FakeDirectory, FakeFormIndex, FakeIncidentStore, FakeSessionStore

SOURCE_IP = "127.0.0.1"


def claims_for(
    roles: Iterable[Role | str], username: str = "kim.staff", user_id: str | None = None, auth_time: int = 1796014800
) -> dict[str, str]:
    """Claims as API Gateway's REST Cognito authorizer passes them: all strings, groups comma-joined."""
    return {
        "sub": user_id or f"sub-{username}",
        "cognito:username": username,
        "cognito:groups": ",".join(str(role) for role in roles),
        "token_use": "id",
        "iss": "https://cognito-idp.ap-northeast-2.amazonaws.com/ap-northeast-2_Test",
        "aud": TEST_APP_CLIENT,
        "auth_time": str(auth_time),
        "exp": "Mon Nov 30 06:00:00 UTC 2026",
    }


def enrol_in_pool(cognito: Any, pool_id: str, username: str, groups: list[str]) -> None:
    """A user of the (moto) user pool in these groups, unless the pool has them already."""
    try:
        cognito.admin_get_user(UserPoolId=pool_id, Username=username)
        return
    except cognito.exceptions.UserNotFoundException:
        pass
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


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
    clock: FixedClock

    def as_role(
        self, *roles: Role | str, username: str | None = None, user_id: str | None = None, auth_time: int | None = None
    ) -> StaffCaller:
        """A caller in the given groups (none: signed in but in no group), signed in now unless told."""
        name = username or (f"{roles[0]}.user" if roles else "nobody")
        self.enrol(name, [str(role) for role in roles])
        signed_in = auth_time if auth_time is not None else int(self.clock.now().timestamp())
        token = self.authorizer.issue(claims_for(roles, name, user_id, signed_in))
        return StaffCaller(self.client, {"Authorization": token})

    def enrol(self, username: str, groups: list[str]) -> None:
        """Make the caller a member of the pool the staff gate asks (the fakes' directory, or moto's user
        pool), in the token's groups, unless a test put them there already: then the pool's groups are
        the test's to say, as an administrator's would be."""
        provider = self.app.dependency_overrides.get(dependencies.staff_directory)
        if provider is None:
            return
        directory = provider()
        if isinstance(directory, FakeDirectory):
            if directory.user(username) is None:
                directory.add(username, *groups)
            return
        # A client of its own, so that recording wirings see only the calls the API made.
        enrol_in_pool(
            boto3.client("cognito-idp", region_name=AWS_REGION),
            os.environ[environment_name("staff_user_pool_id")],
            username,
            groups,
        )

    @property
    def anonymous(self) -> StaffCaller:
        return StaffCaller(self.client, {})


@dataclass
class StaffApi(StaffClient):
    """The staff app over fakes: records go in through the real intake service, sealed as in production."""

    clock: MovableClock

    store: FakeStore
    ledger: FakeLedger
    mailer: FakeMailer
    directory: FakeDirectory
    incidents: FakeIncidentStore
    sessions: FakeSessionStore
    index: FakeFormIndex
    intake: IntakeService
    blind_index: FakeBlindIndex
    requests: FakeRightsRequestStore
    holds: FakeLegalHoldStore
    # The services the routes use, built by the production builder over the fakes above.
    services: Services[FakePorts]

    def submit(self, form: str, fields: dict[str, str], optional: bool = True, marketing: bool = False) -> str:
        """Store a submission as the public API would, one microsecond after the previous one."""
        self.clock.at += timedelta(microseconds=1)
        policy = FORMS[FormId(form)]
        present = {k: v for k, v in fields.items() if v is not None}
        receipt = self.intake.submit(
            policy,
            present,
            ConsentGiven(required=True, optional=optional, policy_version=POLICY_VERSION, marketing=marketing),
            RequestOrigin(source_ip="198.51.100.7", user_agent="pytest"),
        )
        return receipt.submission_id

    def open_rights_request(self, email: str, submission_ids: Iterable[str] = ()) -> str:
        """An open rights request of the person with this address, as the PI manager records one."""
        now = self.clock.now()
        request = RightsRequest(
            request_id=f"rr-{len(self.requests.requests) + 1}",
            channel=Channel.PHONE,
            kind=RightsKind.ACCESS,
            identity_verification=IdentityCheck.PHONE_CALLBACK,
            subject=self.blind_index.subject_of(email),
            submission_ids=tuple(submission_ids),
            received_at=now,
            due_on=due_on(now),
            recorded_by="sub-manager",
            keep_until=now + timedelta(days=3 * 365),
        )
        self.requests.requests[request.request_id] = request
        return request.request_id

    def access_records(self) -> list[LedgerEntry]:
        return list(self.ledger.chains.get(LedgerKind.ACCESS, []))


def build_staff_api(now: datetime) -> StaffApi:
    clock = MovableClock(now)
    services = fake_services(clock)
    ports = services.ports
    app = staff_app(services)
    authorizer = FakeAuthorizer()
    client = Client(staff_gateway(app, authorizer))
    return StaffApi(
        client,
        app,
        authorizer,
        clock,
        store=ports.store,
        ledger=ports.ledger,
        mailer=ports.mailer,
        directory=ports.staff_directory,
        incidents=ports.incident_store,
        sessions=ports.session_store,
        index=ports.form_index,
        intake=services.intake,
        blind_index=ports.blind_index,
        requests=ports.rights_request_store,
        holds=ports.legal_hold_store,
        services=services,
    )


def staff_pool_environment(pool_id: str, app_client_id: str) -> dict[str, str]:
    """The staff API's user-pool settings under their variables, as the stack or local mode sets them."""
    return {environment_name("staff_user_pool_id"): pool_id, environment_name("staff_app_client_ids"): app_client_id}


def incident_body(discovered: datetime, **overrides: object) -> dict[str, object]:
    """A body for POST /v1/staff/incidents: a stolen laptop's leak, changed by `overrides`."""
    return {
        "category": "leak",
        "discovered_at": discovered.isoformat(),
        "reference": "INC-2026-007",
        "summary": "A staff laptop with an exported list was stolen.",
        "measures": "The account was locked and the list's records are watched.",
    } | overrides


def json_of(response: TestResponse) -> Any:
    return json.loads(response.get_data(as_text=True))


def error_code(response: TestResponse) -> str:
    return str(json_of(response)["error"]["code"])
