"""Response shapes are read from domain objects by one converter: each field from the attribute of the
same name, in the form a response carries it, unless the shape gives it explicitly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from policybound.api.schemas import ReceiptOut, from_domain, wire
from policybound.domain.core.model import Receipt, RecordStatus
from policybound.policy import FormId, Purpose

RECEIPT = Receipt(
    submission_id="s-1",
    form=FormId.CONTACT_US,
    received_at=datetime(2026, 3, 1, 15, 30, tzinfo=UTC),
    retained_until=datetime(2029, 3, 1, 15, 30, tzinfo=UTC),
    purposes=(Purpose.INQUIRY_RESPONSE, Purpose.EMAIL_MARKETING),
    items_collected=("name", "email"),
    items_dropped=(),
    policy_version="v3",
    status=RecordStatus.RESTRICTED,
)


def test_each_field_is_read_in_wire_form() -> None:
    assert from_domain(ReceiptOut, RECEIPT).model_dump() == {
        "submission_id": "s-1",
        "form": "contact-us",
        "received_at": "2026-03-02T00:30:00+09:00",
        "retained_until": "2029-03-02T00:30:00+09:00",
        "purposes": ["inquiry_response", "email_marketing"],
        "items_collected": ["name", "email"],
        "items_dropped": [],
        "policy_version": "v3",
        "status": "restricted",
    }


def test_computed_fields_are_taken_as_given() -> None:
    out = from_domain(ReceiptOut, RECEIPT, status="active", received_at="as hashed")
    assert (out.status, out.received_at, out.form) == ("active", "as hashed", "contact-us")


def test_a_computed_name_the_shape_lacks_is_refused() -> None:
    # Pydantic would ignore it, and the field meant would be read from the source unnoticed.
    with pytest.raises(TypeError, match="statuses"):
        from_domain(ReceiptOut, RECEIPT, statuses="active")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (3, 3), (date(2026, 3, 31), "2026-03-31"), ([Purpose.BLOG_LETTER], ["blog_letter"])],
)
def test_wire_forms(value: object, expected: object) -> None:
    assert wire(value) == expected


def test_a_set_must_be_ordered_by_the_shape() -> None:
    # Its iteration order varies between processes: the response would too.
    with pytest.raises(TypeError):
        wire(frozenset({"a", "b"}))


def test_a_mapping_is_copied_not_shared() -> None:
    notes = {"a": "b"}
    copied = wire(notes)
    assert copied == notes
    assert copied is not notes
