"""`make bench`: every figure of the performance evidence, printed as a Markdown table and written
to bench/results.md. Figures come from this machine and this run; ratios are what to compare."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import asset_size, calls, cold_start, consent_ledger, cost, letters, sweeper_reads, warm_overhead

RESULTS = Path(__file__).resolve().parent / "results.md"


def section(title: str, header: list[str], rows: list[list[str]]) -> str:
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def consent_ledger_section(found: dict[str, Any]) -> str:
    return section(
        "(g) Consent ledger: cost per submission, and of the sealing job per 1,000 submissions",
        ["what", "measured"],
        [
            ["calls per accepted submission (warm)", f"{found['submission_calls']:g} ({found['submission_detail']})"],
            [
                "unsealed entry written in the submission's transaction",
                f"{found['entry_bytes']} bytes, +{found['added_write_units']} write units, 0 extra calls",
            ],
            ["sealed chain entry", f"{found['chain_entry_bytes']} bytes"],
            ["sealing job calls per 1,000 submissions", f"{found['seal_calls_per_1000']:g} ({found['seal_detail']})"],
            ["sealing job write units per 1,000 submissions", f"{found['seal_write_units_per_1000']:,}"],
            ["consent ledger cost per 1,000 submissions (DynamoDB)", f"${found['dollars_per_1000']:.4f}"],
        ],
    )


def main() -> int:
    parts = [
        "# Policybound benchmarks",
        "",
        f"Run {datetime.now(UTC).isoformat(timespec='seconds')} on {platform.machine()}, "
        f"Python {platform.python_version()}, AWS emulated by moto in-process. "
        "Regenerate with `make bench`.",
        "",
    ]
    call_rows = calls.measure()
    parts.append(
        section(
            "(a) AWS API calls per operation (warm function)",
            ["operation", "calls", "KMS calls", "detail"],
            [[r["operation"], f"{r['calls']:g}", f"{r['kms']:g}", r["detail"]] for r in call_rows],
        )
    )
    parts.append(
        section(
            "(b) Cold start from cdk.out's assets in the runtime-like interpreter (boto3 only), against a bare "
            "boto3 handler started in turn with it (medians of 9 pairs of fresh interpreters)",
            ["entry point", "ms", "bare ms", "ratio", "modules loaded", "bare modules"],
            [
                [
                    str(r["entry_point"]),
                    f"{float(r['seconds']) * 1000:.0f}",
                    f"{float(r['bare_seconds']) * 1000:.0f}",
                    f"×{float(r['ratio']):.2f}",
                    str(r["modules"]),
                    str(r["bare_modules"]),
                ]
                for r in cold_start.measure()
            ],
        )
    )
    warm = warm_overhead.measure()
    parts.append(
        section(
            "(c) Warm overhead per submission, AWS answered instantly (stubbed), against a bare handler",
            ["handler", "ms per submission", "ratio"],
            [
                ["Policybound intake", f"{warm['ours_ms']:.2f}", f"×{warm['ratio']:.1f}"],
                ["bare parse + put_item", f"{warm['bare_ms']:.2f}", "×1.0"],
            ],
        )
    )
    # 100,000 records take a few minutes to load into moto; BENCH_SWEEPER_SIZES=10000 for a quick run.
    sizes = [int(n) for n in os.environ.get("BENCH_SWEEPER_SIZES", "10000,100000").split(",")]
    sweep_rows = []
    for size in sizes:
        row = sweeper_reads.measure(size)
        sweep_rows.append([f"{size:,}", f"{row['per_destroyed']:.2f}", str(row["scans"]), str(row["destroyed"])])
    parts.append(
        section(
            "(d) Sweeper: items read per destroyed record",
            ["stored records", "items read per destroyed record", "scans", "destroyed"],
            sweep_rows,
        )
    )
    try:
        asset_rows = [
            [str(r["used_by"]), str(r["files"]), f"{int(str(r['bytes'])):,}", f"{int(str(r['zipped'])):,}"]
            for r in asset_size.measure()
        ]
    except SystemExit as missing:
        asset_rows = [[str(missing), "", "", ""]]
    parts.append(section("(e) Lambda asset size", ["asset used by", "files", "bytes", "zipped bytes"], asset_rows))
    submission = next(r for r in call_rows if r["operation"].startswith("submission (contact-us)"))
    blog = next(r for r in call_rows if r["operation"].startswith("submission (blog"))
    lines = cost.per_million_submissions(kms_calls=submission["kms"], mails=0)
    blog_lines = cost.per_million_submissions(kms_calls=blog["kms"], mails=1)
    parts.append(
        section(
            f"(f) Cost per million submissions in ap-northeast-2 (USD, prices as of {cost.prices()['as_of']})",
            ["item", "contact-us / resources", "blog subscription"],
            [[name, f"${dollars:,.2f}", f"${blog_lines[name]:,.2f}"] for name, dollars in lines.items()],
        )
    )
    parts.append(consent_ledger_section(consent_ledger.measure()))
    # The 2,000-subscriber load run takes minutes of its own (`make bench-letters`): its last figures are kept.
    if kept := letters.recorded():
        parts.append(kept)
    report = "\n".join(parts)
    print(report)
    RESULTS.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
