"""Reconciliation and the destruction report, through the staff API over fakes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from policybound.api.staff.auth import Role
from policybound.domain.core.ledger import LedgerDraft, LedgerKind, chain
from policybound.domain.evidence.consent_ledger import ConsentSealing
from policybound.domain.evidence.reports import KeptRecord, reconcile
from policybound.domain.retention.destruction import DestructionReason
from tests.conftest import NOW, VALID_FIELDS
from tests.support.staff import StaffApi, json_of


def seal(api: StaffApi) -> None:
    ConsentSealing(api.ledger, api.clock).run()


def reconciliation(api: StaffApi) -> dict[str, Any]:
    response = api.as_role(Role.AUDITOR).get("/v1/staff/evidence/reconciliation")
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(json_of(response))


def test_every_collected_record_is_live_held_or_destroyed_and_the_counts_add_up(staff_api: StaffApi) -> None:
    _, held, erased, _ = (staff_api.submit(form, VALID_FIELDS[form]) for form in [*VALID_FIELDS, "contact-us"])
    seal(staff_api)
    staff_api.store.held.add(held)
    record = staff_api.store.records[erased]
    staff_api.services.destroyer.destroy(record, DestructionReason.SUBJECT_ERASURE)
    found = reconciliation(staff_api)
    assert found["collected"] == 4
    assert (found["live"], found["held"], found["destroyed"]) == (3, 1, 1)
    assert found["unaccounted"] == []
    assert found["collected"] == found["live"] + found["destroyed"] + len(found["unaccounted"])
    assert found["unsealed"] == 0
    assert found["consent_head"]["seq"] == 5
    assert found["destruction_head"]["seq"] == 1


def test_a_record_gone_without_a_destruction_entry_is_unaccounted(staff_api: StaffApi) -> None:
    lost = staff_api.submit("contact-us", VALID_FIELDS["contact-us"])
    unsealed = staff_api.submit("blog-subscription", VALID_FIELDS["blog-subscription"])
    seal(staff_api)
    del staff_api.store.records[lost]  # deleted behind the application's back
    found = reconciliation(staff_api)
    assert found["unaccounted"] == [lost]
    assert found["live"] == 1
    assert unsealed not in found["unaccounted"]


def test_unsealed_consents_count_as_collected_and_records_without_one_are_named() -> None:
    destruction = chain(LedgerDraft(LedgerKind.DESTRUCTION, NOW, {"submission_id": "old"}), None)
    waiting = LedgerDraft(LedgerKind.CONSENT, destruction.at, {"event": "given", "submission_id": "new"})
    found = reconcile([], [waiting], [KeptRecord("new", False), KeptRecord("legacy", True)], [destruction])
    assert (found.collected, found.live, found.held, found.destroyed, found.unsealed) == (1, 1, 0, 0, 1)
    assert found.without_consent_entry == ("legacy", "old")
    assert found.unaccounted == ()


def test_the_months_destruction_report_names_each_path_with_backup_times_and_ledger_anchors(
    staff_api: StaffApi,
) -> None:
    ids = [staff_api.submit(form, VALID_FIELDS[form]) for form in VALID_FIELDS]
    destroyer = staff_api.services.destroyer
    reasons = [DestructionReason.SUBJECT_ERASURE, DestructionReason.UNSUBSCRIBED, DestructionReason.RETENTION_EXPIRED]
    for submission_id, reason in zip(ids, reasons, strict=True):
        destroyer.destroy(staff_api.store.records[submission_id], reason)
    response = staff_api.as_role(Role.PI_MANAGER).get(
        "/v1/staff/evidence/destructions", query_string={"month": staff_api.clock.now().strftime("%Y-%m")}
    )
    assert response.status_code == 200
    report = json_of(response)
    rows = report["destructions"]
    assert [(r["submission_id"], r["path"]) for r in rows] == list(
        zip(ids, ["erasure", "unsubscribe", "sweep"], strict=True)
    )
    assert report["by_path"] == {"erasure": 1, "unsubscribe": 1, "sweep": 1}
    entries = staff_api.ledger.chains[LedgerKind.DESTRUCTION]
    first = rows[0]
    assert (first["ledger_seq"], first["ledger_hash"]) == (entries[0].seq, entries[0].hash)
    assert first["backups_unreadable_at"] == first["destroyed_at"]
    expires = datetime.fromisoformat(first["last_backup_expires_at"]) - datetime.fromisoformat(first["destroyed_at"])
    assert expires == timedelta(days=35)
    assert report["chain_head"] == {"seq": entries[-1].seq, "hash": entries[-1].hash}
    other = staff_api.as_role(Role.AUDITOR).get("/v1/staff/evidence/destructions", query_string={"month": "2020-01"})
    assert json_of(other)["destructions"] == []


@pytest.mark.parametrize("path", ["/v1/staff/evidence/reconciliation", "/v1/staff/evidence/destructions?month=2026-11"])
def test_staff_without_audit_role_are_refused(staff_api: StaffApi, path: str) -> None:
    assert staff_api.as_role(Role.STAFF).get(path).status_code == 403
    assert staff_api.as_role(Role.AUDITOR).get(path).status_code == 200


def test_a_bad_month_is_refused(staff_api: StaffApi) -> None:
    response = staff_api.as_role(Role.AUDITOR).get("/v1/staff/evidence/destructions", query_string={"month": "2026-13"})
    assert response.status_code == 422
