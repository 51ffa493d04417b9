"""DynamoDB: the records table's by_form index, for staff listings (newest first, keys only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.aws import query_items, translate_errors
from policybound.domain.evidence.reports import KeptRecord
from policybound.domain.staff.ports import IndexPosition
from policybound.policy import FormId

BY_FORM_INDEX = tables.RECORDS_BY_FORM.name


def by_form_positions(
    dynamodb: Any, records_table: str, form: FormId, limit: int, after: IndexPosition | None, newest_first: bool
) -> list[IndexPosition]:
    """One page of a form's records in the order they were received, from just past `after`."""
    request: dict[str, Any] = {
        "TableName": records_table,
        "IndexName": BY_FORM_INDEX,
        "KeyConditionExpression": "#f = :f",
        "ExpressionAttributeNames": {"#f": "form"},
        "ExpressionAttributeValues": codec.item({":f": form.value}),
        "ScanIndexForward": not newest_first,
        "Limit": limit,
    }
    if after is not None:
        request["ExclusiveStartKey"] = codec.item(
            {"form": form.value, "received_at": after.received_at, "submission_id": after.submission_id}
        )
    with translate_errors("DynamoDB"):
        items = dynamodb.query(**request).get("Items", [])
    return [IndexPosition(found["received_at"], found["submission_id"]) for found in map(codec.plain, items)]


@dataclass(eq=False, repr=False)
class DynamoFormIndex:
    """The records table's by_form index: listings by form, and the census of kept records."""

    dynamodb: Any
    records_table: str

    def newest(self, form: FormId, limit: int, after: IndexPosition | None) -> list[IndexPosition]:
        return by_form_positions(self.dynamodb, self.records_table, form, limit, after, newest_first=True)

    def kept(self) -> Iterator[KeptRecord]:
        """Every record of every form, by id and whether a legal hold keeps it (the index carries the
        hold ids), page by page."""
        for form in FormId:
            for found in query_items(
                self.dynamodb,
                TableName=self.records_table,
                IndexName=BY_FORM_INDEX,
                KeyConditionExpression="#f = :f",
                ExpressionAttributeNames={"#f": "form", "#id": "submission_id", "#h": tables.RECORD_HOLDS_ATTRIBUTE},
                ExpressionAttributeValues=codec.item({":f": form.value}),
                ProjectionExpression="#id, #h",
            ):
                yield KeptRecord(found["submission_id"], tables.RECORD_HOLDS_ATTRIBUTE in found)
