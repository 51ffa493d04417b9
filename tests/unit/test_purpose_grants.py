"""A purpose is granted, not declared: reading for a rights request is the PI manager's, names an open
rights request, reaches only that request's person, and the access record names the request."""

from __future__ import annotations

from dataclasses import replace

import pytest

from policybound.api.staff.auth import Role
from policybound.domain.core.model import RecordStatus
from policybound.domain.rights.request_model import RightsRequestStatus
from tests.conftest import VALID_FIELDS
from tests.support.staff import StaffApi, error_code, json_of

INQUIRY = VALID_FIELDS["contact-us"]
OTHER = VALID_FIELDS["blog-subscription"]


def restrict(staff_api: StaffApi, submission_id: str) -> None:
    record = staff_api.store.records[submission_id]
    staff_api.store.records[submission_id] = replace(record, status=RecordStatus.RESTRICTED)


@pytest.mark.parametrize("role", [Role.STAFF, Role.AUDITOR])
def test_only_the_pi_manager_reads_for_a_rights_request(staff_api: StaffApi, role: Role) -> None:
    inquiry_id = staff_api.submit("contact-us", INQUIRY)
    restrict(staff_api, inquiry_id)
    granted = {"purpose": "rights_request", "rights_request_id": staff_api.open_rights_request(INQUIRY["email"])}
    caller = staff_api.as_role(role)
    for path, query in [
        (f"/v1/staff/submissions/{inquiry_id}", granted),
        ("/v1/staff/submissions", granted | {"status": "restricted"}),
        ("/v1/staff/subjects", granted | {"email": INQUIRY["email"]}),
        ("/v1/staff/subjects", {"email": INQUIRY["email"], "purpose": "rights_request"}),
    ]:
        response = caller.get(path, query_string=query)
        assert response.status_code == 403, (path, query)
        assert INQUIRY["email"] not in response.get_data(as_text=True)
    assert staff_api.access_records() == []


def test_declaring_the_purpose_without_naming_an_open_request_is_refused(staff_api: StaffApi) -> None:
    inquiry_id = staff_api.submit("contact-us", INQUIRY)
    restrict(staff_api, inquiry_id)
    closed = staff_api.open_rights_request(INQUIRY["email"])
    request = staff_api.requests.requests[closed]
    staff_api.requests.requests[closed] = replace(request, status=RightsRequestStatus.COMPLETED)
    manager = staff_api.as_role(Role.PI_MANAGER)
    for grant in [{}, {"rights_request_id": "no-such-request"}, {"rights_request_id": closed}]:
        query = {"purpose": "rights_request"} | grant
        response = manager.get(f"/v1/staff/submissions/{inquiry_id}", query_string=query)
        assert response.status_code == 403, grant
        assert error_code(response) == "forbidden"
        assert json_of(response)["error"]["details"][0]["field"] == "query.rights_request_id"
        listed = manager.get("/v1/staff/submissions", query_string=query | {"status": "restricted"})
        assert listed.status_code == 403
    assert staff_api.access_records() == []


def test_a_rights_request_reaches_only_its_own_persons_records(staff_api: StaffApi) -> None:
    mine = staff_api.submit("contact-us", INQUIRY)
    theirs = staff_api.submit("blog-subscription", OTHER)
    restrict(staff_api, mine)
    restrict(staff_api, theirs)
    granted = {"purpose": "rights_request", "rights_request_id": staff_api.open_rights_request(INQUIRY["email"])}
    manager = staff_api.as_role(Role.PI_MANAGER)

    assert manager.get(f"/v1/staff/submissions/{theirs}", query_string=granted).status_code == 403
    listed = manager.get("/v1/staff/submissions", query_string=granted | {"status": "restricted"})
    assert [item["submission_id"] for item in json_of(listed)["items"]] == [mine]
    other_person = manager.get("/v1/staff/subjects", query_string=granted | {"email": OTHER["email"]})
    assert other_person.status_code == 403
    assert OTHER["email"] not in other_person.get_data(as_text=True)


def test_the_access_record_names_the_rights_request(staff_api: StaffApi) -> None:
    inquiry_id = staff_api.submit("contact-us", INQUIRY)
    request_id = staff_api.open_rights_request(INQUIRY["email"])
    granted = {"purpose": "rights_request", "rights_request_id": request_id}
    manager = staff_api.as_role(Role.PI_MANAGER)
    found = manager.get("/v1/staff/subjects", query_string=granted | {"email": INQUIRY["email"]})
    assert found.status_code == 200
    assert [item["submission_id"] for item in json_of(found)["items"]] == [inquiry_id]
    read = manager.get(f"/v1/staff/submissions/{inquiry_id}", query_string=granted)
    assert read.status_code == 200
    entries = staff_api.access_records()
    assert [entry.payload["rights_request_id"] for entry in entries] == [request_id, request_id]
    assert all(entry.payload["purposes"] == ["rights_request"] for entry in entries)


def test_a_subject_lookup_does_not_default_to_the_rights_request_purpose(staff_api: StaffApi) -> None:
    active = staff_api.submit("contact-us", INQUIRY)
    restricted = staff_api.submit("blog-subscription", OTHER | {"email": INQUIRY["email"]})
    restrict(staff_api, restricted)
    response = staff_api.as_role(Role.STAFF).get("/v1/staff/subjects", query_string={"email": INQUIRY["email"]})
    assert response.status_code == 200
    body = json_of(response)
    assert [item["submission_id"] for item in body["items"]] == [active]  # no restricted record
    assert body["items"][0]["origin"] is None  # the consent proof's IP is for the subject's own request
    assert body["items"][0]["purpose"] == "inquiry_response"
    (entry,) = staff_api.access_records()
    assert entry.payload["purposes"] == ["inquiry_response"]
    assert "rights_request_id" not in entry.payload


def test_a_request_id_without_the_rights_request_purpose_is_refused(staff_api: StaffApi) -> None:
    staff_api.submit("contact-us", INQUIRY)
    query = {"form": "contact-us", "rights_request_id": staff_api.open_rights_request(INQUIRY["email"])}
    response = staff_api.as_role(Role.PI_MANAGER).get("/v1/staff/submissions", query_string=query)
    # A rights request grants reading for itself only: naming one under another purpose is not allowed, as
    # reading for a rights request without naming one is not.
    assert response.status_code == 403
    assert response.get_json()["error"]["details"][0]["field"] == "query.rights_request_id"
    assert staff_api.access_records() == []
