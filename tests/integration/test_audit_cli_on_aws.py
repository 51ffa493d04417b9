"""The auditor's CLI against AWS (moto): the ledger table's chains verified and an edited item named, the
monthly access review read from the table, and CloudTrail files read from the trail bucket."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.ledger import DynamoLedger
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.policy import AWS_REGION
from tests.unit.test_audit_cli import BUCKET, build_trail
from tools.audit.__main__ import main

NOVEMBER = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Seoul


def access(at: datetime, user: str, ids: int, action: str = "list") -> LedgerDraft:
    return LedgerDraft(
        kind=LedgerKind.ACCESS,
        at=at,
        payload={
            "user_id": user,
            "username": user,
            "source_ip": "10.0.0.1",
            "action": action,
            "purposes": ["inquiry_response"],
            "route": "GET /v1/staff/submissions",
            "submission_ids": [f"{user}-{at.timestamp()}-{i}" for i in range(ids)],
            "count": ids,
        },
    )


@pytest.fixture
def ledger(moto_aws: dict[str, str]) -> DynamoLedger:
    table = moto_aws[tables.LEDGER.env_var]
    written = DynamoLedger(boto3.client("dynamodb", region_name=AWS_REGION), table)
    for hour in range(5):
        written.append(access(NOVEMBER + timedelta(hours=hour), "kim", 2))
    written.append(access(NOVEMBER + timedelta(hours=5), "lee", 120, action="export"))
    written.append(access(NOVEMBER + timedelta(days=25), "kim", 1))  # 5 December in Seoul
    written.append(
        LedgerDraft(LedgerKind.DESTRUCTION, NOVEMBER, {"submission_id": "s-1", "reason": "retention_expired"})
    )
    return written


def test_ledger_verify_passes_then_names_an_edited_entry(
    ledger: DynamoLedger, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ledger-verify", "--table", ledger.table]) == 0
    out = capsys.readouterr().out
    assert "access" in out
    assert "broken" not in out

    dynamodb = boto3.client("dynamodb", region_name=AWS_REGION)
    key = codec.item({"chain": "access", "seq": 6})
    item = dynamodb.get_item(TableName=ledger.table, Key=key)["Item"]
    payload = json.loads(item["payload"]["S"])
    payload["submission_ids"] = payload["submission_ids"][:1]  # hide a bulk export
    item |= codec.item({"payload": json.dumps(payload, sort_keys=True)})
    dynamodb.put_item(TableName=ledger.table, Item=item)

    assert main(["ledger-verify", "--table", ledger.table, "--format", "csv"]) == 1
    captured = capsys.readouterr()
    assert "access: first break at entry 6: content does not match its hash (edited)" in captured.err
    assert "destruction,1,ok" in captured.out


def test_access_review_reads_one_month_from_the_table(ledger: DynamoLedger, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["access-review", "--table", ledger.table, "--month", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert "Access review 2026-11 (Korea time): 6 access records" in out
    assert "bulk_export" in out
    assert main(["access-review", "--table", ledger.table, "--month", "2026-11", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "user_id,username,flag,detail"
    assert lines[1].startswith("lee,lee,bulk_export,")
    assert main(["access-review", "--table", ledger.table, "--month", "2026-12"]) == 0
    assert "1 access records" in capsys.readouterr().out


def test_trail_bucket_is_read_like_a_local_copy(
    moto_aws: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = build_trail(tmp_path)
    s3 = boto3.client("s3", region_name=AWS_REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": AWS_REGION})
    for path in written.root.rglob("*.json.gz"):
        key = path.relative_to(written.root).as_posix()
        signature = path.with_name(path.name + ".signature")
        metadata = {"signature": signature.read_text()} if signature.exists() else {}
        s3.put_object(Bucket=BUCKET, Key=key, Body=path.read_bytes(), Metadata=metadata)

    assert main(["digests", "--bucket", BUCKET, "--public-key", written.public_key_file()]) == 0
    assert " broken" not in capsys.readouterr().out
    assert main(["ttl-deletions", "--bucket", BUCKET, "--prefix", "AWSLogs/", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted((row["actor_kind"], row["resource"].rsplit("/", 1)[-1]) for row in rows) == [
        ("person", "PolicyboundData-Visits99-XYZ"),
        ("ttl", "PolicyboundData-Records1234-ABCD"),
    ]
