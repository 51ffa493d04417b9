"""Evidence for auditors: the reconciliation of every record collected, and a month's destructions.

Both return ids, times, reasons and ledger hashes — never PI — so neither writes an access record.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.dependencies import evidence_service
from policybound.api.openapi import Tag
from policybound.api.staff.answers import VALIDATION_FAILED, answers
from policybound.api.staff.evidence_schemas import DestructionReportOut, ReconciliationOut
from policybound.domain.evidence.reports import EvidenceService
from policybound.domain.staff.access_review import MONTH_PATTERN

router = APIGatewayRouter()


@router.get(
    "/evidence/reconciliation",
    summary="Every record collected, accounted for (auditor, pi_manager)",
    description=(
        "Every submission id the consent ledger names (sealed, or still waiting for the 15-minute sealing job) "
        "is either `live` (still kept; `held` ones among them, kept by a legal hold) or `destroyed` (it has a "
        "destruction entry); `unaccounted` lists any that are neither, and `without_consent_entry` any record "
        "kept or destroyed that no consent entry names. `collected = live + destroyed + len(unaccounted)`. "
        "The chain heads anchor the answer to the ledger."
    ),
    operation_id="getReconciliation",
    tags=[Tag.STAFF_EVIDENCE],
    responses=answers(200, ReconciliationOut, "The reconciliation"),
)
def get_reconciliation(evidence: Annotated[EvidenceService, Depends(evidence_service)]) -> ReconciliationOut:
    return ReconciliationOut.of(evidence.reconciliation())


@router.get(
    "/evidence/destructions",
    summary="One month's destructions (auditor, pi_manager)",
    description=(
        "Each destruction whose time falls in the month (Korea time): submission id, form, reason, how it "
        "happened (`path`: sweep, ttl_backstop, unsubscribe, erasure, guardian_unconfirmed, consent_withdrawn, "
        "intake_failed), when "
        "it was due and destroyed, when its backup copies became unreadable (its data key's deletion) and when "
        "the last point-in-time backup that could hold it expires. Each row names its ledger entry, and the "
        "report the destruction chain's head, so a printed copy can be checked against the ledger later."
    ),
    operation_id="getDestructionReport",
    tags=[Tag.STAFF_EVIDENCE],
    responses=answers(200, DestructionReportOut, "The month's destructions", VALIDATION_FAILED),
)
def get_destruction_report(
    evidence: Annotated[EvidenceService, Depends(evidence_service)],
    month: Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM (Korea time)")],
) -> DestructionReportOut:
    return DestructionReportOut.of(evidence.destructions(month))
