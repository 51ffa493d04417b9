"""Tables for people and CSV for spreadsheets, from the same rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any


def render(rows: Sequence[dict[str, Any]], output_format: str, columns: Sequence[str] | None = None) -> str:
    names = list(columns or (rows[0].keys() if rows else []))
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=names, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    if not rows:
        return "(nothing found)\n"
    text = [[str(row.get(name, "")) for name in names] for row in rows]
    widths = [max(len(name), *(len(line[i]) for line in text)) for i, name in enumerate(names)]
    lines = ["  ".join(name.ljust(width) for name, width in zip(names, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)) for line in text]
    return "\n".join(lines) + "\n"
