"""Evidence in local mode over real HTTP: three submissions, one erased by its subject, one under a legal
hold (whose erasure the hold refuses) → the reconciliation adds up with nothing unaccounted, the month's
destruction report names the erasure, and the ledger — consent batches included — verifies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import requests

from policybound.policy import POLICY_TIMEZONE
from tests.e2e.conftest import LocalServer, running_local
from tests.e2e.test_rights_local import session_for, staff, submit, unique_email
from tests.support.local_staff import place_hold

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with running_local() as started:
        yield started


def test_three_submissions_one_erased_one_held_reconcile_and_verify(server: LocalServer) -> None:
    api = server.api_url
    with requests.Session() as http:
        emails = [unique_email(tag) for tag in ("kept", "erased", "held")]
        kept = submit(server, http, "contact-us", emails[0])
        erased = submit(server, http, "blog-subscription", emails[1])
        held = submit(server, http, "resources-download", emails[2], marketing=True)
        manager, auditor = staff(server, http, "manager"), staff(server, http, "auditor")

        place_hold(api, http, manager, held)
        gone = http.delete(
            f"{api}/v1/rights/records/{erased}", headers=session_for(server, http, emails[1]), timeout=30
        )
        assert gone.status_code == 204, gone.text
        refused = http.delete(
            f"{api}/v1/rights/records/{held}", headers=session_for(server, http, emails[2]), timeout=30
        )
        assert refused.status_code == 409, refused.text
        assert "not used for anything" in refused.json()["error"]["message"]

        sealed = http.post(f"{api}/_local/seal-consents", timeout=60)
        assert sealed.status_code == 200, sealed.text

        found = http.get(f"{api}/v1/staff/evidence/reconciliation", headers=auditor, timeout=60)
        assert found.status_code == 200, found.text
        counts = found.json()
        assert (counts["collected"], counts["live"], counts["held"], counts["destroyed"]) == (3, 2, 1, 1)
        assert counts["unaccounted"] == []
        assert counts["unsealed"] == 0
        assert counts["without_consent_entry"] == []

        month = datetime.now(POLICY_TIMEZONE).strftime("%Y-%m")
        report = http.get(f"{api}/v1/staff/evidence/destructions", params={"month": month}, headers=auditor, timeout=60)
        assert report.status_code == 200, report.text
        [row] = report.json()["destructions"]
        assert (row["submission_id"], row["path"], row["reason"]) == (erased, "erasure", "subject_erasure")
        assert report.json()["chain_head"]["hash"] == row["ledger_hash"]

        consents = http.get(f"{api}/v1/staff/ledger", params={"kind": "consent"}, headers=auditor, timeout=60)
        given = [e["payload"]["submission_id"] for e in consents.json()["items"] if e["payload"]["event"] == "given"]
        assert sorted(given) == sorted([kept, erased, held])
        for email in emails:
            assert email not in consents.text

        verdict = http.get(f"{api}/v1/staff/ledger/verify", headers=auditor, timeout=60)
        assert verdict.status_code == 200, verdict.text
        assert verdict.json()["verified"] is True
        [consent_chain] = [c for c in verdict.json()["chains"] if c["kind"] == "consent"]
        assert consent_chain["batches"] >= 1
