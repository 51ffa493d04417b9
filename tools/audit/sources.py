"""Where CloudTrail files are read from: the trail's S3 bucket, or a local copy of it (`aws s3 sync`).

Keys are S3 keys in both cases (a local folder mirrors the bucket's layout), so digest files can name
the log files they cover either way.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class TrailSource(Protocol):
    bucket: str

    def object_keys(self) -> Iterator[str]: ...

    def read(self, key: str) -> bytes | None:
        """The object's bytes as stored (gzip), or None when it is missing."""
        ...

    def signature(self, key: str) -> str | None:
        """A digest file's signature (hex): S3 metadata `signature`, or a `<file>.signature` beside it."""
        ...


@dataclass
class LocalFolder:
    root: Path
    bucket: str = ""

    def object_keys(self) -> Iterator[str]:
        for path in sorted(self.root.rglob("*.json.gz")):
            yield path.relative_to(self.root).as_posix()

    def read(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.is_file() else None

    def signature(self, key: str) -> str | None:
        path = self.root / f"{key}.signature"
        return path.read_text().strip() if path.is_file() else None


@dataclass
class S3Bucket:
    s3: Any
    bucket: str
    prefix: str = ""

    def object_keys(self) -> Iterator[str]:
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                if item["Key"].endswith(".json.gz"):
                    yield item["Key"]

    def read(self, key: str) -> bytes | None:
        try:
            body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return body

    def signature(self, key: str) -> str | None:
        try:
            metadata = self.s3.head_object(Bucket=self.bucket, Key=key).get("Metadata", {})
        except self.s3.exceptions.ClientError:
            return None
        value = metadata.get("signature")
        return str(value) if value else None


def uncompressed(data: bytes) -> bytes:
    return gzip.decompress(data)


def is_digest(key: str) -> bool:
    return "/CloudTrail-Digest/" in f"/{key}"
