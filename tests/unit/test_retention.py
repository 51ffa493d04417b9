from datetime import UTC, datetime, timedelta, timezone

import pytest

from policybound.domain.core import retention
from policybound.policy import POLICY_TIMEZONE, RETENTION_MONTHS

KST = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    ("consented", "expected_date"),
    [
        (datetime(2024, 2, 29, 10, 0, tzinfo=KST), "2029-02-28"),
        (datetime(2026, 1, 31, 9, 0, tzinfo=KST), "2031-01-31"),
        (datetime(2026, 11, 30, 23, 30, tzinfo=KST), "2031-11-30"),
        # 00:30 on 1 December in Seoul is 30 November in UTC; Seoul's calendar decides.
        (datetime(2026, 11, 30, 15, 30, tzinfo=UTC), "2031-12-01"),
        # 08:00 on 29 February in Seoul is 28 February in UTC.
        (datetime(2024, 2, 28, 23, 0, tzinfo=UTC), "2029-02-28"),
    ],
)
def test_retention_counts_sixty_calendar_months_in_seoul(consented: datetime, expected_date: str) -> None:
    until = retention.retained_until(consented)
    assert until.tzinfo is not None
    assert until.astimezone(POLICY_TIMEZONE).date().isoformat() == expected_date
    # The time of day is kept: retention ends at the moment of consent, 60 months on.
    assert until.astimezone(POLICY_TIMEZONE).time() == consented.astimezone(POLICY_TIMEZONE).time()


def test_retention_is_the_policy_module_figure() -> None:
    assert RETENTION_MONTHS == 60
    consented = datetime(2020, 5, 15, 12, 0, tzinfo=KST)
    assert retention.retained_until(consented).year == 2025


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        retention.retained_until(datetime(2026, 1, 1))


def test_expiry_boundary_is_the_instant_itself() -> None:
    until = retention.epoch_seconds(retention.retained_until(datetime(2026, 1, 31, 9, 0, tzinfo=KST)))
    due = retention.from_epoch(until)
    assert not retention.is_expired(until, due - timedelta(seconds=1))
    assert retention.is_expired(until, due)


def test_epoch_round_trip_keeps_seoul_time() -> None:
    moment = datetime(2031, 1, 31, 9, 0, tzinfo=KST)
    back = retention.from_epoch(retention.epoch_seconds(moment))
    assert back == moment
    assert back.utcoffset() == timedelta(hours=9)
