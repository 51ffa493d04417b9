"""Destruction through the real DynamoDB adapter: one transaction, a chained ledger entry, no PI."""

from __future__ import annotations

import json

import pytest
from cryptography.exceptions import InvalidTag

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.dynamodb import HOLDS_ATTRIBUTE, record_from_item
from policybound.domain.core.ledger import LedgerKind, verify_chain
from policybound.domain.core.model import WrappedKey
from policybound.domain.core.ports import DestroyOutcome
from policybound.domain.retention.destruction import DestructionReason
from tests.conftest import VALID_FIELDS, submission
from tests.support.aws import AwsApi, item_key


def submit(api: AwsApi, form: str = "contact-us") -> str:
    response = api.client.post(f"/v1/forms/{form}", json=submission(form))
    assert response.status_code == 201
    return str(response.get_json()["submission_id"])


def test_destroying_removes_record_and_key_and_chains_a_ledger_entry_without_pi(aws_api: AwsApi) -> None:
    first, second = submit(aws_api), submit(aws_api, "blog-subscription")
    wiring = aws_api.wiring
    for submission_id in (first, second):
        record = wiring.ports.store.get(submission_id)
        assert record is not None
        assert wiring.destroyer.destroy(record, DestructionReason.SUBJECT_ERASURE) is DestroyOutcome.DESTROYED
        assert wiring.ports.store.get(submission_id) is None
        assert wiring.ports.store.get_key(submission_id) is None

    entries = wiring.ports.ledger.entries(LedgerKind.DESTRUCTION)
    assert [e.payload["submission_id"] for e in entries] == [first, second]
    assert entries[0].payload["reason"] == "subject_erasure"
    assert set(entries[0].payload) == {"submission_id", "form", "consented_at", "due_at", "destroyed_at", "reason"}
    assert verify_chain(entries) is None
    ledger_text = json.dumps(aws_api.scan_all()[aws_api.tables[tables.LEDGER.env_var]])
    for fields in VALID_FIELDS.values():
        for value in fields.values():
            assert value not in ledger_text


def test_destroying_twice_is_a_clear_no_op(aws_api: AwsApi) -> None:
    submission_id = submit(aws_api)
    record = aws_api.wiring.ports.store.get(submission_id)
    assert record is not None
    assert aws_api.wiring.destroyer.destroy(record, DestructionReason.UNSUBSCRIBED) is DestroyOutcome.DESTROYED
    assert aws_api.wiring.destroyer.destroy(record, DestructionReason.UNSUBSCRIBED) is DestroyOutcome.ALREADY_GONE
    assert len(aws_api.wiring.ports.ledger.entries(LedgerKind.DESTRUCTION)) == 1


def test_a_held_record_is_not_destroyed_and_nothing_is_written(aws_api: AwsApi) -> None:
    submission_id = submit(aws_api)
    aws_api.dynamodb.update_item(
        TableName=aws_api.tables[tables.RECORDS.env_var],
        Key=item_key(tables.RECORDS, submission_id),
        UpdateExpression="ADD #h :h",
        ExpressionAttributeNames={"#h": HOLDS_ATTRIBUTE},
        ExpressionAttributeValues=codec.item({":h": {"hold-1"}}),
    )
    record = aws_api.wiring.ports.store.get(submission_id)
    assert record is not None
    assert aws_api.wiring.destroyer.destroy(record, DestructionReason.RETENTION_EXPIRED) is DestroyOutcome.HELD
    assert aws_api.wiring.ports.store.get_key(submission_id) is not None
    assert aws_api.wiring.ports.ledger.entries(LedgerKind.DESTRUCTION) == []


def test_a_backup_copy_cannot_be_decrypted_once_the_record_is_destroyed(aws_api: AwsApi) -> None:
    """Crypto-shredding: a point-in-time backup keeps the record item, never the key."""
    submission_id = submit(aws_api)
    records_table = aws_api.tables[tables.RECORDS.env_var]
    key = item_key(tables.RECORDS, submission_id)
    backup_copy = aws_api.dynamodb.get_item(TableName=records_table, Key=key)["Item"]
    wiring = aws_api.wiring
    record = record_from_item(backup_copy)
    assert wiring.reader.open(record) is not None  # readable while its key exists

    assert wiring.destroyer.destroy(record, DestructionReason.RETENTION_EXPIRED) is DestroyOutcome.DESTROYED
    # Restoring the backup brings the item back, but its key is gone from the unbacked-up keys table.
    aws_api.dynamodb.put_item(TableName=records_table, Item=backup_copy)
    assert wiring.ports.store.get_key(submission_id) is None
    assert wiring.reader.open(record) is None
    # Even with every other key in the system at hand, none opens it.
    other = submit(aws_api)
    other_key = wiring.ports.store.get_key(other)
    assert isinstance(other_key, WrappedKey)
    with pytest.raises(InvalidTag):
        wiring.sealer.open(submission_id, record.sealed, other_key)
