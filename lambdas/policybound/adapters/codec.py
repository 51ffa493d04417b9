"""DynamoDB items as plain Python values, through boto3's own TypeSerializer / TypeDeserializer.

The one place that knows DynamoDB's typed attribute values ({"S": ...}, {"N": ...}, ...): adapters build
and read items, keys and expression values as plain dicts of str, int, bool, bytes, lists, maps and
sets, and this module turns them into what the client sends and back. It also holds how items store a
moment, so every table writes and reads times alike.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, overload

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class _StreamDeserializer(TypeDeserializer):  # type: ignore[misc]  # boto3 ships no type hints
    # Stream events are JSON, so binary attributes arrive base64-encoded where the client gives bytes.
    def _deserialize_b(self, value: str) -> bytes:
        return base64.b64decode(value)


class _StreamSerializer(TypeSerializer):  # type: ignore[misc]  # boto3 ships no type hints
    def _serialize_b(self, value: bytes) -> str:
        return base64.b64encode(bytes(value)).decode()


_stream_deserializer = _StreamDeserializer()
_stream_serializer = _StreamSerializer()


def _without_absent(value: Any) -> Any:
    """Maps lose their None members (an absent attribute, never a stored NULL), at every depth."""
    if isinstance(value, Mapping):
        return {name: _without_absent(member) for name, member in value.items() if member is not None}
    if isinstance(value, list | tuple):
        return [_without_absent(member) for member in value]
    return value


def typed(value: Any) -> dict[str, Any]:
    """One plain value as a DynamoDB typed value (for expression values and list members)."""
    result: dict[str, Any] = _serializer.serialize(_without_absent(value))
    return result


def item(values: Mapping[str, Any]) -> dict[str, Any]:
    """An item (or a key, or expression attribute values) from plain values; None means absent."""
    return {name: typed(value) for name, value in values.items() if value is not None}


def _plain(value: Any) -> Any:
    # DynamoDB numbers come back as Decimal: every number stored here is a whole number.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, Binary):
        return bytes(value.value)
    if isinstance(value, dict):
        return {name: _plain(member) for name, member in value.items()}
    if isinstance(value, list):
        return [_plain(member) for member in value]
    if isinstance(value, set):
        return {_plain(member) for member in value}
    return value


def plain(typed_item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as the client returns it, as plain values (numbers as int, binary as bytes)."""
    return {name: _plain(_deserializer.deserialize(value)) for name, value in typed_item.items()}


def plain_value(value: Mapping[str, Any]) -> Any:
    return _plain(_deserializer.deserialize(value))


def plain_from_stream(image: Mapping[str, Any]) -> dict[str, Any]:
    """An item as a DynamoDB stream event carries it (JSON, binary in base64), as plain values."""
    return {name: _plain(_stream_deserializer.deserialize(value)) for name, value in image.items()}


def stream_image(typed_item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as a DynamoDB stream event carries it (the inverse of `plain_from_stream`)."""
    return {name: _stream_serializer.serialize(_deserializer.deserialize(value)) for name, value in typed_item.items()}


@overload
def stored_time(moment: datetime) -> str: ...
@overload
def stored_time(moment: datetime | None) -> str | None: ...
def stored_time(moment: datetime | None) -> str | None:
    """How every item stores a moment: UTC, ISO 8601 to the microsecond, so stored times sort as text
    (None, an absent moment, stays absent)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds") if moment else None


def read_time(text: str | None) -> datetime | None:
    """A stored moment back (written by `stored_time`, or as ISO 8601 text); None when absent."""
    return datetime.fromisoformat(text) if text else None
