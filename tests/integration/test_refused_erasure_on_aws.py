"""An erasure a legal hold refuses (§4.2, §6) on the real adapters: the record's use ends at once — out of
staff listings, the marketing audience and provisions — and its retention with it, so the first sweep
after the release destroys it, recorded as the subject's erasure."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest

from policybound.domain.core.clock import FixedClock
from policybound.domain.core.errors import NotFound
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.core.model import RecordStatus
from policybound.domain.core.ports import DestroyOutcome
from policybound.domain.rights.disclosures import DisclosureRequest
from policybound.domain.staff.access_records import AccessPurpose
from policybound.domain.staff.actor import Actor
from policybound.settings import settings_from
from policybound.wiring import Wiring
from tests.conftest import NOW, submission
from tests.support.aws import AwsApi
from tests.support.retention import STAFF_ID

STAFF = Actor("sub-staff", "staff", "198.51.100.20")
MANAGER = Actor("sub-manager", "manager", "198.51.100.21", manager=True)


def at(hours: float) -> Wiring:
    return Wiring(settings_from(os.environ), clock=FixedClock(NOW + timedelta(hours=hours)))


def submit(api: AwsApi, form: str) -> str:
    body = submission(form, marketing=True) if form == "resources-download" else submission(form)
    response = api.client.post(f"/v1/forms/{form}", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.get_json()["submission_id"])


def audience(wiring: Wiring) -> set[str]:
    page = wiring.staff_reads.marketing_audience(STAFF, purpose=None, limit=50, cursor=None, route="test")
    return {member.submission_id for member in page.items}


def listed(wiring: Wiring, form: Any) -> set[str]:
    page = wiring.staff_reads.submissions(
        STAFF, form=form, status=RecordStatus.ACTIVE, purpose=None, limit=50, cursor=None, route="test"
    )
    return {view.record.submission_id for view in page.items}


@pytest.mark.usefixtures("moto_aws")
def test_a_refused_erasure_ends_use_at_once_and_the_sweep_after_the_release_destroys(aws_api: AwsApi) -> None:
    held, other = submit(aws_api, "blog-subscription"), submit(aws_api, "resources-download")
    hold = aws_api.wiring.legal_holds.hold_records([held], "2031고단1234", "Preservation order", STAFF_ID)
    now = at(0.5)
    assert held in audience(now)
    record = now.ports.store.get(held)
    assert record is not None

    assert now.destroyer.erase(record) is DestroyOutcome.HELD

    # Its use ends at once, for every reader.
    assert held not in audience(now)
    assert other in audience(now)
    assert held not in listed(now, record.form)
    with pytest.raises(NotFound):
        now.staff_reads.submission(STAFF, held, AccessPurpose.BLOG_LETTER, "test")
    with pytest.raises(NotFound):
        now.disclosures.provide(
            DisclosureRequest.model_validate(
                {
                    "submission_ids": [held],
                    "recipient": {"name": "Partner Co.", "email": "privacy@partner.example.com"},
                    "items": ["name"],
                    "legal_basis": "consent",
                    "consent_reference": "CF-1",
                }
            ),
            MANAGER,
        )
    # ... and so does its retention: kept only by the hold, with the reason on the ledger.
    stored = now.ports.store.get(held)
    assert stored is not None
    assert stored.retained_until == (NOW + timedelta(hours=0.5)).astimezone(stored.retained_until.tzinfo)
    assert stored.use_ended_by == "subject_erasure"
    events = [e.payload for e in now.ports.ledger.entries(LedgerKind.LEGAL_HOLD)]
    assert {"event": "erasure_deferred_while_held", "submission_id": held} in events
    # A second request finds it out of use already and says the same.
    assert now.destroyer.erase(stored) is DestroyOutcome.HELD
    # Only the hold's investigation still reads it, naming the hold in the access record.
    view = now.staff_reads.submission(MANAGER, held, AccessPurpose.LEGAL_HOLD, "test", legal_hold_id=hold.hold_id)
    assert view.fields["email"] == submission("blog-subscription")["fields"]["email"]
    [access] = [
        e for e in now.ports.ledger.entries(LedgerKind.ACCESS) if e.payload.get("legal_hold_id") == hold.hold_id
    ]
    assert access.payload["submission_ids"] == [held]

    later = at(2)
    assert later.sweeper.run().destroyed == 0
    later.legal_holds.release(hold.hold_id, STAFF_ID)
    assert later.sweeper.run().destroyed == 1
    assert later.ports.store.get(held) is None
    assert later.ports.store.get_key(held) is None
    [destroyed] = later.ports.ledger.entries(LedgerKind.DESTRUCTION)
    assert destroyed.payload["submission_id"] == held
    assert destroyed.payload["reason"] == "subject_erasure"
    assert later.ports.store.get(other) is not None
