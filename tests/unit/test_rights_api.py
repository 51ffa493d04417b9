"""The /v1/rights routes over in-memory fakes: statuses, bodies and error shapes of API.md."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from policybound.obligations import MAX_WRONG_TRIES
from policybound.policy import Purpose
from tests.conftest import VALID_FIELDS, submission
from tests.support.gateways import public_client
from tests.support.rights import DECOY, RightsWorld, build_world

MINJI = VALID_FIELDS["contact-us"]["email"]
UNKNOWN = "stranger@example.co.kr"
JIHO = VALID_FIELDS["resources-download"]["email"]
ORIGIN = "https://www.example.com"


@dataclass
class RightsApi:
    client: Client
    world: RightsWorld

    def post(self, path: str, body: Any, **headers: str) -> TestResponse:
        return self.client.post(path, data=json.dumps(body), headers={"Content-Type": "application/json"} | headers)

    def code_for(self, email: str, kind: str = "access") -> str:
        assert self.post("/v1/rights/requests", {"email": email, "kind": kind}).status_code == 202
        return self.world.last_code(email)

    def token_for(self, email: str) -> str:
        response = self.post("/v1/rights/sessions", {"email": email, "code": self.code_for(email)})
        assert response.status_code == 201, response.get_data(as_text=True)
        return str(response.get_json()["token"])

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api() -> RightsApi:
    world = build_world()
    return RightsApi(public_client(world.services), world)


def submit(api: RightsApi, form: str = "contact-us", **overrides: Any) -> str:
    response = api.post(f"/v1/forms/{form}", submission(form, **overrides))
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.get_json()["submission_id"])


def error_of(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert len(body["error"]["message"]) > 10
    return dict(body["error"])


def test_known_and_unknown_addresses_get_the_same_status_and_body(api: RightsApi) -> None:
    submit(api)
    known = api.post("/v1/rights/requests", {"email": MINJI, "kind": "access"})
    unknown = api.post("/v1/rights/requests", {"email": UNKNOWN, "kind": "access"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    assert {k: v for k, v in known.headers if k != "Content-Length"} == {
        k: v for k, v in unknown.headers if k != "Content-Length"
    }
    recipients = [m.to for m in api.world.mailer.sent]
    assert (MINJI,) in recipients
    assert (DECOY,) in recipients
    assert (UNKNOWN,) not in recipients


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "kind": "access"}, "email"),
        ({"email": MINJI, "kind": "delete-everything"}, "kind"),
        ({"email": MINJI}, "kind"),
        ({"email": MINJI, "kind": "access", "name": "Kim"}, "name"),
    ],
)
def test_malformed_requests_are_422_and_send_nothing(api: RightsApi, body: dict[str, Any], field: str) -> None:
    error = error_of(api.post("/v1/rights/requests", body), 422, "validation_failed")
    assert field in [d["field"] for d in error["details"]]
    assert api.world.mailer.sent == []
    assert "not-an-email" not in json.dumps(error)


def test_the_right_code_gives_a_token_and_an_expiry(api: RightsApi) -> None:
    submit(api)
    response = api.post("/v1/rights/sessions", {"email": MINJI, "code": api.code_for(MINJI)})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    assert body["expires_at"] == "2026-11-30T14:15:00+09:00"


def test_a_wrong_code_is_401_with_a_bearer_challenge(api: RightsApi) -> None:
    submit(api)
    code = api.code_for(MINJI)
    response = api.post("/v1/rights/sessions", {"email": MINJI, "code": f"{(int(code) + 1) % 10**6:06d}"})
    error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_code_is_401(api: RightsApi) -> None:
    submit(api)
    code = api.code_for(MINJI)
    api.world.clock.advance(minutes=10, seconds=1)
    error_of(api.post("/v1/rights/sessions", {"email": MINJI, "code": code}), 401, "unauthorized")


def test_a_locked_code_is_401_and_says_so(api: RightsApi) -> None:
    submit(api)
    code = api.code_for(MINJI)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(MAX_WRONG_TRIES):
        api.post("/v1/rights/sessions", {"email": MINJI, "code": wrong})
    error = error_of(api.post("/v1/rights/sessions", {"email": MINJI, "code": code}), 401, "unauthorized")
    assert "locked" in error["message"]


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", 123456])
def test_a_code_that_is_not_six_digits_is_422(api: RightsApi, code: Any) -> None:
    error_of(api.post("/v1/rights/sessions", {"email": MINJI, "code": code}), 422, "validation_failed")


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer made-up", "Basic dXNlcjpwYXNz"])
def test_records_need_a_session(api: RightsApi, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = api.client.get("/v1/rights/records", headers=headers)
    error_of(response, 401, "unauthorized")
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_a_session_shows_the_records_decrypted_with_consent_and_provisions(api: RightsApi) -> None:
    submission_id = submit(api)
    submit(api, "resources-download")
    response = api.client.get("/v1/rights/records", headers=api.bearer(api.token_for(MINJI)))
    assert response.status_code == 200
    [record] = response.get_json()["records"]
    assert record["submission_id"] == submission_id
    assert record["fields"]["name"] == VALID_FIELDS["contact-us"]["name"]
    assert record["fields"]["contact"] == "+821012345678"
    assert record["status"] == "active"
    assert record["relationship"] == "subject"
    assert record["retained_until"] == "2031-11-30T14:00:00+09:00"
    assert record["purposes"] == ["inquiry_response"]
    assert record["consent"]["policy_version"] == "2019-09-20"
    assert record["consent"]["items"] == ["name", "contact", "email", "organization", "job_grade", "inquiry"]
    assert record["provisions"] == []


def test_a_session_ends_after_fifteen_minutes(api: RightsApi) -> None:
    submit(api)
    headers = api.bearer(api.token_for(MINJI))
    api.world.clock.advance(minutes=15)
    error_of(api.client.get("/v1/rights/records", headers=headers), 401, "unauthorized")


def test_a_correction_shows_at_once_and_a_bad_one_is_422_with_nothing_changed(api: RightsApi) -> None:
    submission_id = submit(api)
    headers = api.bearer(api.token_for(MINJI)) | {"Content-Type": "application/json"}
    path = f"/v1/rights/records/{submission_id}"
    bad = api.client.patch(path, data=json.dumps({"fields": {"email": "broken", "job_grade": "CEO"}}), headers=headers)
    error = error_of(bad, 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == ["fields.email"]
    assert "broken" not in bad.get_data(as_text=True)
    good = api.client.patch(path, data=json.dumps({"fields": {"job_grade": "CEO"}}), headers=headers)
    assert good.status_code == 200, good.get_data(as_text=True)
    assert good.get_json()["fields"]["job_grade"] == "CEO"
    [record] = api.client.get("/v1/rights/records", headers=headers).get_json()["records"]
    assert record["fields"]["job_grade"] == "CEO"


def test_another_persons_record_is_404_for_patch_and_delete(api: RightsApi) -> None:
    submit(api)
    theirs = submit(api, "resources-download")
    headers = api.bearer(api.token_for(MINJI)) | {"Content-Type": "application/json"}
    path = f"/v1/rights/records/{theirs}"
    error_of(api.client.patch(path, data=json.dumps({"fields": {"name": "X"}}), headers=headers), 404, "not_found")
    error_of(api.client.delete(path, headers=headers), 404, "not_found")
    assert theirs in api.world.store.records


def test_erasing_one_and_then_all(api: RightsApi) -> None:
    first = submit(api)
    second = submit(api, "blog-subscription", email=MINJI)
    headers = api.bearer(api.token_for(MINJI))
    response = api.client.delete(f"/v1/rights/records/{first}", headers=headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    [left] = api.client.get("/v1/rights/records", headers=headers).get_json()["records"]
    assert left["submission_id"] == second
    assert api.client.delete("/v1/rights/records", headers=headers).status_code == 204
    assert api.client.get("/v1/rights/records", headers=headers).get_json()["records"] == []
    assert api.world.store.keys == {}


def test_erasing_a_held_record_is_409_retained_by_law(api: RightsApi) -> None:
    submission_id = submit(api)
    api.world.store.held.add(submission_id)
    headers = api.bearer(api.token_for(MINJI))
    error_of(api.client.delete(f"/v1/rights/records/{submission_id}", headers=headers), 409, "retained_by_law")


def child_submission(**representative: Any) -> dict[str, Any]:
    body = submission("blog-subscription")
    body["consent"]["under_14"] = True
    body["legal_representative"] = {"name": "Park Parent", "email": "parent@example.co.kr"} | representative
    return body


def test_a_childs_form_is_pending_until_the_representative_confirms(api: RightsApi) -> None:
    response = api.post("/v1/forms/blog-subscription", child_submission(contact="010-5555-6666"))
    assert response.status_code == 201, response.get_data(as_text=True)
    receipt = response.get_json()
    assert receipt["status"] == "pending_guardian"
    assert receipt["retained_until"] == "2026-12-07T14:00:00+09:00"
    code = api.world.last_code("parent@example.co.kr")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    confirm = {"submission_id": receipt["submission_id"], "code": wrong}
    error_of(api.post("/v1/rights/guardian-confirmations", confirm), 401, "unauthorized")
    confirmed = api.post("/v1/rights/guardian-confirmations", confirm | {"code": code})
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    assert confirmed.get_json() == {
        "submission_id": receipt["submission_id"],
        "status": "active",
        "retained_until": "2031-11-30T14:00:00+09:00",
    }
    [record] = api.client.get(
        "/v1/rights/records", headers=api.bearer(api.token_for("parent@example.co.kr"))
    ).get_json()["records"]
    assert record["relationship"] == "legal_representative"
    assert record["legal_representative"] == {
        "name": "Park Parent",
        "email": "parent@example.co.kr",
        "contact": "+821055556666",
    }


@pytest.mark.parametrize(
    "change",
    [
        {"consent": {"under_14": True}},  # no representative
        {"legal_representative": {"name": "Park Parent", "email": "parent@example.co.kr"}},  # not under 14
        {"legal_representative": {"name": "Park Parent", "email": "nope"}, "consent": {"under_14": True}},
        {"consent": {"under_14": "yes"}},
    ],
)
def test_age_declaration_and_representative_must_fit_together(api: RightsApi, change: dict[str, Any]) -> None:
    body = submission("contact-us")
    body["consent"] |= change.get("consent", {})
    if "legal_representative" in change:
        body["legal_representative"] = change["legal_representative"]
    response = api.post("/v1/forms/contact-us", body)
    error = error_of(response, 422, "validation_failed")
    assert any(d["field"].startswith(("legal_representative", "consent.under_14")) for d in error["details"])
    assert api.world.store.records == {}


def test_every_rights_route_is_in_the_openapi_document_with_its_session_scheme(api: RightsApi) -> None:
    document = api.client.get("/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths["/v1/rights/records/{submission_id}"]) >= {"patch", "delete"}
    assert set(paths["/v1/rights/records"]) >= {"get", "delete"}
    for path in ("/v1/rights/requests", "/v1/rights/sessions", "/v1/rights/guardian-confirmations"):
        assert "post" in paths[path]
    assert document["components"]["securitySchemes"]["rightsSession"]["scheme"] == "bearer"
    assert paths["/v1/rights/records"]["get"]["security"] == [{"rightsSession": []}]
    consent = document["components"]["schemas"]["Consent"]["properties"]
    assert "under_14" in consent


def test_the_subject_withdraws_marketing_consent_through_the_rights_api(api: RightsApi) -> None:
    response = api.post("/v1/forms/resources-download", submission("resources-download", marketing=True))
    submission_id = response.get_json()["submission_id"]
    headers = api.bearer(api.token_for(JIHO)) | {"Content-Type": "application/json"}
    path = f"/v1/rights/records/{submission_id}"
    changed = api.client.patch(path, data=json.dumps({"consent": {"marketing": False}}), headers=headers)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["consent"]["purposes"] == ["resource_delivery"]
    [record] = api.client.get("/v1/rights/records", headers=headers).get_json()["records"]
    assert record["consent"]["purposes"] == ["resource_delivery"]
    assert record["fields"]["email"] == JIHO


def test_the_rights_api_refuses_to_withdraw_marketing_from_a_record_without_it(api: RightsApi) -> None:
    submission_id = api.post("/v1/forms/contact-us", submission("contact-us")).get_json()["submission_id"]
    headers = api.bearer(api.token_for(VALID_FIELDS["contact-us"]["email"])) | {"Content-Type": "application/json"}
    path = f"/v1/rights/records/{submission_id}"
    refused = api.client.patch(path, data=json.dumps({"consent": {"marketing": False}}), headers=headers)
    # The body is valid; the record, of a form without marketing, is what it does not fit.
    assert error_of(refused, 409, "record_not_usable")["details"][0]["field"] == "consent.marketing"
    empty = api.client.patch(path, data=json.dumps({}), headers=headers)
    assert empty.status_code == 422
    assert api.world.store.records[submission_id].consent.purposes == (Purpose.INQUIRY_RESPONSE,)
