"""DynamoDB: the records and keys tables. The only code that knows their item layout."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.aws import (
    batch_get_items,
    conditional,
    get_item,
    put_new_request,
    query_count,
    query_items,
    query_page,
    transact,
    translate_errors,
    update_request,
)
from policybound.adapters.codec import read_time, stored_time
from policybound.adapters.ledger import DynamoLedger, pending_position
from policybound.domain.core import retention
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.core.model import (
    ConsentProof,
    ConsentRequest,
    RecordStatus,
    SealedBlob,
    StoredSubmission,
    WrappedKey,
)
from policybound.domain.core.ports import DestroyOutcome
from policybound.domain.intake.consent_renewal import ConsentRenewal
from policybound.policy import FormId, Purpose

# A set of hold ids; while it exists the record is out of the expiry index and has no TTL (§4.2).
HOLDS_ATTRIBUTE = tables.RECORD_HOLDS_ATTRIBUTE
# A set of open correction request ids; while it exists the record stays `restricted` (§6).
OPEN_CORRECTIONS_ATTRIBUTE = tables.RECORD_OPEN_CORRECTIONS_ATTRIBUTE
# Why a held record's use ended early (an unsubscribe or an erasure the hold refused).
USE_ENDED_BY_ATTRIBUTE = "use_ended_by"
# §12: the request for consent to a later version (version, hash of the link's secret, times; no PI).
CONSENT_REQUEST_ATTRIBUTE = "consent_request"


def expiry_shard(submission_id: str) -> str:
    # Spreads the expiry index over a fixed number of partitions; the sweeper queries each one.
    return str(hashlib.sha256(submission_id.encode()).digest()[0] % tables.RECORD_EXPIRY_SHARDS)


# Every value `expiry_shard` can take, in the order the sweeper visits them.
EXPIRY_SHARDS: tuple[str, ...] = tuple(str(shard) for shard in range(tables.RECORD_EXPIRY_SHARDS))


def record_values(record: StoredSubmission) -> dict[str, Any]:
    """The record's item as plain values (see `codec`)."""
    until = retention.epoch_seconds(record.retained_until)
    consent = record.consent
    return {
        "submission_id": record.submission_id,
        "form": record.form.value,
        "status": record.status.value,
        "subject": record.subject,
        "received_at": stored_time(record.received_at),
        tables.RECORD_RETAINED_UNTIL.name: until,
        tables.RECORD_TTL_ATTRIBUTE: until,
        tables.RECORD_EXPIRY_SHARD.name: expiry_shard(record.submission_id),
        "consent": {
            "policy_version": consent.policy_version,
            "consented_at": stored_time(consent.consented_at),
            "optional": consent.optional,
            "items": list(consent.items),
            "purposes": [p.value for p in consent.purposes],
            "under_14": consent.under_14 or None,
            "guardian_confirmed_at": stored_time(consent.guardian_confirmed_at),
            "renewed_at": stored_time(consent.renewed_at),
        },
        "items_dropped": list(record.items_dropped),
        "sealed": record.sealed.ciphertext,
        "unsubscribe_hash": record.unsubscribe_hash or None,
        "guardian": record.guardian or None,
        USE_ENDED_BY_ATTRIBUTE: record.use_ended_by or None,
        CONSENT_REQUEST_ATTRIBUTE: consent_request_values(record.consent_request) if record.consent_request else None,
    }


def record_item(record: StoredSubmission) -> dict[str, Any]:
    """The record's item as the client writes it."""
    return codec.item(record_values(record))


def consent_request_values(request: ConsentRequest) -> dict[str, Any]:
    return {
        "version": request.version,
        "token_hash": request.token_hash,
        "asked_at": stored_time(request.asked_at),
        "expires_at": stored_time(request.expires_at),
        "answered_at": stored_time(request.answered_at),
    }


