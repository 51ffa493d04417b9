"""The functions start and answer as deployed: the synthesized code and layer assets from cdk.out, each
handler in a fresh interpreter of the runtime's Python that has nothing but the runtime's boto3, with the
environment the template gives it, against a moto server standing in for AWS.

This is what catches a layer that lacks a library or carries another version of it (with Powertools
3.35.0 a failing dependency skips the error handlers: `GET /v1/rights/records` without a session answers
500, not 401), missing time-zone data, and bytecode a cold start would have to compile again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from local.cognito import (
    PASSWORD_CHANGED_ATTRIBUTE,
    SEED_PASSWORD,
    CognitoAuthorizer,
    jwks_of,
    provision_staff_pool,
    sign_in,
)
from local.environment import aws_environment
from local.gateway import proxy_event
from local.provision import moto_client, provision
from policybound.adapters import codec
from policybound.policy import AWS_REGION, POLICY_VERSION
from policybound.settings import environment_name
from stacks.paths import LAMBDA_REQUIREMENTS
from tests.conftest import VALID_FIELDS
from tests.infra.conftest import Synth
from tests.support.staff import staff_pool_environment
from tools.lambda_runtime import DeployedFunction, StartedFunction, deployed_functions, resolve_environment

ORIGIN_HEADERS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def functions(synth: Synth) -> dict[str, DeployedFunction]:
    return deployed_functions(synth.outdir)


@pytest.fixture(scope="module")
def account(moto_url: str, functions: dict[str, DeployedFunction]) -> dict[str, Any]:
    """Tables, keys, the sender identity and the staff pool in moto; the values the template references."""
    from local.environment import app_environment

    key_ids = provision(moto_url)
    senders = {f.environment.get(environment_name("mail_sender")) for f in functions.values()} - {None}
    for sender in senders:
        assert isinstance(sender, str)
        moto_client("ses", moto_url).verify_email_identity(EmailAddress=sender)
    cognito = moto_client("cognito-idp", moto_url)
    pool = provision_staff_pool(cognito)
    references = app_environment(key_ids) | staff_pool_environment(pool.pool_id, pool.client_id)
    return {"references": references, "cognito": cognito, "pool": pool}


def start(function: DeployedFunction, account: dict[str, Any], moto_url: str) -> StartedFunction:
    environment = resolve_environment(function, account["references"])
    # The only additions to the template's environment: where AWS is, and credentials (Lambda's role).
    environment |= aws_environment(moto_url)
    return StartedFunction(function, environment)


def started_fixture(name: str) -> Any:
    """A module fixture: the function the stacks declare as `name`, started once as Lambda would."""

    @pytest.fixture(scope="module")
    def started_function(
        functions: dict[str, DeployedFunction], account: dict[str, Any], moto_url: str
    ) -> Iterator[StartedFunction]:
        with start(functions[name], account, moto_url) as started:
            yield started

    return started_function


public_api = started_fixture("PublicApi")
staff_api = started_fixture("StaffApi")


def api_event(
    method: str, path: str, *, json_body: Any = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    builder = EnvironBuilder(
        method=method,
        path=path.split("?")[0],
        query_string=path.partition("?")[2],
        json=json_body,
        headers=list((ORIGIN_HEADERS | (headers or {})).items()),
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    return proxy_event(Request(builder.get_environ()))


def answer(function: StartedFunction, event: dict[str, Any]) -> tuple[int, Any]:
    outcome = function.invoke(event)
    assert "error" not in outcome, f"{outcome.get('traceback')}\n{function.output[-3000:]}"
    assert outcome["compiled"] == [], "an invocation compiled modules that should have shipped as bytecode"
    result = outcome["result"]
    body = result.get("body") or ""
    return result["statusCode"], json.loads(body) if body.startswith(("{", "[")) else body


def pins() -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in LAMBDA_REQUIREMENTS.read_text().splitlines())
    return dict(line.split("==") for line in lines if line)


@pytest.mark.parametrize("name", ["PublicApi", "StaffApi", "Sweeper", "TtlBackstop", "StaffSignIn"])
def test_every_function_starts_from_its_assets_on_the_runtime_python_compiling_nothing(
    name: str, functions: dict[str, DeployedFunction], account: dict[str, Any], moto_url: str
) -> None:
    function = functions[name]
    assert function.runtime == "python3.13"
    with start(function, account, moto_url) as started:
        assert started.python[:2] == [3, 13]
        assert started.compiled_at_start == [], "a cold start compiled modules from source"
        layer = str(function.layers[0])
        powertools = started.libraries["aws_lambda_powertools"]
        assert powertools["file"].startswith(layer)
        assert started.libraries["pydantic"]["file"].startswith(layer)
        assert started.libraries["pydantic"]["version"] == pins()["pydantic"]
        # boto3 is the runtime's, never shipped.
        assert not started.libraries["boto3"]["file"].startswith(layer)
        assert not started.libraries["boto3"]["file"].startswith(str(function.code))


def test_public_api_answers_as_tested(public_api: StartedFunction) -> None:
    status, policy = answer(public_api, api_event("GET", "/v1/policy"))
    assert status == 200
    assert policy["version"] == POLICY_VERSION
    # Powertools 3.35.0 answered 500 here: the failing session dependency never reached the error handlers.
    status, error = answer(public_api, api_event("GET", "/v1/rights/records"))
    assert status == 401
    assert error["error"]["code"] == "unauthorized"
    status, error = answer(public_api, api_event("POST", "/v1/forms/contact-us", json_body={"fields": {}}))
    assert status == 422
    assert error["error"]["code"] == "validation_failed"


def test_public_api_stores_a_submission_with_its_seoul_retention(public_api: StartedFunction) -> None:
    body = {
        "fields": VALID_FIELDS["contact-us"],
        "consent": {"required": True, "optional": False, "policy_version": POLICY_VERSION},
    }
    status, receipt = answer(public_api, api_event("POST", "/v1/forms/contact-us", json_body=body))
    assert status == 201, receipt
    # Computed in Asia/Seoul from the layer's tzdata (the runtime has no system time-zone database).
    assert receipt["retained_until"].endswith("+09:00")


def test_staff_api_answers_a_signed_in_manager_and_refuses_without_claims(
    staff_api: StartedFunction, public_api: StartedFunction, account: dict[str, Any], moto_url: str
) -> None:
    pool = account["pool"]
    tokens = sign_in(account["cognito"], pool, "manager", SEED_PASSWORD)
    jwks = jwks_of(moto_url, pool, lambda url: requests.get(url, timeout=10).json())
    claims = CognitoAuthorizer(pool, jwks)(f"Bearer {tokens['IdToken']}")
    assert claims is not None
    event = api_event("GET", "/v1/staff/submissions?form=contact-us&purpose=inquiry_response")
    event["requestContext"]["authorizer"] = {"claims": claims}
    status, listing = answer(staff_api, event)
    assert status == 200, listing
    status, error = answer(staff_api, api_event("GET", "/v1/staff/submissions?form=contact-us"))
    assert status == 401
    assert error["error"]["code"] == "unauthorized"


def test_background_functions_run_their_events(
    functions: dict[str, DeployedFunction], account: dict[str, Any], moto_url: str
) -> None:
    with start(functions["Sweeper"], account, moto_url) as sweeper:
        outcome = sweeper.invoke({}, remaining_ms=300_000)
        assert outcome.get("result", {}).get("complete") is True, outcome
    with start(functions["TtlBackstop"], account, moto_url) as backstop:
        # A removal by a function's role (not TTL's): ignored, nothing failed.
        removal = {
            "eventID": "1",
            "eventName": "REMOVE",
            "eventSource": "aws:dynamodb",
            "awsRegion": AWS_REGION,
            "dynamodb": {"Keys": codec.item({"pk": "x"}), "SequenceNumber": "1", "StreamViewType": "OLD_IMAGE"},
        }
        outcome = backstop.invoke({"Records": [removal]})
        assert outcome.get("result") == {"batchItemFailures": []}, outcome
    with start(functions["StaffSignIn"], account, moto_url) as sign_in_trigger:
        event = {
            "version": "1",
            "triggerSource": "PostAuthentication_Authentication",
            "region": AWS_REGION,
            "userPoolId": account["pool"].pool_id,
            "userName": "manager",
            # A sign-in that succeeded with a password changed just now: its tries are given back.
            "request": {"userAttributes": {PASSWORD_CHANGED_ATTRIBUTE: datetime.now(UTC).isoformat()}},
            "response": {},
        }
        outcome = sign_in_trigger.invoke(event)
        assert outcome.get("result") == event, outcome


def test_the_assets_are_the_synthesized_ones(functions: dict[str, DeployedFunction], synth: Synth) -> None:
    for function in functions.values():
        for root in (function.code, *function.layers):
            assert Path(root).is_relative_to(synth.outdir)
            assert Path(root).name.startswith("asset.")
