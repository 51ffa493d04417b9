"""`LedgerDraft.event`: the payload names its event first, then the fields given."""

from __future__ import annotations

from datetime import UTC, datetime

from policybound.domain.core.ledger import LedgerDraft, LedgerKind

AT = datetime(2026, 12, 2, tzinfo=UTC)


def test_an_event_draft_is_the_draft_written_out() -> None:
    draft = LedgerDraft.event(LedgerKind.LEGAL_HOLD, AT, "released", hold_id="h-1", submission_ids=["s-1"])
    assert draft == LedgerDraft(
        LedgerKind.LEGAL_HOLD, AT, {"event": "released", "hold_id": "h-1", "submission_ids": ["s-1"]}
    )
    assert list(draft.payload) == ["event", "hold_id", "submission_ids"]
