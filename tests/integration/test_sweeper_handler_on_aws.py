"""The sweeper's Lambda handler on moto: EMF metrics, the returned summary, the deadline and the cursor."""

from __future__ import annotations

import importlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest

from local.gateway import LambdaContext
from policybound import tables
from policybound.adapters.dynamodb import EXPIRY_SHARDS, expiry_shard
from policybound.domain.cookies.consents import CookieChoice, CookieConsentRequest
from policybound.domain.cookies.visits import Visit
from policybound.domain.core.model import ConsentProof, RecordStatus, SealedBlob, StoredSubmission, WrappedKey
from policybound.domain.core.retention import retained_until
from policybound.domain.evidence.consent_ledger import consent_given
from policybound.domain.retention.sweeper import SweepCursor
from policybound.policy import POLICY_VERSION, FormId, Purpose
from policybound.settings import load_settings
from tests.support.aws import AwsApi


@dataclass
class Context(LambdaContext):
    remaining_ms: int = 300_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def handler(aws_api: AwsApi) -> Iterator[ModuleType]:
    """The entry point module, built (as Lambda builds it) from this test's environment."""
    load_settings.cache_clear()
    module = importlib.reload(importlib.import_module("entrypoints.sweeper"))
    yield module
    load_settings.cache_clear()


def store_due(api: AwsApi, count: int) -> list[str]:
    """Records consented six years ago: due by the system clock the deployed handler uses."""
    consented = datetime.now(UTC) - timedelta(days=365 * 6)
    ids = []
    for _ in range(count):
        record = StoredSubmission(
            submission_id=str(uuid.uuid4()),
            form=FormId.CONTACT_US,
            status=RecordStatus.ACTIVE,
            subject="subject-hash",
            received_at=consented,
            retained_until=retained_until(consented),
            consent=ConsentProof(POLICY_VERSION, consented, False, ("name",), (Purpose.INQUIRY_RESPONSE,)),
            items_dropped=(),
            sealed=SealedBlob(os.urandom(64)),
        )
        api.wiring.ports.store.create(record, WrappedKey(os.urandom(32), os.urandom(32)), consent_given(record))
        ids.append(record.submission_id)
    return ids


def emitted_metrics(output: str) -> dict[str, Any]:
    """The values of the EMF document(s) the handler printed."""
    values: dict[str, Any] = {}
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            for definition in document["_aws"]["CloudWatchMetrics"]:
                assert definition["Namespace"] == "Policybound"
                for metric in definition["Metrics"]:
                    # Powertools writes each metric's data points as a list.
                    points = document[metric["Name"]]
                    values[metric["Name"]] = sum(points) if isinstance(points, list) else points
    return values


def test_the_handler_destroys_what_is_due_and_reports_counts_as_metrics(
    aws_api: AwsApi, handler: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = store_due(aws_api, 3)
    summary = handler.lambda_handler({}, Context("policybound-sweeper", str(uuid.uuid4())))
    assert summary["destroyed"] == 3
    assert summary["complete"] is True
    assert summary["cursor"] is None
    assert all(aws_api.wiring.ports.store.get(sid) is None for sid in ids)

    metrics = emitted_metrics(capsys.readouterr().out)
    assert metrics["RecordsDestroyed"] == 3.0
    assert metrics["RecordsHeld"] == 0.0
    assert metrics["SweepIncomplete"] == 0.0
    assert metrics["SweepBatches"] >= len(EXPIRY_SHARDS)


def test_a_handler_near_its_timeout_starts_no_batch_and_hands_back_its_cursor(
    aws_api: AwsApi, handler: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = store_due(aws_api, 2)
    almost_out = Context("policybound-sweeper", str(uuid.uuid4()), remaining_ms=handler.SAFETY_MARGIN_MS - 1)
    summary = handler.lambda_handler({}, almost_out)
    assert summary["complete"] is False
    assert SweepCursor.decode(summary["cursor"]) == SweepCursor(0)
    assert all(aws_api.wiring.ports.store.get(sid) is not None for sid in ids)
    assert emitted_metrics(capsys.readouterr().out)["SweepIncomplete"] == 1.0

    resumed = handler.lambda_handler({"cursor": summary["cursor"]}, Context("policybound-sweeper", "2"))
    assert resumed["destroyed"] == 2


def test_a_cursor_resumes_at_its_shard(aws_api: AwsApi, handler: ModuleType) -> None:
    ids = store_due(aws_api, 12)
    last = len(EXPIRY_SHARDS) - 1
    in_last = [sid for sid in ids if expiry_shard(sid) == EXPIRY_SHARDS[last]]
    summary = handler.lambda_handler({"cursor": SweepCursor(last).encode()}, Context("policybound-sweeper", "1"))
    assert summary["destroyed"] == len(in_last)
    assert summary["batches"] == 1


def test_the_hourly_sweep_destroys_visits_whose_retention_ended(
    aws_api: AwsApi, handler: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    consent = aws_api.wiring.cookie_consents.record(
        CookieConsentRequest(choice=CookieChoice.ALL, policy_version=POLICY_VERSION)
    )
    visited = datetime.now(UTC) - timedelta(days=365 * 6)
    for days, page in ((0, "/old.html"), (365 * 6 - 1, "/recent.html")):
        at = visited + timedelta(days=days)
        visit = Visit(str(uuid.uuid4()), page, "198.51.100.9", at, retained_until(at), consent.consent_id)
        assert aws_api.wiring.ports.visit_store.put(visit)
    summary = handler.lambda_handler({}, Context("policybound-sweeper", str(uuid.uuid4())))
    assert summary["visits_destroyed"] == 1
    assert summary["complete"] is True
    remaining = aws_api.dynamodb.scan(TableName=aws_api.tables[tables.VISITS.env_var])["Items"]
    assert [item["page"]["S"] for item in remaining] == ["/recent.html"]
    assert emitted_metrics(capsys.readouterr().out)["VisitsDestroyed"] == 1.0
