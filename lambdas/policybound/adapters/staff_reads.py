"""DynamoDB: the records table's by_form index, for staff listings (newest first, keys only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policybound import tables
from policybound.adapters.aws import translate_errors
from policybound.domain.evidence.reports import KeptRecord
from policybound.domain.staff.ports import IndexPosition
from policybound.policy import FormId

BY_FORM_INDEX = "by_form"


class DynamoFormIndex:
    def __init__(self, dynamodb: Any, records_table: str) -> None:
        self._db = dynamodb
        self._records = records_table

    def newest(self, form: FormId, limit: int, after: IndexPosition | None) -> list[IndexPosition]:
        request: dict[str, Any] = {
            "TableName": self._records,
            "IndexName": BY_FORM_INDEX,
            "KeyConditionExpression": "#f = :f",
            "ExpressionAttributeNames": {"#f": "form"},
            "ExpressionAttributeValues": {":f": {"S": form.value}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if after is not None:
            request["ExclusiveStartKey"] = {
                "form": {"S": form.value},
                "received_at": {"S": after.received_at},
                "submission_id": {"S": after.submission_id},
            }
        with translate_errors("DynamoDB"):
            items = self._db.query(**request).get("Items", [])
        return [IndexPosition(item["received_at"]["S"], item["submission_id"]["S"]) for item in items]

    def kept(self) -> Iterator[KeptRecord]:
        """Every record of every form, by id and whether a legal hold keeps it (the index carries the
        hold ids), page by page."""
        for form in FormId:
            request: dict[str, Any] = {
                "TableName": self._records,
                "IndexName": BY_FORM_INDEX,
                "KeyConditionExpression": "#f = :f",
                "ExpressionAttributeNames": {"#f": "form", "#id": "submission_id", "#h": tables.RECORD_HOLDS_ATTRIBUTE},
                "ExpressionAttributeValues": {":f": {"S": form.value}},
                "ProjectionExpression": "#id, #h",
            }
            while True:
                with translate_errors("DynamoDB"):
                    response = self._db.query(**request)
                for item in response.get("Items", []):
                    yield KeptRecord(item["submission_id"]["S"], tables.RECORD_HOLDS_ATTRIBUTE in item)
                if "LastEvaluatedKey" not in response:
                    break
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
