"""Rights requests received in writing, by phone or by email, and what completing them does (§6)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from policybound.domain.core.errors import (
    AlreadyCompleted,
    DomainError,
    NotFound,
    OutcomeDoesNotFit,
    Unavailable,
    ValidationFailed,
)
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.core.model import RecordStatus
from policybound.domain.rights.disclosures import DisclosureRequest
from policybound.domain.rights.request_model import RightsRequest, RightsRequestStatus
from policybound.domain.rights.requests import CompletionIn, RightsRequestIn
from policybound.policy import Purpose
from tests.conftest import NOW, VALID_FIELDS
from tests.support.rights import MANAGER, STAFF_ROUTE, RightsWorld, build_world

MINJI = VALID_FIELDS["contact-us"]["email"]
PARTNER = "privacy@partner.example.com"


@pytest.fixture
def world() -> RightsWorld:
    return build_world()


def receive(world: RightsWorld, kind: str = "rectification", **extra: Any) -> RightsRequest:
    body = {"channel": "writing", "kind": kind, "identity_verification": "id_document", "email": MINJI} | extra
    return world.requests.receive(RightsRequestIn.model_validate(body), MANAGER, STAFF_ROUTE)


def complete(world: RightsWorld, request: RightsRequest, **body: Any) -> RightsRequest:
    return world.requests.complete(request.request_id, CompletionIn.model_validate(body), MANAGER, STAFF_ROUTE)


def test_a_request_is_due_ten_days_after_receipt_and_finds_the_persons_records(world: RightsWorld) -> None:
    mine = world.submit("contact-us")
    world.submit("resources-download")
    request = receive(world, "access", received_at="2026-11-28T18:00:00+09:00")
    assert request.due_on == date(2026, 12, 8)
    assert request.submission_ids == (mine,)
    assert request.subject == world.blind_index.subject_of(MINJI)
    [entry] = world.request_store.ledger
    assert entry.payload["event"] == "received"
    assert MINJI not in str(entry.payload)
    assert request.keep_until.year == 2029


def test_a_request_from_the_future_is_refused(world: RightsWorld) -> None:
    with pytest.raises(ValidationFailed):
        receive(world, received_at=(NOW + timedelta(hours=1)).isoformat())


def test_records_that_are_not_the_persons_are_refused(world: RightsWorld) -> None:
    world.submit("contact-us")
    theirs = world.submit("resources-download")
    # Not this person's, as an unknown id: one answer (404) for both.
    with pytest.raises(NotFound) as refused:
        receive(world, submission_ids=[theirs])
    assert refused.value.details[0].field == "submission_ids[0]"
    assert world.request_store.requests == {}


def test_an_open_correction_request_restricts_its_records_until_completed(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    request = receive(world)
    assert world.store.records[submission_id].status is RecordStatus.RESTRICTED
    complete(world, request, outcome="refused", refusal_basis="identity_not_verified")
    assert world.store.records[submission_id].status is RecordStatus.ACTIVE


def test_a_record_stays_restricted_while_any_correction_request_on_it_is_open(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    first, _second = receive(world), receive(world, channel="phone")
    complete(world, first, outcome="refused", refusal_basis="no_records")
    assert world.store.records[submission_id].status is RecordStatus.RESTRICTED


def test_if_the_request_cannot_be_stored_its_restrictions_are_taken_back(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    world.request_store.fail_put = True
    with pytest.raises(Unavailable):
        receive(world)
    assert world.store.records[submission_id].status is RecordStatus.ACTIVE


def test_completing_a_correction_applies_it_lifts_the_restriction_and_tells_earlier_recipients(
    world: RightsWorld,
) -> None:
    submission_id = world.submit("contact-us")
    world.disclosures.provide(
        DisclosureRequest.model_validate(
            {
                "submission_ids": [submission_id],
                "recipient": {"name": "Partner Co.", "email": PARTNER},
                "items": ["name", "organization"],
                "legal_basis": "consent",
                "consent_reference": "CF-1",
            }
        ),
        MANAGER,
    )
    request = receive(world)
    done = complete(world, request, outcome="fulfilled", corrections={submission_id: {"organization": "New Corp"}})
    assert done.status is RightsRequestStatus.COMPLETED
    assert done.corrected_items == ("organization",)
    assert world.store.records[submission_id].status is RecordStatus.ACTIVE
    opened = world.reader.open_live(submission_id)
    assert opened is not None
    assert opened.data.fields["organization"] == "New Corp"
    [notice] = [m for m in world.mailer.sent if m.to == (PARTNER,)]
    assert "New Corp" in notice.text
    corrected = [
        e for e in world.store.ledger.chains[LedgerKind.RIGHTS_REQUEST] if e.payload["event"] == "record_corrected"
    ]
    assert corrected[0].payload["by"] == "staff"
    assert corrected[0].payload["request_id"] == request.request_id


def test_a_bad_correction_refuses_the_whole_completion(world: RightsWorld) -> None:
    first, second = world.submit("contact-us"), world.submit("blog-subscription", email=MINJI)
    request = receive(world)
    with pytest.raises(ValidationFailed) as refused:
        complete(
            world,
            request,
            outcome="fulfilled",
            corrections={first: {"job_grade": "Director"}, second: {"email": "broken"}},
        )
    assert refused.value.details[0].field == f"corrections.{second}.email"
    opened = world.reader.open_live(first)
    assert opened is not None
    assert opened.data.fields["job_grade"] == "Manager"
    assert world.request_store.requests[request.request_id].status is RightsRequestStatus.OPEN


@pytest.mark.parametrize(
    ("kind", "body", "field", "error"),
    [
        # What fits the request's kind is a conflict with the request; what fits the outcome, the body's own.
        ("rectification", {"outcome": "fulfilled"}, "corrections", OutcomeDoesNotFit),
        ("rectification", {"outcome": "refused"}, "refusal_basis", ValidationFailed),
        ("access", {"outcome": "fulfilled", "refusal_basis": "no_records"}, "refusal_basis", ValidationFailed),
        ("erasure", {"outcome": "fulfilled", "corrections": {"x": {"name": "y"}}}, "corrections", OutcomeDoesNotFit),
    ],
)
def test_an_outcome_must_fit_the_request(
    world: RightsWorld, kind: str, body: dict[str, Any], field: str, error: type[DomainError]
) -> None:
    world.submit("contact-us")
    request = receive(world, kind)
    with pytest.raises(error) as refused:
        complete(world, request, **body)
    assert refused.value.details[0].field == field


def test_a_fulfilled_erasure_destroys_through_the_destruction_path(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    done = complete(world, receive(world, "erasure"), outcome="fulfilled")
    assert done.erased == (submission_id,)
    assert submission_id not in world.store.keys
    [entry] = world.store.ledger.chains[LedgerKind.DESTRUCTION]
    assert entry.payload["reason"] == "subject_erasure"


def test_a_request_is_completed_once(world: RightsWorld) -> None:
    world.submit("contact-us")
    request = receive(world, "access")
    complete(world, request, outcome="fulfilled")
    with pytest.raises(AlreadyCompleted):
        complete(world, request, outcome="fulfilled")


def test_open_requests_are_listed_overdue_first_with_days_left(world: RightsWorld) -> None:
    world.submit("contact-us")
    recent = receive(world, "access", received_at=NOW.isoformat())
    overdue = receive(world, "access", received_at=(NOW - timedelta(days=12)).isoformat())
    done = receive(world, "access", received_at=(NOW - timedelta(days=20)).isoformat())
    complete(world, done, outcome="fulfilled")
    listed = world.requests.listing(RightsRequestStatus.OPEN)
    assert [r.request_id for r in listed] == [overdue.request_id, recent.request_id]
    today = world.requests.today()
    assert listed[0].days_left(today) == -2
    assert listed[1].days_left(today) == 10


def test_finding_and_changing_a_persons_records_writes_access_records(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    request = receive(world)
    complete(world, request, outcome="fulfilled", corrections={submission_id: {"job_grade": "Director"}})
    entries = world.store.ledger.chains[LedgerKind.ACCESS]
    assert [(e.payload["action"], e.payload["submission_ids"]) for e in entries] == [
        ("lookup", [submission_id]),
        ("change", [submission_id]),
    ]
    for entry in entries:
        assert entry.payload["user_id"] == "sub-manager"
        assert entry.payload["purposes"] == ["rights_request"]
        assert MINJI not in str(entry.payload)


def test_a_marketing_withdrawal_by_phone_takes_marketing_off_and_keeps_the_rest(world: RightsWorld) -> None:
    """Withdrawing the separate marketing consent through a rights request removes that purpose only."""
    download = world.submit("resources-download", marketing=True, email=MINJI)
    inquiry = world.submit("contact-us")
    request = receive(world, "marketing_withdrawal", channel="phone", identity_verification="phone_callback")
    assert set(request.submission_ids) == {download, inquiry}
    complete(world, request, outcome="fulfilled")
    assert world.store.records[download].consent.purposes == (Purpose.RESOURCE_DELIVERY,)
    assert world.store.keys[download]  # kept for delivering the resource
    assert world.store.records[inquiry].consent.purposes == (Purpose.INQUIRY_RESPONSE,)
    completed = world.request_store.ledger[-1].payload
    assert (completed["event"], completed["marketing_withdrawn"]) == ("completed", [download])
    withdrawn = [
        e.payload for e in world.store.ledger.chains[LedgerKind.CONSENT] if e.payload["event"] == "purpose_withdrawn"
    ]
    assert [(e["submission_id"], e["purpose"]) for e in withdrawn] == [(download, "email_marketing")]
    changes = [e.payload for e in world.store.ledger.chains[LedgerKind.ACCESS] if e.payload["action"] == "change"]
    assert [sorted(json.loads(json.dumps(c["submission_ids"]))) for c in changes] == [sorted([download, inquiry])]


def test_a_refused_marketing_withdrawal_changes_nothing(world: RightsWorld) -> None:
    download = world.submit("resources-download", marketing=True, email=MINJI)
    request = receive(world, "marketing_withdrawal")
    complete(world, request, outcome="refused", refusal_basis="identity_not_verified")
    assert world.store.records[download].consent.purposes == (Purpose.RESOURCE_DELIVERY, Purpose.EMAIL_MARKETING)
