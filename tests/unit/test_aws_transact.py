"""`transact`: one transaction, answered as written (None) or cancelled (each item's code)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from policybound.adapters.aws import transact
from policybound.domain.core.errors import Unavailable

ITEMS = [
    {"ConditionCheck": {"TableName": "t", "Key": {"id": {"S": "a"}}, "ConditionExpression": "attribute_exists(id)"}},
    {"Put": {"TableName": "t", "Item": {"id": {"S": "b"}}}},
]


@pytest.fixture
def dynamodb() -> Iterator[tuple[object, Stubber]]:
    client = boto3.client(
        "dynamodb", region_name="ap-northeast-2", aws_access_key_id="test", aws_secret_access_key="test"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_a_written_transaction_answers_none(dynamodb: tuple[object, Stubber]) -> None:
    client, stubber = dynamodb
    stubber.add_response("transact_write_items", {}, {"TransactItems": ITEMS})
    assert transact(client, ITEMS) is None


def test_a_cancelled_transaction_answers_each_items_code(dynamodb: tuple[object, Stubber]) -> None:
    client, stubber = dynamodb
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        modeled_fields={"CancellationReasons": [{"Code": "ConditionalCheckFailed"}, {"Code": "None"}]},
    )
    assert transact(client, ITEMS) == ["ConditionalCheckFailed", "None"]


def test_any_other_failure_is_unavailable(dynamodb: tuple[object, Stubber]) -> None:
    client, stubber = dynamodb
    stubber.add_client_error("transact_write_items", service_error_code="ProvisionedThroughputExceededException")
    with pytest.raises(Unavailable):
        transact(client, ITEMS)
