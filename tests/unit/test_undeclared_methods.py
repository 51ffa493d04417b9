"""A public path answers a method it does not take with 405 and the methods it does take (RFC 9110
§15.5.6), in the API's error shape; a path the API does not have stays 404."""

from __future__ import annotations

import json
import re

import pytest

from policybound.api.public.app import create_app, openapi_json
from tests.conftest import UnitApi

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE")
DOCUMENT = json.loads(openapi_json(create_app()))
PATHS = {
    path: {method.upper() for method in item if method.upper() in METHODS} for path, item in DOCUMENT["paths"].items()
}


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", "00000000-0000-4000-8000-000000000000", path)


@pytest.mark.parametrize("path", sorted(PATHS))
def test_a_method_a_path_does_not_take_is_405_naming_those_it_takes(unit_api: UnitApi, path: str) -> None:
    declared = PATHS[path]
    assert declared
    for method in sorted(set(METHODS) - declared):
        response = unit_api.client.open(concrete(path), method=method)
        assert response.status_code == 405, (method, path)
        assert set(response.headers["Allow"].split(", ")) == declared
        assert response.get_json()["error"]["code"] == "method_not_allowed"
        assert response.headers["Cache-Control"] == "no-store"


def test_a_path_the_api_does_not_have_is_404(unit_api: UnitApi) -> None:
    for method in METHODS:
        response = unit_api.client.open("/v1/nothing-here", method=method)
        assert response.status_code == 404
        assert "Allow" not in response.headers
