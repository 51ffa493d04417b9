"""The counts the bulk-read alarm reads: one per record opened, written once per invocation."""

from __future__ import annotations

import json
import warnings

import pytest

from policybound.adapters.metrics import RECORDS_OPENED, count_record_opened, metrics, publish_metrics
from policybound.domain.core.sealing import EnvelopeSealer
from tests.support.fakes import FakeKeks


@pytest.fixture(autouse=True)
def _clean_metrics() -> None:
    metrics.clear_metrics()


def test_opening_records_counts_each_one_and_sealing_counts_none(capsys: pytest.CaptureFixture[str]) -> None:
    sealer = EnvelopeSealer(FakeKeks(), on_open=count_record_opened)
    sealed = [sealer.seal(f"s-{n}", b"secret") for n in range(4)]
    assert RECORDS_OPENED not in metrics.metric_set
    for n, (blob, key) in enumerate(sealed[:3]):
        assert sealer.open(f"s-{n}", blob, key) == b"secret"
    publish_metrics()
    (line,) = capsys.readouterr().out.strip().splitlines()
    document = json.loads(line)
    assert document[RECORDS_OPENED] == [1.0, 1.0, 1.0]
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Policybound"
    assert "secret" not in line


def test_an_invocation_that_opened_nothing_writes_nothing_and_warns_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        publish_metrics()
    assert capsys.readouterr().out == ""
