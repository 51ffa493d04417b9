"""The monthly review of access records (PIPA safety standard art. 8(2)): per member of staff, how
much PI they touched and how, with flags for what a reviewer should look at — bulk exports, volume
far above colleagues, many lookups by address, work outside office hours, many source addresses.

Pure: it takes the month's access entries and returns the report; the route and the CLI read them.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from policybound.domain.core.errors import FieldProblem, ValidationFailed
from policybound.domain.core.ledger import LedgerEntry
from policybound.policy import POLICY_TIMEZONE


@dataclass(frozen=True)
class ReviewThresholds:
    """When the monthly review flags a staff member's accesses."""

    # One request that hands over this many records is a bulk export.
    bulk_single: int = 50
    # Exported records in the month by one person.
    bulk_month: int = 500
    # Distinct records touched: flagged above this many times the staff median (and above `volume_floor`).
    volume_factor: float = 3.0
    volume_floor: int = 100
    # Look-ups by email address (probing for a person) in the month.
    lookups: int = 50
    source_ips: int = 3
    office_start: time = time(8, 0)
    office_end: time = time(20, 0)


@dataclass
class ActorSummary:
    """One staff member's accesses in the month under review."""

    user_id: str
    username: str
    accesses: int = 0
    records: int = 0
    distinct_submissions: set[str] = field(default_factory=set)
    exports: int = 0
    exported_records: int = 0
    largest_access: int = 0
    lookups: int = 0
    after_hours: int = 0
    source_ips: set[str] = field(default_factory=set)
    actions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Flag:
    """One finding of the review about one staff member."""

    user_id: str
    username: str
    flag: str
    detail: str


@dataclass(frozen=True)
class Review:
    """A month's access review: each staff member's accesses, and the findings."""

    month: str
    start: datetime
    end: datetime
    entries: int
    actors: list[ActorSummary]
    flags: list[Flag]


# A month a review or a report can be asked for, YYYY-MM: months 01-12 of the years 2000-2999 (no record
# is older, and the month after any of them is a date). The routes' query schemas state it too.
MONTH_PATTERN = r"^2[0-9]{3}-(0[1-9]|1[0-2])$"


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """A calendar month in Korea time, as [start, end)."""
    if not re.fullmatch(MONTH_PATTERN, month):
        raise ValidationFailed(
            "Name the month as YYYY-MM, e.g. 2026-11.", (FieldProblem("query.month", "must be YYYY-MM"),)
        )
    first = date.fromisoformat(f"{month}-01")
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return (
        datetime.combine(first, time(), POLICY_TIMEZONE),
        datetime.combine(following, time(), POLICY_TIMEZONE),
    )


def _after_hours(moment: datetime, thresholds: ReviewThresholds) -> bool:
    local = moment.astimezone(POLICY_TIMEZONE)
    return local.weekday() >= 5 or not (thresholds.office_start <= local.time() < thresholds.office_end)


def review(month: str, entries: Iterable[LedgerEntry], thresholds: ReviewThresholds | None = None) -> Review:
    limits = thresholds or ReviewThresholds()
    start, end = month_bounds(month)
    actors: dict[str, ActorSummary] = {}
    total = 0
    for entry in entries:
        if not start <= entry.at < end:
            continue
        total += 1
        payload = entry.payload
        user_id = str(payload.get("user_id"))
        summary = actors.setdefault(user_id, ActorSummary(user_id, str(payload.get("username"))))
        ids = payload.get("submission_ids")
        ids = ids if isinstance(ids, list) else []
        action = str(payload.get("action"))
        summary.accesses += 1
        summary.records += len(ids)
        summary.distinct_submissions.update(ids)
        summary.largest_access = max(summary.largest_access, len(ids))
        summary.actions[action] = summary.actions.get(action, 0) + 1
        if action == "export":
            summary.exports += 1
            summary.exported_records += len(ids)
        if action == "lookup":
            summary.lookups += 1
        if _after_hours(entry.at, limits):
            summary.after_hours += 1
        if payload.get("source_ip"):
            summary.source_ips.add(str(payload["source_ip"]))
    ordered = sorted(actors.values(), key=lambda a: (-len(a.distinct_submissions), a.username))
    return Review(month, start, end, total, ordered, _flags(ordered, limits))


def _flags(actors: list[ActorSummary], limits: ReviewThresholds) -> list[Flag]:
    flags: list[Flag] = []
    median = statistics.median([len(a.distinct_submissions) for a in actors]) if actors else 0

    def flag(actor: ActorSummary, name: str, detail: str) -> None:
        flags.append(Flag(actor.user_id, actor.username, name, detail))

    for actor in actors:
        if actor.largest_access >= limits.bulk_single:
            flag(actor, "bulk_export", f"one access handed over {actor.largest_access} records")
        elif actor.exported_records >= limits.bulk_month:
            flag(actor, "bulk_export", f"{actor.exported_records} records exported this month")
        distinct = len(actor.distinct_submissions)
        if distinct >= limits.volume_floor and len(actors) > 1 and distinct > limits.volume_factor * median:
            flag(actor, "unusual_volume", f"{distinct} records touched; the staff median is {median:g}")
        if actor.lookups >= limits.lookups:
            flag(actor, "many_lookups", f"{actor.lookups} look-ups by email address")
        if actor.after_hours:
            flag(actor, "after_hours", f"{actor.after_hours} accesses outside office hours (Korea time)")
        if len(actor.source_ips) > limits.source_ips:
            flag(actor, "many_source_ips", f"{len(actor.source_ips)} different source addresses")
    return flags


def month_of(moment: datetime) -> str:
    local = moment.astimezone(POLICY_TIMEZONE)
    return f"{local.year:04d}-{local.month:02d}"


def previous_month(moment: datetime) -> str:
    local = moment.astimezone(POLICY_TIMEZONE)
    return month_of(local.replace(day=1) - timedelta(days=1))
