"""DynamoDB: an inquiry's handling and sealed replies, kept on its record's item (records table).

Kept on the record rather than beside it: destroying the record (sweeper, erasure, TTL) takes them
with it, and the replies are sealed under the record's data key, which the destruction deletes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound.adapters.aws import stored_time, translate_errors
from policybound.adapters.dynamodb import DynamoSubmissionStore, record_from_item
from policybound.adapters.staff_reads import BY_FORM_INDEX
from policybound.domain.core.model import RecordStatus, SealedBlob, StoredSubmission, WrappedKey
from policybound.domain.purposes.inquiries import INQUIRY_FORM, Handling, HandlingState, StoredReply
from policybound.domain.staff.ports import IndexPosition

HANDLING_ATTRIBUTE = "handling"
REPLIES_ATTRIBUTE = "replies"


def _optional(value: dict[str, Any] | None) -> str | None:
    return value["S"] if value else None


def _optional_time(value: dict[str, Any] | None) -> datetime | None:
    return datetime.fromisoformat(value["S"]) if value else None


def handling_from_item(item: dict[str, Any]) -> Handling:
    raw = item.get(HANDLING_ATTRIBUTE, {}).get("M", {})
    replies = tuple(
        StoredReply(
            reply_id=r["M"]["reply_id"]["S"],
            replied_at=datetime.fromisoformat(r["M"]["replied_at"]["S"]),
            replied_by=r["M"]["replied_by"]["S"],
            sealed=SealedBlob(bytes(r["M"]["sealed"]["B"])),
        )
        for r in item.get(REPLIES_ATTRIBUTE, {}).get("L", [])
    )
    return Handling(
        state=HandlingState(raw["state"]["S"]) if "state" in raw else HandlingState.OPEN,
        assignee=_optional(raw.get("assignee")),
        updated_at=_optional_time(raw.get("updated_at")),
        updated_by=_optional(raw.get("updated_by")),
        answered_at=_optional_time(raw.get("answered_at")),
        replies=replies,
    )


def _handling_item(handling: Handling) -> dict[str, Any]:
    item: dict[str, Any] = {"state": {"S": handling.state.value}}
    for name, value in (("assignee", handling.assignee), ("updated_by", handling.updated_by)):
        if value is not None:
            item[name] = {"S": value}
    for name, moment in (("updated_at", handling.updated_at), ("answered_at", handling.answered_at)):
        if moment is not None:
            item[name] = {"S": stored_time(moment)}
    return {"M": item}


class DynamoInquiryStore:
    def __init__(self, dynamodb: Any, records_table: str, store: DynamoSubmissionStore) -> None:
        self._db = dynamodb
        self._records = records_table
        self._store = store

    def oldest(self, limit: int, after: IndexPosition | None) -> list[IndexPosition]:
        request: dict[str, Any] = {
            "TableName": self._records,
            "IndexName": BY_FORM_INDEX,
            "KeyConditionExpression": "#f = :f",
            "ExpressionAttributeNames": {"#f": "form"},
            "ExpressionAttributeValues": {":f": {"S": INQUIRY_FORM.value}},
            "ScanIndexForward": True,
            "Limit": limit,
        }
        if after is not None:
            request["ExclusiveStartKey"] = {
                "form": {"S": INQUIRY_FORM.value},
                "received_at": {"S": after.received_at},
                "submission_id": {"S": after.submission_id},
            }
        with translate_errors("DynamoDB"):
            items = self._db.query(**request).get("Items", [])
        return [IndexPosition(item["received_at"]["S"], item["submission_id"]["S"]) for item in items]

    def get(self, submission_id: str) -> tuple[StoredSubmission, Handling] | None:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(
                TableName=self._records, Key={"submission_id": {"S": submission_id}}, ConsistentRead=True
            ).get("Item")
        return (record_from_item(item), handling_from_item(item)) if item else None

    def get_key(self, submission_id: str) -> WrappedKey | None:
        return self._store.get_key(submission_id)

    def _update(self, submission_id: str, **request: Any) -> bool:
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.update_item(TableName=self._records, Key={"submission_id": {"S": submission_id}}, **request)
        except ClientError:
            return False
        return True

    def set_handling(self, submission_id: str, handling: Handling) -> bool:
        return self._update(
            submission_id,
            UpdateExpression="SET #h = :h",
            # Answered is final: a late "in progress" note must not reopen an answered inquiry.
            ConditionExpression="attribute_exists(submission_id) AND (attribute_not_exists(#h) OR #h.#st <> :answered)",
            ExpressionAttributeNames={"#h": HANDLING_ATTRIBUTE, "#st": "state"},
            ExpressionAttributeValues={
                ":h": _handling_item(handling),
                ":answered": {"S": HandlingState.ANSWERED.value},
            },
        )

    def add_reply(self, submission_id: str, reply: StoredReply, handling: Handling) -> bool:
        stored = {
            "M": {
                "reply_id": {"S": reply.reply_id},
                "replied_at": {"S": stored_time(reply.replied_at)},
                "replied_by": {"S": reply.replied_by},
                "sealed": {"B": reply.sealed.ciphertext},
            }
        }
        return self._update(
            submission_id,
            UpdateExpression="SET #r = list_append(if_not_exists(#r, :empty), :reply), #h = :h",
            ConditionExpression="attribute_exists(submission_id) AND #status = :active",
            ExpressionAttributeNames={"#r": REPLIES_ATTRIBUTE, "#h": HANDLING_ATTRIBUTE, "#status": "status"},
            ExpressionAttributeValues={
                ":empty": {"L": []},
                ":reply": {"L": [stored]},
                ":h": _handling_item(handling),
                ":active": {"S": RecordStatus.ACTIVE.value},
            },
        )
