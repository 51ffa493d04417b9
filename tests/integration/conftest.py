from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from policybound.domain.core.clock import FixedClock
from policybound.settings import settings_from
from policybound.wiring import Wiring
from tests.conftest import NOW
from tests.support.aws import AwsApi, MotoAccount, moto_account
from tests.support.gateways import public_client


@pytest.fixture(scope="module", name="moto_account")
def moto_account_fixture() -> Iterator[MotoAccount]:
    """One moto account per module: started, and its keys, buckets and mail identity made, once."""
    yield from moto_account()


@pytest.fixture
def moto_aws(moto_account: MotoAccount, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This test's own tables and queues in the module's moto account, its outbox empty; the app
    environment pointing at them (also set in os.environ), as local mode gives it to the functions."""
    app_env = moto_account.environment_for_a_test("https://api.example.com")
    for name, value in app_env.items():
        monkeypatch.setenv(name, value)
    return app_env


@pytest.fixture
def aws_api(moto_aws: dict[str, str]) -> AwsApi:
    """The real wiring (boto3 adapters, Powertools idempotency) against moto, with a fixed clock."""
    wiring = Wiring(settings_from(os.environ), clock=FixedClock(NOW))
    table_names = {key: value for key, value in moto_aws.items() if key.endswith("_TABLE")}
    return AwsApi(public_client(wiring), wiring, wiring.ports.dynamodb, table_names)
