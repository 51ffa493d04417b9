"""Reading records: only live ones, and opened only when a caller needs the PI.

DynamoDB's TTL deletes expired items only "within a few days", and they stay readable until then;
the sweeper runs hourly. So every read goes through here and treats a record whose retention ended
as already gone (§4: destroyed without delay).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policybound.domain.core import retention
from policybound.domain.core.clock import Clock
from policybound.domain.core.model import PersonalData, StoredSubmission
from policybound.domain.core.ports import Sealer, SubmissionStore
from policybound.domain.core.sealing import unseal_payload


@dataclass(frozen=True)
class OpenRecord:
    """A live record with its PI opened."""

    record: StoredSubmission
    data: PersonalData


@dataclass(eq=False, repr=False)
class RecordReader:
    """Reads records that are live (retention not ended) and opens their sealed PI on request."""

    store: SubmissionStore
    sealer: Sealer
    clock: Clock

    def is_live(self, record: StoredSubmission) -> bool:
        return not retention.is_expired(retention.epoch_seconds(record.retained_until), self.clock.now())

    def live(self, submission_id: str) -> StoredSubmission | None:
        record = self.store.get(submission_id)
        return record if record is not None and self.is_live(record) else None

    def live_many(self, submission_ids: Sequence[str]) -> dict[str, StoredSubmission]:
        """The live records among these ids, by id, read in batches rather than one by one."""
        return {i: r for i, r in self.store.get_many(submission_ids).items() if self.is_live(r)}

    def preserved(self, submission_id: str) -> StoredSubmission | None:
        """The stored record whether or not its use has ended: for a legal hold's investigation only. A
        held record whose use ended (an erasure or unsubscribe refused under the hold) is past its
        retention and so gone for every other reader, but kept until the hold is released."""
        return self.store.get(submission_id)

    def open(self, record: StoredSubmission) -> OpenRecord | None:
        """Decrypt a live record; None when its key is gone (destroyed between the two reads)."""
        key = self.store.get_key(record.submission_id)
        if key is None:
            return None
        data = unseal_payload(self.sealer.open(record.submission_id, record.sealed, key))
        return OpenRecord(record, data)

    def open_many(self, records: Sequence[StoredSubmission]) -> dict[str, OpenRecord]:
        """Decrypt these records, their keys read in batches; those whose key is gone are left out."""
        keys = self.store.get_keys([record.submission_id for record in records])
        opened = {}
        for record in records:
            key = keys.get(record.submission_id)
            if key is not None:
                opened[record.submission_id] = OpenRecord(
                    record, unseal_payload(self.sealer.open(record.submission_id, record.sealed, key))
                )
        return opened

    def open_live(self, submission_id: str) -> OpenRecord | None:
        record = self.live(submission_id)
        return self.open(record) if record else None

    def of_subject(self, subject: str) -> list[StoredSubmission]:
        records = (self.store.get(submission_id) for submission_id in self.store.ids_of_subject(subject))
        return [record for record in records if record is not None and self.is_live(record)]
