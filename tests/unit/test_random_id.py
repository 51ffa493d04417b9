"""`random_id`: every id the server makes has the form ID_PATTERN describes, and none repeats."""

from __future__ import annotations

import re

from policybound.domain.core.model import ID_PATTERN, random_id


def test_ids_match_the_pattern_and_differ() -> None:
    ids = {random_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(ID_PATTERN, i) for i in ids)
