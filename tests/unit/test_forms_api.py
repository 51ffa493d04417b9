"""The form routes over in-memory fakes: statuses, codes and error shapes of API.md."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policybound.api.http import MAX_BODY_BYTES
from policybound.policy import FORMS, POLICY_VERSION, FormId
from tests.conftest import VALID_FIELDS, UnitApi, submission


def post(api: UnitApi, form: str, body: Any, **headers: str) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    all_headers = {"Content-Type": "application/json"} | headers
    return api.client.post(f"/v1/forms/{form}", data=data, headers=all_headers)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert len(error["message"]) > 10
    assert isinstance(error["details"], list)
    for detail in error["details"]:
        assert set(detail) == {"field", "problem"}
    return error


@pytest.mark.parametrize("form", [f.value for f in FormId])
def test_each_form_is_accepted_with_a_receipt(unit_api: UnitApi, form: str) -> None:
    response = post(unit_api, form, submission(form, optional=True))
    assert response.status_code == 201, response.get_data(as_text=True)
    receipt = response.get_json()
    policy = FORMS[FormId(form)]
    assert receipt["form"] == form
    assert receipt["policy_version"] == POLICY_VERSION
    # Without consent.marketing a download is kept for delivering the resource only.
    assert receipt["purposes"] == [p.value for p in policy.purposes if p.value != "email_marketing"]
    assert receipt["items_collected"] == list(policy.items)
    assert receipt["items_dropped"] == []
    assert receipt["received_at"] == "2026-11-30T14:00:00+09:00"
    assert receipt["retained_until"] == "2031-11-30T14:00:00+09:00"
    assert receipt["submission_id"] in unit_api.store.records


def test_optional_items_without_consent_are_listed_as_dropped(unit_api: UnitApi) -> None:
    response = post(unit_api, "blog-subscription", submission("blog-subscription", optional=False))
    assert response.status_code == 201
    assert response.get_json()["items_dropped"] == ["interests"]
    assert "interests" not in response.get_json()["items_collected"]


@pytest.mark.parametrize("required", [False, None])
def test_withheld_consent_is_422_and_stores_nothing(unit_api: UnitApi, required: Any) -> None:
    body = submission("contact-us", required=required)
    if required is None:
        del body["consent"]["required"]
    assert_error(post(unit_api, "contact-us", body), 422, "required_consent_withheld")
    assert unit_api.store.records == {}


def test_outdated_policy_version_is_409_naming_the_current(unit_api: UnitApi) -> None:
    body = submission("contact-us")
    body["consent"]["policy_version"] = "2015-01-01"
    error = assert_error(post(unit_api, "contact-us", body), 409, "policy_version_outdated")
    assert error["current_version"] == POLICY_VERSION
    assert error["details"] == [{"field": "consent.policy_version", "problem": f"must be '{POLICY_VERSION}'"}]
    assert unit_api.store.records == {}


def test_an_other_version_is_told_before_the_items_are_judged(unit_api: UnitApi) -> None:
    # The items asked may differ under the version in force: judging them first would answer the wrong
    # question, and the page must show the text in force and ask again either way.
    body = submission("contact-us", email="not-an-email")
    body["consent"]["policy_version"] = "not-a-version"
    assert_error(post(unit_api, "contact-us", body), 409, "policy_version_outdated")
    assert unit_api.store.records == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "fields.email"),
        # RFC 5321 holds the part before the @ to 64 characters; mail to a longer one may never arrive.
        ({"email": "a" * 65 + "@example.com"}, "fields.email"),
        ({"contact": "call me"}, "fields.contact"),
        ({"name": None}, "fields.name"),
        ({"name": "x" * 101}, "fields.name"),
        ({"name": "Kim\x1bMinji"}, "fields.name"),
        ({"nickname": "Minji"}, "fields.nickname"),
        ({"inquiry": 42}, "fields.inquiry"),
    ],
)
def test_invalid_fields_are_422_with_the_field_named(unit_api: UnitApi, change: dict[str, Any], field: str) -> None:
    body = submission("contact-us", **change)
    error = assert_error(post(unit_api, "contact-us", body), 422, "validation_failed")
    assert field in [d["field"] for d in error["details"]]
    assert unit_api.store.records == {}


def test_error_details_never_echo_submitted_values(unit_api: UnitApi) -> None:
    body = submission("contact-us", email="secret-person@@example.com", contact="my number is secret")
    response = post(unit_api, "contact-us", body)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "secret-person" not in text
    assert "my number" not in text


def test_unknown_top_level_member_is_refused(unit_api: UnitApi) -> None:
    body = submission("contact-us") | {"extra": 1}
    error = assert_error(post(unit_api, "contact-us", body), 422, "validation_failed")
    assert error["details"] == [{"field": "extra", "problem": "is not a field of this request"}]


def test_broken_json_is_400(unit_api: UnitApi) -> None:
    assert_error(post(unit_api, "contact-us", '{"fields": {'), 400, "invalid_json")


def test_wrong_media_type_is_415(unit_api: UnitApi) -> None:
    response = unit_api.client.post(
        "/v1/forms/contact-us", data=json.dumps(submission("contact-us")), headers={"Content-Type": "text/plain"}
    )
    assert_error(response, 415, "unsupported_media_type")
    response = unit_api.client.post("/v1/forms/contact-us", data={"fields": "x"})  # form-encoded
    assert_error(response, 415, "unsupported_media_type")
    assert unit_api.store.records == {}


def test_body_over_16_kib_is_413_even_when_otherwise_valid(unit_api: UnitApi) -> None:
    # 4,000 Korean characters escaped as \\uXXXX is 24,000 bytes of valid JSON within the item limit.
    body = json.dumps(submission("contact-us", inquiry="문" * 4000), ensure_ascii=True)
    assert len(body) > MAX_BODY_BYTES
    assert_error(post(unit_api, "contact-us", body), 413, "payload_too_large")
    assert_error(post(unit_api, "contact-us", "x" * (MAX_BODY_BYTES + 1)), 413, "payload_too_large")
    assert unit_api.store.records == {}


def test_korean_text_near_the_limit_is_accepted_when_sent_as_utf8(unit_api: UnitApi) -> None:
    body = json.dumps(submission("contact-us", inquiry="문" * 4000), ensure_ascii=False).encode()
    assert len(body) <= MAX_BODY_BYTES
    assert post(unit_api, "contact-us", body).status_code == 201


def test_unknown_form_is_404(unit_api: UnitApi) -> None:
    assert_error(post(unit_api, "job-application", submission("contact-us")), 404, "not_found")


def test_idempotency_key_returns_the_same_receipt_and_stores_once(unit_api: UnitApi) -> None:
    body = submission("contact-us")
    first = post(unit_api, "contact-us", body, **{"Idempotency-Key": "abc-123"})
    again = post(unit_api, "contact-us", body, **{"Idempotency-Key": "abc-123"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert len(unit_api.store.records) == 1


def test_cors_allows_configured_origins_only(unit_api: UnitApi) -> None:
    allowed = post(unit_api, "contact-us", submission("contact-us"), Origin="https://www.example.com")
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://www.example.com"
    other = post(unit_api, "contact-us", submission("contact-us"), Origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other.headers


def test_valid_fields_fixture_matches_policy_items() -> None:
    # Guards the fixtures: they must exercise every item the policy lists, no more.
    for form, fields in VALID_FIELDS.items():
        assert set(fields) == set(FORMS[FormId(form)].items)
