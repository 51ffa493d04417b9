"""Local mode's cheaper moto transactions keep moto's all-or-nothing behaviour: a cancelled transaction
leaves every item it named (on hash and hash+range tables) and the table's stream as they were, a
committed one applies every write, and tables are still copied as before everywhere else."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local import moto_transactions
from policybound.adapters import codec
from policybound.policy import AWS_REGION


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from moto import mock_aws
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    # Undone after the test, so that no other test runs on the patched backend because of this one.
    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", DynamoDBBackend.transact_write_items)
    monkeypatch.setattr(Table, "__deepcopy__", None, raising=False)
    monkeypatch.delattr(Table, "__deepcopy__")
    moto_transactions.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=AWS_REGION)
        client.create_table(
            TableName="plain",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        client.create_table(
            TableName="ranged",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "k", "AttributeType": "S"},
                {"AttributeName": "s", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def _table(name: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends["123456789012"][AWS_REGION].tables[name]


def _stream_records(client: Any) -> int:
    return len(_table("plain").stream_shard.items)


def counter(db: Any) -> int:
    return int(codec.plain(db.get_item(TableName="plain", Key=codec.item({"k": "counter"}))["Item"])["n"])


def _add(key: str, amount: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": "plain",
            "Key": codec.item({"k": key}),
            "UpdateExpression": "ADD n :n",
            "ExpressionAttributeValues": codec.item({":n": amount}),
        }
    }


def test_a_cancelled_transaction_leaves_everything_it_named_as_it_was(db: Any) -> None:
    db.put_item(TableName="plain", Item=codec.item({"k": "counter", "n": 1}))
    db.put_item(TableName="plain", Item=codec.item({"k": "taken"}))
    db.put_item(TableName="plain", Item=codec.item({"k": "kept"}))
    db.put_item(TableName="ranged", Item=codec.item({"k": "a", "s": "1", "v": 1}))
    streamed = _stream_records(db)
    with pytest.raises(ClientError) as refused:
        db.transact_write_items(
            TransactItems=[
                _add("counter", 5),
                {"Put": {"TableName": "plain", "Item": codec.item({"k": "new"})}},
                {"Put": {"TableName": "ranged", "Item": codec.item({"k": "a", "s": "2"})}},
                {
                    "Update": {
                        "TableName": "ranged",
                        "Key": codec.item({"k": "a", "s": "1"}),
                        "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": codec.item({":v": 9}),
                    }
                },
                {"Delete": {"TableName": "plain", "Key": codec.item({"k": "kept"})}},
                {
                    "Put": {
                        "TableName": "plain",
                        "Item": codec.item({"k": "taken"}),
                        "ConditionExpression": "attribute_not_exists(k)",
                    }
                },
            ]
        )
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert counter(db) == 1
    assert "Item" not in db.get_item(TableName="plain", Key=codec.item({"k": "new"}))
    assert "Item" in db.get_item(TableName="plain", Key=codec.item({"k": "kept"}))
    ranged = db.query(
        TableName="ranged", KeyConditionExpression="k = :a", ExpressionAttributeValues=codec.item({":a": "a"})
    )
    assert ranged["Items"] == [codec.item({"k": "a", "s": "1", "v": 1})]
    assert _stream_records(db) == streamed


def test_a_committed_transaction_applies_every_write(db: Any) -> None:
    db.put_item(TableName="plain", Item=codec.item({"k": "counter", "n": 1}))
    db.transact_write_items(
        TransactItems=[_add("counter", 5), {"Put": {"TableName": "ranged", "Item": codec.item({"k": "b", "s": "1"})}}]
    )
    assert counter(db) == 6
    assert "Item" in db.get_item(TableName="ranged", Key=codec.item({"k": "b", "s": "1"}))


def test_a_transaction_naming_one_item_twice_is_refused_and_undone(db: Any) -> None:
    db.put_item(TableName="plain", Item=codec.item({"k": "counter", "n": 1}))
    with pytest.raises(ClientError):
        db.transact_write_items(TransactItems=[_add("counter", 5), _add("counter", 7)])
    assert counter(db) == 1


def test_tables_are_still_copied_outside_transactions(db: Any) -> None:
    db.put_item(TableName="plain", Item=codec.item({"k": "x"}))
    table = _table("plain")
    copied = copy.deepcopy(table)
    assert copied is not table
    assert copied.items is not table.items
    assert len(copied.items) == len(table.items) == 1
