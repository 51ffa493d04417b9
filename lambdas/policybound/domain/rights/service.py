"""Data-subject rights through the API (§6): verify an address, then view, correct or erase.

Asking for a code answers the same whether or not the address has records, and does the same work
either way — one blind index, both index lookups, one code written, one mail sent — so neither the
answer nor its timing tells whether someone's address is on file. For an unknown address the code is
a decoy: stored, never delivered (its mail goes to the mail provider's simulator), so nobody can use
it. A session is bound to the blind index of the verified address and lasts 15 minutes; it reaches
the records of that address and of the children whose confirmed legal representative it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import (
    FieldProblem,
    NotFound,
    RecordNotUsable,
    RetainedByLaw,
    Unauthorized,
)
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.domain.core.model import StoredSubmission
from policybound.domain.core.ports import (
    BlindIndex,
    DestroyOutcome,
    LedgerStore,
    Mailer,
    RecordChanges,
    SubmissionStore,
)
from policybound.domain.core.records import OpenRecord, RecordReader
from policybound.domain.retention.destruction import Destroyer
from policybound.domain.retention.withdrawal import PurposeWithdrawals
from policybound.domain.rights.corrections import CorrectedBy, Corrector, Patch
from policybound.domain.rights.disclosures import Disclosure, DisclosureService
from policybound.domain.rights.mail import rights_code
from policybound.domain.rights.verification import IssuedSession, OneTimeCodes, Sessions, StoredSession
from policybound.obligations import CODE_VALID_FOR, RIGHTS_SESSION_VALID_FOR
from policybound.policy import SEPARATELY_CONSENTED_PURPOSES, form_as_consented


class RightsKind(StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    # PIPA art. 37: the separate marketing consent withdrawn; the records stay for their other purposes.
    MARKETING_WITHDRAWAL = "marketing_withdrawal"


class Relationship(StrEnum):
    SUBJECT = "subject"
    LEGAL_REPRESENTATIVE = "legal_representative"


@dataclass(frozen=True)
class SubjectRecord:
    """A record as its subject (or their legal representative) sees it, with the provisions made from it."""

    opened: OpenRecord
    relationship: Relationship
    provisions: tuple[Disclosure, ...]


class RightsRecords(SubmissionStore, RecordChanges, Protocol):
    pass


# Another person's record, a record gone and no record at all get the same answer.
_NO_SUCH_RECORD = "You have no record with this id."


def code_key(subject: str) -> str:
    return f"code#{subject}"


def _relationship(record: StoredSubmission, subject: str) -> Relationship | None:
    if record.subject == subject:
        return Relationship.SUBJECT
    if record.guardian == subject and record.consent.guardian_confirmed_at is not None:
        return Relationship.LEGAL_REPRESENTATIVE
    return None


def records_in_scope(
    reader: RecordReader, store: RightsRecords, subject: str
) -> Iterator[tuple[StoredSubmission, Relationship]]:
    """The live records an address may act on: its own, and those of the children whose confirmed
    legal representative it is (§6)."""
    seen: set[str] = set()
    for record in reader.of_subject(subject):
        seen.add(record.submission_id)
        yield record, Relationship.SUBJECT
    for submission_id in store.ids_of_guardian(subject):
        if submission_id in seen:
            continue
        child = reader.live(submission_id)
        if child is not None and _relationship(child, subject) is Relationship.LEGAL_REPRESENTATIVE:
            yield child, Relationship.LEGAL_REPRESENTATIVE


@dataclass(eq=False, repr=False)
class RightsService:
    """A person's own rights through the API: codes, sessions, and viewing, correcting or erasing their records."""

    store: RightsRecords
    reader: RecordReader
    destroyer: Destroyer
    corrector: Corrector
    withdrawals: PurposeWithdrawals
    disclosures: DisclosureService
    codes: OneTimeCodes
    sessions: Sessions
    blind_index: BlindIndex
    mailer: Mailer
    ledger: LedgerStore
    clock: Clock
    decoy_recipient: str

    def request_code(self, email: str, kind: RightsKind) -> None:
        """Send a code to the address if it has records; otherwise the same work with a decoy."""
        subject = self.blind_index.subject_of(email)
        # Both lookups always run: stopping at the first hit would make known addresses faster.
        own = self.store.ids_of_subject(subject)
        represented = self.store.ids_of_guardian(subject)
        known = bool(own) | bool(represented)
        # Capped per address and overall, for a known and an unknown address alike (CodesExhausted: 429).
        code = self.codes.issue(code_key(subject), CODE_VALID_FOR, context=kind.value)
        minutes = int(CODE_VALID_FOR.total_seconds() // 60)
        self.mailer.send(rights_code(email if known else self.decoy_recipient, code, kind.value, minutes))

    def open_session(self, email: str, code: str) -> IssuedSession:
        subject = self.blind_index.subject_of(email)
        state = self.codes.verify(code_key(subject), code)
        issued = self.sessions.open(subject, state.context)
        self.ledger.append(
            LedgerDraft.event(
                LedgerKind.RIGHTS_REQUEST,
                self.clock.now(),
                "identity_verified",
                channel="api",
                kind=state.context or None,
            )
        )
        return issued

    def session(self, token: str | None) -> StoredSession:
        session = self.sessions.find(token or "")
        if session is None:
            raise Unauthorized(
                "Send the token from POST /v1/rights/sessions as 'Authorization: Bearer <token>'. "
                f"A session lasts {int(RIGHTS_SESSION_VALID_FOR.total_seconds() // 60)} minutes; "
                "verify again when it ends."
            )
        return session

    def _in_scope(self, session: StoredSession) -> Iterator[tuple[StoredSubmission, Relationship]]:
        return records_in_scope(self.reader, self.store, session.subject)

    def _owned(self, session: StoredSession, submission_id: str) -> tuple[StoredSubmission, Relationship]:
        record = self.reader.live(submission_id)
        relationship = _relationship(record, session.subject) if record is not None else None
        if record is None or relationship is None:
            raise NotFound(_NO_SUCH_RECORD)
        return record, relationship

    def _view(self, opened: OpenRecord, relationship: Relationship) -> SubjectRecord:
        provisions = tuple(self.disclosures.of_record(opened.record.submission_id))
        return SubjectRecord(opened, relationship, provisions)

    def records(self, session: StoredSession) -> list[SubjectRecord]:
        views = []
        for record, relationship in self._in_scope(session):
            opened = self.reader.open(record)
            if opened is not None:
                views.append(self._view(opened, relationship))
        return views

    def correct(self, session: StoredSession, submission_id: str, patch: Patch) -> SubjectRecord:
        """Applies at once: the subject (or representative) corrects their own data themselves."""
        record, relationship = self._owned(session, submission_id)
        by = CorrectedBy.SUBJECT if relationship is Relationship.SUBJECT else CorrectedBy.LEGAL_REPRESENTATIVE
        return self._view(self.corrector.correct(record, patch, by), relationship)

    def withdraw_marketing(self, session: StoredSession, submission_id: str) -> None:
        """The subject withdraws their separate marketing consent: the record stops being used for
        marketing and is kept for its other purposes (PIPA art. 37)."""
        record, _ = self._owned(session, submission_id)
        purposes = form_as_consented(record.consent.policy_version, record.form).purposes
        withdrawn = [p for p in purposes if p in SEPARATELY_CONSENTED_PURPOSES]
        if not withdrawn:
            raise RecordNotUsable(
                "This record was never kept for marketing, so there is no marketing consent to withdraw.",
                (FieldProblem("consent.marketing", "this record's form has no marketing purpose"),),
            )
        for purpose in withdrawn:
            self.withdrawals.withdraw_purpose(submission_id, purpose)

    def record(self, session: StoredSession, submission_id: str) -> SubjectRecord:
        record, relationship = self._owned(session, submission_id)
        opened = self.reader.open(record)
        if opened is None:
            raise NotFound(_NO_SUCH_RECORD)
        return self._view(opened, relationship)

    def erase(self, session: StoredSession, submission_id: str) -> None:
        record, _ = self._owned(session, submission_id)
        if self.destroyer.erase(record) is DestroyOutcome.HELD:
            raise RetainedByLaw(
                "This record is preserved under a legal obligation (policy §4.2), so it cannot be deleted yet. "
                "From now on it is not used for anything: only the investigation that requires it may see it, "
                "and it is deleted as soon as that obligation ends."
            )

    def erase_all(self, session: StoredSession) -> None:
        held = sum(self.destroyer.erase(record) is DestroyOutcome.HELD for record, _ in list(self._in_scope(session)))
        if held:
            raise RetainedByLaw(
                f"{held} of your records are preserved under a legal obligation (policy §4.2), so they cannot be "
                "deleted yet; every other record was deleted. From now on they are not used for anything: only the "
                "investigation that requires them may see them, and they are deleted as soon as that obligation ends."
            )
