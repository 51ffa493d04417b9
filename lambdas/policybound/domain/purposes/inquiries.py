"""Answering inquiries and managing their status (§2: "responses on customer inquiries and status
management"), inside the purpose and access-record guarantees of every staff read.

An inquiry is a contact-us record. Its handling — open, in progress (with an assignee), answered — is
metadata on the record; the replies are PI (they answer one person's question, by name) and are sealed
under the record's own data key, so destroying the record destroys them with every backup copy.
Replies go only to active, live records collected for `inquiry_response`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import FieldProblem, Forbidden, NotFound, RecordNotUsable, ValidationFailed
from policybound.domain.core.mail import inquiry_reply
from policybound.domain.core.model import RecordStatus, SealedBlob, StoredSubmission, WrappedKey, random_id
from policybound.domain.core.ports import Mailer
from policybound.domain.core.records import OpenRecord, RecordReader
from policybound.domain.staff.access_records import AccessAction, AccessPurpose, AccessRecorder
from policybound.domain.staff.actor import Actor
from policybound.domain.staff.pagination import Page, decode_cursor, encode_cursor
from policybound.domain.staff.ports import IndexPosition
from policybound.policy import FormId, Purpose

INQUIRY_FORM = FormId.CONTACT_US
REPLY_PART = "reply"
# A reply is a letter, not a book; it must fit one SES message with its template comfortably.
MAX_REPLY_LENGTH = 10_000


class HandlingState(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"


class HandlingFilter(StrEnum):
    """What a listing asks for: still waiting for an answer (open or in progress), or answered."""

    OPEN = "open"
    ANSWERED = "answered"

    def admits(self, state: HandlingState) -> bool:
        return (state is HandlingState.ANSWERED) == (self is HandlingFilter.ANSWERED)


@dataclass(frozen=True)
class StoredReply:
    reply_id: str
    replied_at: datetime
    replied_by: str
    sealed: SealedBlob


@dataclass(frozen=True)
class Handling:
    """Staff's handling of one inquiry. Staff user names and times only: no PI of the subject."""

    state: HandlingState = HandlingState.OPEN
    assignee: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    answered_at: datetime | None = None
    replies: tuple[StoredReply, ...] = field(default=())


class InquiryStore(Protocol):
    def oldest(self, limit: int, after: IndexPosition | None) -> list[IndexPosition]:
        """Up to `limit` inquiries, oldest first, after `after` (the form index, ascending)."""
        ...

    def get(self, submission_id: str) -> tuple[StoredSubmission, Handling] | None:
        """The record as stored, with its handling; None when it is gone."""
        ...

    def get_key(self, submission_id: str) -> WrappedKey | None: ...

    def set_handling(self, submission_id: str, handling: Handling) -> bool:
        """Store state, assignee and who changed them, unless the inquiry was answered meanwhile or is
        gone (False)."""
        ...

    def add_reply(self, submission_id: str, reply: StoredReply, handling: Handling) -> bool:
        """Append the sealed reply and store the handling (answered), if the record is still there and
        active (False otherwise)."""
        ...


class PartSealer(Protocol):
    def seal_part(self, submission_id: str, part: str, key: WrappedKey, plaintext: bytes) -> SealedBlob: ...

    def open_part(self, submission_id: str, part: str, key: WrappedKey, blob: SealedBlob) -> bytes: ...


@dataclass(frozen=True)
class Reply:
    reply_id: str
    replied_at: datetime
    replied_by: str
    body: str


@dataclass(frozen=True)
class InquiryView:
    record: StoredSubmission
    handling: Handling
    fields: dict[str, str]
    replies: tuple[Reply, ...]
    waiting_seconds: int


@dataclass(frozen=True)
class ReplySent:
    submission_id: str
    reply: Reply
    handling: Handling


def _position(cursor: str | None) -> IndexPosition | None:
    # The listings' own cursor format, over the one form inquiries come from.
    position = decode_cursor(cursor, (INQUIRY_FORM,))[INQUIRY_FORM]
    return position if isinstance(position, IndexPosition) else None


def _check_answerable(record: StoredSubmission) -> None:
    if Purpose.INQUIRY_RESPONSE not in record.consent.purposes:
        raise Forbidden(
            f"This {record.form.value} record was not collected for inquiry_response; it cannot be answered."
        )
    if record.status is not RecordStatus.ACTIVE:
        raise RecordNotUsable(
            f"This inquiry's record is {record.status.value}: it is neither used nor answered until that ends (§6)."
        )


