"""API Gateway's own answers, deployed and emulated: the stacks' gateway responses and local mode's gateway
answer a staff call without a valid token with the same status, body and no-store header, in API.md's
error shape."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from local.gateway import Gateway
from stacks.paths import WEB_DIR
from tests.infra.conftest import Synth, resources


def _deployed_answers(synth: Synth) -> dict[str, dict[str, Any]]:
    api = synth.template("PolicyboundApi")
    return {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in resources(api, "AWS::ApiGateway::GatewayResponse").values()
    }


def _never_called(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise AssertionError("no function runs for a caller the authorizer refuses")


def test_local_mode_refuses_a_staff_call_without_a_token_as_api_gateway_does(synth: Synth) -> None:
    deployed = _deployed_answers(synth)["UNAUTHORIZED"]
    gateway = Gateway(
        _never_called,
        openapi=lambda: "{}",
        site_root=WEB_DIR,
        local_routes={},
        staff_handler=_never_called,
        staff_authorizer=lambda header: None,
    )
    answer = gateway.dispatch(Request(EnvironBuilder(path="/v1/staff/me").get_environ()))
    assert str(answer.status_code) == deployed["StatusCode"] == "401"
    body = json.loads(answer.get_data(as_text=True))
    assert body == json.loads(deployed["ResponseTemplates"]["application/json"])
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "unauthorized"
    header = deployed["ResponseParameters"]["gatewayresponse.header.Cache-Control"]
    assert f"'{answer.headers['Cache-Control']}'" == header


def test_every_gateway_answer_is_in_the_one_error_shape(synth: Synth) -> None:
    for kind, answer in _deployed_answers(synth).items():
        body = json.loads(answer["ResponseTemplates"]["application/json"])
        assert set(body) == {"error"}, kind
        assert set(body["error"]) == {"code", "message", "details"}, kind
        assert body["error"]["details"] == [], kind
