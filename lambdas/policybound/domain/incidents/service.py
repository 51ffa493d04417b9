"""Breach response (§8; PIPA art. 34): open an incident, find whose records were involved — from the
named records and from the access records of suspect staff accounts — and tell those subjects, with the
72-hour clock from discovery in view.

§8 says the subjects are informed "immediately": opening an incident is the PI manager's confirmation
of it, so the notices go out at once, in the same request; 72 hours from discovery is the outer limit,
not the plan. A notice that cannot go out then stays owed, shown by the clock, and the notices route
sends what is owed.

The incident holds ids, counts and the manager's own description; the ledger (INCIDENT) holds ids and
counts only. Addresses are read from the records themselves when the notices are sent, and each such
read is an access record with purpose incident_response.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import FieldProblem, NotFound, RateLimited, Unavailable, ValidationFailed
from policybound.domain.core.ledger import LedgerDraft, LedgerKind, LedgerValue
from policybound.domain.core.model import random_id
from policybound.domain.core.ports import Mailer
from policybound.domain.core.records import RecordReader
from policybound.domain.evidence.ledger_audit import entries_between
from policybound.domain.incidents.mail import breach_notice
from policybound.domain.incidents.model import Incident, IncidentCategory, SuspectAccess
from policybound.domain.staff.access_records import AccessAction, AccessPurpose, AccessRecorder
from policybound.domain.staff.actor import Actor
from policybound.domain.staff.ports import LedgerReader

MAX_NAMED_RECORDS = 1000


@dataclass(frozen=True)
class NoticeClock:
    discovered_at: datetime
    notify_by: datetime
    hours_remaining: float
    overdue: bool
    notices_sent_at: datetime | None
    notified_in_time: bool | None


def notice_clock(incident: Incident, now: datetime) -> NoticeClock:
    remaining = (incident.notify_by - now).total_seconds() / 3600
    sent = incident.notices_sent_at
    return NoticeClock(
        discovered_at=incident.discovered_at,
        notify_by=incident.notify_by,
        hours_remaining=round(remaining, 1),
        overdue=sent is None and remaining < 0,
        notices_sent_at=sent,
        notified_in_time=None if sent is None else sent <= incident.notify_by,
    )


@dataclass(frozen=True)
class InvolvedSubject:
    """One person, by a short form of their blind index (never their address)."""

    subject_ref: str
    submission_ids: tuple[str, ...]
    notified: bool


@dataclass(frozen=True)
class IncidentView:
    incident: Incident
    clock: NoticeClock
    subjects: list[InvolvedSubject]
    # Involved records that no longer exist (destroyed or expired): nobody left to tell through them.
    no_longer_held: tuple[str, ...]


@dataclass(frozen=True)
class NoticeResult:
    view: IncidentView
    sent: int
    already_notified: int


def _by(actor: Actor) -> dict[str, LedgerValue]:
    """The staff member who acted, named as every incident ledger entry names them: user id and user name."""
    return {"by_user_id": actor.user_id, "by_username": actor.username}


class IncidentStore(Protocol):
    """Writes each change together with its ledger entry, or neither."""

    def create(self, incident: Incident, entry: LedgerDraft) -> None: ...

    def get(self, incident_id: str) -> Incident | None: ...

    def save_notified(
        self, incident_id: str, notified: tuple[str, ...], sent_at: datetime, entry: LedgerDraft
    ) -> None: ...


@dataclass(frozen=True)
class NewIncident:
    category: IncidentCategory
    discovered_at: datetime
    reference: str
    summary: str
    measures: str
    submission_ids: tuple[str, ...] = ()
    suspect_access: SuspectAccess | None = None


@dataclass(eq=False, repr=False)
class IncidentService:
    """Opens incidents, finds the records involved, and tells their subjects."""

    store: IncidentStore
    ledger_reader: LedgerReader
    reader: RecordReader
    recorder: AccessRecorder
    mailer: Mailer
    clock: Clock
    new_id: Callable[[], str] = random_id

    def involved_by_access(self, suspect: SuspectAccess) -> list[str]:
        """Submission ids the suspect accounts read, exported or changed in the window, from the access
        records (a ledger chain, so the answer is tamper-evident too)."""
        accounts = set(suspect.staff_user_ids)
        found: dict[str, None] = {}
        for entry in entries_between(self.ledger_reader, LedgerKind.ACCESS, suspect.since, suspect.until):
            if entry.payload.get("user_id") in accounts:
                ids = entry.payload.get("submission_ids")
                found.update(dict.fromkeys(ids if isinstance(ids, list) else []))
        return list(found)

    def open(self, actor: Actor, request: NewIncident, route: str) -> IncidentView:
        now = self.clock.now()
        if request.discovered_at > now:
            raise ValidationFailed(
                "The discovery time is in the future.", (FieldProblem("discovered_at", "must not be in the future"),)
            )
        if request.suspect_access and request.suspect_access.since >= request.suspect_access.until:
            raise ValidationFailed(
                "The suspect access window ends before it starts.",
                (FieldProblem("suspect_access.until", "must be after since"),),
            )
        involved = list(dict.fromkeys(request.submission_ids))
        if request.suspect_access:
            involved += [i for i in self.involved_by_access(request.suspect_access) if i not in involved]
        incident = Incident(
            incident_id=self.new_id(),
            category=request.category,
            discovered_at=request.discovered_at,
            opened_at=now,
            opened_by=actor.user_id,
            reference=request.reference,
            summary=request.summary,
            measures=request.measures,
            involved=tuple(involved),
        )
        self.store.create(
            incident,
            LedgerDraft.event(
                LedgerKind.INCIDENT,
                now,
                "opened",
                incident_id=incident.incident_id,
                category=incident.category.value,
                discovered_at=incident.discovered_at.isoformat(),
                notify_by=incident.notify_by.isoformat(),
                involved_submissions=len(involved),
                **_by(actor),
                reference=incident.reference,
            ),
        )
        try:
            return self.send_notices(actor, incident.incident_id, route).view
        except (Unavailable, RateLimited):
            # The incident is recorded either way (a retry must not open it twice); the notices not sent
            # stay owed, and the clock says so.
            return self.view(incident.incident_id)

    def _incident(self, incident_id: str) -> Incident:
        incident = self.store.get(incident_id)
        if incident is None:
            raise NotFound("No incident has this id.")
        return incident

    def view(self, incident_id: str) -> IncidentView:
        return self._view(self._incident(incident_id))

    def _groups(self, incident: Incident) -> tuple[dict[str, list[str]], list[str]]:
        by_subject: dict[str, list[str]] = defaultdict(list)
        gone: list[str] = []
        for submission_id in incident.involved:
            record = self.reader.live(submission_id)
            if record is None:
                gone.append(submission_id)
            else:
                by_subject[record.subject].append(submission_id)
        return by_subject, gone

    def _view(self, incident: Incident) -> IncidentView:
        by_subject, gone = self._groups(incident)
        notified = set(incident.notified)
        subjects = [
            InvolvedSubject(subject[:16], tuple(ids), all(i in notified for i in ids))
            for subject, ids in by_subject.items()
        ]
        return IncidentView(incident, notice_clock(incident, self.clock.now()), subjects, tuple(gone))

    def send_notices(self, actor: Actor, incident_id: str, route: str) -> NoticeResult:
        """Tell every involved subject not told yet, once per person, at the address of their newest record."""
        incident = self._incident(incident_id)
        by_subject, _ = self._groups(incident)
        notified = set(incident.notified)
        sent, already = 0, 0
        newly: list[str] = []
        try:
            for ids in by_subject.values():
                if all(i in notified for i in ids):
                    already += 1
                    continue
                address = self._address_of(ids)
                if address is None:
                    continue
                self.recorder.record(actor, AccessAction.NOTIFY, [AccessPurpose.INCIDENT_RESPONSE], [address[0]], route)
                self.mailer.send(breach_notice(address[1], incident))
                newly += ids
                sent += 1
        finally:
            # Whatever was sent before a failure is kept as sent, so a retry does not tell anyone twice.
            if newly:
                incident = self._mark_notified(actor, incident, newly, sent)
        return NoticeResult(self._view(incident), sent, already)

    def _mark_notified(self, actor: Actor, incident: Incident, newly: list[str], sent: int) -> Incident:
        now = self.clock.now()
        all_notified = tuple(dict.fromkeys([*incident.notified, *newly]))
        first_sent = incident.notices_sent_at or now
        self.store.save_notified(
            incident.incident_id,
            all_notified,
            first_sent,
            LedgerDraft.event(
                LedgerKind.INCIDENT,
                now,
                "notified",
                incident_id=incident.incident_id,
                subjects_notified=sent,
                submission_ids=newly,
                within_72_hours=now <= incident.notify_by,
                **_by(actor),
            ),
        )
        return replace(incident, notified=all_notified, notices_sent_at=first_sent)

    def _address_of(self, submission_ids: Iterable[str]) -> tuple[str, str] | None:
        for submission_id in submission_ids:
            opened = self.reader.open_live(submission_id)
            if opened and opened.data.fields.get("email"):
                return submission_id, opened.data.fields["email"]
        return None
