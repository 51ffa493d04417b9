"""In-memory fakes of the domain's ports, for unit tests that need no network."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from policybound.domain.cookies.consents import CookieConsent
from policybound.domain.cookies.visits import Visit
from policybound.domain.core import retention
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import ChainHead, LedgerDraft, LedgerEntry, LedgerKind, chain
from policybound.domain.core.model import LegalHold, StoredSubmission, WrappedKey
from policybound.domain.core.normalize import subject_key
from policybound.domain.core.ports import DestroyOutcome, OutgoingMail
from policybound.domain.evidence.consent_ledger import PendingConsent, sealed_batch


class FakeKeks:
    """KEKs without KMS: a fixed master key "wraps" each KEK by XOR, enough to test the envelope."""

    def __init__(self) -> None:
        self.generated = 0
        self.unwrapped = 0
        self._keks: dict[bytes, bytes] = {}

    def current(self) -> tuple[bytes, bytes]:
        if not self._keks:
            self.generated += 1
            kek = os.urandom(32)
            self._keks[b"kek-" + os.urandom(8)] = kek
        ciphertext, kek = next(iter(self._keks.items()))
        return kek, ciphertext

    def unwrap(self, kek_ciphertext: bytes) -> bytes:
        self.unwrapped += 1
        return self._keks[kek_ciphertext]


class FakeBlindIndex:
    def __init__(self) -> None:
        self._key = os.urandom(32)

    def subject_of(self, email: str) -> str:
        return hmac.new(self._key, subject_key(email), hashlib.sha256).hexdigest()


@dataclass
class FakeLedger:
    chains: dict[LedgerKind, list[LedgerEntry]] = field(default_factory=dict)
    # Unsealed consent entries by position, as the sealing job finds them.
    waiting: dict[int, LedgerDraft] = field(default_factory=dict)
    _positions: int = 0

    def add_unsealed(self, draft: LedgerDraft) -> int:
        self._positions += 1
        self.waiting[self._positions] = draft
        return self._positions

    def remove_unsealed(self, submission_id: str) -> bool:
        for position, draft in list(self.waiting.items()):
            if draft.payload["submission_id"] == submission_id:
                del self.waiting[position]
                return True
        return False

    def unsealed(self) -> Iterator[LedgerDraft]:
        yield from list(self.waiting.values())

    def pending(self, limit: int) -> list[PendingConsent]:
        return [PendingConsent(p, d) for p, d in sorted(self.waiting.items())[:limit]]

    def seal(self, batch: Sequence[PendingConsent], at: Any) -> bool:
        if any(pending.position not in self.waiting for pending in batch):
            return False
        for pending in batch:
            del self.waiting[pending.position]
        entries = sealed_batch([p.draft for p in batch], self.head(LedgerKind.CONSENT), at)
        self.chains.setdefault(LedgerKind.CONSENT, []).extend(entries)
        return True

    def head(self, kind: LedgerKind) -> ChainHead | None:
        entries = self.chains.get(kind)
        return entries[-1].head if entries else None

    def append(self, draft: LedgerDraft) -> LedgerEntry:
        entry = chain(draft, self.head(draft.kind))
        self.chains.setdefault(draft.kind, []).append(entry)
        return entry

    def entries(self, kind: LedgerKind, after_seq: int = 0, limit: int = 100) -> list[LedgerEntry]:
        return [e for e in self.chains.get(kind, []) if e.seq > after_seq][:limit]


@dataclass
class FakeStore:
    records: dict[str, StoredSubmission] = field(default_factory=dict)
    keys: dict[str, WrappedKey] = field(default_factory=dict)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    held: set[str] = field(default_factory=set)
    fail_create: bool = False

    def create(self, submission: StoredSubmission, key: WrappedKey, consent: LedgerDraft) -> None:
        if self.fail_create:
            raise Unavailable("DynamoDB")
        assert submission.submission_id not in self.records
        self.records[submission.submission_id] = submission
        self.keys[submission.submission_id] = key
        self.ledger.add_unsealed(consent)

    def discard(self, submission_id: str, consent: LedgerDraft) -> bool:
        if not self.ledger.remove_unsealed(submission_id):
            return False
        self.records.pop(submission_id, None)
        self.keys.pop(submission_id, None)
        return True

    def get(self, submission_id: str) -> StoredSubmission | None:
        return self.records.get(submission_id)

    def get_key(self, submission_id: str) -> WrappedKey | None:
        return self.keys.get(submission_id)

    def get_many(self, submission_ids: Sequence[str]) -> dict[str, StoredSubmission]:
        return {i: self.records[i] for i in submission_ids if i in self.records}

    def get_keys(self, submission_ids: Sequence[str]) -> dict[str, WrappedKey]:
        return {i: self.keys[i] for i in submission_ids if i in self.keys}

    def ids_of_subject(self, subject: str) -> list[str]:
        found = [r for r in self.records.values() if r.subject == subject]
        return [r.submission_id for r in sorted(found, key=lambda r: r.received_at, reverse=True)]

    def due(self, shard: str, now_epoch: int, limit: int, after: str | None = None) -> tuple[list[str], str | None]:
        # Ordered like the index (by retained_until), with the cursor at the last listed position.
        due = sorted(
            (retention.epoch_seconds(r.retained_until), r.submission_id)
            for r in self.records.values()
            if r.submission_id not in self.held and retention.epoch_seconds(r.retained_until) <= now_epoch
        )
        start = tuple(json.loads(after)) if after else None
        page = [position for position in due if start is None or position > start][:limit]
        return [sid for _, sid in page], (json.dumps(page[-1]) if len(page) == limit else None)

    def destroy(self, submission_id: str, entry: LedgerDraft) -> DestroyOutcome:
        if submission_id not in self.records:
            return DestroyOutcome.ALREADY_GONE
        if submission_id in self.held:
            return DestroyOutcome.HELD
        del self.records[submission_id]
        del self.keys[submission_id]
        self.ledger.append(entry)
        return DestroyOutcome.DESTROYED

    def shred_key(self, submission_id: str, entry: LedgerDraft) -> DestroyOutcome:
        if self.keys.pop(submission_id, None) is None:
            return DestroyOutcome.ALREADY_GONE
        self.ledger.append(entry)
        return DestroyOutcome.DESTROYED

    def end_held_use(
        self, submission_id: str, now_epoch: int, reason: str, entry: LedgerDraft, unsubscribe_hash: str | None = None
    ) -> bool:
        record = self.records.get(submission_id)
        if (
            record is None
            or submission_id not in self.held
            or (unsubscribe_hash is not None and record.unsubscribe_hash != unsubscribe_hash)
            or retention.epoch_seconds(record.retained_until) <= now_epoch
        ):
            return False
        self.records[submission_id] = replace(
            record, retained_until=retention.from_epoch(now_epoch), unsubscribe_hash=None, use_ended_by=reason
        )
        self.ledger.append(entry)
        return True


@dataclass
class FakeMailer:
    sent: list[OutgoingMail] = field(default_factory=list)
    fail: bool = False

    def send(self, mail: OutgoingMail) -> None:
        if self.fail:
            raise Unavailable("SES")
        self.sent.append(mail)


@dataclass
class FakeIdempotency:
    results: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def run(self, key: str, fingerprint: str, operation: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        if key in self.results:
            seen_fingerprint, result = self.results[key]
            assert seen_fingerprint == fingerprint
            return result
        result = operation()
        self.results[key] = (fingerprint, result)
        return result


@dataclass
class FakeCookieConsentStore:
    consents: dict[str, CookieConsent] = field(default_factory=dict)
    fail: bool = False

    def put(self, consent: CookieConsent) -> None:
        if self.fail:
            raise Unavailable("DynamoDB")
        assert consent.consent_id not in self.consents
        self.consents[consent.consent_id] = consent

    def get(self, consent_id: str) -> CookieConsent | None:
        if self.fail:
            raise Unavailable("DynamoDB")
        return self.consents.get(consent_id)

    def mark_withdrawn(self, consent_id: str, at: datetime) -> bool:
        consent = self.consents.get(consent_id)
        if consent is None:
            return False
        self.consents[consent_id] = replace(consent, withdrawn_at=consent.withdrawn_at or at)
        return True

    def delete(self, consent_id: str) -> None:
        self.consents.pop(consent_id, None)


@dataclass
class FakeVisitStore:
    """Visits under the consents of a FakeCookieConsentStore: a write checks its consent, as DynamoDB's does."""

    consents: FakeCookieConsentStore = field(default_factory=FakeCookieConsentStore)
    visits: list[Visit] = field(default_factory=list)

    def put(self, visit: Visit) -> bool:
        consent = self.consents.consents.get(visit.consent_id)
        if consent is None or consent.withdrawn_at is not None:
            return False
        self.visits.append(visit)
        return True

    def delete_of_consent(self, consent_id: str) -> int:
        gone = [v for v in self.visits if v.consent_id == consent_id]
        self.visits = [v for v in self.visits if v.consent_id != consent_id]
        return len(gone)

    def due(self, shard: str, now_epoch: int, limit: int, after: str | None = None) -> tuple[list[str], str | None]:
        due = sorted(
            (retention.epoch_seconds(v.expires_at), v.visit_id)
            for v in self.visits
            if retention.epoch_seconds(v.expires_at) <= now_epoch
        )
        start = tuple(json.loads(after)) if after else None
        page = [position for position in due if start is None or position > start][:limit]
        return [visit_id for _, visit_id in page], (json.dumps(page[-1]) if len(page) == limit else None)

    def delete(self, visit_ids: list[str]) -> None:
        self.visits = [v for v in self.visits if v.visit_id not in set(visit_ids)]


