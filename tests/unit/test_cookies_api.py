"""Cookie consents, visits and the origin check over in-memory fakes: API.md's statuses, codes and shapes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from werkzeug.test import Client

from policybound.api.dependencies import intake_service
from policybound.domain.cookies.consents import CookieChoice, CookieConsent, CookieConsentRequest, CookieConsentService
from policybound.domain.cookies.visits import VisitRequest, VisitService, VisitSweeper
from policybound.domain.core.clock import FixedClock
from policybound.policy import CONSENTABLE_COOKIE_CATEGORIES, POLICY_VERSION
from tests.conftest import NOW, UnitApi, submission
from tests.support.fakes import FakeCookieConsentStore, FakeVisitStore
from tests.support.gateways import public_client
from tests.support.ports import MovableClock, fake_services
from tests.unit.test_forms_api import assert_error

SITE = "https://www.example.com"


@dataclass
class CookieApi:
    client: Client
    consents: FakeCookieConsentStore
    visits: FakeVisitStore
    clock: FixedClock

    def post(self, path: str, body: Any, **headers: str) -> Any:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(path, data=data, headers={"Content-Type": "application/json"} | headers)

    def consent(self, choice: str, categories: list[str] | None = None, **headers: str) -> Any:
        body: dict[str, Any] = {"choice": choice, "policy_version": POLICY_VERSION}
        if categories is not None:
            body["categories"] = categories
        return self.post("/v1/cookie-consents", body, **headers)


@pytest.fixture
def cookie_api(unit_api: UnitApi) -> CookieApi:
    clock = MovableClock(NOW)
    services = fake_services(clock)
    client = public_client(services, {intake_service: lambda: pytest.fail("intake must not run")})
    return CookieApi(client, services.ports.cookie_consent_store, services.ports.visit_store, clock)


# --- POST /v1/cookie-consents --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "categories", "kept"),
    [
        ("all", None, list(CONSENTABLE_COOKIE_CATEGORIES)),
        ("all", list(reversed(CONSENTABLE_COOKIE_CATEGORIES)), list(CONSENTABLE_COOKIE_CATEGORIES)),
        ("none", None, []),
        ("none", [], []),
        ("selected", ["marketing", "analytics", "marketing"], ["analytics", "marketing"]),
        ("selected", ["analytics"], ["analytics"]),
        ("selected", [], []),
    ],
)
def test_each_choice_is_recorded_with_the_categories_it_means(
    cookie_api: CookieApi, choice: str, categories: list[str] | None, kept: list[str]
) -> None:
    response = cookie_api.consent(choice, categories)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"consent_id", "choice", "categories", "policy_version", "recorded_at"}
    assert body["choice"] == choice
    assert body["categories"] == kept
    assert body["policy_version"] == POLICY_VERSION
    assert body["recorded_at"] == "2026-11-30T14:00:00+09:00"
    stored = cookie_api.consents.consents[body["consent_id"]]
    assert stored.categories == tuple(kept)
    # Kept as long as the visits it may allow: 60 months, in Seoul time.
    assert stored.expires_at.isoformat() == "2031-11-30T14:00:00+09:00"


@pytest.mark.parametrize(
    ("choice", "categories", "problem"),
    [
        ("selected", ["analytics", "tracking"], "unknown categories"),
        ("selected", ["strictly_necessary"], "need no consent"),
        ("all", ["analytics"], "every category"),
        ("none", ["marketing"], "must be empty"),
    ],
)
def test_categories_that_disagree_with_the_choice_are_422(
    cookie_api: CookieApi, choice: str, categories: list[str], problem: str
) -> None:
    error = assert_error(cookie_api.consent(choice, categories), 422, "validation_failed")
    [detail] = error["details"]
    assert detail["field"] == "categories"
    assert problem in detail["problem"]
    assert cookie_api.consents.consents == {}


@pytest.mark.parametrize(
    "body",
    [
        {"choice": "some", "policy_version": POLICY_VERSION},
        {"choice": "all"},
        {"choice": "all", "policy_version": POLICY_VERSION, "tracking": True},
        {"choice": "selected", "categories": "analytics", "policy_version": POLICY_VERSION},
    ],
)
def test_malformed_consents_are_422(cookie_api: CookieApi, body: dict[str, Any]) -> None:
    assert_error(cookie_api.post("/v1/cookie-consents", body), 422, "validation_failed")
    assert cookie_api.consents.consents == {}


def test_outdated_policy_version_is_409_naming_the_current(cookie_api: CookieApi) -> None:
    body = {"choice": "all", "policy_version": "2015-01-01"}
    error = assert_error(cookie_api.post("/v1/cookie-consents", body), 409, "policy_version_outdated")
    assert error["current_version"] == POLICY_VERSION
    assert error["details"] == [{"field": "policy_version", "problem": f"must be '{POLICY_VERSION}'"}]
    assert cookie_api.consents.consents == {}


def test_body_checks_come_first(cookie_api: CookieApi) -> None:
    assert_error(cookie_api.post("/v1/cookie-consents", "{"), 400, "invalid_json")
    assert_error(cookie_api.post("/v1/cookie-consents", "x" * 20_000), 413, "payload_too_large")
    response = cookie_api.client.post("/v1/cookie-consents", data="choice=all", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")
    padded = json.dumps({"choice": "all", "policy_version": POLICY_VERSION, "categories": []}) + " " * 17_000
    assert_error(cookie_api.post("/v1/cookie-consents", padded), 413, "payload_too_large")
    assert cookie_api.consents.consents == {}


def test_store_failure_is_503_with_retry_after(cookie_api: CookieApi) -> None:
    cookie_api.consents.fail = True
    response = cookie_api.consent("all")
    assert_error(response, 503, "unavailable")
    assert response.headers["Retry-After"]


# --- POST /v1/visits ------------------------------------------------------------------------------


def _consent_id(api: CookieApi, choice: str, categories: list[str] | None = None) -> str:
    response = api.consent(choice, categories)
    assert response.status_code == 201
    return str(response.get_json()["consent_id"])


def test_a_visit_is_stored_with_time_page_and_network_when_analytics_is_allowed(cookie_api: CookieApi) -> None:
    consent_id = _consent_id(cookie_api, "selected", ["analytics"])
    response = cookie_api.client.post(
        "/v1/visits",
        json={"page": "/contact-us.html", "consent_id": consent_id},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 204
    assert response.get_data() == b""
    [visit] = cookie_api.visits.visits
    # The network, never the address: an IP address is PI (§1.2) and analytics needs no more.
    assert (visit.page, visit.source_ip, visit.visited_at) == ("/contact-us.html", "203.0.113.0/24", NOW)
    assert "203.0.113.7" not in repr(cookie_api.visits.visits)
    assert visit.expires_at.isoformat() == "2031-11-30T14:00:00+09:00"


@pytest.mark.parametrize(
    "consent",
    [
        None,
        ("none", None),
        ("selected", ["marketing"]),
        ("selected", []),
    ],
)
def test_no_visit_is_stored_without_analytics_consent(
    cookie_api: CookieApi, consent: tuple[str, list[str] | None] | None
) -> None:
    body: dict[str, Any] = {"page": "/index.html"}
    if consent:
        body["consent_id"] = _consent_id(cookie_api, *consent)
    response = cookie_api.post("/v1/visits", body)
    assert response.status_code == 204
    assert cookie_api.visits.visits == []


def test_a_consent_this_server_never_recorded_allows_nothing(cookie_api: CookieApi) -> None:
    body = {"page": "/", "consent_id": "0b6f3f0e-9a54-4d0e-8c1e-1d2f3a4b5c6d"}
    assert cookie_api.post("/v1/visits", body).status_code == 204
    assert cookie_api.visits.visits == []


def test_an_expired_or_outdated_consent_allows_nothing(cookie_api: CookieApi) -> None:
    expired = _consent_id(cookie_api, "all")
    stored = cookie_api.consents.consents[expired]
    cookie_api.clock.at = stored.expires_at + timedelta(seconds=1)
    assert cookie_api.post("/v1/visits", {"page": "/", "consent_id": expired}).status_code == 204
    old = CookieConsent(
        consent_id="11111111-2222-4333-8444-555555555555",
        choice=CookieChoice.ALL,
        categories=CONSENTABLE_COOKIE_CATEGORIES,
        policy_version="2015-01-01",
        recorded_at=NOW,
        expires_at=NOW + timedelta(days=30),
    )
    cookie_api.consents.consents[old.consent_id] = old
    cookie_api.clock.at = NOW
    assert cookie_api.post("/v1/visits", {"page": "/", "consent_id": old.consent_id}).status_code == 204
    assert cookie_api.visits.visits == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"page": "/rights.html?token=secret"}, "page"),
        ({"page": "https://www.example.com/"}, "page"),
        ({"page": "/" + "a" * 600}, "page"),
        ({}, "page"),
        ({"page": "/", "consent_id": "not-an-id"}, "consent_id"),
        ({"page": "/", "ip": "1.2.3.4"}, "ip"),
    ],
)
def test_bad_visits_are_422_and_store_nothing(cookie_api: CookieApi, body: dict[str, Any], field: str) -> None:
    body = body | ({"consent_id": _consent_id(cookie_api, "all")} if "consent_id" not in body else {})
    error = assert_error(cookie_api.post("/v1/visits", body), 422, "validation_failed")
    assert field in [d["field"] for d in error["details"]]
    assert "secret" not in json.dumps(error)
    assert cookie_api.visits.visits == []


# --- Origins --------------------------------------------------------------------------------------


def test_a_page_from_an_origin_not_allowed_is_refused_before_anything_is_stored(
    cookie_api: CookieApi, unit_api: UnitApi
) -> None:
    evil = {"Origin": "https://evil.example"}
    error = assert_error(cookie_api.consent("all", None, **evil), 403, "forbidden")
    assert error["details"] == [{"field": "header.Origin", "problem": "is not allowed"}]
    assert_error(cookie_api.post("/v1/visits", {"page": "/"}, **evil), 403, "forbidden")
    # Judged before the body: a page that may not call the API learns nothing about its request.
    assert_error(cookie_api.post("/v1/cookie-consents", {"choice": 1}, **evil), 403, "forbidden")
    assert_error(cookie_api.post("/v1/cookie-consents", "{", **evil), 403, "forbidden")
    assert_error(cookie_api.client.get("/v1/policy", headers=evil), 403, "forbidden")
    assert cookie_api.consents.consents == {}
    response = unit_api.client.post(
        "/v1/forms/contact-us",
        data=json.dumps(submission("contact-us")),
        headers={"Content-Type": "application/json"} | evil,
    )
    assert_error(response, 403, "forbidden")
    assert unit_api.store.records == {}
    assert "Access-Control-Allow-Origin" not in response.headers


def test_allowed_same_and_absent_origins_pass(cookie_api: CookieApi) -> None:
    allowed = cookie_api.consent("none", Origin=SITE)
    assert allowed.status_code == 201
    assert allowed.headers["Access-Control-Allow-Origin"] == SITE
    assert cookie_api.consent("none", Origin=SITE + "/").status_code == 201
    # The API's own origin (Host and scheme as API Gateway passes them) is never foreign to itself.
    assert cookie_api.consent("none", Origin="http://localhost").status_code == 201
    assert_error(cookie_api.consent("none", Origin="https://localhost"), 403, "forbidden")
    assert cookie_api.consent("none").status_code == 201
    assert_error(cookie_api.consent("none", Origin="null"), 403, "forbidden")


def test_preflight_is_answered_for_allowed_origins_only(cookie_api: CookieApi) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = cookie_api.client.options("/v1/cookie-consents", headers=preflight | {"Origin": SITE})
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == SITE
    refused = cookie_api.client.options("/v1/cookie-consents", headers=preflight | {"Origin": "https://evil.example"})
    assert_error(refused, 403, "forbidden")


def test_openapi_documents_the_cookie_routes(cookie_api: CookieApi) -> None:
    doc = cookie_api.client.get("/openapi.json").get_json()
    consent = doc["paths"]["/v1/cookie-consents"]["post"]
    assert {"201", "400", "403", "409", "413", "415", "422", "503"} <= set(consent["responses"])
    visits = doc["paths"]["/v1/visits"]["post"]
    assert {"204", "403", "422"} <= set(visits["responses"])
    schema = consent["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    request = doc["components"]["schemas"][schema]
    assert set(request["properties"]) == {"choice", "categories", "policy_version"}
    assert request["additionalProperties"] is False


# --- DELETE /v1/cookie-consents/{consent_id} -----------------------------------------------------


def _visit(cookie_api: CookieApi, consent_id: str, page: str = "/index.html") -> None:
    assert cookie_api.post("/v1/visits", {"page": page, "consent_id": consent_id}).status_code == 204


def test_withdrawing_a_consent_deletes_every_visit_under_it_and_the_consent(cookie_api: CookieApi) -> None:
    withdrawn = _consent_id(cookie_api, "all")
    other = _consent_id(cookie_api, "selected", ["analytics"])
    for page in ("/index.html", "/policy.html"):
        _visit(cookie_api, withdrawn, page)
    _visit(cookie_api, other)

    response = cookie_api.client.delete(f"/v1/cookie-consents/{withdrawn}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert [v.consent_id for v in cookie_api.visits.visits] == [other]
    assert set(cookie_api.consents.consents) == {other}
    # Nothing is recorded under it any more, and it cannot be withdrawn twice.
    _visit(cookie_api, withdrawn)
    assert len(cookie_api.visits.visits) == 1
    assert_error(cookie_api.client.delete(f"/v1/cookie-consents/{withdrawn}"), 404, "not_found")


def test_a_withdrawal_that_failed_halfway_is_finished_by_repeating_it(cookie_api: CookieApi) -> None:
    consent_id = _consent_id(cookie_api, "all")
    _visit(cookie_api, consent_id)
    # As if the first attempt stopped after marking the consent withdrawn.
    cookie_api.consents.mark_withdrawn(consent_id, NOW)
    _visit(cookie_api, consent_id)  # refused: the consent is withdrawn
    assert cookie_api.client.delete(f"/v1/cookie-consents/{consent_id}").status_code == 204
    assert cookie_api.visits.visits == []
    assert cookie_api.consents.consents == {}


@pytest.mark.parametrize("consent_id", ["not-a-uuid", "0B6F3F0E-9A54-4D0E-8C1E-1D2F3A4B5C6D", "x" * 300])
def test_withdrawing_a_malformed_id_is_422(cookie_api: CookieApi, consent_id: str) -> None:
    assert_error(cookie_api.client.delete(f"/v1/cookie-consents/{consent_id}"), 422, "validation_failed")


def test_an_unknown_consent_is_404(cookie_api: CookieApi) -> None:
    missing = "0b6f3f0e-9a54-4d0e-8c1e-1d2f3a4b5c6d"
    assert_error(cookie_api.client.delete(f"/v1/cookie-consents/{missing}"), 404, "not_found")


def test_visits_are_destroyed_when_their_retention_ends_by_the_sweep() -> None:
    consents = FakeCookieConsentStore()
    visits = FakeVisitStore(consents)
    clock = FixedClock(NOW)
    consent = CookieConsentService(consents, visits, clock).record(
        CookieConsentRequest(choice=CookieChoice.ALL, policy_version=POLICY_VERSION)
    )
    recorder = VisitService(consents, visits, clock)
    for page in ("/a", "/b", "/c"):
        assert recorder.record(VisitRequest(page=page, consent_id=consent.consent_id), "203.0.113.7")
    later = FixedClock(NOW + timedelta(days=1))
    assert VisitService(consents, visits, later).record(
        VisitRequest(page="/later", consent_id=consent.consent_id), None
    )
    sweeper = VisitSweeper(visits, FixedClock(visits.visits[0].expires_at - timedelta(seconds=1)), ("0",), 2)
    assert sweeper.run() == (0, True)
    sweeper = VisitSweeper(visits, FixedClock(visits.visits[0].expires_at), ("0",), 2)
    assert sweeper.run() == (3, True)
    assert [v.page for v in visits.visits] == ["/later"]
    stopped = VisitSweeper(visits, FixedClock(NOW + timedelta(days=3650)), ("0",), 2)
    assert stopped.run(keep_going=lambda: False) == (0, False)
    assert len(visits.visits) == 1
