"""Cookie consents and visits through the real DynamoDB adapters, against moto."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import pytest

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.cookies import consent_from_item
from policybound.domain.cookies.consents import CookieConsent
from policybound.domain.core import retention
from policybound.policy import CONSENTABLE_COOKIE_CATEGORIES, POLICY_VERSION
from tests.support.aws import AwsApi

VISITOR_IP = "198.51.100.23"


def post(api: AwsApi, path: str, body: Any, **headers: str) -> Any:
    return api.client.post(
        path,
        data=json.dumps(body),
        headers={"Content-Type": "application/json"} | headers,
        environ_base={"REMOTE_ADDR": VISITOR_IP},
    )


def table(api: AwsApi, spec: tables.TableSpec) -> list[dict[str, Any]]:
    return api.scan_all()[api.tables[spec.env_var]]


def consent(api: AwsApi, choice: str, categories: list[str] | None = None) -> str:
    body: dict[str, Any] = {"choice": choice, "policy_version": POLICY_VERSION}
    if categories is not None:
        body["categories"] = categories
    response = post(api, "/v1/cookie-consents", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.get_json()["consent_id"])


def test_a_consent_is_stored_without_personal_information_and_with_ttl(aws_api: AwsApi) -> None:
    consent_id = consent(aws_api, "all")
    [item] = table(aws_api, tables.COOKIE_CONSENTS)
    assert set(item) == {"consent_id", "choice", "categories", "policy_version", "recorded_at", "expires_at"}
    assert VISITOR_IP not in json.dumps(item)
    stored = consent_from_item(item)
    assert stored.consent_id == consent_id
    assert stored.categories == CONSENTABLE_COOKIE_CATEGORIES
    assert stored.expires_at == retention.retained_until(stored.recorded_at)
    assert int(item[tables.COOKIE_CONSENT_TTL_ATTRIBUTE]["N"]) == retention.epoch_seconds(stored.expires_at)
    ttl = aws_api.dynamodb.describe_time_to_live(TableName=aws_api.tables[tables.COOKIE_CONSENTS.env_var])
    assert ttl["TimeToLiveDescription"]["AttributeName"] == tables.COOKIE_CONSENT_TTL_ATTRIBUTE


def test_visits_are_stored_only_under_a_consent_that_allows_analytics(aws_api: AwsApi) -> None:
    without = [None, consent(aws_api, "none"), consent(aws_api, "selected", ["marketing"])]
    for consent_id in without:
        body = {"page": "/index.html"} | ({"consent_id": consent_id} if consent_id else {})
        assert post(aws_api, "/v1/visits", body).status_code == 204
    assert table(aws_api, tables.VISITS) == []

    allowed = consent(aws_api, "selected", ["analytics"])
    assert post(aws_api, "/v1/visits", {"page": "/policy.html", "consent_id": allowed}).status_code == 204
    [visit] = table(aws_api, tables.VISITS)
    assert codec.plain(visit)["page"] == "/policy.html"
    assert codec.plain(visit)["source_ip"] == "198.51.100.0/24"  # the network only
    assert VISITOR_IP not in str(visit)
    # Kept with the consent it was recorded under, so that withdrawing the consent deletes it.
    assert codec.plain(visit)["consent_id"] == allowed
    visited_at = datetime.fromisoformat(visit["visited_at"]["S"])
    until = retention.retained_until(visited_at)
    assert until.year == visited_at.astimezone(until.tzinfo).year + 5
    assert int(visit[tables.VISIT_TTL_ATTRIBUTE]["N"]) == retention.epoch_seconds(until)


def test_refused_requests_store_nothing(aws_api: AwsApi) -> None:
    refused = [
        ("/v1/cookie-consents", {"choice": "all", "policy_version": "2000-01-01"}, {}),
        ("/v1/cookie-consents", {"choice": "selected", "categories": ["spying"], "policy_version": POLICY_VERSION}, {}),
        (
            "/v1/cookie-consents",
            {"choice": "all", "policy_version": POLICY_VERSION},
            {"Origin": "https://evil.example"},
        ),
        ("/v1/visits", {"page": "/?q=1"}, {}),
    ]
    for path, body, headers in refused:
        assert 400 <= post(aws_api, path, body, **headers).status_code < 500
    assert table(aws_api, tables.COOKIE_CONSENTS) == []
    assert table(aws_api, tables.VISITS) == []


def test_the_visitor_ip_is_never_logged(
    aws_api: AwsApi, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    allowed = consent(aws_api, "all")
    assert post(aws_api, "/v1/visits", {"page": "/", "consent_id": allowed}).status_code == 204
    assert post(aws_api, "/v1/visits", {"page": "/?x", "consent_id": allowed}).status_code == 422
    out, err = capfd.readouterr()
    assert VISITOR_IP not in out + err + caplog.text


def test_withdrawing_a_consent_deletes_its_visits_and_then_the_consent(aws_api: AwsApi) -> None:
    withdrawn, kept = consent(aws_api, "all"), consent(aws_api, "all")
    for page in ("/index.html", "/policy.html", "/rights.html"):
        assert post(aws_api, "/v1/visits", {"page": page, "consent_id": withdrawn}).status_code == 204
    assert post(aws_api, "/v1/visits", {"page": "/index.html", "consent_id": kept}).status_code == 204
    assert len(table(aws_api, tables.VISITS)) == 4

    response = aws_api.client.delete(f"/v1/cookie-consents/{withdrawn}")
    assert response.status_code == 204, response.get_data(as_text=True)
    assert [v["consent_id"]["S"] for v in table(aws_api, tables.VISITS)] == [kept]
    assert [c["consent_id"]["S"] for c in table(aws_api, tables.COOKIE_CONSENTS)] == [kept]
    # Nothing more is recorded under it, and a second withdrawal finds nothing.
    assert post(aws_api, "/v1/visits", {"page": "/index.html", "consent_id": withdrawn}).status_code == 204
    assert len(table(aws_api, tables.VISITS)) == 1
    assert aws_api.client.delete(f"/v1/cookie-consents/{withdrawn}").status_code == 404


def test_a_visit_is_not_written_under_a_consent_withdrawn_since_it_was_read(
    aws_api: AwsApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write itself checks the consent: a withdrawal between the read and the write leaves nothing."""
    consent_id = consent(aws_api, "all")
    store = aws_api.wiring.ports.cookie_consent_store
    real_get = store.get

    def get_then_withdraw(wanted: str) -> CookieConsent | None:
        found = real_get(wanted)
        store.mark_withdrawn(wanted, aws_api.wiring.clock.now())
        return found

    monkeypatch.setattr(store, "get", get_then_withdraw)
    assert post(aws_api, "/v1/visits", {"page": "/index.html", "consent_id": consent_id}).status_code == 204
    assert table(aws_api, tables.VISITS) == []
