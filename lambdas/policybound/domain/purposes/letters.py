"""Blog letters and marketing email (§2) to the marketing audience, each recipient with their own
one-click unsubscribe link (RFC 8058).

Sending is split in two, so that no single call loops over thousands of people:
- `Letters.send` (staff API) selects the audience — the one marketing-audience definition in
  `staff_reads` — stores the letter, writes ONE access record naming every recipient id, and queues
  the recipients in batches. It decrypts nothing: the addresses are opened only by the sender.
- `LetterSender.deliver` (the queue's consumer) mails one batch, paced for the SES sending rate.
  Each (letter, record) is claimed by a conditional write before its mail goes out, so a redelivered
  batch or a retried call never mails anyone twice; each recipient is checked again just before
  sending, so whoever unsubscribed, withdrew consent, was restricted or destroyed meanwhile is skipped.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import MailThrottled, NotFound
from policybound.domain.core.mail import SENDS_PER_SECOND_PER_SENDER, letter_mail
from policybound.domain.core.ports import KeyedHash, Mailer
from policybound.domain.core.records import RecordReader
from policybound.domain.retention.unsubscribe import letter_unsubscribe_token
from policybound.domain.staff.access_records import AccessAction, AccessPurpose, AccessRecorder
from policybound.domain.staff.actor import Actor
from policybound.domain.staff.reads import StaffReads, marketing_purposes_of
from policybound.policy import FORMS

# Recipients per queue message: a batch is mailed within one invocation, well inside its timeout.
BATCH_SIZE = 25
MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 12_000


class DeliveryState(StrEnum):
    # Claimed: the mail is being sent (or the sender stopped between claim and send; never resent).
    SENDING = "sending"
    SENT = "sent"
    # Left out at send time: no longer in the audience (unsubscribed, withdrew, restricted, destroyed).
    SKIPPED = "skipped"
    # SES refused it for good; counted, never retried.
    FAILED = "failed"


@dataclass(frozen=True)
class Letter:
    letter_id: str
    subject: str
    body: str
    created_at: datetime
    created_by: str
    recipients: int
    sent: int = 0
    skipped: int = 0
    failed: int = 0

    @property
    def pending(self) -> int:
        return max(0, self.recipients - self.sent - self.skipped - self.failed)


class LetterStore(Protocol):
    def create(self, letter: Letter) -> None: ...

    def get(self, letter_id: str) -> Letter | None: ...

    def claim(self, letter_id: str, submission_id: str, state: DeliveryState, at: datetime) -> bool:
        """Record the (letter, record) delivery in `state` if it has none yet (a conditional write);
        False when it was claimed before, by this batch's earlier attempt or anyone else."""
        ...

    def settle(self, letter_id: str, submission_id: str, state: DeliveryState, at: datetime) -> None:
        """A claimed delivery's outcome, and the letter's count for it."""
        ...

    def release(self, letter_id: str, submission_id: str) -> None:
        """Undo a claim whose mail certainly did not go out (SES throttled it), so a retry may send it."""
        ...


class LetterQueue(Protocol):
    def enqueue(self, letter_id: str, batches: Sequence[Sequence[str]]) -> None: ...