@dataclass
class FakeLegalHoldStore:
    """Holds over a FakeStore: a held record is in `store.held`, so `due` skips it and `destroy` refuses it."""

    store: FakeStore
    holds: dict[str, LegalHold] = field(default_factory=dict)
    marks: dict[str, set[str]] = field(default_factory=dict)

    def place(self, hold: LegalHold, entry: LedgerDraft, now_epoch: int) -> tuple[str, ...]:
        refused = tuple(
            submission_id
            for submission_id in hold.submission_ids
            if (record := self.store.records.get(submission_id)) is None
            or (retention.epoch_seconds(record.retained_until) <= now_epoch and submission_id not in self.store.held)
        )
        if refused:
            return refused
        self.holds[hold.hold_id] = hold
        for submission_id in hold.submission_ids:
            self.marks.setdefault(submission_id, set()).add(hold.hold_id)
            self.store.held.add(submission_id)
        self.store.ledger.append(entry)
        return ()

    def get(self, hold_id: str) -> LegalHold | None:
        return self.holds.get(hold_id)

    def release(self, hold: LegalHold, entry: LedgerDraft) -> bool:
        if not self.holds[hold.hold_id].active:
            return False
        self.holds[hold.hold_id] = hold
        for submission_id in hold.submission_ids:
            marks = self.marks.get(submission_id, set())
            marks.discard(hold.hold_id)
            if not marks:
                self.marks.pop(submission_id, None)
                self.store.held.discard(submission_id)
        self.store.ledger.append(entry)
        return True
