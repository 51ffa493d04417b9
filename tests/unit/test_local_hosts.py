"""Local mode answers only on its loopback address: a page on a DNS-rebound name (which resolves to
127.0.0.1 but sends its own Host) reaches neither the /_local helpers nor the API's own-origin check."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from local.gateway import Gateway, LocalRoute
from local.server import loopback_hosts

PORT = 3000


def gateway() -> tuple[Client, list[str]]:
    called: list[str] = []

    def helper(request: Request) -> Response:
        called.append(request.path)
        return Response('{"id_token": "secret"}', mimetype="application/json")

    def api(event: dict[str, object], context: object) -> dict[str, object]:
        called.append(str(event["path"]))
        return {"statusCode": 201, "body": "{}"}

    routes: dict[tuple[str, str], LocalRoute] = {
        ("POST", "/_local/staff-token"): helper,
        ("GET", "/_local/outbox"): helper,
    }
    gw = Gateway(api, lambda: "{}", Path(__file__).parent, routes, allowed_hosts=loopback_hosts(PORT))
    return Client(gw), called


@pytest.mark.parametrize("host", ["attacker.example:3000", "127.0.0.1.nip.io:3000", "127.0.0.1:3001", "evil"])
def test_any_other_host_is_refused_before_anything_runs(host: str) -> None:
    client, called = gateway()
    for method, path in [("POST", "/_local/staff-token"), ("GET", "/_local/outbox"), ("POST", "/v1/forms/contact-us")]:
        response = client.open(path, method=method, headers={"Host": host, "Origin": f"http://{host}"})
        assert response.status_code == 403, (host, path)
        assert response.get_json()["error"]["code"] == "forbidden"
    assert called == []


@pytest.mark.parametrize("host", ["127.0.0.1:3000", "localhost:3000", "[::1]:3000"])
def test_the_loopback_address_is_served(host: str) -> None:
    client, called = gateway()
    assert client.get("/_local/outbox", headers={"Host": host}).status_code == 200
    assert called == ["/_local/outbox"]
