"""DynamoDB: the records and keys tables. The only code that knows their item layout."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound import tables
from policybound.adapters.aws import batch_get_items, error_code, stored_time, translate_errors
from policybound.adapters.ledger import MAX_APPEND_ATTEMPTS, DynamoLedger, pending_position
from policybound.domain.core import retention
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft, chain
from policybound.domain.core.model import (
    ConsentProof,
    ConsentRequest,
    RecordStatus,
    SealedBlob,
    StoredSubmission,
    WrappedKey,
)
from policybound.domain.core.ports import DestroyOutcome
from policybound.policy import FormId, Purpose

# A set of hold ids; while it exists the record is out of the expiry index and has no TTL (§4.2).
HOLDS_ATTRIBUTE = tables.RECORD_HOLDS_ATTRIBUTE
# A set of open correction request ids; while it exists the record stays `restricted` (§6).
OPEN_CORRECTIONS_ATTRIBUTE = "open_corrections"
# Why a held record's use ended early (an unsubscribe or an erasure the hold refused).
USE_ENDED_BY_ATTRIBUTE = "use_ended_by"
# §12: the request for consent to a later version (version, hash of the link's secret, times; no PI).
CONSENT_REQUEST_ATTRIBUTE = "consent_request"


def expiry_shard(submission_id: str) -> str:
    # Spreads the expiry index over a fixed number of partitions; the sweeper queries each one.
    return str(hashlib.sha256(submission_id.encode()).digest()[0] % tables.RECORD_EXPIRY_SHARDS)


# Every value `expiry_shard` can take, in the order the sweeper visits them.
EXPIRY_SHARDS: tuple[str, ...] = tuple(str(shard) for shard in range(tables.RECORD_EXPIRY_SHARDS))


def _strings(values: tuple[str, ...]) -> dict[str, Any]:
    return {"L": [{"S": value} for value in values]}


def record_item(record: StoredSubmission) -> dict[str, Any]:
    until = retention.epoch_seconds(record.retained_until)
    item: dict[str, Any] = {
        "submission_id": {"S": record.submission_id},
        "form": {"S": record.form.value},
        "status": {"S": record.status.value},
        "subject": {"S": record.subject},
        "received_at": {"S": stored_time(record.received_at)},
        "retained_until": {"N": str(until)},
        tables.RECORD_TTL_ATTRIBUTE: {"N": str(until)},
        "expiry_shard": {"S": expiry_shard(record.submission_id)},
        "consent": {
            "M": {
                "policy_version": {"S": record.consent.policy_version},
                "consented_at": {"S": stored_time(record.consent.consented_at)},
                "optional": {"BOOL": record.consent.optional},
                "items": _strings(record.consent.items),
                "purposes": _strings(tuple(p.value for p in record.consent.purposes)),
            }
        },
        "items_dropped": _strings(record.items_dropped),
        "sealed": {"B": record.sealed.ciphertext},
    }
    if record.unsubscribe_hash:
        item["unsubscribe_hash"] = {"S": record.unsubscribe_hash}
    if record.consent.under_14:
        item["consent"]["M"]["under_14"] = {"BOOL": True}
    if record.consent.guardian_confirmed_at:
        item["consent"]["M"]["guardian_confirmed_at"] = {"S": stored_time(record.consent.guardian_confirmed_at)}
    if record.guardian:
        item["guardian"] = {"S": record.guardian}
    if record.use_ended_by:
        item[USE_ENDED_BY_ATTRIBUTE] = {"S": record.use_ended_by}
    if record.consent.renewed_at:
        item["consent"]["M"]["renewed_at"] = {"S": stored_time(record.consent.renewed_at)}
    if record.consent_request:
        item[CONSENT_REQUEST_ATTRIBUTE] = consent_request_item(record.consent_request)
    return item


def consent_request_item(request: ConsentRequest) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "version": {"S": request.version},
        "token_hash": {"S": request.token_hash},
        "asked_at": {"S": stored_time(request.asked_at)},
        "expires_at": {"S": stored_time(request.expires_at)},
    }
    if request.answered_at:
        fields["answered_at"] = {"S": stored_time(request.answered_at)}
    return {"M": fields}


def _consent_request(value: dict[str, Any] | None) -> ConsentRequest | None:
    if not value:
        return None
    fields = value["M"]
    return ConsentRequest(
        version=fields["version"]["S"],
        token_hash=fields["token_hash"]["S"],
        asked_at=datetime.fromisoformat(fields["asked_at"]["S"]),
        expires_at=datetime.fromisoformat(fields["expires_at"]["S"]),
        answered_at=_optional_time(fields.get("answered_at")),
    )


def record_from_item(item: dict[str, Any]) -> StoredSubmission:
    consent = item["consent"]["M"]
    return StoredSubmission(
        submission_id=item["submission_id"]["S"],
        form=FormId(item["form"]["S"]),
        status=RecordStatus(item["status"]["S"]),
        subject=item["subject"]["S"],
        received_at=datetime.fromisoformat(item["received_at"]["S"]),
        retained_until=retention.from_epoch(int(item["retained_until"]["N"])),
        consent=ConsentProof(
            policy_version=consent["policy_version"]["S"],
            consented_at=datetime.fromisoformat(consent["consented_at"]["S"]),
            optional=consent["optional"]["BOOL"],
            items=tuple(v["S"] for v in consent["items"]["L"]),
            purposes=tuple(Purpose(v["S"]) for v in consent["purposes"]["L"]),
            under_14=consent.get("under_14", {}).get("BOOL", False),
            guardian_confirmed_at=_optional_time(consent.get("guardian_confirmed_at")),
            renewed_at=_optional_time(consent.get("renewed_at")),
        ),
        items_dropped=tuple(v["S"] for v in item["items_dropped"]["L"]),
        sealed=SealedBlob(bytes(item["sealed"]["B"])),
        unsubscribe_hash=item.get("unsubscribe_hash", {}).get("S"),
        guardian=item.get("guardian", {}).get("S"),
        use_ended_by=item.get(USE_ENDED_BY_ATTRIBUTE, {}).get("S"),
        consent_request=_consent_request(item.get(CONSENT_REQUEST_ATTRIBUTE)),
    )


def _optional_time(value: dict[str, Any] | None) -> datetime | None:
    return datetime.fromisoformat(value["S"]) if value else None


def key_item(submission_id: str, key: WrappedKey) -> dict[str, Any]:
    return {
        "submission_id": {"S": submission_id},
        "wrapped": {"B": key.wrapped},
        "kek": {"B": key.kek_ciphertext},
    }


def key_from_item(item: dict[str, Any]) -> WrappedKey:
    return WrappedKey(wrapped=bytes(item["wrapped"]["B"]), kek_ciphertext=bytes(item["kek"]["B"]))


class DynamoSubmissionStore:
    def __init__(self, dynamodb: Any, records_table: str, keys_table: str, ledger: DynamoLedger) -> None:
        self._db = dynamodb
        self._records = records_table
        self._keys = keys_table
        self._ledger = ledger

    def create(self, submission: StoredSubmission, key: WrappedKey, consent: LedgerDraft) -> None:
        # One transaction (one call): a key never exists without its record, nor a record without its key,
        # and neither without the (unsealed) consent entry that outlives them.
        new = "attribute_not_exists(submission_id)"
        try:
            with translate_errors("DynamoDB"):
                self._db.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self._records,
                                "Item": record_item(submission),
                                "ConditionExpression": new,
                            }
                        },
                        {
                            "Put": {
                                "TableName": self._keys,
                                "Item": key_item(submission.submission_id, key),
                                "ConditionExpression": new,
                            }
                        },
                        self._ledger.pending_put_request(consent),
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
        key = {"submission_id": {"S": submission_id}}
        try:
            with translate_errors("DynamoDB", passthrough=("TransactionCanceledException",)):
                self._db.transact_write_items(
                    TransactItems=[
                        {"Delete": {"TableName": self._records, "Key": key}},
                        {"Delete": {"TableName": self._keys, "Key": key}},
                        self._ledger.pending_delete_request(pending_position(consent)),
                    ]
                )
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            return False  # its consent entry was sealed meanwhile
        return True

    def get(self, submission_id: str) -> StoredSubmission | None:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(
                TableName=self._records, Key={"submission_id": {"S": submission_id}}, ConsistentRead=True
            ).get("Item")
        return record_from_item(item) if item else None

    def get_key(self, submission_id: str) -> WrappedKey | None:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(
                TableName=self._keys, Key={"submission_id": {"S": submission_id}}, ConsistentRead=True
            ).get("Item")
        return key_from_item(item) if item else None

    def get_many(self, submission_ids: Sequence[str]) -> dict[str, StoredSubmission]:
        keys = [{"submission_id": {"S": i}} for i in dict.fromkeys(submission_ids)]
        items = batch_get_items(self._db, self._records, keys)
        return {item["submission_id"]["S"]: record_from_item(item) for item in items}

    def get_keys(self, submission_ids: Sequence[str]) -> dict[str, WrappedKey]:
        keys = [{"submission_id": {"S": i}} for i in dict.fromkeys(submission_ids)]
        items = batch_get_items(self._db, self._keys, keys)
        return {item["submission_id"]["S"]: key_from_item(item) for item in items}

    def ids_of_subject(self, subject: str) -> list[str]:
        return self._ids_by("by_subject", "subject", subject)

    def ids_of_guardian(self, guardian: str) -> list[str]:
        return self._ids_by("by_guardian", "guardian", guardian)

    def _ids_by(self, index: str, attribute: str, value: str) -> list[str]:
        ids: list[str] = []
        request: dict[str, Any] = {
            "TableName": self._records,
            "IndexName": index,
            "KeyConditionExpression": "#a = :v",
            "ExpressionAttributeNames": {"#a": attribute},
            "ExpressionAttributeValues": {":v": {"S": value}},
            "ScanIndexForward": False,
        }
        with translate_errors("DynamoDB"):
            while True:
                response = self._db.query(**request)
                ids += [item["submission_id"]["S"] for item in response.get("Items", [])]
                if "LastEvaluatedKey" not in response:
                    return ids
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def due(self, shard: str, now_epoch: int, limit: int, after: str | None = None) -> tuple[list[str], str | None]:
        request: dict[str, Any] = {
            "TableName": self._records,
            "IndexName": "by_expiry",
            "KeyConditionExpression": "expiry_shard = :shard AND retained_until <= :now",
            "ExpressionAttributeValues": {":shard": {"S": shard}, ":now": {"N": str(now_epoch)}},
            "Limit": limit,
        }
        if after:
            request["ExclusiveStartKey"] = json.loads(after)
        with translate_errors("DynamoDB"):
            response = self._db.query(**request)
        ids = [item["submission_id"]["S"] for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return ids, json.dumps(last) if last else None

    def count_due(self, shard: str, now_epoch: int) -> int:
        """How many records of one shard are due (for progress reports); reads the index, not the table."""
        request: dict[str, Any] = {
            "TableName": self._records,
            "IndexName": "by_expiry",
            "KeyConditionExpression": "expiry_shard = :shard AND retained_until <= :now",
            "ExpressionAttributeValues": {":shard": {"S": shard}, ":now": {"N": str(now_epoch)}},
            "Select": "COUNT",
        }
        count = 0
        with translate_errors("DynamoDB"):
            while True:
                response = self._db.query(**request)
                count += int(response.get("Count", 0))
                if "LastEvaluatedKey" not in response:
                    return count
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def shred_key(self, submission_id: str, entry: LedgerDraft) -> DestroyOutcome:
        delete_key = {
            "Delete": {
                "TableName": self._keys,
                "Key": {"submission_id": {"S": submission_id}},
                # A stream event can arrive twice; the second finds no key and writes no second entry.
                "ConditionExpression": "attribute_exists(submission_id)",
            }
        }
        refused = self._ledger.append_with([delete_key], entry)
        return DestroyOutcome.DESTROYED if refused is None else DestroyOutcome.ALREADY_GONE

    def end_held_use(
        self, submission_id: str, now_epoch: int, reason: str, entry: LedgerDraft, unsubscribe_hash: str | None = None
    ) -> bool:
        condition = "attribute_exists(#h) AND retained_until > :now"
        values: dict[str, Any] = {":now": {"N": str(now_epoch)}, ":reason": {"S": reason}}
        if unsubscribe_hash is not None:
            condition += " AND unsubscribe_hash = :hash"
            values[":hash"] = {"S": unsubscribe_hash}
        update = {
            "Update": {
                "TableName": self._records,
                "Key": {"submission_id": {"S": submission_id}},
                # Held records have no TTL or shard; releasing the last hold restores them from
                # `retained_until`, which now says "due", so the next sweep destroys the record. Every
                # reader treats a record past `retained_until` as gone, so its use ends now.
                "UpdateExpression": "SET retained_until = :now, #e = :reason REMOVE unsubscribe_hash",
                "ConditionExpression": condition,
                "ExpressionAttributeNames": {"#h": HOLDS_ATTRIBUTE, "#e": USE_ENDED_BY_ATTRIBUTE},
                "ExpressionAttributeValues": values,
            }
        }
        return self._ledger.append_with([update], entry) is None

    def destroy(self, submission_id: str, entry: LedgerDraft) -> DestroyOutcome:
        key = {"submission_id": {"S": submission_id}}
        # A held record is never destroyed, whatever the reason (§4.2 overrides retention and erasure).
        delete_record = {
            "Delete": {
                "TableName": self._records,
                "Key": key,
                "ConditionExpression": "attribute_exists(submission_id) AND attribute_not_exists(#h)",
                "ExpressionAttributeNames": {"#h": HOLDS_ATTRIBUTE},
            }
        }
        delete_key = {"Delete": {"TableName": self._keys, "Key": key}}
        for _ in range(MAX_APPEND_ATTEMPTS):
            ledger_entry = chain(entry, self._ledger.head(entry.kind))
            try:
                with translate_errors("DynamoDB", passthrough=("TransactionCanceledException",)):
                    self._db.transact_write_items(
                        TransactItems=[delete_record, delete_key, self._ledger.put_request(ledger_entry)]
                    )
                return DestroyOutcome.DESTROYED
            except ClientError as error:
                if error_code(error) != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    return DestroyOutcome.HELD if self.get(submission_id) else DestroyOutcome.ALREADY_GONE
                # Otherwise another writer took this ledger position: read the new head and retry.
        raise Unavailable("DynamoDB (ledger contention)")

    # --- changes after intake: corrections, restriction, a guardian's confirmation (§6) ---

    def replace_personal_data(
        self, submission_id: str, sealed: SealedBlob, key: WrappedKey, subject: str, entry: LedgerDraft
    ) -> bool:
        exists = "attribute_exists(submission_id)"
        update = {
            "Update": {
                "TableName": self._records,
                "Key": {"submission_id": {"S": submission_id}},
                "UpdateExpression": "SET #sealed = :sealed, #subject = :subject",
                "ConditionExpression": exists,
                "ExpressionAttributeNames": {"#sealed": "sealed", "#subject": "subject"},
                "ExpressionAttributeValues": {":sealed": {"B": sealed.ciphertext}, ":subject": {"S": subject}},
            }
        }
        # The new key overwrites the old one: every backup of the uncorrected PI becomes unreadable.
        put_key = {
            "Put": {"TableName": self._keys, "Item": key_item(submission_id, key), "ConditionExpression": exists}
        }
        return self._ledger.append_with([update, put_key], entry) is None

    def _open_corrections(self, submission_id: str, operation: str, request_id: str) -> dict[str, Any] | None:
        """ADD or DELETE one request id in the record's set of open corrections; the record as it is
        afterwards, or None when the record is gone."""
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                item: dict[str, Any] = self._db.update_item(
                    TableName=self._records,
                    Key={"submission_id": {"S": submission_id}},
                    UpdateExpression=f"{operation} #oc :r",
                    ConditionExpression="attribute_exists(submission_id)",
                    ExpressionAttributeNames={"#oc": OPEN_CORRECTIONS_ATTRIBUTE},
                    ExpressionAttributeValues={":r": {"SS": [request_id]}},
                    ReturnValues="ALL_NEW",
                )["Attributes"]
        except ClientError:
            return None
        return item

    def restrict(self, submission_id: str, request_id: str) -> bool:
        item = self._open_corrections(submission_id, "ADD", request_id)
        if item is None:
            return False
        if item["status"]["S"] == RecordStatus.ACTIVE.value:
            # A record awaiting its representative is unused already and keeps that status.
            self._set_status(submission_id, RecordStatus.RESTRICTED, "#s = :from AND attribute_exists(#oc)")
        return True

    def lift_restriction(self, submission_id: str, request_id: str) -> None:
        item = self._open_corrections(submission_id, "DELETE", request_id)
        if item is None:
            return  # the record is gone: nothing to lift
        # DynamoDB removes a set that becomes empty; then no correction request is open any more.
        if OPEN_CORRECTIONS_ATTRIBUTE not in item and item["status"]["S"] == RecordStatus.RESTRICTED.value:
            self._set_status(submission_id, RecordStatus.ACTIVE, "#s = :from AND attribute_not_exists(#oc)")

    def _set_status(self, submission_id: str, status: RecordStatus, condition: str) -> None:
        was = RecordStatus.ACTIVE if status is RecordStatus.RESTRICTED else RecordStatus.RESTRICTED
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.update_item(
                    TableName=self._records,
                    Key={"submission_id": {"S": submission_id}},
                    UpdateExpression="SET #s = :to",
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#s": "status", "#oc": OPEN_CORRECTIONS_ATTRIBUTE},
                    ExpressionAttributeValues={":to": {"S": status.value}, ":from": {"S": was.value}},
                )
        except ClientError:
            pass  # another request changed the record meanwhile; its own update decides the status

    def remove_purpose(self, submission_id: str, position: int, purpose: Purpose, entry: LedgerDraft) -> bool:
        # The condition pins the list element: a concurrent change to the purposes fails it, never
        # removing a different purpose than the one named.
        update = {
            "Update": {
                "TableName": self._records,
                "Key": {"submission_id": {"S": submission_id}},
                "UpdateExpression": f"REMOVE #c.purposes[{position:d}]",
                "ConditionExpression": f"#c.purposes[{position:d}] = :p",
                "ExpressionAttributeNames": {"#c": "consent"},
                "ExpressionAttributeValues": {":p": {"S": purpose.value}},
            }
        }
        return self._ledger.append_with([update], entry) is None

    def confirm_guardian(
        self, submission_id: str, retained_until: datetime, confirmed_at: datetime, entry: LedgerDraft
    ) -> bool:
        until = {"N": str(retention.epoch_seconds(retained_until))}
        values = {
            ":active": {"S": RecordStatus.ACTIVE.value},
            ":pending": {"S": RecordStatus.PENDING_GUARDIAN.value},
            ":until": until,
            ":at": {"S": stored_time(confirmed_at)},
        }
        base = "SET #s = :active, retained_until = :until, #c.guardian_confirmed_at = :at"
        # A held record has no TTL (see legal holds); releasing the hold restores it from retained_until.
        for held in (False, True):
            names = {"#s": "status", "#c": "consent", "#h": HOLDS_ATTRIBUTE}
            if not held:
                names["#ttl"] = tables.RECORD_TTL_ATTRIBUTE
            holds = "attribute_exists(#h)" if held else "attribute_not_exists(#h)"
            update = {
                "Update": {
                    "TableName": self._records,
                    "Key": {"submission_id": {"S": submission_id}},
                    "UpdateExpression": base if held else f"{base}, #ttl = :until",
                    "ConditionExpression": f"#s = :pending AND {holds}",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
            if self._ledger.append_with([update], entry) is None:
                return True
        return False

    # --- §12: asking for consent to a later version, and recording it ---

    def ask_consent(self, submission_id: str, request: ConsentRequest) -> bool:
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.update_item(
                    TableName=self._records,
                    Key={"submission_id": {"S": submission_id}},
                    UpdateExpression="SET #r = :r",
                    # One claim per version: whoever writes it first mails; nobody is asked twice.
                    ConditionExpression="attribute_exists(submission_id) AND "
                    "(attribute_not_exists(#r) OR #r.version <> :v)",
                    ExpressionAttributeNames={"#r": CONSENT_REQUEST_ATTRIBUTE},
                    ExpressionAttributeValues={":r": consent_request_item(request), ":v": {"S": request.version}},
                )
            return True
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise

    def drop_consent_request(self, submission_id: str, token_hash: str) -> None:
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.update_item(
                    TableName=self._records,
                    Key={"submission_id": {"S": submission_id}},
                    UpdateExpression="REMOVE #r",
                    ConditionExpression="#r.token_hash = :h AND attribute_not_exists(#r.answered_at)",
                    ExpressionAttributeNames={"#r": CONSENT_REQUEST_ATTRIBUTE},
                    ExpressionAttributeValues={":h": {"S": token_hash}},
                )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    def renew_consent(
        self,
        submission_id: str,
        token_hash: str,
        from_version: str,
        version: str,
        purposes: tuple[Purpose, ...],
        at: datetime,
        entry: LedgerDraft,
    ) -> bool:
        update = {
            "Update": {
                "TableName": self._records,
                "Key": {"submission_id": {"S": submission_id}},
                "UpdateExpression": "SET #c.policy_version = :v, #c.purposes = :p, #c.renewed_at = :at, "
                "#r.answered_at = :at",
                "ConditionExpression": "#r.token_hash = :h AND attribute_not_exists(#r.answered_at) "
                "AND #r.version = :v AND #c.policy_version = :from",
                "ExpressionAttributeNames": {"#c": "consent", "#r": CONSENT_REQUEST_ATTRIBUTE},
                "ExpressionAttributeValues": {
                    ":v": {"S": version},
                    ":p": _strings(tuple(p.value for p in purposes)),
                    ":at": {"S": stored_time(at)},
                    ":h": {"S": token_hash},
                    ":from": {"S": from_version},
                },
            }
        }
        return self._ledger.append_with([update], entry) is None
