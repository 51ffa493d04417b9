"""Each AWS call of a submission and of a destruction fails in turn, by error and by timeout:
the client gets 503 with Retry-After, nothing partial is stored, and a retry with the same
Idempotency-Key stores exactly one record."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from local.outbox import sent_mail
from policybound import tables
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.retention.destruction import DestructionReason
from tests.conftest import submission
from tests.support.aws import AwsApi


def _timeout(**_: Any) -> None:
    raise ReadTimeoutError(endpoint_url="https://aws.example/")


def _connection_error(**_: Any) -> None:
    raise EndpointConnectionError(endpoint_url="https://aws.example/")


def _throttled(model: Any, **_: Any) -> None:
    raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, model.name)


FAULTS: dict[str, tuple[str, Callable[..., None]]] = {
    "timeout": ("before-send", _timeout),
    "connection": ("before-send", _connection_error),
    "throttled": ("before-call", _throttled),
}


@contextmanager
def failing(client: Any, event: str, operation: str, handler: Callable[..., None]) -> Iterator[list[int]]:
    """Make one operation of one client fail; yields a list counting the attempts."""
    attempts: list[int] = []

    def counted(**kwargs: Any) -> None:
        attempts.append(1)
        handler(**kwargs)

    service = client.meta.service_model.service_name
    name = f"{event}.{service}.{operation}"
    client.meta.events.register(name, counted, unique_id="fault")
    try:
        yield attempts
    finally:
        client.meta.events.unregister(name, unique_id="fault")


def counts(api: AwsApi) -> dict[str, int]:
    scanned = api.scan_all()
    return {
        spec.logical_id: len(scanned[api.tables[spec.env_var]]) for spec in tables.TABLES if spec.env_var in api.tables
    }


SUBMISSION_CALLS = [
    ("kms", "GenerateMac"),
    ("kms", "GenerateDataKey"),
    ("dynamodb", "TransactWriteItems"),
    ("ses", "SendRawEmail"),
]


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize(("service", "operation"), SUBMISSION_CALLS)
def test_a_failing_call_is_503_with_nothing_stored_and_a_clean_retry(
    aws_api: AwsApi, service: str, operation: str, fault: str
) -> None:
    wiring = aws_api.wiring
    client = {"kms": wiring.ports.kms, "dynamodb": wiring.ports.dynamodb, "ses": wiring.ports.ses}[service]
    event, handler = FAULTS[fault]
    body = submission("blog-subscription")
    headers = {"Idempotency-Key": f"{operation}-{fault}"}

    with failing(client, event, operation, handler) as attempts:
        response = aws_api.client.post("/v1/forms/blog-subscription", json=body, headers=headers)
    assert attempts, "the fault was never reached"
    assert response.status_code == 503, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["error"]["code"] == "unavailable"
    after_failure = counts(aws_api)
    assert after_failure["Records"] == after_failure["RecordKeys"] == 0
    assert after_failure["Idempotency"] == 0  # the in-progress marker is released, so the retry runs
    assert sent_mail() == []

    retry = aws_api.client.post("/v1/forms/blog-subscription", json=body, headers=headers)
    assert retry.status_code == 201
    again = aws_api.client.post("/v1/forms/blog-subscription", json=body, headers=headers)
    assert again.get_json() == retry.get_json()
    after_retry = counts(aws_api)
    assert after_retry["Records"] == after_retry["RecordKeys"] == 1
    assert len(sent_mail()) == 1


def test_timeouts_are_retried_by_the_sdk_before_giving_up(aws_api: AwsApi) -> None:
    with failing(aws_api.wiring.ports.kms, "before-send", "GenerateMac", _timeout) as attempts:
        response = aws_api.client.post("/v1/forms/contact-us", json=submission("contact-us"))
    assert response.status_code == 503
    assert len(attempts) == 3  # CLIENT_CONFIG: standard mode, three attempts


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("operation", ["TransactWriteItems", "Query"])
def test_a_failing_destruction_leaves_record_key_and_ledger_agreeing(
    aws_api: AwsApi, operation: str, fault: str
) -> None:
    submitted = aws_api.client.post("/v1/forms/contact-us", json=submission("contact-us")).get_json()
    wiring = aws_api.wiring
    record = wiring.ports.store.get(submitted["submission_id"])
    assert record is not None
    event, handler = FAULTS[fault]
    with failing(wiring.ports.dynamodb, event, operation, handler), pytest.raises(Unavailable):
        wiring.destroyer.destroy(record, DestructionReason.RETENTION_EXPIRED)
    assert wiring.ports.store.get(record.submission_id) is not None
    assert wiring.ports.store.get_key(record.submission_id) is not None
    assert wiring.ports.ledger.entries(LedgerKind.DESTRUCTION) == []

    wiring.destroyer.destroy(record, DestructionReason.RETENTION_EXPIRED)
    assert wiring.ports.store.get(record.submission_id) is None
    assert wiring.ports.store.get_key(record.submission_id) is None
    [entry] = wiring.ports.ledger.entries(LedgerKind.DESTRUCTION)
    assert entry.payload["submission_id"] == record.submission_id


def test_a_committed_transaction_whose_answer_is_lost_still_gets_its_receipt(aws_api: AwsApi) -> None:
    """A timeout is not a failure: the write may have landed. Found by the load run, where moto's
    slowness made the SDK time out on transactions that had committed, leaving records without
    receipts (and a client retry would have stored a second record)."""

    def answer_lost(**_: Any) -> None:
        raise ReadTimeoutError(endpoint_url="https://aws.example/")

    with failing(aws_api.wiring.ports.dynamodb, "after-call", "TransactWriteItems", answer_lost) as attempts:
        response = aws_api.client.post(
            "/v1/forms/contact-us", json=submission("contact-us"), headers={"Idempotency-Key": "lost-answer"}
        )
    assert attempts
    assert response.status_code == 201, response.get_data(as_text=True)
    stored = counts(aws_api)
    assert stored["Records"] == stored["RecordKeys"] == 1
    [record] = aws_api.scan_all()[aws_api.tables[tables.RECORDS.env_var]]
    assert record["submission_id"]["S"] == response.get_json()["submission_id"]
