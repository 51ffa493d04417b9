"""The staff routes of the rights area: rights requests and provisions, behind the role table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from policybound.api.staff.auth import Role
from policybound.domain.core.ledger import LedgerKind
from tests.conftest import NOW, VALID_FIELDS
from tests.support.rights import RightsWorld, world_of
from tests.support.staff import StaffApi, error_code, json_of

JIHO = VALID_FIELDS["resources-download"]["email"]
PARTNER = "privacy@partner.example.com"


@pytest.fixture
def world(staff_api: StaffApi) -> RightsWorld:
    """The rights area over the staff API's own services: the routes and the world see the same records."""
    return world_of(staff_api.services, staff_api.clock)


def manager(staff_api: StaffApi) -> Any:
    return staff_api.as_role(Role.PI_MANAGER, username="park.manager", user_id="sub-manager")


def correction_request(**extra: Any) -> dict[str, Any]:
    return {
        "channel": "phone",
        "kind": "rectification",
        "identity_verification": "phone_callback",
        "email": JIHO,
    } | extra


def provision(submission_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "submission_ids": [submission_id],
        "recipient": {"name": "Partner Co.", "email": PARTNER},
        "items": ["name", "email", "company"],
        "legal_basis": "consent",
        "consent_reference": "CF-2026-0042",
    } | extra


def audience(staff_api: StaffApi) -> set[str]:
    response = staff_api.as_role(Role.STAFF).get("/v1/staff/marketing-audience?purpose=email_marketing")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {member["submission_id"] for member in json_of(response)["items"]}


def test_only_the_pi_manager_records_rights_requests_and_provisions(staff_api: StaffApi, world: RightsWorld) -> None:
    submission_id = world.submit("resources-download")
    for role in (Role.STAFF, Role.AUDITOR):
        caller = staff_api.as_role(role)
        assert error_code(caller.post("/v1/staff/rights-requests", json=correction_request())) == "forbidden"
        assert error_code(caller.post("/v1/staff/disclosures", json=provision(submission_id))) == "forbidden"
        assert error_code(caller.get("/v1/staff/rights-requests?status=open")) == "forbidden"
    assert (
        error_code(staff_api.anonymous.post("/v1/staff/disclosures", json=provision(submission_id))) == "unauthorized"
    )
    assert world.request_store.requests == {}
    assert world.disclosure_store.rows == {}


def test_a_correction_request_by_phone_restricts_the_record_until_it_is_completed(
    staff_api: StaffApi, world: RightsWorld
) -> None:
    """API.md: a record with an open correction request is absent from the marketing audience, and
    completing it sends the corrected items to an earlier recipient."""
    submission_id = world.submit("resources-download", marketing=True)
    assert audience(staff_api) == {submission_id}
    provided = manager(staff_api).post("/v1/staff/disclosures", json=provision(submission_id))
    assert provided.status_code == 201, provided.get_data(as_text=True)
    assert json_of(provided)["records"] == [
        {
            "submission_id": submission_id,
            "items": {"name": "Lee Jiho", "email": JIHO, "company": "Example Corp"},
        }
    ]

    received = manager(staff_api).post("/v1/staff/rights-requests", json=correction_request())
    assert received.status_code == 201, received.get_data(as_text=True)
    request = json_of(received)
    assert request["submission_ids"] == [submission_id]
    assert request["due_on"] == "2026-12-10"
    assert request["days_left"] == 10
    assert request["status"] == "open"
    assert audience(staff_api) == set()  # restricted: left out of every use
    refused = manager(staff_api).post("/v1/staff/disclosures", json=provision(submission_id))
    assert refused.status_code == 409
    assert error_code(refused) == "record_not_usable"

    done = manager(staff_api).post(
        f"/v1/staff/rights-requests/{request['request_id']}/complete",
        json={"outcome": "fulfilled", "corrections": {submission_id: {"company": "Example Holdings"}}},
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    assert json_of(done)["corrected_items"] == ["company"]
    assert audience(staff_api) == {submission_id}
    [notice] = [m for m in world.mailer.sent if m.to == (PARTNER,)]
    assert "Example Holdings" in notice.text
    again = manager(staff_api).post(
        f"/v1/staff/rights-requests/{request['request_id']}/complete", json={"outcome": "fulfilled"}
    )
    assert again.status_code == 409
    assert error_code(again) == "already_completed"


def test_a_request_naming_records_that_are_not_the_persons_is_404_and_stores_nothing(
    staff_api: StaffApi, world: RightsWorld
) -> None:
    # API.md's 404: an unknown id, or not the caller's; one answer for both tells nobody whose record it is.
    someone_else = world.submit("contact-us")
    world.submit("resources-download")
    body = correction_request(kind="access", submission_ids=[someone_else])
    refused = manager(staff_api).post("/v1/staff/rights-requests", json=body)
    assert refused.status_code == 404, refused.get_data(as_text=True)
    assert error_code(refused) == "not_found"
    assert [d["field"] for d in json_of(refused)["error"]["details"]] == ["submission_ids[0]"]
    assert json_of(manager(staff_api).get("/v1/staff/rights-requests?status=open"))["requests"] == []


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("rectification", {"outcome": "fulfilled"}, "corrections"),
        ("access", {"outcome": "fulfilled", "corrections": {"x": {"company": "Example Holdings"}}}, "corrections"),
        ("rectification", {"outcome": "fulfilled", "corrections": {"not-this-one": {"company": "X"}}}, None),
    ],
)
def test_an_outcome_that_does_not_fit_the_stored_request_is_a_conflict(
    staff_api: StaffApi, world: RightsWorld, kind: str, body: dict[str, Any], field: str | None
) -> None:
    # The body is valid in itself; what it conflicts with is the request as stored (its kind, its records).
    world.submit("resources-download")
    request = json_of(manager(staff_api).post("/v1/staff/rights-requests", json=correction_request(kind=kind)))
    refused = manager(staff_api).post(f"/v1/staff/rights-requests/{request['request_id']}/complete", json=body)
    assert refused.status_code == 409, refused.get_data(as_text=True)
    assert error_code(refused) == "outcome_does_not_fit"
    fields = [d["field"] for d in json_of(refused)["error"]["details"]]
    assert fields == [field or f"corrections.{next(iter(body['corrections']))}"]
    still = json_of(manager(staff_api).get(f"/v1/staff/rights-requests/{request['request_id']}"))
    assert still["status"] == "open"


