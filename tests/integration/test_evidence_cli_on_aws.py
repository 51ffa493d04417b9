"""The auditor's evidence commands on moto: `python -m tools.audit reconciliation` and `destructions`,
read from the tables and from DynamoDB export files of them, agree with each other and with what was done:
three submissions, one erased, one held."""

from __future__ import annotations

import base64
import csv
import io
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from policybound import tables
from tests.conftest import NOW, submission
from tests.support.aws import AwsApi
from tools.audit.__main__ import main

STAFF_ID = "sub-pi-manager"
# Months are Korea time, as the report reads them.
NOW_MONTH = NOW.astimezone(ZoneInfo("Asia/Seoul")).strftime("%Y-%m")


def _submit(api: AwsApi, form: str, **overrides: Any) -> str:
    response = api.client.post(f"/v1/forms/{form}", json=submission(form, **overrides))
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.get_json()["submission_id"])


def _base64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _export(api: AwsApi, spec: tables.TableSpec, folder: Path) -> Path:
    # A DynamoDB export to S3 (DYNAMODB_JSON): one {"Item": ...} per line, binary values in base64.
    folder.mkdir(parents=True)
    items = api.scan_all()[api.tables[spec.env_var]]
    (folder / "00000000-part.json").write_text(
        "".join(json.dumps({"Item": item}, default=_base64) + "\n" for item in items)
    )
    return folder


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(argv)
    return code, capsys.readouterr().out


def test_reconciliation_and_destruction_report_from_tables_and_from_exports(
    aws_api: AwsApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = _submit(aws_api, "contact-us")
    erased = _submit(aws_api, "blog-subscription", email="erased@example.co.kr")
    held = _submit(aws_api, "blog-subscription", email="held@example.co.kr")
    wiring = aws_api.wiring
    wiring.legal_holds.hold_records([held], "CASE-9", "Investigation", STAFF_ID)
    record = wiring.ports.store.get(erased)
    assert record is not None
    wiring.destroyer.erase(record)
    wiring.consent_sealing.run()

    ledger, records = aws_api.tables[tables.LEDGER.env_var], aws_api.tables[tables.RECORDS.env_var]
    from_tables = ["--table", ledger, "--records-table", records]
    code, out = _run(["reconciliation", *from_tables, "--format", "json"], capsys)
    assert code == 0
    found = json.loads(out)
    assert (found["collected"], found["live"], found["held"], found["destroyed"]) == (3, 2, 1, 1)
    assert found["unaccounted"] == []
    assert found["unsealed"] == 0
    assert kept not in out  # counts and chain heads, not a list of the people kept

    exports = [
        "--ledger-export",
        str(_export(aws_api, tables.LEDGER, tmp_path / "ledger")),
        "--records-export",
        str(_export(aws_api, tables.RECORDS, tmp_path / "records")),
    ]
    code, exported = _run(["reconciliation", *exports, "--format", "json"], capsys)
    assert code == 0
    assert json.loads(exported) == found

    month = NOW_MONTH
    csv_path, html_path = tmp_path / "destructions.csv", tmp_path / "destructions.html"
    assert main(["destructions", *from_tables, "--month", month, "--csv", str(csv_path), "--html", str(html_path)]) == 0
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert [row["submission_id"] for row in rows] == [erased]
    assert rows[0]["path"] == "erasure"
    assert rows[0]["ledger_hash"]
    page = html_path.read_text(encoding="utf-8")
    assert erased in page
    for email in ("erased@example.co.kr", "held@example.co.kr"):
        assert email not in page
        assert email not in csv_path.read_text(encoding="utf-8")
    code, printed = _run(["destructions", *exports, "--month", month], capsys)
    assert code == 0
    assert printed == csv_path.read_text(encoding="utf-8")
