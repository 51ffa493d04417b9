"""The ledger for auditors: entries by kind, verification of every chain, the monthly access review."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.dependencies import ledger_reader
from policybound.api.openapi import Tag
from policybound.api.staff.answers import VALIDATION_FAILED, answers
from policybound.api.staff.paging import page_out
from policybound.api.staff.schemas import (
    AccessReviewOut,
    ChainReportOut,
    LedgerEntryOut,
    LedgerPageOut,
    LedgerVerifyOut,
)
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.evidence.ledger_audit import entries_between, entries_page, verify_all
from policybound.domain.staff.access_review import MONTH_PATTERN, month_bounds, review
from policybound.domain.staff.ports import LedgerReader

router = APIGatewayRouter()

Ledger = Annotated[LedgerReader, Depends(ledger_reader)]


@router.get(
    "/ledger",
    summary="Ledger entries of one kind, oldest first (auditor, pi_manager)",
    description=(
        "The hash-chained ledger: destruction, access (access records), disclosure, access_rights, consent and "
        "the other kinds. Entries hold ids, hashes, times and counts, never PI. Page with `after` (a sequence "
        "number; `next_cursor` of the previous page)."
    ),
    operation_id="listLedgerEntries",
    tags=[Tag.STAFF_LEDGER],
    responses=answers(200, LedgerPageOut, "A page of entries", VALIDATION_FAILED),
)
def ledger_entries(
    ledger: Ledger,
    kind: Annotated[LedgerKind, Query(description="Which chain.")],
    after: Annotated[int, Query(ge=0, description="Start after this sequence number.")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> LedgerPageOut:
    return page_out(LedgerPageOut, entries_page(ledger, kind, after, limit), LedgerEntryOut.of, kind=kind.value)


@router.get(
    "/ledger/verify",
    summary="Verify every ledger chain (auditor)",
    description="Recomputes every entry's hash and link, chain by chain, and names the first break of each.",
    operation_id="verifyLedger",
    tags=[Tag.STAFF_LEDGER],
    responses=answers(200, LedgerVerifyOut, "Each chain's verdict"),
)
def verify_ledger(ledger: Ledger) -> LedgerVerifyOut:
    reports = [ChainReportOut.of(report) for report in verify_all(ledger)]
    return LedgerVerifyOut(verified=all(r.verified for r in reports), chains=reports)


@router.get(
    "/access-review",
    summary="Monthly review of access records (auditor, pi_manager)",
    description=(
        "Per member of staff: accesses, records touched, exports, look-ups, after-hours work and source addresses "
        "in one month (Korea time), with flags for unusual volume such as bulk exports."
    ),
    operation_id="getAccessReview",
    tags=[Tag.STAFF_LEDGER],
    responses=answers(200, AccessReviewOut, "The month's review", VALIDATION_FAILED),
)
def access_review(
    ledger: Ledger,
    month: Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM")],
) -> AccessReviewOut:
    start, end = month_bounds(month)
    return AccessReviewOut.of(review(month, entries_between(ledger, LedgerKind.ACCESS, start, end)))
