"""Legal representatives of children under 14 (§6; PIPA art. 22-2).

A submission declared under 14 names its legal representative and waits as `pending_guardian`: it is
not used, and only the PI manager among staff sees it. The representative gets a code by email and
confirms with it; the record then becomes active and keeps its full retention counted from the
confirmation (the representative's consent is the consent that counts), and
a resources download is answered as an adult's is at once: the link to the file is mailed.
Unconfirmed, its retention ends 7 days after submission, so the ordinary sweep destroys it (the
ledger names the reason `guardian_unconfirmed`). Once confirmed, the representative can exercise the
child's rights with a rights session on their own address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from policybound.domain.core import retention
from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import FieldProblem, NotFound, ValidationFailed
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.domain.core.model import RecordStatus, Representative, StoredSubmission
from policybound.domain.core.normalize import same_mailbox
from policybound.domain.core.ports import Mailer, RecordChanges, SubmissionStore
from policybound.domain.rights.mail import guardian_code
from policybound.domain.rights.verification import CodeRejected, OneTimeCodes
from policybound.obligations import GUARDIAN_WINDOW
from policybound.policy import FORMS, POLICY_TIMEZONE

if TYPE_CHECKING:  # records imports intake, which imports this module
    from policybound.domain.core.records import RecordReader
    from policybound.domain.purposes.resource_delivery import ResourceDelivery


def confirmation_deadline(received_at: datetime) -> datetime:
    """The end of a pending record's life: kept in the expiry index as its `retained_until`."""
    return (received_at + GUARDIAN_WINDOW).astimezone(POLICY_TIMEZONE)


def check_representative_differs(child_email: str, representative: Representative | None, field: str) -> None:
    """A child's own mailbox cannot consent for the child: the representative's must be another one
    (compared as mailboxes, so no other spelling of the child's address passes)."""
    if representative is not None and same_mailbox(child_email, representative.email):
        raise ValidationFailed(
            "The legal representative must confirm from their own email address, not the child's.",
            (FieldProblem(field, "must be the legal representative's own address, not the child's"),),
        )


def code_key(submission_id: str) -> str:
    return f"guardian#{submission_id}"


class GuardianRecords(SubmissionStore, RecordChanges, Protocol):
    pass


@dataclass(eq=False, repr=False)
class GuardianConfirmations:
    """A legal representative's code for a child's record, and their confirmation with it."""

    store: GuardianRecords
    codes: OneTimeCodes
    mailer: Mailer
    clock: Clock
    confirm_url: Callable[[str], str]
    reader: RecordReader
    resources: ResourceDelivery | None = None

    def request_confirmation(self, record: StoredSubmission, representative: Representative) -> None:
        """Send the representative a code (a new one replaces the last, and ends its lockout); capped per
        record per hour like every code (CodesExhausted). Called by intake right after the record is
        stored, and when the representative asks again."""
        deadline = confirmation_deadline(record.received_at)
        code = self.codes.issue(code_key(record.submission_id), deadline - self.clock.now())
        mail = guardian_code(
            representative.email,
            code,
            record.submission_id,
            FORMS[record.form],
            deadline.strftime("%Y-%m-%d %H:%M KST"),
            self.confirm_url(record.submission_id),
        )
        self.mailer.send(mail)

    def ask_again(self, submission_id: str) -> None:
        """A new code to the representative named in a record still waiting for them. An unknown, confirmed
        or expired record gets nothing, and the caller is told nothing different."""
        record = self.store.get(submission_id)
        if record is None or not self._waiting(record):
            return
        opened = self.reader.open(record)
        representative = opened.data.representative if opened is not None else None
        if representative is not None:
            self.request_confirmation(record, representative)

    def _waiting(self, record: StoredSubmission) -> bool:
        expired = retention.is_expired(retention.epoch_seconds(record.retained_until), self.clock.now())
        return record.status is RecordStatus.PENDING_GUARDIAN and not expired

    def _confirmed_awaiting_code(self, record: StoredSubmission) -> bool:
        """Confirmed, but the confirming code is still live: what follows the confirmation (the
        resource's link) failed, and the representative's retry with the same code finishes it."""
        return record.status is RecordStatus.ACTIVE and record.consent.guardian_confirmed_at is not None

    def confirm(self, submission_id: str, code: str) -> StoredSubmission:
        record = self.store.get(submission_id)
        now = self.clock.now()
        if record is None or not (self._waiting(record) or self._confirmed_awaiting_code(record)):
            # Unknown, confirmed already or too late: one answer with a wrong code, so that ids cannot
            # be probed through this route.
            raise CodeRejected()
        # A confirmed record's code is retired once its follow-up is done, so this refuses a second use.
        state = self.codes.verify(code_key(submission_id), code, consume=False)
        if self._waiting(record):
            self._record_confirmation(record, now)
        confirmed = self.store.get(submission_id)
        if confirmed is None:
            raise NotFound("This submission no longer exists.")
        # The child asked for a file: now that the consent is given, it is delivered like anyone's. If the
        # mail fails (503), the code stays live and the representative's retry sends it.
        self._deliver_resource(confirmed)
        self.codes.retire(state)
        return confirmed

    def _record_confirmation(self, record: StoredSubmission, now: datetime) -> None:
        # The representative's confirmation is the consent: the retention counts from it.
        until = retention.retained_until(now, FORMS[record.form].retention_months)
        entry = LedgerDraft.about_record(
            LedgerKind.CONSENT, now, "guardian_confirmed", record, retained_until=until.isoformat()
        )
        if not self.store.confirm_guardian(record.submission_id, until, now, entry):
            raise NotFound("This submission no longer exists.")

    def _deliver_resource(self, record: StoredSubmission) -> None:
        if self.resources is None or "resource_id" not in FORMS[record.form].items:
            return
        opened = self.reader.open(record)
        if opened is not None:
            self.resources.deliver_requested(opened.data.fields)
