"""§4: personal information is kept for 60 calendar months after consent, then destroyed."""

from __future__ import annotations

from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta

from policybound.policy import POLICY_TIMEZONE, RETENTION_MONTHS


def retained_until(consented_at: datetime, months: int = RETENTION_MONTHS) -> datetime:
    """The moment retention ends, in Seoul time.

    Counted on Seoul's calendar, so 00:30 on 1 December in Seoul (still 30 November in UTC) counts as
    1 December, and clamped to the month's last day by relativedelta: 2024-02-29 + 60 months is
    2029-02-28.
    """
    if consented_at.tzinfo is None:
        raise ValueError("consent time must be timezone-aware")
    until: datetime = consented_at.astimezone(POLICY_TIMEZONE) + relativedelta(months=months)
    return until


def epoch_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).astimezone(POLICY_TIMEZONE)


def is_expired(retained_until_epoch: int, now: datetime) -> bool:
    """Due at the instant retention ends: one second before is kept, at the instant it is gone."""
    return epoch_seconds(now) >= retained_until_epoch
