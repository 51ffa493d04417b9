"""The consent ledger on moto through the real adapters: a submission writes its consent entry unsealed
in the record's own transaction, the sealer's entry point chains them in batches, and the ledger's
verification covers the chain and every batch's Merkle root."""

from __future__ import annotations

import json
from typing import Any

from policybound import tables
from policybound.adapters import codec
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.evidence.ledger_audit import verify_all
from tests.conftest import VALID_FIELDS, submission
from tests.support.aws import AwsApi


def ledger_items(api: AwsApi, chain: str) -> list[dict[str, Any]]:
    response = api.dynamodb.query(
        TableName=api.tables[tables.LEDGER.env_var],
        KeyConditionExpression="#c = :c",
        ExpressionAttributeNames={"#c": "chain"},
        ExpressionAttributeValues=codec.item({":c": chain}),
    )
    return list(response["Items"])


def test_submissions_leave_unsealed_consents_that_the_sealer_chains_and_verification_covers(
    aws_api: AwsApi,
) -> None:
    ids = []
    for form in VALID_FIELDS:
        response = aws_api.client.post(f"/v1/forms/{form}", json=submission(form))
        assert response.status_code == 201
        ids.append(response.get_json()["submission_id"])

    waiting = ledger_items(aws_api, tables.LEDGER_PENDING_CONSENT_CHAIN)
    assert sorted(json.loads(i["payload"]["S"])["submission_id"] for i in waiting) == sorted(ids)
    text = json.dumps(waiting, ensure_ascii=False)
    for fields in VALID_FIELDS.values():
        for value in fields.values():
            assert value not in text
    assert ledger_items(aws_api, LedgerKind.CONSENT.value) == []

    from entrypoints import consent_sealer  # reads its settings at import, as in Lambda

    summary = consent_sealer.seal(aws_api.wiring, lambda: 10**9)
    consent_sealer.metrics.clear_metrics()
    assert summary == {"sealed": 3, "batches": 1, "complete": True}
    assert ledger_items(aws_api, tables.LEDGER_PENDING_CONSENT_CHAIN) == []
    entries = aws_api.wiring.ports.ledger.entries(LedgerKind.CONSENT)
    assert [e.payload["event"] for e in entries] == ["given", "given", "given", "batch_sealed"]
    assert {e.payload["submission_id"] for e in entries[:3]} == set(ids)

    reports = {r.kind: r for r in verify_all(aws_api.wiring.ports.ledger)}
    assert all(r.broken is None for r in reports.values())
    assert reports[LedgerKind.CONSENT].batches == 1
    assert reports[LedgerKind.CONSENT].entries == 4


def test_a_sealed_consent_edited_in_the_table_fails_verification(aws_api: AwsApi) -> None:
    for form in ("contact-us", "blog-subscription"):
        assert aws_api.client.post(f"/v1/forms/{form}", json=submission(form)).status_code == 201
    aws_api.wiring.consent_sealing.run()
    table = aws_api.tables[tables.LEDGER.env_var]
    key = codec.item({"chain": "consent", "seq": 1})
    item = aws_api.dynamodb.get_item(TableName=table, Key=key)["Item"]
    payload = json.loads(item["payload"]["S"]) | {"purposes": ["email_marketing"]}
    aws_api.dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET payload = :p",
        ExpressionAttributeValues=codec.item({":p": json.dumps(payload, sort_keys=True)}),
    )
    (report,) = [r for r in verify_all(aws_api.wiring.ports.ledger) if r.kind is LedgerKind.CONSENT]
    assert report.broken is not None
    assert report.broken.seq == 1
