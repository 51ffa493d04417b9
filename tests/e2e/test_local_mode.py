"""The README's promise: `make run`, then a curl POST of a Contact Us form, and nothing readable at rest."""

from __future__ import annotations

import json
import signal
from datetime import datetime

import requests

from policybound import tables
from policybound.domain.core.normalize import normalize_phone
from policybound.policy import POLICY_VERSION
from tests.conftest import VALID_FIELDS, submission
from tests.e2e.conftest import LocalServer, start_local


def scan_everything(server: LocalServer) -> str:
    dynamodb = server.aws("dynamodb")
    items = {name: dynamodb.scan(TableName=name)["Items"] for name in dynamodb.list_tables()["TableNames"]}
    return json.dumps(items, default=lambda b: bytes(b).hex())


def test_banner_says_where_everything_is(local_server: LocalServer) -> None:
    assert local_server.api_url in local_server.banner
    assert f"{local_server.api_url}/openapi.json" in local_server.banner
    assert local_server.moto_url in local_server.banner
    assert "Ctrl-C" in local_server.banner


def test_contact_form_is_stored_for_sixty_months_and_unreadable_at_rest(
    local_server: LocalServer, http: requests.Session
) -> None:
    response = http.post(f"{local_server.api_url}/v1/forms/contact-us", json=submission("contact-us"), timeout=30)
    assert response.status_code == 201, response.text
    receipt = response.json()
    received = datetime.fromisoformat(receipt["received_at"])
    until = datetime.fromisoformat(receipt["retained_until"])
    assert (until.year - received.year) * 12 + (until.month - received.month) == 60
    assert receipt["policy_version"] == POLICY_VERSION

    at_rest = scan_everything(local_server)
    assert receipt["submission_id"] in at_rest
    secrets = [*VALID_FIELDS["contact-us"].values(), normalize_phone(VALID_FIELDS["contact-us"]["contact"])]
    for value in secrets:
        assert value not in at_rest
        assert value.encode().hex() not in at_rest


def test_every_table_of_the_declarations_exists_locally(local_server: LocalServer) -> None:
    names = local_server.aws("dynamodb").list_tables()["TableNames"]
    for spec in tables.TABLES:
        assert any(name.endswith(spec.logical_id.lower()) for name in names)


def test_stored_items_reads_what_a_scan_of_every_table_counts(
    local_server: LocalServer, http: requests.Session
) -> None:
    def counted() -> dict[str, int]:
        answer = http.get(f"{local_server.api_url}/_local/stored-items", timeout=30)
        assert answer.status_code == 200
        return dict(answer.json()["tables"])

    def scanned() -> dict[str, int]:
        dynamodb = local_server.aws("dynamodb")
        names = dynamodb.list_tables()["TableNames"]
        return {name: dynamodb.scan(TableName=name, Select="COUNT")["Count"] for name in names}

    before = counted()
    assert before == scanned()
    response = http.post(f"{local_server.api_url}/v1/forms/contact-us", json=submission("contact-us"), timeout=30)
    assert response.status_code == 201, response.text
    after = counted()
    assert after == scanned()
    assert sum(after.values()) > sum(before.values())
    queues = http.get(f"{local_server.api_url}/_local/stored-items", timeout=30).json()["queues"]
    urls = local_server.aws("sqs").list_queues()["QueueUrls"]
    assert set(queues) == {url.rsplit("/", 1)[-1] for url in urls}


def test_openapi_site_and_policy_are_served(local_server: LocalServer, http: requests.Session) -> None:
    doc = http.get(f"{local_server.api_url}/openapi.json", timeout=30).json()
    assert "/v1/forms/contact-us" in doc["paths"]
    assert http.get(f"{local_server.api_url}/", timeout=30).status_code == 200
    policy = http.get(f"{local_server.api_url}/v1/policy", headers={"Accept-Language": "ko"}, timeout=30).json()
    assert policy["language"] == "ko"


def test_blog_subscription_mail_shows_in_the_local_outbox(local_server: LocalServer, http: requests.Session) -> None:
    response = http.post(
        f"{local_server.api_url}/v1/forms/blog-subscription", json=submission("blog-subscription"), timeout=30
    )
    assert response.status_code == 201
    outbox = http.get(f"{local_server.api_url}/_local/outbox", timeout=30).json()
    mine = [mail for mail in outbox if mail["to"] == [VALID_FIELDS["blog-subscription"]["email"]]]
    assert mine
    assert f"{local_server.api_url}/v1/unsubscribe?token=" in mine[-1]["text"]


def test_refusals_over_http_keep_the_error_shape(local_server: LocalServer, http: requests.Session) -> None:
    response = http.post(
        f"{local_server.api_url}/v1/forms/contact-us",
        data=b"{broken",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_stopping_with_ctrl_c_and_starting_again_works() -> None:
    first = start_local()
    api_port, moto_port = first.api_url.rsplit(":", 1)[1], first.moto_url.rsplit(":", 1)[1]
    assert first.stop() == 0
    second = start_local(int(api_port), int(moto_port))
    try:
        response = requests.post(f"{second.api_url}/v1/forms/contact-us", json=submission("contact-us"), timeout=30)
        assert response.status_code == 201
    finally:
        assert second.stop() == 0


def test_ctrl_c_stops_it_even_when_it_was_started_with_sigint_ignored() -> None:
    """A script or CI job that starts `make run` in the background hands it SIGINT ignored; the
    server still stops on Ctrl-C (and on SIGTERM) rather than running until it is killed."""
    for stop in (signal.SIGINT, signal.SIGTERM):
        started = start_local(sigint_ignored=True)
        started.process.send_signal(stop)
        try:
            assert started.process.wait(timeout=60) == 0
        finally:
            started.process.kill()