def test_open_requests_are_listed_overdue_first(staff_api: StaffApi, world: RightsWorld) -> None:
    world.submit("resources-download")
    late = (NOW - timedelta(days=11)).isoformat()
    for received_at in (NOW.isoformat(), late):
        body = correction_request(kind="access", received_at=received_at)
        assert manager(staff_api).post("/v1/staff/rights-requests", json=body).status_code == 201
    listed = json_of(manager(staff_api).get("/v1/staff/rights-requests?status=open"))["requests"]
    assert [(r["days_left"], r["overdue"]) for r in listed] == [(-1, True), (10, False)]
    assert manager(staff_api).get("/v1/staff/rights-requests?status=whatever").status_code == 422
    one = manager(staff_api).get(f"/v1/staff/rights-requests/{listed[0]['request_id']}")
    assert json_of(one)["request_id"] == listed[0]["request_id"]
    missing = manager(staff_api).get("/v1/staff/rights-requests/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"legal_basis": "legitimate_interest"}, "legal_basis"),
        ({"legal_basis": None}, "legal_basis"),
        ({"consent_reference": None}, "consent_reference"),
        ({"legal_basis": "law_enforcement", "consent_reference": None}, "law_enforcement"),
        ({"recipient": {"name": "Partner Co."}}, "recipient.email"),
    ],
)
def test_a_provision_without_a_lawful_basis_and_its_evidence_is_422(
    staff_api: StaffApi, world: RightsWorld, change: dict[str, Any], field: str
) -> None:
    submission_id = world.submit("resources-download")
    body = {k: v for k, v in (provision(submission_id) | change).items() if v is not None}
    response = manager(staff_api).post("/v1/staff/disclosures", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in [d["field"] for d in json_of(response)["error"]["details"]]
    assert world.disclosure_store.rows == {}


def test_a_provision_is_ledgered_with_who_and_from_where(staff_api: StaffApi, world: RightsWorld) -> None:
    submission_id = world.submit("resources-download")
    assert manager(staff_api).post("/v1/staff/disclosures", json=provision(submission_id)).status_code == 201
    [entry] = world.disclosure_store.ledger
    assert entry.kind is LedgerKind.DISCLOSURE
    assert entry.payload["provided_by"] == "sub-manager"
    assert entry.payload["username"] == "park.manager"
    assert entry.payload["source_ip"]
    assert JIHO not in str(entry.payload)


def test_the_staff_openapi_document_lists_the_rights_routes(staff_api: StaffApi, world: RightsWorld) -> None:
    paths = json_of(staff_api.client.get("/openapi.json"))["paths"]
    assert "post" in paths["/v1/staff/disclosures"]
    assert "post" in paths["/v1/staff/rights-requests"]
    assert "get" in paths["/v1/staff/rights-requests"]
    assert "post" in paths["/v1/staff/rights-requests/{request_id}/complete"]
