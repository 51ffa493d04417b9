from dataclasses import replace
from datetime import UTC, datetime, timedelta

from policybound.domain.core.ledger import (
    GENESIS_HASH,
    ChainBreak,
    LedgerDraft,
    LedgerEntry,
    LedgerKind,
    chain,
    verify_chain,
)

T0 = datetime(2026, 11, 30, tzinfo=UTC)


def build(n: int) -> list[LedgerEntry]:
    entries, head = [], None
    for i in range(n):
        entry = chain(LedgerDraft(LedgerKind.ACCESS, T0 + timedelta(seconds=i), {"submission_ids": [f"s{i}"]}), head)
        entries.append(entry)
        head = entry.head
    return entries


def first_problem(entries: list[LedgerEntry]) -> ChainBreak:
    problem = verify_chain(entries)
    assert problem is not None
    return problem


def test_a_fresh_chain_links_from_genesis_and_verifies() -> None:
    entries = build(4)
    assert entries[0].seq == 1
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert verify_chain(entries) is None
    assert verify_chain([]) is None


def test_an_edited_entry_is_named() -> None:
    entries = build(4)
    entries[2] = replace(entries[2], payload={"submission_ids": ["someone-else"]})
    problem = first_problem(entries)
    assert problem.seq == 3
    assert "edited" in problem.problem


def test_a_removed_entry_is_named() -> None:
    entries = build(4)
    del entries[1]
    problem = first_problem(entries)
    assert problem.seq == 2
    assert "missing" in problem.problem


def test_a_rehashed_forgery_still_breaks_the_next_link() -> None:
    entries = build(3)
    forged = chain(LedgerDraft(LedgerKind.ACCESS, entries[1].at, {"submission_ids": ["x"]}), entries[0].head)
    entries[1] = forged
    problem = first_problem(entries)
    assert problem.seq == 3
    assert "link" in problem.problem