def batches_of(ids: Sequence[str], size: int = BATCH_SIZE) -> list[list[str]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


class Letters:
    def __init__(
        self,
        reads: StaffReads,
        store: LetterStore,
        queue: LetterQueue,
        recorder: AccessRecorder,
        clock: Clock,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._reads = reads
        self._store = store
        self._queue = queue
        self._recorder = recorder
        self._clock = clock
        self._new_id = new_id

    def _audience(self) -> Iterator[str]:
        cursor: str | None = None
        while True:
            page = self._reads.marketing_selection(purpose=None, limit=100, cursor=cursor)
            yield from (record.submission_id for record, _ in page.items)
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _recipients(self) -> list[str]:
        return list(dict.fromkeys(self._audience()))

    def audience_size(self) -> int:
        """How many people a letter sent now would go to: the same selection `send` makes, counted. It
        opens no record and hands over no id, so it is no access to personal information."""
        return len(self._recipients())

    def send(self, actor: Actor, subject: str, body: str, route: str) -> Letter:
        recipients = self._recipients()
        letter = Letter(self._new_id(), subject, body, self._clock.now(), actor.username, len(recipients))
        self._store.create(letter)
        # One access record for the whole letter, naming every recipient, before any address is opened.
        purposes = [AccessPurpose.EMAIL_MARKETING, AccessPurpose.BLOG_LETTER]
        self._recorder.record(actor, AccessAction.NOTIFY, purposes, recipients, route)
        self._queue.enqueue(letter.letter_id, batches_of(recipients))
        return letter

    def get(self, letter_id: str) -> Letter:
        letter = self._store.get(letter_id)
        if letter is None:
            raise NotFound("No letter has this id.")
        return letter


@dataclass(frozen=True)
class BatchResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    already: int = 0


class LetterSender:
    def __init__(
        self,
        store: LetterStore,
        reader: RecordReader,
        keyed_hash: KeyedHash,
        mailer: Mailer,
        clock: Clock,
        unsubscribe_url: Callable[[str], str],
        per_second: float = SENDS_PER_SECOND_PER_SENDER,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._reader = reader
        self._keyed_hash = keyed_hash
        self._mailer = mailer
        self._clock = clock
        self._unsubscribe_url = unsubscribe_url
        self._interval = 1.0 / per_second
        self._sleep = sleep
        self._monotonic = monotonic
        self._last_send: float | None = None

    def _pace(self) -> None:
        if self._last_send is not None:
            wait = self._interval - (self._monotonic() - self._last_send)
            if wait > 0:
                self._sleep(wait)
        self._last_send = self._monotonic()

    def deliver(self, letter_id: str, submission_ids: Sequence[str]) -> BatchResult:
        """Mail one batch. Raises MailThrottled (the rest of the batch untouched, to be retried) when SES
        says the sending rate is exceeded; anything already sent stays claimed."""
        letter = self._store.get(letter_id)
        if letter is None:
            raise NotFound("No letter has this id.")
        sent = skipped = failed = already = 0
        for submission_id in submission_ids:
            record = self._reader.live(submission_id)
            covered = marketing_purposes_of(record) if record is not None else ()
            if record is None or not covered:
                if self._store.claim(letter_id, submission_id, DeliveryState.SKIPPED, self._clock.now()):
                    self._store.settle(letter_id, submission_id, DeliveryState.SKIPPED, self._clock.now())
                    skipped += 1
                else:
                    already += 1
                continue
            if not self._store.claim(letter_id, submission_id, DeliveryState.SENDING, self._clock.now()):
                already += 1
                continue
            opened = self._reader.open(record)
            if opened is None:  # destroyed between the two reads
                self._store.settle(letter_id, submission_id, DeliveryState.SKIPPED, self._clock.now())
                skipped += 1
                continue
            token = letter_unsubscribe_token(submission_id, self._keyed_hash)
            mail = letter_mail(
                opened.data.fields["email"],
                opened.data.fields.get("name", ""),
                letter.subject,
                letter.body,
                self._unsubscribe_url(token),
                cancels_subscription=FORMS[record.form].cancellable_subscription,
            )
            self._pace()
            try:
                self._mailer.send(mail)
            except MailThrottled:
                self._store.release(letter_id, submission_id)
                raise
            except Exception:
                # Not known to be unsent: counted as failed and never retried, so nobody gets it twice.
                self._store.settle(letter_id, submission_id, DeliveryState.FAILED, self._clock.now())
                failed += 1
                continue
            self._store.settle(letter_id, submission_id, DeliveryState.SENT, self._clock.now())
            sent += 1
        return BatchResult(sent, skipped, failed, already)
