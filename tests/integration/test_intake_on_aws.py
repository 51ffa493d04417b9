"""Form intake through the real adapters (boto3, KMS, SES, Powertools idempotency) against moto."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from local.outbox import sent_mail
from policybound import tables
from policybound.adapters.dynamodb import key_from_item, record_from_item
from policybound.domain.core import retention
from policybound.domain.core.normalize import normalize_phone
from policybound.domain.core.sealing import unseal_payload
from tests.conftest import VALID_FIELDS, submission
from tests.support.aws import AwsApi


def post(api: AwsApi, form: str, body: Any, **headers: str) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return api.client.post(f"/v1/forms/{form}", data=data, headers={"Content-Type": "application/json"} | headers)


def plaintexts(form: str) -> list[str]:
    values = list(VALID_FIELDS[form].values())
    if "contact" in VALID_FIELDS[form]:
        values.append(normalize_phone(VALID_FIELDS[form]["contact"]))
    return values


def item_count(api: AwsApi) -> int:
    return sum(len(items) for items in api.scan_all().values())


@pytest.mark.parametrize("form", list(VALID_FIELDS))
def test_submission_is_stored_sealed_with_its_key_apart(aws_api: AwsApi, form: str) -> None:
    response = post(aws_api, form, submission(form))
    assert response.status_code == 201, response.get_data(as_text=True)
    receipt = response.get_json()
    scanned = aws_api.scan_all()
    [record] = scanned[aws_api.tables[tables.RECORDS.env_var]]
    [key] = scanned[aws_api.tables[tables.KEYS.env_var]]
    assert record["submission_id"]["S"] == key["submission_id"]["S"] == receipt["submission_id"]

    everything = json.dumps(scanned, default=lambda b: bytes(b).hex())
    for value in plaintexts(form):
        assert value not in everything
        assert value.encode().hex() not in everything

    until = int(record[tables.RECORD_RETAINED_UNTIL.name]["N"])
    assert int(record[tables.RECORD_TTL_ATTRIBUTE]["N"]) == until
    assert retention.from_epoch(until).isoformat() == receipt["retained_until"]
    assert tables.RECORD_EXPIRY_SHARD.name in record

    stored = record_from_item(record)
    opened = unseal_payload(aws_api.wiring.sealer.open(stored.submission_id, stored.sealed, key_from_item(key)))
    assert opened.fields["email"] == VALID_FIELDS[form]["email"]
    assert opened.origin.source_ip == "127.0.0.1"


def test_refused_requests_store_nothing(aws_api: AwsApi) -> None:
    outdated = submission("contact-us")
    outdated["consent"]["policy_version"] = "2000-01-01"
    refused = [
        ('{"fields":', {}),
        (json.dumps(submission("contact-us", required=False)), {}),
        (json.dumps(outdated), {}),
        (json.dumps(submission("contact-us", email="nope")), {}),
        (json.dumps(submission("contact-us")), {"Content-Type": "text/plain"}),
        ("x" * 20_000, {}),
    ]
    for body, headers in refused:
        response = post(aws_api, "contact-us", body, **headers)
        assert 400 <= response.status_code < 500
    assert item_count(aws_api) == 0


def test_idempotency_key_stores_one_record_and_replays_the_receipt(aws_api: AwsApi) -> None:
    body = submission("resources-download")
    first = post(aws_api, "resources-download", body, **{"Idempotency-Key": "retry-1"})
    second = post(aws_api, "resources-download", body, **{"Idempotency-Key": "retry-1"})
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert len(aws_api.scan_all()[aws_api.tables[tables.RECORDS.env_var]]) == 1

    other = post(
        aws_api, "resources-download", submission("resources-download", name="Other"), **{"Idempotency-Key": "retry-1"}
    )
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    # The idempotency table keeps the receipt only: ids, item names and dates, no PI.
    idempotency_items = json.dumps(aws_api.scan_all()[aws_api.tables[tables.IDEMPOTENCY.env_var]])
    for value in plaintexts("resources-download"):
        assert value not in idempotency_items


def test_kms_is_called_once_for_many_submissions_on_a_warm_function(aws_api: AwsApi) -> None:
    calls: list[str] = []
    aws_api.wiring.ports.kms.meta.events.register("before-call.kms.*", lambda model, **_: calls.append(model.name))
    aws_api.wiring.ports.dynamodb.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    for _ in range(3):
        assert post(aws_api, "contact-us", submission("contact-us")).status_code == 201
    assert calls.count("GenerateDataKey") == 1
    # Per submission: one HMAC for the blind index, one transaction for record and key.
    assert calls.count("GenerateMac") == 3
    assert calls.count("TransactWriteItems") == 3
    assert len(calls) == 7


def test_blog_subscription_sends_a_bilingual_mail_with_one_click_unsubscribe(aws_api: AwsApi) -> None:
    response = post(aws_api, "blog-subscription", submission("blog-subscription"))
    assert response.status_code == 201
    [mail] = sent_mail()
    assert mail["to"] == [VALID_FIELDS["blog-subscription"]["email"]]
    assert "블로그 레터" in mail["text"]
    assert "Blog Letter" in mail["text"]
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["headers"]["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://api.example.com/v1/unsubscribe?token=")
    assert link in mail["text"]


def test_mail_failure_is_503_with_retry_after_and_leaves_nothing(aws_api: AwsApi) -> None:
    aws_api.wiring.ports.client("ses").delete_identity(Identity="no-reply@policybound.local")
    response = post(aws_api, "blog-subscription", submission("blog-subscription"))
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["error"]["code"] == "unavailable"
    assert item_count(aws_api) == 0


def test_no_log_line_holds_personal_information(
    aws_api: AwsApi, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for form in VALID_FIELDS:
        assert post(aws_api, form, submission(form)).status_code == 201
        assert (
            post(aws_api, form, submission(form, email="bad-" + VALID_FIELDS[form]["email"] + "@")).status_code == 422
        )
    aws_api.wiring.ports.client("ses").delete_identity(Identity="no-reply@policybound.local")
    assert post(aws_api, "blog-subscription", submission("blog-subscription")).status_code == 503
    out, err = capfd.readouterr()
    logged = out + err + caplog.text
    assert "dependency unavailable" in logged  # the logs were captured, and say what failed
    for form in VALID_FIELDS:
        for value in plaintexts(form):
            assert value not in logged
