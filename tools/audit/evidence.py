"""Evidence from the tables, or from exported copies of them: reconciliation and destruction reports.

Exports are DynamoDB's own "export to S3" files (DynamoDB JSON, one `{"Item": {...}}` per line, gzipped
or not) copied to a folder, e.g. `aws s3 sync s3://<bucket>/<prefix>/AWSDynamoDB/<export>/data ./ledger`.
They are read with the application's own item layout (`policybound.adapters.ledger`) and reconciled by
the same domain code as the staff route, so the CLI and the API answer alike.
"""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.ledger import entry_from_item, pending_draft
from policybound.domain.core.ledger import ChainHead, LedgerDraft, LedgerEntry, LedgerKind
from policybound.domain.evidence.reports import DestructionReport, KeptRecord, Reconciliation


def exported_items(folder: Path) -> Iterator[dict[str, Any]]:
    """Every item of a DynamoDB export folder (files `*.json.gz` or `*.json`, one item per line)."""
    for path in sorted(p for p in folder.rglob("*") if p.name.endswith((".json.gz", ".json"))):
        data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        for line in data.decode().splitlines():
            if line.strip():
                document = json.loads(line)
                yield document.get("Item", document)


class ExportedLedger:
    """A ledger export, read as the ledger adapter reads the table."""

    def __init__(self, folder: Path) -> None:
        self._chains: dict[str, list[LedgerEntry]] = {}
        self._unsealed: list[LedgerDraft] = []
        for item in exported_items(folder):
            chain = codec.plain_value(item["chain"])
            if chain == tables.LEDGER_PENDING_CONSENT_CHAIN:
                self._unsealed.append(pending_draft(item))
            elif chain in {kind.value for kind in LedgerKind}:
                self._chains.setdefault(chain, []).append(entry_from_item(item))
        for entries in self._chains.values():
            entries.sort(key=lambda entry: entry.seq)

    def head(self, kind: LedgerKind) -> ChainHead | None:
        entries = self._chains.get(kind.value)
        return entries[-1].head if entries else None

    def entries(self, kind: LedgerKind, after_seq: int = 0, limit: int = 100) -> list[LedgerEntry]:
        return [e for e in self._chains.get(kind.value, []) if e.seq > after_seq][:limit]

    def unsealed(self) -> Iterator[LedgerDraft]:
        yield from self._unsealed


class ExportedRecords:
    """A records table export: which records are kept, and whether a legal hold keeps them."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def kept(self) -> Iterator[KeptRecord]:
        for item in exported_items(self._folder):
            yield KeptRecord(codec.plain_value(item["submission_id"]), tables.RECORD_HOLDS_ATTRIBUTE in item)


def reconciliation_rows(found: Reconciliation) -> list[dict[str, Any]]:
    return [
        {"measure": "collected", "value": found.collected},
        {"measure": "live", "value": found.live},
        {"measure": "held", "value": found.held},
        {"measure": "destroyed", "value": found.destroyed},
        {"measure": "unaccounted", "value": len(found.unaccounted)},
        {"measure": "unsealed", "value": found.unsealed},
        {"measure": "without_consent_entry", "value": len(found.without_consent_entry)},
        {"measure": "consent_head", "value": _head(found.consent_head)},
        {"measure": "destruction_head", "value": _head(found.destruction_head)},
    ]


def _head(head: ChainHead | None) -> str:
    return f"{head.seq}:{head.hash}" if head else ""


def reconciliation_json(found: Reconciliation) -> str:
    document = {
        "collected": found.collected,
        "live": found.live,
        "held": found.held,
        "destroyed": found.destroyed,
        "unaccounted": list(found.unaccounted),
        "unsealed": found.unsealed,
        "without_consent_entry": list(found.without_consent_entry),
        "consent_head": asdict(found.consent_head) if found.consent_head else None,
        "destruction_head": asdict(found.destruction_head) if found.destruction_head else None,
    }
    return json.dumps(document, indent=2) + "\n"


COLUMNS = (
    "submission_id",
    "form",
    "reason",
    "path",
    "due_at",
    "destroyed_at",
    "backups_unreadable_at",
    "last_backup_expires_at",
    "ledger_seq",
    "ledger_hash",
)


def destruction_csv(report: DestructionReport) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(asdict(row) for row in report.rows)
    return buffer.getvalue()


def destruction_html(report: DestructionReport, generated_at: str) -> str:
    """A page an auditor prints: the month's destructions, the counts by path and the chain anchor."""
    head = report.chain_head
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(str(getattr(row, name)))}</td>" for name in COLUMNS) + "</tr>"
        for row in report.rows
    )
    counts = ", ".join(f"{html.escape(path)}: {count}" for path, count in sorted(report.by_path.items())) or "none"
    anchor = f"entry {head.seq}, hash <code>{head.hash}</code>" if head else "the chain is empty"
    header = "".join(f"<th>{html.escape(name.replace('_', ' '))}</th>" for name in COLUMNS)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Destruction report {html.escape(report.month)}</title>
<style>
  body {{ font-family: sans-serif; margin: 2em; }}
  table {{ border-collapse: collapse; width: 100%; font-size: 9pt; }}
  th, td {{ border: 1px solid #444; padding: 3px 5px; text-align: left; vertical-align: top; }}
  td:nth-child(1), td:nth-child(10) {{ font-family: monospace; word-break: break-all; }}
  @media print {{ @page {{ size: A4 landscape; margin: 12mm; }} body {{ margin: 0; }} }}
</style>
</head>
<body>
<h1>Destruction report — {html.escape(report.month)} (Korea time)</h1>
<p>Destructions this month: {len(report.rows)} ({counts}).</p>
<p>Each record's data key was deleted when it was destroyed, so every backup copy became unreadable then;
the last point-in-time backup that can hold a copy expires {tables.PITR_RECOVERY_DAYS} days later.</p>
<p>Anchored to the ledger's destruction chain at {anchor}. Check it with
<code>python -m tools.audit ledger-verify</code>: each row's entry and hash must be in the verified chain.</p>
<table>
<thead><tr>{header}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p>Generated {html.escape(generated_at)}.</p>
</body>
</html>
"""
