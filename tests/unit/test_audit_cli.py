"""The auditor's CLI on CloudTrail-format files these tests write: PI table and key access, TTL
deletions apart from people's, and the digest chain with one log file, one digest and one signature
tampered in turn."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tools.audit.__main__ import main
from tools.audit.digests import signed_string

ACCOUNT = "111122223333"
REGION = "ap-northeast-2"
BUCKET = "policybound-trail"
RECORDS_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/PolicyboundData-Records1234-ABCD"
VISITS_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/PolicyboundData-Visits99-XYZ"
LEDGER_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/PolicyboundData-Ledger55-QRS"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666"
FUNCTION_ROLE = f"arn:aws:sts::{ACCOUNT}:assumed-role/PolicyboundApi-StaffFunctionRole-1A2B/policybound-staff-api"


def data_event(name: str, table_arn: str, identity: dict[str, Any], at: str, **extra: Any) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": at,
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": extra.pop("ip", "dynamodb.amazonaws.com"),
        "userAgent": extra.pop("agent", "dynamodb.amazonaws.com"),
        "requestParameters": {"tableName": table_arn.rsplit("/", 1)[1], "key": {"submission_id": "s-1"}},
        "responseElements": None,
        "readOnly": name in ("GetItem", "Query"),
        "resources": [{"accountId": ACCOUNT, "type": "AWS::DynamoDB::Table", "ARN": table_arn}],
        "eventType": "AwsApiCall",
        "managementEvent": False,
        "eventCategory": "Data",
    } | extra


APP = {
    "type": "AssumedRole",
    "principalId": "AROAEXAMPLE:policybound-staff-api",
    "arn": FUNCTION_ROLE,
    "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "PolicyboundApi-StaffFunctionRole-1A2B"}},
}
PERSON = {
    "type": "IAMUser",
    "principalId": "AIDAEXAMPLE",
    "arn": f"arn:aws:iam::{ACCOUNT}:user/ops-lee",
    "userName": "ops-lee",
}
TTL = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def trail_events() -> list[list[dict[str, Any]]]:
    lambda_agent = "Boto3/1.44 md/Botocore#1.44 exec-env/AWS_Lambda_python3.14"
    first = [
        data_event("Query", RECORDS_ARN, APP, "2026-11-30T05:00:01Z", ip="3.34.0.1", agent=lambda_agent),
        data_event("GetItem", RECORDS_ARN, PERSON, "2026-11-30T05:00:02Z", ip="203.0.113.50", agent="aws-cli/2.17"),
        data_event("DeleteItem", RECORDS_ARN, TTL, "2026-11-30T05:00:03Z"),
    ]
    second = [
        data_event("DeleteItem", VISITS_ARN, PERSON, "2026-11-30T05:10:00Z", ip="203.0.113.50", agent="aws-cli/2.17"),
        data_event("GetItem", LEDGER_ARN, PERSON, "2026-11-30T05:10:01Z", ip="203.0.113.50"),  # no PI: not reported
        {
            "eventVersion": "1.09",
            "userIdentity": APP,
            "eventTime": "2026-11-30T05:10:02Z",
            "eventSource": "kms.amazonaws.com",
            "eventName": "Decrypt",
            "awsRegion": REGION,
            "sourceIPAddress": "3.34.0.1",
            "userAgent": lambda_agent,
            "requestParameters": {"keyId": KEY_ARN, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
            "resources": [{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": KEY_ARN}],
            "readOnly": True,
            "eventCategory": "Management",
        },
    ]
    return [first, second]


class Trail:
    """Writes log files and digest files as CloudTrail lays them out in its bucket."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.fingerprint = "3d9a1f9a63b1c0f0c0c1e2d3a4b5c6d7"
        self.logs: list[str] = []
        self.digests: list[str] = []

    def write(self, key: str, document: dict[str, Any]) -> bytes:
        content = json.dumps(document).encode()
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(content))
        return content

    def log(self, index: int, records: list[dict[str, Any]]) -> None:
        key = (
            f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2026/11/30/"
            f"{ACCOUNT}_CloudTrail_{REGION}_20261130T05{index}0Z_log{index}.json.gz"
        )
        self.write(key, {"Records": records})
        self.logs.append(key)

    def digest(self, index: int, logs: list[str], previous: tuple[str, bytes, str] | None) -> tuple[str, bytes, str]:
        key = (
            f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/{REGION}/2026/11/30/"
            f"{ACCOUNT}_CloudTrail-Digest_{REGION}_trail_{REGION}_20261130T0{5 + index}0000Z.json.gz"
        )
        document = {
            "awsAccountId": ACCOUNT,
            "digestStartTime": f"2026-11-30T0{4 + index}:00:00Z",
            "digestEndTime": f"2026-11-30T0{5 + index}:00:00Z",
            "digestS3Bucket": BUCKET,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": self.fingerprint,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "previousDigestS3Bucket": BUCKET if previous else None,
            "previousDigestS3Object": previous[0] if previous else None,
            "previousDigestHashValue": hashlib.sha256(previous[1]).hexdigest() if previous else None,
            "previousDigestHashAlgorithm": "SHA-256" if previous else None,
            "previousDigestSignature": previous[2] if previous else None,
            "logFiles": [
                {
                    "s3Bucket": BUCKET,
                    "s3Object": log,
                    "hashValue": hashlib.sha256(gzip.decompress((self.root / log).read_bytes())).hexdigest(),
                    "hashAlgorithm": "SHA-256",
                }
                for log in logs
            ],
        }
        content = self.write(key, document)
        signature = self.key.sign(
            signed_string(document, hashlib.sha256(content).hexdigest()), padding.PKCS1v15(), hashes.SHA256()
        ).hex()
        (self.root / f"{key}.signature").write_text(signature)
        self.digests.append(key)
        return key, content, signature

    def public_key_file(self) -> str:
        path = self.root.parent / "trail-key.der"
        path.write_bytes(
            self.key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return f"{self.fingerprint}={path}"


def build_trail(tmp_path: Path) -> Trail:
    """Two log files, each covered by a digest; the second digest chained to the first."""
    written = Trail(tmp_path / "trail")
    first, second = trail_events()
    written.log(1, first)
    written.log(2, second)
    previous = written.digest(0, [written.logs[0]], None)
    written.digest(1, [written.logs[1]], previous)
    return written


@pytest.fixture
def trail(tmp_path: Path) -> Trail:
    return build_trail(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def digests_refusal(capsys: pytest.CaptureFixture[str], folder: Path, *options: str) -> str:
    """What `digests` says on stderr when it exits 1, as it must over a trail that was tampered with."""
    status, _, err = run(capsys, "digests", "--dir", str(folder), *options)
    assert status == 1
    return err


def test_pi_access_names_who_touched_the_pi_tables_and_keys(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "pi-access", "--dir", str(trail.root), "--format", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    seen = [(r["actor_kind"], r["action"], r["resource"].rsplit("/", 1)[-1]) for r in rows]
    assert seen == [
        ("application", "Query", "PolicyboundData-Records1234-ABCD"),
        ("person", "GetItem", "PolicyboundData-Records1234-ABCD"),
        ("ttl", "DeleteItem", "PolicyboundData-Records1234-ABCD"),
        ("person", "DeleteItem", "PolicyboundData-Visits99-XYZ"),
        ("application", "Decrypt", "0a1b2c3d-1111-2222-3333-444455556666"),
    ]
    person = rows[1]
    assert person["actor"] == f"arn:aws:iam::{ACCOUNT}:user/ops-lee"
    assert person["source_ip"] == "203.0.113.50"


def test_pi_access_summary_counts_per_actor(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "pi-access", "--dir", str(trail.root), "--summary")
    assert status == 0
    assert "ops-lee" in out
    assert "events" in out.splitlines()[0]


def test_ttl_deletions_are_kept_apart_from_peoples(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "ttl-deletions", "--dir", str(trail.root))
    assert status == 0
    ttl_part, people_part = out.split("Deletions by people and the application")
    assert "Deletions by DynamoDB itself (TTL): 1" in ttl_part
    assert "Records1234" in ttl_part
    assert people_part.startswith(": 1")
    assert "ops-lee" in people_part
    assert "Visits99" in people_part


def test_named_tables_narrow_the_report(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys, "pi-access", "--dir", str(trail.root), "--table", "PolicyboundData-Visits99-XYZ", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["resource"].rsplit("/", 1)[-1] for r in rows if r["source"] == "dynamodb.amazonaws.com"} == {
        "PolicyboundData-Visits99-XYZ"
    }


def test_an_intact_digest_chain_verifies_with_its_signatures(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "digests", "--dir", str(trail.root), "--public-key", trail.public_key_file())
    assert status == 0, err
    assert out.count(" ok ") + out.count(" ok\n") == 2


def rewrite(path: Path, change: Any) -> None:
    document = json.loads(gzip.decompress(path.read_bytes()))
    change(document)
    path.write_bytes(gzip.compress(json.dumps(document).encode()))


def test_an_edited_log_file_is_named(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    rewrite(trail.root / trail.logs[1], lambda d: d["Records"].pop(0))  # someone hides a person's deletion
    err = digests_refusal(capsys, trail.root)
    assert f"log file {trail.logs[1]} was changed" in err


def test_a_deleted_log_file_is_named(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    (trail.root / trail.logs[0]).unlink()
    err = digests_refusal(capsys, trail.root)
    assert f"log file {trail.logs[0]} is missing" in err


def test_an_edited_digest_breaks_the_chain_after_it(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    rewrite(trail.root / trail.digests[0], lambda d: d["logFiles"].clear())
    status, out, _ = run(capsys, "digests", "--dir", str(trail.root), "--format", "csv")
    assert status == 1
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["status"] for r in rows] == ["ok", "broken"]
    assert rows[1]["problem"] == f"the digest before it ({trail.digests[0]}) was changed"


def test_a_removed_digest_is_named(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    (trail.root / trail.digests[0]).unlink()
    err = digests_refusal(capsys, trail.root)
    assert f"the digest before it ({trail.digests[0]}) is missing" in err


def test_a_digest_removed_from_the_middle_is_named(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    second = (trail.digests[1], gzip.decompress((trail.root / trail.digests[1]).read_bytes()), "sig")
    trail.digest(2, [], second)
    (trail.root / trail.digests[1]).unlink()
    err = digests_refusal(capsys, trail.root)
    assert f"does not point to the digest before it ({trail.digests[0]})" in err


def test_a_forged_signature_is_refused(trail: Trail, capsys: pytest.CaptureFixture[str]) -> None:
    signature = trail.root / f"{trail.digests[1]}.signature"
    signature.write_text("00" * 256)
    err = digests_refusal(capsys, trail.root, "--public-key", trail.public_key_file())
    assert "signature does not verify" in err


def test_no_digests_is_a_failure_not_a_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tmp_path.joinpath("empty").mkdir()
    err = digests_refusal(capsys, tmp_path / "empty")
    assert "No digest files" in err
