"""Items as plain values: what the codec sends to DynamoDB, and what it gives back."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from policybound.adapters import codec


def test_plain_values_become_typed_values_and_absent_ones_are_left_out() -> None:
    item = codec.item(
        {
            "id": "a",
            "count": 3,
            "flag": True,
            "sealed": b"\x00\x01",
            "names": ["x", "y"],
            "ids": {"h-1"},
            "nested": {"kept": "k", "gone": None, "deeper": [{"also_gone": None, "n": 0}]},
            "absent": None,
        }
    )
    assert item == {
        "id": {"S": "a"},
        "count": {"N": "3"},
        "flag": {"BOOL": True},
        "sealed": {"B": b"\x00\x01"},
        "names": {"L": [{"S": "x"}, {"S": "y"}]},
        "ids": {"SS": ["h-1"]},
        "nested": {"M": {"kept": {"S": "k"}, "deeper": {"L": [{"M": {"n": {"N": "0"}}}]}}},
    }


def test_typed_values_come_back_as_plain_python() -> None:
    stored = codec.item({"n": 1_700_000_000_000_000_123_456, "b": b"raw", "l": [1, "two"], "s": {"p", "q"}})
    # As the client returns it: binary as bytes, numbers as text.
    assert codec.plain(stored) == {"n": 1_700_000_000_000_000_123_456, "b": b"raw", "l": [1, "two"], "s": {"p", "q"}}
    assert isinstance(codec.plain(stored)["n"], int)
    assert codec.plain({"x": {"N": "1.5"}}) == {"x": Decimal("1.5")}


def test_a_stream_image_decodes_its_base64_binary() -> None:
    image = {
        "sealed": {"B": base64.b64encode(b"\xffsealed").decode()},
        "replies": {"L": [{"M": {"sealed": {"B": base64.b64encode(b"reply").decode()}}}]},
        "n": {"N": "7"},
    }
    assert codec.plain_from_stream(image) == {"sealed": b"\xffsealed", "replies": [{"sealed": b"reply"}], "n": 7}


def test_a_stored_moment_is_utc_to_the_microsecond_and_reads_back() -> None:
    seoul = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    text = codec.stored_time(seoul)
    assert text == "2026-03-02T00:00:00.000000+00:00"
    assert codec.read_time(text) == seoul.astimezone(UTC)
    assert codec.stored_time(None) is None
    assert codec.read_time(None) is None


def test_a_value_dynamodb_cannot_hold_is_refused_before_any_call() -> None:
    with pytest.raises(TypeError):
        codec.item({"moment": datetime(2026, 3, 2, tzinfo=UTC)})
    with pytest.raises(TypeError):
        codec.item({"ratio": 0.5})


def test_an_item_goes_into_a_stream_image_and_back_unchanged() -> None:
    values = {"sealed": b"\x00\xff", "holds": {"h-1", "h-2"}, "consent": {"items": ["name"], "under_14": True}, "n": 9}
    image = codec.stream_image(codec.item(values))
    assert image["sealed"] == {"B": base64.b64encode(b"\x00\xff").decode()}
    assert codec.plain_from_stream(image) == values
