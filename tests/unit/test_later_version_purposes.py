"""A purpose a later version adds to a form is served for the records consented to it: the marketing
audience holds them, their letter links work, and their marketing consent can be withdrawn. Whether a
record is used for a purpose is its own consent's say, not the first version's list of the form's purposes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from policybound import policy
from policybound.api.staff.auth import Role
from policybound.domain.core.model import RequestOrigin
from policybound.domain.intake.service import ConsentGiven
from policybound.policy import FORMS, FormId, Purpose, forms_kept_for
from tests.conftest import NOW, VALID_FIELDS
from tests.support.policy_versions import FIRST, SECOND
from tests.support.rights import build_world
from tests.support.staff import StaffApi, json_of

# In force on the unit clock (2026-11-30): contact-us gains an optional item and email marketing.
IN_FORCE = replace(SECOND, version="2026-11-01", announced_on=date(2026, 10, 1), effective_date=date(2026, 11, 1))


@pytest.fixture(autouse=True)
def _later_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, IN_FORCE))


def consent(marketing: bool) -> ConsentGiven:
    return ConsentGiven(required=True, optional=True, policy_version=IN_FORCE.version, marketing=marketing)


ORIGIN = RequestOrigin(source_ip="198.51.100.7", user_agent="pytest")


def test_the_forms_kept_for_marketing_include_those_a_later_version_gives_it() -> None:
    assert forms_kept_for(frozenset({Purpose.EMAIL_MARKETING})) == (FormId.CONTACT_US, FormId.RESOURCES_DOWNLOAD)


def test_an_inquirer_who_consented_to_marketing_under_the_later_version_is_in_the_audience(
    staff_api: StaffApi,
) -> None:
    staff_api.clock.at = NOW
    inquiry = VALID_FIELDS["contact-us"] | {"contact": "+821012345678"}
    with_marketing = staff_api.intake.submit(FORMS[FormId.CONTACT_US], inquiry, consent(True), ORIGIN)
    without = staff_api.intake.submit(
        FORMS[FormId.CONTACT_US], inquiry | {"email": "no-marketing@example.co.kr"}, consent(False), ORIGIN
    )
    assert with_marketing.purposes == (Purpose.INQUIRY_RESPONSE, Purpose.EMAIL_MARKETING)
    assert without.purposes == (Purpose.INQUIRY_RESPONSE,)
    response = staff_api.as_role(Role.STAFF).get(
        "/v1/staff/marketing-audience", query_string={"purpose": "email_marketing"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [m["submission_id"] for m in json_of(response)["items"]] == [with_marketing.submission_id]


def test_their_marketing_consent_can_be_withdrawn_and_the_inquiry_kept() -> None:
    world = build_world(NOW)
    inquiry = VALID_FIELDS["contact-us"] | {"contact": "+821012345678"}
    receipt = world.intake.submit(FORMS[FormId.CONTACT_US], inquiry, consent(True), ORIGIN)
    session = world.rights.session(world.session_for(inquiry["email"]))
    world.rights.withdraw_marketing(session, receipt.submission_id)
    kept = world.store.records[receipt.submission_id]
    assert kept.consent.purposes == (Purpose.INQUIRY_RESPONSE,)
    assert kept.consent.policy_version == IN_FORCE.version
