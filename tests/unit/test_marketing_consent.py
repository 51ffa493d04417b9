"""Email marketing is its own consent (PIPA art. 22): refusing it never blocks the form, a record kept
without it never serves marketing, and withdrawing it later takes that purpose off and keeps the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policybound.domain.core.ledger import LedgerKind
from policybound.domain.retention.withdrawal import WithdrawalOutcome
from policybound.policy import Purpose
from tests.conftest import UnitApi, submission
from tests.support.rights import build_world


def post(unit_api: UnitApi, form: str, body: Any) -> Any:
    return unit_api.client.post(
        f"/v1/forms/{form}", data=json.dumps(body), headers={"Content-Type": "application/json"}
    )


@pytest.mark.parametrize(
    ("marketing", "purposes"),
    [
        (None, ["resource_delivery"]),
        (False, ["resource_delivery"]),
        (True, ["resource_delivery", "email_marketing"]),
    ],
)
def test_a_download_is_stored_with_or_without_marketing_and_its_receipt_says_which(
    unit_api: UnitApi, marketing: bool | None, purposes: list[str]
) -> None:
    response = post(unit_api, "resources-download", submission("resources-download", marketing=marketing))
    assert response.status_code == 201, response.get_data(as_text=True)
    receipt = response.get_json()
    assert receipt["purposes"] == purposes
    stored = unit_api.store.records[receipt["submission_id"]]
    assert [p.value for p in stored.consent.purposes] == purposes


@pytest.mark.parametrize("form", ["contact-us", "blog-subscription"])
def test_a_form_without_a_marketing_purpose_refuses_a_marketing_consent(unit_api: UnitApi, form: str) -> None:
    response = post(unit_api, form, submission(form, marketing=True))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert [d["field"] for d in response.get_json()["error"]["details"]] == ["consent.marketing"]
    assert unit_api.store.records == {}


def test_marketing_consent_must_be_a_boolean(unit_api: UnitApi) -> None:
    body = submission("resources-download")
    body["consent"]["marketing"] = "yes"
    response = post(unit_api, "resources-download", body)
    assert response.status_code == 422
    assert unit_api.store.records == {}


def test_the_openapi_document_offers_marketing_consent_only_where_there_is_marketing(unit_api: UnitApi) -> None:
    schemas = unit_api.client.get("/openapi.json").get_json()["components"]["schemas"]
    assert "marketing" in schemas["MarketingConsent"]["properties"]
    assert "marketing" not in schemas["Consent"]["properties"]


def test_withdrawing_a_purpose_keeps_the_rest_and_is_in_the_consent_ledger() -> None:
    world = build_world()
    submission_id = world.submit("resources-download", marketing=True)
    assert world.withdrawals.withdraw_purpose(submission_id, Purpose.EMAIL_MARKETING) is WithdrawalOutcome.WITHDRAWN
    record = world.store.records[submission_id]
    assert record.consent.purposes == (Purpose.RESOURCE_DELIVERY,)
    assert world.store.keys[submission_id]  # the record is kept for delivering the resource
    entry = world.store.ledger.chains[LedgerKind.CONSENT][-1]
    assert entry.payload == {
        "event": "purpose_withdrawn",
        "submission_id": submission_id,
        "form": "resources-download",
        "purpose": "email_marketing",
        "purposes_left": ["resource_delivery"],
    }
    # A second withdrawal finds nothing to withdraw and writes nothing.
    again = world.withdrawals.withdraw_purpose(submission_id, Purpose.EMAIL_MARKETING)
    assert again is WithdrawalOutcome.NOT_CONSENTED
    assert len(world.store.ledger.chains[LedgerKind.CONSENT]) == 1


def test_withdrawing_the_last_purpose_destroys_the_record() -> None:
    world = build_world()
    submission_id = world.submit("contact-us")
    outcome = world.withdrawals.withdraw_purpose(submission_id, Purpose.INQUIRY_RESPONSE)
    assert outcome is WithdrawalOutcome.DESTROYED
    assert submission_id not in world.store.records
    assert submission_id not in world.store.keys
    [destroyed] = world.store.ledger.chains[LedgerKind.DESTRUCTION]
    assert destroyed.payload["reason"] == "consent_withdrawn"


def test_withdrawing_from_a_record_that_is_gone_says_so() -> None:
    world = build_world()
    assert world.withdrawals.withdraw_purpose("no-such-id", Purpose.EMAIL_MARKETING) is WithdrawalOutcome.GONE
