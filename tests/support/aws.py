"""One moto account per test module, and a fresh set of tables and queues in it for every test.

Starting moto and making the KMS keys and buckets once per module, while each test gets its own
table prefix (tables are cheap in moto) and a fresh mail service and user pools, keeps tests as
isolated as one account each: no test sees another's items, queue messages, mail or staff users.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
import pytest
from werkzeug.test import Client

from local.cognito import StaffPool, provision_staff_pool
from local.environment import MAIL_SENDER, app_environment, aws_environment
from local.provision import provision_account, provision_queues, provision_tables
from policybound import tables
from policybound.adapters import codec
from policybound.domain.core.clock import FixedClock
from policybound.policy import AWS_REGION
from policybound.settings import environment_name, settings_from
from policybound.wiring import Wiring
from tests.conftest import NOW
from tests.support.gateways import public_app, staff_app, staff_gateway
from tests.support.staff import FakeAuthorizer, StaffClient

_prefixes = itertools.count(1)
# Services whose state tests change account-wide (mail accepted or an identity deleted, pools and their
# users): each test starts them afresh.
RESET_PER_TEST = ("ses", "cognito-idp")


@dataclass
class MotoAccount:
    """An in-process moto account with local mode's keys, buckets and mail identity."""

    clients: dict[str, Any]
    key_ids: dict[str, str]

    def environment_for_a_test(self, public_base_url: str) -> dict[str, str]:
        """Tables and queues of their own for one test (as local mode makes them), mail and user pools
        afresh; the app environment that points at them."""
        from moto.backends import get_backend
        from moto.core.models import DEFAULT_ACCOUNT_ID

        for service in RESET_PER_TEST:
            get_backend(service)[DEFAULT_ACCOUNT_ID][AWS_REGION].reset()  # type: ignore[call-overload]
        self.clients["ses"].verify_email_identity(EmailAddress=MAIL_SENDER)
        prefix = f"policybound-t{next(_prefixes)}-"
        provision_tables(self.clients["dynamodb"], prefix)
        queues = provision_queues(self.clients["sqs"], prefix)
        return app_environment(self.key_ids | queues, public_base_url, prefix)


def item_key(spec: tables.TableSpec, value: str) -> dict[str, Any]:
    """The DynamoDB key of a table's item (the tables with a record's key are keyed by it alone)."""
    return codec.item({spec.partition.name: value})


def moto_account() -> Iterator[MotoAccount]:
    """Body of the module-scoped fixture: AWS environment and moto active for the whole module."""
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as patch:
        env = aws_environment()
        env.pop("AWS_ENDPOINT_URL")
        for name, value in env.items():
            patch.setenv(name, value)
        with mock_aws():
            clients = {n: boto3.client(n, region_name=AWS_REGION) for n in ("dynamodb", "kms", "ses", "s3", "sqs")}
            yield MotoAccount(clients, provision_account(clients["kms"], clients["ses"], clients["s3"]))


def staff_pool(monkeypatch: pytest.MonkeyPatch) -> StaffPool:
    """Local mode's staff user pool in this test's account, named to the staff gate, which asks it for
    each caller's current groups."""
    pool = provision_staff_pool(boto3.client("cognito-idp", region_name=AWS_REGION), now=lambda: NOW)
    monkeypatch.setenv(environment_name("staff_user_pool_id"), pool.pool_id)
    return pool


@dataclass
class AwsApi:
    client: Client
    wiring: Wiring
    dynamodb: Any
    tables: dict[str, str]

    def scan_all(self) -> dict[str, list[dict[str, Any]]]:
        return {name: self.dynamodb.scan(TableName=name)["Items"] for name in self.tables.values()}


@dataclass
class StaffOnAws(StaffClient):
    """Both APIs over one wiring on moto; staff calls go through a stand-in for the Cognito authorizer."""

    public: Client
    wiring: Wiring

    def post_form(self, form: str, body: dict[str, Any]) -> str:
        """Submit `body` to the form as a visitor would; the stored submission's id."""
        response = self.public.post(
            f"/v1/forms/{form}", data=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        return str(json.loads(response.get_data(as_text=True))["submission_id"])


T = TypeVar("T", bound=StaffOnAws)


def staff_on_aws(monkeypatch: pytest.MonkeyPatch, kind: type[T], **extra: Any) -> T:
    """`kind` over this test's tables, local mode's staff pool, and a clock standing at NOW."""
    staff_pool(monkeypatch)
    clock = FixedClock(NOW)
    wiring = Wiring(settings_from(os.environ), clock=clock)
    staff, authorizer = staff_app(wiring), FakeAuthorizer()
    gateway = staff_gateway(staff, authorizer, public_app(wiring))
    return kind(Client(gateway), staff, authorizer, clock, Client(gateway), wiring, **extra)
