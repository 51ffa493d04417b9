"""Provision to third parties (§3) and correction notices to them (§6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policybound.domain.core.errors import NotFound, RecordNotUsable, Unavailable, ValidationFailed
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.core.model import Representative
from policybound.domain.rights.disclosures import DisclosureRequest
from policybound.domain.rights.request_model import Channel, IdentityCheck
from policybound.domain.rights.requests import RightsRequestIn
from policybound.policy import LegalBasis
from tests.conftest import VALID_FIELDS
from tests.support.rights import MANAGER, STAFF_ROUTE, RightsWorld, build_world

MINJI = VALID_FIELDS["contact-us"]["email"]
PARTNER = "privacy@partner.example.com"


@pytest.fixture
def world() -> RightsWorld:
    return build_world()


def by_consent(*ids: str, items: tuple[str, ...] = ("name", "email", "job_grade"), **extra: Any) -> DisclosureRequest:
    body = {
        "submission_ids": list(ids),
        "recipient": {"name": "Partner Co.", "email": PARTNER},
        "items": list(items),
        "legal_basis": "consent",
        "consent_reference": "signed consent form CF-2026-0042",
    } | extra
    # None leaves a member out, as a client omits it (a null is refused as not what the schema states).
    return DisclosureRequest.model_validate({name: value for name, value in body.items() if value is not None})


def test_a_provision_by_consent_is_recorded_per_record_ledgered_and_returns_the_values(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    provision = world.disclosures.provide(by_consent(submission_id), MANAGER)
    assert provision.values[submission_id] == {
        "name": VALID_FIELDS["contact-us"]["name"],
        "email": MINJI,
        "job_grade": "Manager",
    }
    [part] = world.disclosures.of_record(submission_id)
    assert part.legal_basis is LegalBasis.CONSENT
    assert part.consent_reference == "signed consent form CF-2026-0042"
    assert part.recipient.email == PARTNER
    [entry] = world.disclosure_store.ledger
    assert entry.kind is LedgerKind.DISCLOSURE
    assert entry.payload["submission_ids"] == [submission_id]
    assert entry.payload["provided_by"] == "sub-manager"
    assert entry.payload["source_ip"] == "198.51.100.20"
    ledger_text = json.dumps(dict(entry.payload))
    for value in (*VALID_FIELDS["contact-us"].values(), PARTNER):
        assert value not in ledger_text


def test_only_items_the_record_holds_are_provided(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    provision = world.disclosures.provide(by_consent(submission_id, items=("name", "department")), MANAGER)
    assert provision.values[submission_id] == {"name": VALID_FIELDS["contact-us"]["name"]}
    # A request valid in itself (department is an item of the policy) conflicts with a record of a form
    # that does not collect it: 409, as for a restricted record.
    with pytest.raises(RecordNotUsable) as refused:
        world.disclosures.provide(by_consent(submission_id, items=("department",)), MANAGER)
    assert [d.field for d in refused.value.details] == ["submission_ids[0]"]
    assert len(world.disclosure_store.rows) == 1


def test_a_lawful_request_names_agency_provision_and_case(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    request = DisclosureRequest.model_validate(
        {
            "submission_ids": [submission_id],
            "recipient": {"name": "Seoul Metropolitan Police Agency", "email": "cyber@police.example.kr"},
            "items": ["name", "contact"],
            "legal_basis": "law_enforcement",
            "law_enforcement": {
                "agency": "Seoul Metropolitan Police Agency",
                "legal_provision": "Criminal Procedure Act art. 199(2)",
                "case_number": "2026-1234",
            },
        }
    )
    world.disclosures.provide(request, MANAGER)
    [part] = world.disclosures.of_record(submission_id)
    assert part.law_enforcement is not None
    assert part.law_enforcement.case_number == "2026-1234"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent_reference": None}, "consent_reference"),
        ({"law_enforcement": {"agency": "a", "legal_provision": "b", "case_number": "c"}}, "law_enforcement"),
        ({"legal_basis": "law_enforcement"}, "law_enforcement"),
        ({"items": ["name", "shoe_size"]}, "items[1]"),
        ({"recipient": {"name": "Partner", "email": "not an address"}}, "recipient.email"),
    ],
)
def test_a_provision_without_its_evidence_is_refused_and_nothing_is_recorded(
    world: RightsWorld, change: dict[str, Any], field: str
) -> None:
    submission_id = world.submit("contact-us")
    with pytest.raises(ValidationFailed) as refused:
        world.disclosures.provide(by_consent(submission_id, **change), MANAGER)
    assert field in [d.field for d in refused.value.details]
    assert world.disclosure_store.rows == {}
    assert world.disclosure_store.ledger == []


def test_any_other_legal_basis_is_not_a_valid_request() -> None:
    with pytest.raises(ValueError, match="legal_basis"):
        by_consent("x", legal_basis="legitimate_interest")


def test_restricted_and_pending_records_are_never_provided(world: RightsWorld) -> None:
    free = world.submit("contact-us")
    restricted = world.submit("blog-subscription", email=MINJI)
    world.requests.receive(
        RightsRequestIn(
            channel=Channel.PHONE,
            kind="rectification",
            identity_verification=IdentityCheck.PHONE_CALLBACK,
            email=MINJI,
            submission_ids=[restricted],
        ),
        MANAGER,
        STAFF_ROUTE,
    )
    child = world.submit("contact-us", representative=Representative("Parent", "parent@example.co.kr"))
    for blocked in (restricted, child):
        with pytest.raises(RecordNotUsable):
            world.disclosures.provide(by_consent(free, blocked), MANAGER)
    assert world.disclosure_store.rows == {}
    with pytest.raises(NotFound):
        world.disclosures.provide(by_consent("00000000-0000-4000-8000-000000000000"), MANAGER)


def test_a_correction_sends_the_recipient_only_the_corrected_items_it_holds(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    world.disclosures.provide(by_consent(submission_id, items=("name", "job_grade")), MANAGER)
    world.mailer.sent.clear()
    me = world.rights.session(world.session_for(MINJI))
    world.rights.correct(me, submission_id, {"job_grade": "Director", "contact": "010-2222-3333"})
    [notice] = [m for m in world.mailer.sent if m.to == (PARTNER,)]
    assert "Director" in notice.text
    assert "+821022223333" not in notice.text  # the recipient never had the contact number
    assert "정정" in notice.text
    [part] = world.disclosures.of_record(submission_id)
    assert part.pending_items == ()
    assert part.notices[0].items == ("job_grade",)
    entries = [e.payload["event"] for e in world.disclosure_store.ledger]
    assert entries == ["provided", "correction_notice"]


def test_a_correction_of_items_the_recipient_never_had_sends_nothing(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    world.disclosures.provide(by_consent(submission_id, items=("name",)), MANAGER)
    me = world.rights.session(world.session_for(MINJI))
    world.mailer.sent.clear()
    world.rights.correct(me, submission_id, {"job_grade": "Director"})
    assert [m for m in world.mailer.sent if m.to == (PARTNER,)] == []


def test_a_notice_that_fails_to_go_out_is_still_owed_and_a_retry_sends_it(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    world.disclosures.provide(by_consent(submission_id), MANAGER)
    me = world.rights.session(world.session_for(MINJI))
    world.mailer.fail = True
    with pytest.raises(Unavailable):
        world.rights.correct(me, submission_id, {"job_grade": "Director"})
    [part] = world.disclosures.of_record(submission_id)
    assert part.pending_items == ("job_grade",)
    world.mailer.fail = False
    world.rights.correct(me, submission_id, {"job_grade": "Director"})  # the client's retry: no change left
    [notice] = [m for m in world.mailer.sent if m.to == (PARTNER,)]
    assert "Director" in notice.text
    assert world.disclosures.of_record(submission_id)[0].pending_items == ()


def test_the_subject_sees_each_provision_of_their_record(world: RightsWorld) -> None:
    submission_id = world.submit("contact-us")
    world.disclosures.provide(by_consent(submission_id), MANAGER)
    [view] = world.rights.records(world.rights.session(world.session_for(MINJI)))
    [provision] = view.provisions
    assert provision.recipient.name == "Partner Co."
    assert provision.items == ("name", "email", "job_grade")
