"""Cookie consent withdrawal in local mode, over HTTP: the visits recorded under a consent are gone
from the local AWS endpoint's visits table once the consent is withdrawn, and the others stay."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from local.environment import table_name
from policybound import tables
from policybound.adapters import codec
from policybound.policy import POLICY_VERSION
from tests.e2e.conftest import LocalServer

pytestmark = pytest.mark.e2e


def consent(server: LocalServer, http: requests.Session) -> str:
    body = {"choice": "all", "policy_version": POLICY_VERSION}
    response = http.post(f"{server.api_url}/v1/cookie-consents", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return str(response.json()["consent_id"])


def visit(server: LocalServer, http: requests.Session, consent_id: str, page: str) -> None:
    response = http.post(f"{server.api_url}/v1/visits", json={"page": page, "consent_id": consent_id}, timeout=30)
    assert response.status_code == 204, response.text


def visits_of(server: LocalServer, consent_id: str) -> list[dict[str, Any]]:
    dynamodb = server.aws("dynamodb")
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table_name(tables.VISITS)):
        items += [item for item in page["Items"] if item.get("consent_id", {}).get("S") == consent_id]
    return items


def test_visits_recorded_under_a_consent_are_gone_after_its_withdrawal(
    local_server: LocalServer, http: requests.Session
) -> None:
    withdrawn, kept = consent(local_server, http), consent(local_server, http)
    for page in ("/index.html", "/policy.html", "/rights.html"):
        visit(local_server, http, withdrawn, page)
    visit(local_server, http, kept, "/index.html")
    assert len(visits_of(local_server, withdrawn)) == 3

    response = http.delete(f"{local_server.api_url}/v1/cookie-consents/{withdrawn}", timeout=30)
    assert response.status_code == 204, response.text
    assert visits_of(local_server, withdrawn) == []
    assert len(visits_of(local_server, kept)) == 1
    consents = local_server.aws("dynamodb").get_item(
        TableName=table_name(tables.COOKIE_CONSENTS), Key=codec.item({"consent_id": withdrawn})
    )
    assert "Item" not in consents

    visit(local_server, http, withdrawn, "/index.html")  # answered 204, stored nowhere
    assert visits_of(local_server, withdrawn) == []
    again = http.delete(f"{local_server.api_url}/v1/cookie-consents/{withdrawn}", timeout=30)
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "not_found"