def _consent_request(fields: dict[str, Any] | None) -> ConsentRequest | None:
    if not fields:
        return None
    return ConsentRequest(
        version=fields["version"],
        token_hash=fields["token_hash"],
        asked_at=datetime.fromisoformat(fields["asked_at"]),
        expires_at=datetime.fromisoformat(fields["expires_at"]),
        answered_at=read_time(fields.get("answered_at")),
    )


def record_from_values(values: dict[str, Any]) -> StoredSubmission:
    """A record from its item as plain values (see `codec`)."""
    consent = values["consent"]
    return StoredSubmission(
        submission_id=values["submission_id"],
        form=FormId(values["form"]),
        status=RecordStatus(values["status"]),
        subject=values["subject"],
        received_at=datetime.fromisoformat(values["received_at"]),
        retained_until=retention.from_epoch(values["retained_until"]),
        consent=ConsentProof(
            policy_version=consent["policy_version"],
            consented_at=datetime.fromisoformat(consent["consented_at"]),
            optional=consent["optional"],
            items=tuple(consent["items"]),
            purposes=tuple(Purpose(p) for p in consent["purposes"]),
            under_14=consent.get("under_14", False),
            guardian_confirmed_at=read_time(consent.get("guardian_confirmed_at")),
            renewed_at=read_time(consent.get("renewed_at")),
        ),
        items_dropped=tuple(values["items_dropped"]),
        sealed=SealedBlob(values["sealed"]),
        unsubscribe_hash=values.get("unsubscribe_hash"),
        guardian=values.get("guardian"),
        use_ended_by=values.get(USE_ENDED_BY_ATTRIBUTE),
        consent_request=_consent_request(values.get(CONSENT_REQUEST_ATTRIBUTE)),
    )


def record_from_item(item: dict[str, Any]) -> StoredSubmission:
    """A record from its item as the client returns it."""
    return record_from_values(codec.plain(item))


def _key(submission_id: str) -> dict[str, Any]:
    return codec.item({"submission_id": submission_id})


def key_item(submission_id: str, key: WrappedKey) -> dict[str, Any]:
    return codec.item({"submission_id": submission_id, "wrapped": key.wrapped, "kek": key.kek_ciphertext})


def _wrapped_key(values: dict[str, Any]) -> WrappedKey:
    return WrappedKey(wrapped=values["wrapped"], kek_ciphertext=values["kek"])


def key_from_item(item: dict[str, Any]) -> WrappedKey:
    return _wrapped_key(codec.plain(item))


