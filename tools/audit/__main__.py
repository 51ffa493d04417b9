"""`python -m tools.audit <command>`: the auditor's checks of Policybound.

  pi-access      who touched the PI tables and KMS keys (CloudTrail data events)
  ttl-deletions  deletions in the PI tables: DynamoDB's own (TTL) apart from people's and the application's
  digests        CloudTrail's digest chain: every digest linked, every log file unchanged (and signed)
  ledger-verify  every chain of the application's ledger, naming the first break
  access-review  the monthly review of staff access records, with flags for unusual volume
  reconciliation every record collected: live (held among them), destroyed, or unaccounted
  destructions   one month's destructions as CSV and as a printable HTML page, anchored to the ledger

CloudTrail files come from the trail's bucket (--bucket, --prefix) or a local copy (--dir, e.g. made with
`aws s3 sync s3://<trail-bucket> ./trail`). Output is a table, or CSV with --format csv. Exit status 1 means
a check failed (a broken chain or digest), 2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from tools.audit import cloudtrail, digests, output
from tools.audit.sources import LocalFolder, S3Bucket, TrailSource


def _client(name: str) -> Any:
    from policybound.adapters.aws import CLIENT_CONFIG

    return boto3.client(name, config=CLIENT_CONFIG)


def _source(args: argparse.Namespace) -> TrailSource:
    if args.dir:
        return LocalFolder(Path(args.dir))
    return S3Bucket(_client("s3"), args.bucket, args.prefix or "")


def _trail_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--dir", help="a local copy of the trail bucket")
    where.add_argument("--bucket", help="the trail's S3 bucket")
    parser.add_argument("--prefix", help="only keys under this prefix (e.g. AWSLogs/<account>/)")


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "csv"), default="table")


def _event_rows(found: Sequence[cloudtrail.TrailEvent]) -> list[dict[str, Any]]:
    return [vars(event) for event in found]


def _pi_events(args: argparse.Namespace) -> list[cloudtrail.TrailEvent]:
    return cloudtrail.pi_access(
        cloudtrail.events(_source(args)), args.table or (), args.key or (), args.app_role_marker
    )


def pi_access(args: argparse.Namespace) -> int:
    found = _pi_events(args)
    rows = cloudtrail.summary(found) if args.summary else _event_rows(found)
    sys.stdout.write(output.render(rows, args.format))
    return 0


def ttl_deletions(args: argparse.Namespace) -> int:
    found = cloudtrail.deletions(_pi_events(args))
    if args.summary:
        sys.stdout.write(output.render(cloudtrail.summary(found), args.format))
        return 0
    ttl = [e for e in found if e.actor_kind == "ttl"]
    others = [e for e in found if e.actor_kind != "ttl"]
    if args.format == "csv":
        sys.stdout.write(output.render(_event_rows(found), "csv"))
        return 0
    sys.stdout.write(f"Deletions by DynamoDB itself (TTL): {len(ttl)}\n")
    sys.stdout.write(output.render(_event_rows(ttl), "table"))
    sys.stdout.write(f"\nDeletions by people and the application: {len(others)}\n")
    sys.stdout.write(output.render(_event_rows(others), "table"))
    return 0


def _public_keys(args: argparse.Namespace) -> dict[str, Any] | None:
    keys: dict[str, Any] = {}
    for given in args.public_key or ():
        fingerprint, _, path = given.partition("=")
        keys[fingerprint] = digests.load_public_key(Path(path).read_bytes())
    if args.cloudtrail_keys:
        for key in _client("cloudtrail").list_public_keys().get("PublicKeyList", []):
            keys[key["Fingerprint"]] = digests.load_public_key(key["Value"])
    return keys or None


def check_digests(args: argparse.Namespace) -> int:
    findings = digests.verify_digests(_source(args), _public_keys(args))
    sys.stdout.write(output.render([vars(f) for f in findings], args.format, ["digest", "status", "problem"]))
    broken = [f for f in findings if f.status != "ok"]
    if not findings:
        sys.stderr.write("No digest files found: is log file validation on for this trail?\n")
        return 1
    if broken:
        sys.stderr.write(f"First break: {broken[0].digest}: {broken[0].problem}\n")
        return 1
    return 0


def _ledger(args: argparse.Namespace) -> Any:
    from policybound import tables
    from policybound.adapters.ledger import DynamoLedger

    table = args.table or os.environ.get(tables.LEDGER.env_var)
    if not table:
        raise SystemExit(f"Name the ledger table with --table or {tables.LEDGER.env_var}.")
    return DynamoLedger(_client("dynamodb"), table)


def ledger_verify(args: argparse.Namespace) -> int:
    from policybound.domain.evidence.ledger_audit import verify_all

    reports = verify_all(_ledger(args))
    rows = [
        {
            "chain": r.kind.value,
            "entries": r.entries,
            "status": "ok" if r.broken is None else "broken",
            "first_break": f"entry {r.broken.seq}: {r.broken.problem}" if r.broken else "",
            "head_hash": r.head_hash or "",
        }
        for r in reports
    ]
    sys.stdout.write(output.render(rows, args.format))
    broken = [r for r in reports if r.broken]
    for report in broken:
        assert report.broken is not None
        sys.stderr.write(f"{report.kind.value}: first break at entry {report.broken.seq}: {report.broken.problem}\n")
    return 1 if broken else 0


def access_review(args: argparse.Namespace) -> int:
    from policybound.domain.core.ledger import LedgerKind
    from policybound.domain.evidence.ledger_audit import entries_between
    from policybound.domain.staff.access_review import month_bounds, previous_month, review

    month = args.month or previous_month(datetime.now(UTC))
    start, end = month_bounds(month)
    result = review(month, entries_between(_ledger(args), LedgerKind.ACCESS, start, end))
    actors = [
        {
            "username": a.username,
            "user_id": a.user_id,
            "accesses": a.accesses,
            "records": a.records,
            "distinct_records": len(a.distinct_submissions),
            "exported_records": a.exported_records,
            "lookups": a.lookups,
            "after_hours": a.after_hours,
            "source_ips": len(a.source_ips),
        }
        for a in result.actors
    ]
    flags = [vars(flag) for flag in result.flags]
    if args.format == "csv":
        sys.stdout.write(output.render(flags, "csv", ["user_id", "username", "flag", "detail"]))
        return 0
    sys.stdout.write(f"Access review {month} (Korea time): {result.entries} access records\n\n")
    sys.stdout.write(output.render(actors, "table"))
    sys.stdout.write(f"\nFlags: {len(flags)}\n")
    sys.stdout.write(output.render(flags, "table", ["username", "user_id", "flag", "detail"]))
    return 0


def _evidence(args: argparse.Namespace) -> Any:
    """The evidence service over the tables (default) or over exported copies of them."""
    from policybound.domain.evidence.reports import EvidenceService

    if args.ledger_export or args.records_export:
        if not (args.ledger_export and args.records_export):
            raise SystemExit("Give both --ledger-export and --records-export, or neither.")
        from tools.audit.evidence import ExportedLedger, ExportedRecords

        return EvidenceService(ExportedLedger(Path(args.ledger_export)), ExportedRecords(Path(args.records_export)))
    from policybound import tables
    from policybound.adapters.staff_reads import DynamoFormIndex

    records = args.records_table or os.environ.get(tables.RECORDS.env_var)
    if not records:
        raise SystemExit(f"Name the records table with --records-table or {tables.RECORDS.env_var} (or give exports).")
    return EvidenceService(_ledger(args), DynamoFormIndex(_client("dynamodb"), records))


def reconciliation(args: argparse.Namespace) -> int:
    from tools.audit.evidence import reconciliation_json, reconciliation_rows

    found = _evidence(args).reconciliation()
    if args.format == "json":
        sys.stdout.write(reconciliation_json(found))
    else:
        sys.stdout.write(output.render(reconciliation_rows(found), args.format))
        if found.unaccounted and args.format == "table":
            sys.stdout.write("\nUnaccounted (collected, neither kept nor destroyed):\n")
            sys.stdout.write("".join(f"  {sid}\n" for sid in found.unaccounted))
    if found.unaccounted:
        sys.stderr.write(f"{len(found.unaccounted)} collected records are unaccounted for.\n")
        return 1
    return 0


def destructions(args: argparse.Namespace) -> int:
    from tools.audit.evidence import destruction_csv, destruction_html

    report = _evidence(args).destructions(args.month)
    text = destruction_csv(report)
    if args.csv:
        Path(args.csv).write_text(text, encoding="utf-8")
    if args.html:
        Path(args.html).write_text(destruction_html(report, datetime.now(UTC).isoformat()), encoding="utf-8")
    if not (args.csv or args.html):
        sys.stdout.write(text)
    return 0


def _evidence_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--table", help="the ledger table (default: $LEDGER_TABLE)")
    parser.add_argument("--records-table", help="the records table (default: $RECORDS_TABLE)")
    parser.add_argument("--ledger-export", help="a folder with a DynamoDB export of the ledger table")
    parser.add_argument("--records-export", help="a folder with a DynamoDB export of the records table")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m tools.audit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = root.add_subparsers(dest="command", required=True)

    for name, handler, text in (
        ("pi-access", pi_access, "who touched the PI tables and KMS keys"),
        ("ttl-deletions", ttl_deletions, "TTL deletions apart from people's and the application's"),
    ):
        command = commands.add_parser(name, help=text)
        _trail_options(command)
        command.add_argument("--table", action="append", help="a PI table's name (default: the declared PI tables)")
        command.add_argument("--key", action="append", help="a KMS key id or ARN (default: every KMS key)")
        command.add_argument(
            "--app-role-marker",
            default="policybound",
            help="text in the application's role names (default policybound)",
        )
        command.add_argument("--summary", action="store_true", help="counts per actor and action")
        _format_option(command)
        command.set_defaults(handler=handler)

    command = commands.add_parser("digests", help="check CloudTrail's digest chain and log file hashes")
    _trail_options(command)
    command.add_argument("--public-key", action="append", metavar="FINGERPRINT=FILE", help="a digest public key")
    command.add_argument("--cloudtrail-keys", action="store_true", help="fetch the public keys from CloudTrail")
    _format_option(command)
    command.set_defaults(handler=check_digests)

    command = commands.add_parser("ledger-verify", help="verify every chain of the ledger")
    command.add_argument("--table", help="the ledger table (default: $LEDGER_TABLE)")
    _format_option(command)
    command.set_defaults(handler=ledger_verify)

    command = commands.add_parser("access-review", help="monthly review of staff access records")
    command.add_argument("--table", help="the ledger table (default: $LEDGER_TABLE)")
    command.add_argument("--month", help="YYYY-MM in Korea time (default: last month)")
    _format_option(command)
    command.set_defaults(handler=access_review)

    command = commands.add_parser("reconciliation", help="every record collected, accounted for")
    _evidence_options(command)
    command.add_argument("--format", choices=("table", "csv", "json"), default="table")
    command.set_defaults(handler=reconciliation)

    command = commands.add_parser("destructions", help="one month's destructions (CSV and a printable page)")
    _evidence_options(command)
    command.add_argument("--month", required=True, help="YYYY-MM in Korea time")
    command.add_argument("--csv", help="write the CSV here (default: print it)")
    command.add_argument("--html", help="write the printable page here")
    command.set_defaults(handler=destructions)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
