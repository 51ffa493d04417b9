"""(e) Lambda asset size: every zip asset in the synthesized cloud assembly (function code and the
dependency layer), unzipped and zipped as CDK uploads them. Run `make synth` first."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CDK_OUT = ROOT / "cdk.out"


def _owners(template: dict[str, object]) -> dict[str, str]:
    """Asset hash → the Lambda resources (functions, layers) that use it."""
    owners: dict[str, list[str]] = {}
    resources = template.get("Resources", {})
    assert isinstance(resources, dict)
    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        props = resource.get("Properties", {})
        key = (
            (props.get("Code") or props.get("Content") or {}).get("S3Key")
            if kind
            in (
                "AWS::Lambda::Function",
                "AWS::Lambda::LayerVersion",
            )
            else None
        )
        if isinstance(key, str) and key.endswith(".zip"):
            owners.setdefault(key.removesuffix(".zip"), []).append(f"{logical_id} ({kind.rsplit('::', 1)[-1]})")
    return {asset: ", ".join(sorted(names)) for asset, names in owners.items()}


def _sizes(directory: Path) -> tuple[int, int]:
    raw = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(directory.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(directory))
    return raw, len(buffer.getvalue())


def measure() -> list[dict[str, object]]:
    if not CDK_OUT.is_dir():
        raise SystemExit("cdk.out is missing: run `make synth` first")
    owners: dict[str, str] = {}
    for template in CDK_OUT.glob("*.template.json"):
        owners |= _owners(json.loads(template.read_text()))
    rows = []
    for asset, used_by in sorted(owners.items(), key=lambda item: item[1]):
        directory = CDK_OUT / f"asset.{asset}"
        if directory.is_dir():
            raw, zipped = _sizes(directory)
            files = sum(1 for f in directory.rglob("*") if f.is_file())
            rows.append({"asset": asset[:12], "used_by": used_by, "files": files, "bytes": raw, "zipped": zipped})
    return rows


if __name__ == "__main__":
    for row in measure():
        print(f"{row['used_by']}: {row['files']} files, {row['bytes']:,} bytes, {row['zipped']:,} zipped")
