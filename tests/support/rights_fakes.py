"""In-memory fakes of the rights area's ports (codes, sessions, disclosures, rights requests), and a
record store that also takes corrections, restrictions and guardian confirmations."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.core.model import ConsentRequest, RecordStatus, SealedBlob, WrappedKey
from policybound.domain.intake.consent_renewal import ConsentRenewal
from policybound.domain.rights.disclosures import CorrectionNotice, Disclosure
from policybound.domain.rights.request_model import RightsRequest, RightsRequestStatus
from policybound.domain.rights.verification import CodeState, StoredSession
from policybound.policy import Purpose
from tests.support.fakes import FakeStore


@dataclass
class FakeRightsStore(FakeStore):
    open_corrections: dict[str, set[str]] = field(default_factory=dict)

    def ids_of_guardian(self, guardian: str) -> list[str]:
        found = [r for r in self.records.values() if r.guardian == guardian]
        return [r.submission_id for r in sorted(found, key=lambda r: r.received_at, reverse=True)]

    def replace_personal_data(
        self, submission_id: str, sealed: SealedBlob, key: WrappedKey, subject: str, entry: LedgerDraft
    ) -> bool:
        record = self.records.get(submission_id)
        if record is None:
            return False
        self.records[submission_id] = replace(record, sealed=sealed, subject=subject)
        self.keys[submission_id] = key
        self.ledger.append(entry)
        return True

    def restrict(self, submission_id: str, request_id: str) -> bool:
        record = self.records.get(submission_id)
        if record is None:
            return False
        self.open_corrections.setdefault(submission_id, set()).add(request_id)
        if record.status is RecordStatus.ACTIVE:
            self.records[submission_id] = replace(record, status=RecordStatus.RESTRICTED)
        return True

    def lift_restriction(self, submission_id: str, request_id: str) -> None:
        requests = self.open_corrections.get(submission_id, set())
        requests.discard(request_id)
        record = self.records.get(submission_id)
        if record is not None and not requests and record.status is RecordStatus.RESTRICTED:
            self.records[submission_id] = replace(record, status=RecordStatus.ACTIVE)

    def remove_purpose(self, submission_id: str, position: int, purpose: Purpose, entry: LedgerDraft) -> bool:
        record = self.records.get(submission_id)
        purposes = record.consent.purposes if record else ()
        if record is None or position >= len(purposes) or purposes[position] is not purpose:
            return False
        consent = replace(record.consent, purposes=purposes[:position] + purposes[position + 1 :])
        self.records[submission_id] = replace(record, consent=consent)
        self.ledger.append(entry)
        return True

    def confirm_guardian(
        self, submission_id: str, retained_until: datetime, confirmed_at: datetime, entry: LedgerDraft
    ) -> bool:
        record = self.records.get(submission_id)
        if record is None or record.status is not RecordStatus.PENDING_GUARDIAN:
            return False
        consent = replace(record.consent, guardian_confirmed_at=confirmed_at)
        self.records[submission_id] = replace(
            record, status=RecordStatus.ACTIVE, retained_until=retained_until, consent=consent
        )
        self.ledger.append(entry)
        return True

    def ask_consent(self, submission_id: str, request: ConsentRequest) -> bool:
        record = self.records.get(submission_id)
        if record is None or (record.consent_request is not None and record.consent_request.version == request.version):
            return False
        self.records[submission_id] = replace(record, consent_request=request)
        return True

    def drop_consent_request(self, submission_id: str, token_hash: str) -> None:
        record = self.records.get(submission_id)
        asked = record.consent_request if record else None
        if record is not None and asked is not None and asked.token_hash == token_hash and not asked.answered_at:
            self.records[submission_id] = replace(record, consent_request=None)

    def renew_consent(self, renewal: ConsentRenewal) -> bool:
        record = self.records.get(renewal.submission_id)
        asked = record.consent_request if record else None
        if (
            record is None
            or asked is None
            or asked.token_hash != renewal.token_hash
            or asked.answered_at is not None
            or asked.version != renewal.version
            or record.consent.policy_version != renewal.from_version
        ):
            return False
        at = renewal.at
        consent = replace(record.consent, policy_version=renewal.version, purposes=renewal.purposes, renewed_at=at)
        self.records[renewal.submission_id] = replace(
            record, consent=consent, consent_request=replace(asked, answered_at=at)
        )
        self.ledger.append(renewal.entry)
        return True


class FakeKeyedHash:
    def __init__(self) -> None:
        self._key = os.urandom(32)
        self.calls = 0

    def keyed_hash(self, purpose: str, message: bytes) -> str:
        """The KMS adapter's shape: HMAC-SHA-256 in url-safe base64 without padding (43 characters)."""
        self.calls += 1
        digest = hmac.new(self._key, purpose.encode() + b":" + message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class FakeVerificationStore:
    codes: dict[str, CodeState] = field(default_factory=dict)
    sessions: dict[str, StoredSession] = field(default_factory=dict)
    code_mails: dict[str, int] = field(default_factory=dict)
    # Each method is one atomic step, as each DynamoDB conditional write is.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get_code(self, key: str) -> CodeState | None:
        return self.codes.get(key)

    def replace_code(self, state: CodeState, previous: CodeState | None) -> bool:
        with self.lock:
            if self.codes.get(state.key) != previous:
                return False
            self.codes[state.key] = state
            return True

    def claim_try(self, key: str, code_hash: str, max_tries: int) -> int | None:
        with self.lock:
            state = self.codes.get(key)
            if state is None or state.code_hash != code_hash or state.failures >= max_tries:
                return None
            self.codes[key] = replace(state, failures=state.failures + 1)
            return state.failures + 1

    def count_code_mail(self, hour: str, limit: int, expires_at: datetime) -> bool:
        with self.lock:
            if self.code_mails.get(hour, 0) >= limit:
                return False
            self.code_mails[hour] = self.code_mails.get(hour, 0) + 1
            return True

    def consume_code(self, key: str, code_hash: str) -> bool:
        with self.lock:
            state = self.codes.get(key)
            if state is None or state.code_hash != code_hash:
                return False
            del self.codes[key]
            return True

    def put_session(self, session: StoredSession) -> None:
        self.sessions[session.token_hash] = session

    def get_session(self, token_hash: str) -> StoredSession | None:
        return self.sessions.get(token_hash)


@dataclass
class FakeDisclosureStore:
    rows: dict[tuple[str, str], Disclosure] = field(default_factory=dict)
    ledger: list[LedgerDraft] = field(default_factory=list)

    def record(self, disclosures: Sequence[Disclosure], entry: LedgerDraft) -> None:
        for disclosure in disclosures:
            self.rows[(disclosure.submission_id, disclosure.disclosure_id)] = disclosure
        self.ledger.append(entry)

    def of_record(self, submission_id: str) -> list[Disclosure]:
        return [d for (sid, _), d in sorted(self.rows.items()) if sid == submission_id]

    def add_pending(self, submission_id: str, disclosure_id: str, items: Sequence[str]) -> None:
        row = self.rows[(submission_id, disclosure_id)]
        pending = tuple(dict.fromkeys((*row.pending_items, *items)))
        self.rows[(submission_id, disclosure_id)] = replace(row, pending_items=pending)

    def notice_sent(self, disclosure: Disclosure, notice: CorrectionNotice, entry: LedgerDraft) -> None:
        key = (disclosure.submission_id, disclosure.disclosure_id)
        row = self.rows[key]
        pending = tuple(name for name in row.pending_items if name not in notice.items)
        self.rows[key] = replace(row, pending_items=pending, notices=(*row.notices, notice))
        self.ledger.append(entry)


@dataclass
class FakeRightsRequestStore:
    requests: dict[str, RightsRequest] = field(default_factory=dict)
    ledger: list[LedgerDraft] = field(default_factory=list)
    fail_put: bool = False

    def put(self, request: RightsRequest, entry: LedgerDraft) -> None:
        if self.fail_put:
            from policybound.domain.core.errors import Unavailable

            raise Unavailable("DynamoDB")
        self.requests[request.request_id] = request
        self.ledger.append(entry)

    def get(self, request_id: str) -> RightsRequest | None:
        return self.requests.get(request_id)

    def complete(self, request: RightsRequest, entry: LedgerDraft) -> bool:
        stored = self.requests.get(request.request_id)
        if stored is None or stored.status is not RightsRequestStatus.OPEN:
            return False
        self.requests[request.request_id] = request
        self.ledger.append(entry)
        return True

    def with_status(self, status: RightsRequestStatus) -> list[RightsRequest]:
        return sorted((r for r in self.requests.values() if r.status is status), key=lambda r: r.due_on)