@dataclass(eq=False, repr=False)
class DynamoSubmissionStore:
    """Records and their wrapped keys, in two tables, changed together with their ledger entries."""

    dynamodb: Any
    records_table: str
    keys_table: str
    ledger: DynamoLedger

    def create(self, submission: StoredSubmission, key: WrappedKey, consent: LedgerDraft) -> None:
        # One transaction (one call): a key never exists without its record, nor a record without its key,
        # and neither without the (unsealed) consent entry that outlives them.
        try:
            with translate_errors("DynamoDB"):
                self.dynamodb.transact_write_items(
                    TransactItems=[
                        put_new_request(self.records_table, record_item(submission), "submission_id"),
                        put_new_request(self.keys_table, key_item(submission.submission_id, key), "submission_id"),
                        self.ledger.pending_put_request(consent),
                    ]
                )
        except Unavailable:
            # A timed-out attempt may still have committed, and the SDK's retry then fails its
            # condition (or times out too). The id is fresh, so a record under it can only be this
            # very write: finding it means the submission is stored, and answering 503 would leave a
            # record without a receipt (and a client retry would store a second one).
            if self.get(submission.submission_id) is None:
                raise

    def discard(self, submission_id: str, consent: LedgerDraft) -> bool:
        key = _key(submission_id)
        deletes = [
            {"Delete": {"TableName": self.records_table, "Key": key}},
            {"Delete": {"TableName": self.keys_table, "Key": key}},
            self.ledger.pending_delete_request(pending_position(consent)),
        ]
        # Cancelled: its consent entry was sealed meanwhile.
        return transact(self.dynamodb, deletes) is None

    def get(self, submission_id: str) -> StoredSubmission | None:
        found = get_item(self.dynamodb, self.records_table, {"submission_id": submission_id})
        return record_from_values(found) if found else None

    def get_key(self, submission_id: str) -> WrappedKey | None:
        found = get_item(self.dynamodb, self.keys_table, {"submission_id": submission_id})
        return _wrapped_key(found) if found else None

    def get_many(self, submission_ids: Sequence[str]) -> dict[str, StoredSubmission]:
        keys = [{"submission_id": i} for i in dict.fromkeys(submission_ids)]
        items = batch_get_items(self.dynamodb, self.records_table, keys)
        return {item["submission_id"]: record_from_values(item) for item in items}

    def get_keys(self, submission_ids: Sequence[str]) -> dict[str, WrappedKey]:
        keys = [{"submission_id": i} for i in dict.fromkeys(submission_ids)]
        items = batch_get_items(self.dynamodb, self.keys_table, keys)
        return {item["submission_id"]: _wrapped_key(item) for item in items}

    def ids_of_subject(self, subject: str) -> list[str]:
        return self._ids_by(tables.RECORDS_BY_SUBJECT, subject)

    def ids_of_guardian(self, guardian: str) -> list[str]:
        return self._ids_by(tables.RECORDS_BY_GUARDIAN, guardian)

    def _ids_by(self, index: tables.Index, value: str) -> list[str]:
        found = query_items(
            self.dynamodb,
            TableName=self.records_table,
            IndexName=index.name,
            KeyConditionExpression="#a = :v",
            ExpressionAttributeNames={"#a": index.partition.name},
            ExpressionAttributeValues=codec.item({":v": value}),
            ScanIndexForward=False,
        )
        return [item["submission_id"] for item in found]

    def _due_request(self, shard: str, now_epoch: int) -> dict[str, Any]:
        return {
            "TableName": self.records_table,
            "IndexName": tables.RECORDS_BY_EXPIRY.name,
            "KeyConditionExpression": "#shard = :shard AND #until <= :now",
            "ExpressionAttributeNames": {
                "#shard": tables.RECORD_EXPIRY_SHARD.name,
                "#until": tables.RECORD_RETAINED_UNTIL.name,
            },
            "ExpressionAttributeValues": codec.item({":shard": shard, ":now": now_epoch}),
        }

    def due(self, shard: str, now_epoch: int, limit: int, after: str | None = None) -> tuple[list[str], str | None]:
        items, last = query_page(self.dynamodb, self._due_request(shard, now_epoch), limit, after)
        return [item["submission_id"] for item in items], last

    def count_due(self, shard: str, now_epoch: int) -> int:
        """How many records of one shard are due (for progress reports); reads the index, not the table."""
        return query_count(self.dynamodb, **self._due_request(shard, now_epoch))

    def shred_key(self, submission_id: str, entry: LedgerDraft) -> DestroyOutcome:
        delete_key = {
            "Delete": {
                "TableName": self.keys_table,
                "Key": _key(submission_id),
                # A stream event can arrive twice; the second finds no key and writes no second entry.
                "ConditionExpression": "attribute_exists(submission_id)",
            }
        }
        refused = self.ledger.append_with([delete_key], entry)
        return DestroyOutcome.DESTROYED if refused is None else DestroyOutcome.ALREADY_GONE

    def end_held_use(
        self, submission_id: str, now_epoch: int, reason: str, entry: LedgerDraft, unsubscribe_hash: str | None = None
    ) -> bool:
        condition = "attribute_exists(#h) AND retained_until > :now"
        values: dict[str, Any] = {":now": now_epoch, ":reason": reason}
        if unsubscribe_hash is not None:
            condition += " AND unsubscribe_hash = :hash"
            values[":hash"] = unsubscribe_hash
        update = self._update_record(
            submission_id,
            # Held records have no TTL or shard; releasing the last hold restores them from
            # `retained_until`, which now says "due", so the next sweep destroys the record. Every
            # reader treats a record past `retained_until` as gone, so its use ends now.
            "SET retained_until = :now, #e = :reason REMOVE unsubscribe_hash",
            condition,
            {"#h": HOLDS_ATTRIBUTE, "#e": USE_ENDED_BY_ATTRIBUTE},
            values,
        )
        return self.ledger.append_with([update], entry) is None

    def _update_record(
        self, submission_id: str, update: str, condition: str, names: dict[str, str], values: dict[str, Any]
    ) -> dict[str, Any]:
        """The transaction item that updates one record (plain values)."""
        return update_request(self.records_table, {"submission_id": submission_id}, update, condition, names, values)

    def destroy(self, submission_id: str, entry: LedgerDraft) -> DestroyOutcome:
        key = _key(submission_id)
        # A held record is never destroyed, whatever the reason (§4.2 overrides retention and erasure).
        delete_record = {
            "Delete": {
                "TableName": self.records_table,
                "Key": key,
                "ConditionExpression": "attribute_exists(submission_id) AND attribute_not_exists(#h)",
                "ExpressionAttributeNames": {"#h": HOLDS_ATTRIBUTE},
            }
        }
        delete_key = {"Delete": {"TableName": self.keys_table, "Key": key}}
        if self.ledger.append_with([delete_record, delete_key], entry) is None:
            return DestroyOutcome.DESTROYED
        return DestroyOutcome.HELD if self.get(submission_id) else DestroyOutcome.ALREADY_GONE

    # --- changes after intake: corrections, restriction, a guardian's confirmation (§6) ---

    def replace_personal_data(
        self, submission_id: str, sealed: SealedBlob, key: WrappedKey, subject: str, entry: LedgerDraft
    ) -> bool:
        exists = "attribute_exists(submission_id)"
        update = self._update_record(
            submission_id,
            "SET #sealed = :sealed, #subject = :subject",
            exists,
            {"#sealed": "sealed", "#subject": "subject"},
            {":sealed": sealed.ciphertext, ":subject": subject},
        )
        # The new key overwrites the old one: every backup of the uncorrected PI becomes unreadable.
        put_key = {
            "Put": {"TableName": self.keys_table, "Item": key_item(submission_id, key), "ConditionExpression": exists}
        }
        return self.ledger.append_with([update, put_key], entry) is None

    def _update(self, submission_id: str, values: dict[str, Any], **request: Any) -> dict[str, Any] | None:
        """A conditional update of one record (plain expression values); None when its condition failed."""
        return conditional(
            self.dynamodb.update_item, values, TableName=self.records_table, Key=_key(submission_id), **request
        )

    def _open_corrections(self, submission_id: str, operation: str, request_id: str) -> dict[str, Any] | None:
        """ADD or DELETE one request id in the record's set of open corrections; the record as it is
        afterwards, or None when the record is gone."""
        response = self._update(
            submission_id,
            {":r": {request_id}},
            UpdateExpression=f"{operation} #oc :r",
            ConditionExpression="attribute_exists(submission_id)",
            ExpressionAttributeNames={"#oc": OPEN_CORRECTIONS_ATTRIBUTE},
            ReturnValues="ALL_NEW",
        )
        return codec.plain(response["Attributes"]) if response else None

    def restrict(self, submission_id: str, request_id: str) -> bool:
        item = self._open_corrections(submission_id, "ADD", request_id)
        if item is None:
            return False
        if item["status"] == RecordStatus.ACTIVE.value:
            # A record awaiting its representative is unused already and keeps that status.
            self._set_status(submission_id, RecordStatus.RESTRICTED, "#s = :from AND attribute_exists(#oc)")
        return True

    def lift_restriction(self, submission_id: str, request_id: str) -> None:
        item = self._open_corrections(submission_id, "DELETE", request_id)
        if item is None:
            return  # the record is gone: nothing to lift
        # DynamoDB removes a set that becomes empty; then no correction request is open any more.
        if OPEN_CORRECTIONS_ATTRIBUTE not in item and item["status"] == RecordStatus.RESTRICTED.value:
            self._set_status(submission_id, RecordStatus.ACTIVE, "#s = :from AND attribute_not_exists(#oc)")

    def _set_status(self, submission_id: str, status: RecordStatus, condition: str) -> None:
        was = RecordStatus.ACTIVE if status is RecordStatus.RESTRICTED else RecordStatus.RESTRICTED
        # A failed condition: another request changed the record meanwhile; its own update decides.
        self._update(
            submission_id,
            {":to": status.value, ":from": was.value},
            UpdateExpression="SET #s = :to",
            ConditionExpression=condition,
            ExpressionAttributeNames={"#s": "status", "#oc": OPEN_CORRECTIONS_ATTRIBUTE},
        )

    def remove_purpose(self, submission_id: str, position: int, purpose: Purpose, entry: LedgerDraft) -> bool:
        # The condition pins the list element: a concurrent change to the purposes fails it, never
        # removing a different purpose than the one named.
        update = self._update_record(
            submission_id,
            f"REMOVE #c.purposes[{position:d}]",
            f"#c.purposes[{position:d}] = :p",
            {"#c": "consent"},
            {":p": purpose.value},
        )
        return self.ledger.append_with([update], entry) is None

    def confirm_guardian(
        self, submission_id: str, retained_until: datetime, confirmed_at: datetime, entry: LedgerDraft
    ) -> bool:
        values = {
            ":active": RecordStatus.ACTIVE.value,
            ":pending": RecordStatus.PENDING_GUARDIAN.value,
            ":until": retention.epoch_seconds(retained_until),
            ":at": stored_time(confirmed_at),
        }
        base = "SET #s = :active, retained_until = :until, #c.guardian_confirmed_at = :at"
        # A held record has no TTL (see legal holds); releasing the hold restores it from retained_until.
        for held in (False, True):
            names = {"#s": "status", "#c": "consent", "#h": HOLDS_ATTRIBUTE}
            if not held:
                names["#ttl"] = tables.RECORD_TTL_ATTRIBUTE
            holds = "attribute_exists(#h)" if held else "attribute_not_exists(#h)"
            update = self._update_record(
                submission_id,
                base if held else f"{base}, #ttl = :until",
                f"#s = :pending AND {holds}",
                names,
                values,
            )
            if self.ledger.append_with([update], entry) is None:
                return True
        return False

    # --- §12: asking for consent to a later version, and recording it ---

    def ask_consent(self, submission_id: str, request: ConsentRequest) -> bool:
        answered = self._update(
            submission_id,
            {":r": consent_request_values(request), ":v": request.version},
            UpdateExpression="SET #r = :r",
            # One claim per version: whoever writes it first mails; nobody is asked twice.
            ConditionExpression="attribute_exists(submission_id) AND (attribute_not_exists(#r) OR #r.version <> :v)",
            ExpressionAttributeNames={"#r": CONSENT_REQUEST_ATTRIBUTE},
        )
        return answered is not None

    def drop_consent_request(self, submission_id: str, token_hash: str) -> None:
        self._update(
            submission_id,
            {":h": token_hash},
            UpdateExpression="REMOVE #r",
            ConditionExpression="#r.token_hash = :h AND attribute_not_exists(#r.answered_at)",
            ExpressionAttributeNames={"#r": CONSENT_REQUEST_ATTRIBUTE},
        )

    def renew_consent(self, renewal: ConsentRenewal) -> bool:
        update = self._update_record(
            renewal.submission_id,
            "SET #c.policy_version = :v, #c.purposes = :p, #c.renewed_at = :at, #r.answered_at = :at",
            "#r.token_hash = :h AND attribute_not_exists(#r.answered_at) AND #r.version = :v "
            "AND #c.policy_version = :from",
            {"#c": "consent", "#r": CONSENT_REQUEST_ATTRIBUTE},
            {
                ":v": renewal.version,
                ":p": [p.value for p in renewal.purposes],
                ":at": stored_time(renewal.at),
                ":h": renewal.token_hash,
                ":from": renewal.from_version,
            },
        )
        return self.ledger.append_with([update], renewal.entry) is None