@dataclass(eq=False, repr=False)
class InquiryService:
    """Inquiries for staff: listed, read, handled and answered, each read on record."""

    store: InquiryStore
    reader: RecordReader
    sealer: PartSealer
    recorder: AccessRecorder
    mailer: Mailer
    clock: Clock
    new_id: Callable[[], str] = random_id

    def _live(self, submission_id: str) -> tuple[StoredSubmission, Handling]:
        found = self.store.get(submission_id)
        if found is None or not self.reader.is_live(found[0]) or found[0].form is not INQUIRY_FORM:
            raise NotFound("No live inquiry has this id.")
        return found

    def _unsealed(self, record: StoredSubmission) -> tuple[OpenRecord, WrappedKey] | None:
        """The record opened, with the data key its replies are sealed under; None when the key is gone."""
        key = self.store.get_key(record.submission_id)
        opened = self.reader.open(record) if key is not None else None
        return (opened, key) if opened is not None and key is not None else None

    def _open(self, record: StoredSubmission, handling: Handling) -> InquiryView | None:
        unsealed = self._unsealed(record)
        if unsealed is None:
            return None
        opened, key = unsealed
        replies = tuple(
            Reply(
                r.reply_id,
                r.replied_at,
                r.replied_by,
                self.sealer.open_part(record.submission_id, REPLY_PART, key, r.sealed).decode(),
            )
            for r in handling.replies
        )
        until = handling.answered_at or self.clock.now()
        waited = max(0, int((until - record.received_at).total_seconds()))
        return InquiryView(record, handling, dict(opened.data.fields), replies, waited)

    def list(
        self, actor: Actor, handling: HandlingFilter, limit: int, cursor: str | None, route: str
    ) -> Page[InquiryView]:
        """Inquiries in one handling state, oldest first (the longest waiting at the top). A page can hold
        fewer than `limit` (others were in the other state); follow `next_cursor` until it is None."""
        positions = self.store.oldest(limit, _position(cursor))
        views: list[InquiryView] = []
        for position in positions:
            found = self.store.get(position.submission_id)
            if found is None:
                continue
            record, state = found
            if not (self.reader.is_live(record) and record.status is RecordStatus.ACTIVE):
                continue
            if Purpose.INQUIRY_RESPONSE not in record.consent.purposes or not handling.admits(state.state):
                continue
            view = self._open(record, state)
            if view is not None:
                views.append(view)
        self.recorder.record(
            actor, AccessAction.LIST, [AccessPurpose.INQUIRY_RESPONSE], [v.record.submission_id for v in views], route
        )
        more = len(positions) == limit
        return Page(views, encode_cursor({INQUIRY_FORM: positions[-1]}) if more else None)

    def one(self, actor: Actor, submission_id: str, route: str) -> InquiryView:
        """One inquiry with its items, handling and replies, for answering it; recorded as a read first."""
        record, handling = self._live(submission_id)
        _check_answerable(record)
        self.recorder.record(actor, AccessAction.READ, [AccessPurpose.INQUIRY_RESPONSE], [submission_id], route)
        view = self._open(record, handling)
        if view is None:
            raise NotFound("No live inquiry has this id.")
        return view

    def note(
        self, actor: Actor, submission_id: str, state: HandlingState, assignee: str | None, route: str
    ) -> Handling:
        """Internal handling: in progress (and by whom) or back to open. Answered comes only from a reply."""
        if state is HandlingState.ANSWERED:
            raise ValidationFailed(
                "An inquiry becomes answered by sending a reply; choose open or in_progress.",
                (FieldProblem("state", "must be open or in_progress"),),
            )
        record, current = self._live(submission_id)
        _check_answerable(record)
        if current.state is HandlingState.ANSWERED:
            raise RecordNotUsable("This inquiry was answered already; its handling is closed.")
        changed = replace(
            current, state=state, assignee=assignee, updated_at=self.clock.now(), updated_by=actor.username
        )
        self.recorder.record(actor, AccessAction.CHANGE, [AccessPurpose.INQUIRY_RESPONSE], [submission_id], route)
        if not self.store.set_handling(submission_id, changed):
            raise RecordNotUsable("This inquiry was answered or destroyed meanwhile; its handling did not change.")
        return changed

    def reply(self, actor: Actor, submission_id: str, body: str, route: str) -> ReplySent:
        """Mail the reply to the person, then keep it sealed with the record and mark the inquiry answered.
        The access record is written before the address is used."""
        record, current = self._live(submission_id)
        _check_answerable(record)
        unsealed = self._unsealed(record)
        if unsealed is None:
            raise NotFound("No live inquiry has this id.")
        opened, key = unsealed
        now = self.clock.now()
        reply = Reply(self.new_id(), now, actor.username, body)
        sealed = self.sealer.seal_part(submission_id, REPLY_PART, key, body.encode())
        self.recorder.record(actor, AccessAction.NOTIFY, [AccessPurpose.INQUIRY_RESPONSE], [submission_id], route)
        fields = opened.data.fields
        self.mailer.send(inquiry_reply(fields["email"], fields.get("name", ""), fields.get("inquiry", ""), body))
        handling = replace(
            current,
            state=HandlingState.ANSWERED,
            # The first answer ends the waiting time; later replies add to the thread.
            answered_at=current.answered_at or now,
            updated_at=now,
            updated_by=actor.username,
        )
        if not self.store.add_reply(submission_id, StoredReply(reply.reply_id, now, actor.username, sealed), handling):
            raise NotFound("The inquiry's record was destroyed while the reply was being sent.")
        return ReplySent(submission_id, reply, handling)
