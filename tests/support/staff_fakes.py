"""In-memory fakes of the staff-access ports, for unit tests without network."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.evidence.reports import KeptRecord
from policybound.domain.incidents.model import Incident
from policybound.domain.staff.ports import IndexPosition, StaffUser
from policybound.domain.staff.sessions import Activity
from policybound.domain.staff.sign_in import Attempts
from policybound.policy import FormId
from tests.support.fakes import FakeLedger, FakeStore


def index_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass
class FakeFormIndex:
    store: FakeStore
    queries: int = 0

    def newest(self, form: FormId, limit: int, after: IndexPosition | None) -> list[IndexPosition]:
        self.queries += 1
        positions = sorted(
            (
                IndexPosition(index_time(r.received_at), r.submission_id)
                for r in self.store.records.values()
                if r.form == form
            ),
            key=lambda p: (p.received_at, p.submission_id),
            reverse=True,
        )
        if after is not None:
            positions = [
                p for p in positions if (p.received_at, p.submission_id) < (after.received_at, after.submission_id)
            ]
        return positions[:limit]


@dataclass
class FakeCensus:
    store: FakeStore

    def kept(self) -> Iterator[KeptRecord]:
        for submission_id in list(self.store.records):
            yield KeptRecord(submission_id, submission_id in self.store.held)


@dataclass
class FakeSessionStore:
    last: dict[str, datetime] = field(default_factory=dict)
    ended: dict[str, datetime] = field(default_factory=dict)
    signed_out: set[str] = field(default_factory=set)

    def ended_before(self, user_id: str) -> datetime | None:
        return self.ended.get(user_id)

    def end_sessions(self, user_id: str, at: datetime, kept_until: datetime) -> None:
        self.ended[user_id] = at

    def activity(self, session_id: str) -> Activity:
        return Activity(self.last.get(session_id), session_id in self.signed_out)

    def seen(self, session_id: str, now: datetime, ends_at: datetime) -> None:
        if session_id not in self.signed_out:
            self.last[session_id] = max(now, self.last.get(session_id, now))

    def end(self, session_id: str, now: datetime, ends_at: datetime) -> None:
        self.signed_out.add(session_id)


@dataclass
class FakeAttemptStore:
    attempts: dict[str, Attempts] = field(default_factory=dict)

    def get(self, key: str) -> Attempts:
        return self.attempts.get(key, Attempts(0, None))

    def claim(self, key: str, now: datetime, max_tries: int, lock_over: datetime, expires_at: datetime) -> bool:
        state = self.get(key)
        if state.failed < max_tries:
            self.attempts[key] = Attempts(state.failed + 1, now)
            return True
        if state.last_at is not None and state.last_at <= lock_over:
            self.attempts[key] = Attempts(1, now)
            return True
        return False

    def clear(self, key: str) -> None:
        self.attempts.pop(key, None)


@dataclass
class FakeDirectory:
    accounts: dict[str, StaffUser] = field(default_factory=dict)
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    fail: bool = False

    def add(self, username: str, *groups: str) -> StaffUser:
        user = StaffUser(f"sub-{username}", username, frozenset(groups))
        self.accounts[username] = user
        return user

    def user(self, username: str) -> StaffUser | None:
        return self.accounts.get(username)

    def users(self) -> list[StaffUser]:
        return list(self.accounts.values())

    def _set(self, username: str, groups: frozenset[str]) -> None:
        if self.fail:
            raise Unavailable("Cognito")
        user = self.accounts[username]
        self.accounts[username] = StaffUser(user.user_id, user.username, groups, user.enabled, user.created_at)

    def add_to_group(self, username: str, group: str) -> None:
        self._set(username, self.accounts[username].groups | {group})
        self.calls.append(("add", username, group))

    def remove_from_group(self, username: str, group: str) -> None:
        self._set(username, self.accounts[username].groups - {group})
        self.calls.append(("remove", username, group))

    def sign_out(self, username: str) -> None:
        self.calls.append(("sign_out", username, ""))


@dataclass
class FakeIncidentStore:
    ledger: FakeLedger
    incidents: dict[str, Incident] = field(default_factory=dict)

    def create(self, incident: Incident, entry: LedgerDraft) -> None:
        assert incident.incident_id not in self.incidents
        self.incidents[incident.incident_id] = incident
        self.ledger.append(entry)

    def get(self, incident_id: str) -> Incident | None:
        return self.incidents.get(incident_id)

    def save_notified(self, incident_id: str, notified: tuple[str, ...], sent_at: datetime, entry: LedgerDraft) -> None:
        current = self.incidents[incident_id]
        self.incidents[incident_id] = replace(
            current, notified=notified, notices_sent_at=current.notices_sent_at or sent_at
        )
        self.ledger.append(entry)
