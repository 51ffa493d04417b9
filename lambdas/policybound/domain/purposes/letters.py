"""Blog letters and marketing email (§2) to the marketing audience, each recipient with their own
one-click unsubscribe link (RFC 8058).

Sending is split in two, so that no single call loops over thousands of people:
- `Letters.send` (staff API) selects the audience — the one marketing-audience definition in
  `staff_reads` — stores the letter, writes ONE access record naming every recipient id, and queues
  the recipients in batches. It decrypts nothing: the addresses are opened only by the sender.
- `LetterSender.deliver` (the queue's consumer) mails one batch, paced for the SES sending rate.
  Each (letter, record) is claimed by a conditional write before its mail goes out, so a redelivered
  batch or a retried call never mails anyone twice; the batch's records are read again just before it
  is mailed, so whoever unsubscribed, withdrew consent, was restricted or destroyed meanwhile is skipped.
  Its DynamoDB work is per batch, not per recipient: one read of the records, one conditional write
  claiming them, one read of their keys, one write settling the outcomes and the letter's counts.
  What remains per recipient is the mail itself and the link's keyed hash, computed in KMS because
  its key never leaves KMS (a copy of the tables forges no link).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import MailThrottled, NotFound
from policybound.domain.core.mail import SENDS_PER_SECOND_PER_SENDER, letter_mail
from policybound.domain.core.model import StoredSubmission, random_id
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

    def claim(self, letter_id: str, claims: Mapping[str, DeliveryState], at: datetime) -> set[str]:
        """Record each (letter, record) delivery in its state if it has none yet, conditionally, for a
        whole batch at once; the ids this call claimed (the others were claimed before, by this batch's
        earlier attempt or anyone else). A SKIPPED claim is final: the letter counts it at once."""
        ...

    def settle(self, letter_id: str, outcomes: Mapping[str, DeliveryState], at: datetime) -> None:
        """Claimed deliveries' outcomes, and the letter's counts for them, in one write."""
        ...

    def release(self, letter_id: str, submission_ids: Sequence[str]) -> None:
        """Undo claims whose mail certainly did not go out (SES throttled it, or the batch stopped before
        it), so a retry may send it."""
        ...


class LetterQueue(Protocol):
    def enqueue(self, letter_id: str, batches: Sequence[Sequence[str]]) -> None: ...


def letter_of(store: LetterStore, letter_id: str) -> Letter:
    letter = store.get(letter_id)
    if letter is None:
        raise NotFound("No letter has this id.")
    return letter


def batches_of(ids: Sequence[str], size: int = BATCH_SIZE) -> list[list[str]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


@dataclass(eq=False, repr=False)
class Letters:
    """Stores a letter and queues its recipients in batches (the staff side)."""

    reads: StaffReads
    store: LetterStore
    queue: LetterQueue
    recorder: AccessRecorder
    clock: Clock
    new_id: Callable[[], str] = random_id

    def _audience(self) -> Iterator[str]:
        cursor: str | None = None
        while True:
            page = self.reads.marketing_selection(purpose=None, limit=100, cursor=cursor)
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
        letter = Letter(self.new_id(), subject, body, self.clock.now(), actor.username, len(recipients))
        self.store.create(letter)
        # One access record for the whole letter, naming every recipient, before any address is opened.
        purposes = [AccessPurpose.EMAIL_MARKETING, AccessPurpose.BLOG_LETTER]
        self.recorder.record(actor, AccessAction.NOTIFY, purposes, recipients, route)
        self.queue.enqueue(letter.letter_id, batches_of(recipients))
        return letter

    def get(self, letter_id: str) -> Letter:
        return letter_of(self.store, letter_id)


@dataclass(frozen=True)
class BatchResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    already: int = 0


@dataclass(eq=False, repr=False)
class LetterSender:
    """Mails one queued batch of a letter, paced, each recipient at most once."""

    store: LetterStore
    reader: RecordReader
    keyed_hash: KeyedHash
    mailer: Mailer
    clock: Clock
    unsubscribe_url: Callable[[str], str]
    per_second: float = SENDS_PER_SECOND_PER_SENDER
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    # When the last mail went out, for pacing the next; None before the first.
    _last_send: float | None = field(default=None, init=False)

    def _pace(self) -> None:
        if self._last_send is not None:
            wait = 1.0 / self.per_second - (self.monotonic() - self._last_send)
            if wait > 0:
                self.sleep(wait)
        self._last_send = self.monotonic()

    def deliver(self, letter_id: str, submission_ids: Sequence[str]) -> BatchResult:
        """Mail one batch. Raises MailThrottled when SES says the sending rate is exceeded (the unsent
        rest of the batch released, to be retried); whatever was sent stays claimed and is counted."""
        letter = letter_of(self.store, letter_id)
        ids = list(dict.fromkeys(submission_ids))
        # Read again now, seconds before the batch is mailed: whoever left the audience is skipped.
        records = self.reader.live_many(ids)
        wanted = {
            submission_id: DeliveryState.SENDING
            if submission_id in records and marketing_purposes_of(records[submission_id])
            else DeliveryState.SKIPPED
            for submission_id in ids
        }
        claimed = self.store.claim(letter_id, wanted, self.clock.now())
        skipped = sum(1 for i in claimed if wanted[i] is DeliveryState.SKIPPED)
        sending = [records[i] for i in ids if i in claimed and wanted[i] is DeliveryState.SENDING]
        outcomes: dict[str, DeliveryState] = {}
        try:
            self._mail_each(letter, sending, outcomes)
        except BaseException:
            self.store.release(letter_id, [r.submission_id for r in sending if r.submission_id not in outcomes])
            raise
        finally:
            if outcomes:
                self.store.settle(letter_id, outcomes, self.clock.now())
        counted = list(outcomes.values())
        return BatchResult(
            sent=counted.count(DeliveryState.SENT),
            skipped=skipped + counted.count(DeliveryState.SKIPPED),
            failed=counted.count(DeliveryState.FAILED),
            already=len(ids) - len(claimed),
        )

    def _mail_each(
        self, letter: Letter, records: Sequence[StoredSubmission], outcomes: dict[str, DeliveryState]
    ) -> None:
        """Mail the claimed records in turn, noting each outcome as it is known."""
        opened = self.reader.open_many(records)  # the keys read in one go; one KEK unwrap per KEK
        for record in records:
            one = opened.get(record.submission_id)
            if one is None:  # destroyed since the batch was read
                outcomes[record.submission_id] = DeliveryState.SKIPPED
                continue
            token = letter_unsubscribe_token(record.submission_id, self.keyed_hash)
            mail = letter_mail(
                one.data.fields["email"],
                one.data.fields.get("name", ""),
                letter.subject,
                letter.body,
                self.unsubscribe_url(token),
                cancels_subscription=FORMS[record.form].cancellable_subscription,
            )
            self._pace()
            try:
                self.mailer.send(mail)
            except MailThrottled:
                raise
            except Exception:
                # Not known to be unsent: counted as failed and never retried, so nobody gets it twice.
                outcomes[record.submission_id] = DeliveryState.FAILED
                continue
            outcomes[record.submission_id] = DeliveryState.SENT
