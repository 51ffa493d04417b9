"""DynamoDB: an inquiry's handling and sealed replies, kept on its record's item (records table).

Kept on the record rather than beside it: destroying the record (sweeper, erasure, TTL) takes them
with it, and the replies are sealed under the record's data key, which the destruction deletes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policybound.adapters import codec
from policybound.adapters.aws import conditional, get_item
from policybound.adapters.codec import read_time, stored_time
from policybound.adapters.dynamodb import DynamoSubmissionStore, record_from_values
from policybound.adapters.staff_reads import by_form_positions
from policybound.domain.core.model import RecordStatus, SealedBlob, StoredSubmission, WrappedKey
from policybound.domain.purposes.inquiries import INQUIRY_FORM, Handling, HandlingState, StoredReply
from policybound.domain.staff.ports import IndexPosition

HANDLING_ATTRIBUTE = "handling"
REPLIES_ATTRIBUTE = "replies"


def _handling(values: dict[str, Any]) -> Handling:
    raw = values.get(HANDLING_ATTRIBUTE, {})
    replies = tuple(
        StoredReply(
            reply_id=r["reply_id"],
            replied_at=datetime.fromisoformat(r["replied_at"]),
            replied_by=r["replied_by"],
            sealed=SealedBlob(r["sealed"]),
        )
        for r in values.get(REPLIES_ATTRIBUTE, [])
    )
    return Handling(
        state=HandlingState(raw["state"]) if "state" in raw else HandlingState.OPEN,
        assignee=raw.get("assignee"),
        updated_at=read_time(raw.get("updated_at")),
        updated_by=raw.get("updated_by"),
        answered_at=read_time(raw.get("answered_at")),
        replies=replies,
    )


def _handling_values(handling: Handling) -> dict[str, Any]:
    return {
        "state": handling.state.value,
        "assignee": handling.assignee,
        "updated_by": handling.updated_by,
        "updated_at": stored_time(handling.updated_at),
        "answered_at": stored_time(handling.answered_at),
    }


@dataclass(eq=False, repr=False)
class DynamoInquiryStore:
    """An inquiry's handling and replies, on its record's item; records themselves come from `store`."""

    dynamodb: Any
    records_table: str
    store: DynamoSubmissionStore

    def oldest(self, limit: int, after: IndexPosition | None) -> list[IndexPosition]:
        return by_form_positions(self.dynamodb, self.records_table, INQUIRY_FORM, limit, after, newest_first=False)

    def get(self, submission_id: str) -> tuple[StoredSubmission, Handling] | None:
        found = get_item(self.dynamodb, self.records_table, {"submission_id": submission_id})
        return (record_from_values(found), _handling(found)) if found else None

    def get_key(self, submission_id: str) -> WrappedKey | None:
        return self.store.get_key(submission_id)

    def _update(self, submission_id: str, values: dict[str, Any], **request: Any) -> bool:
        written = conditional(
            self.dynamodb.update_item,
            values,
            TableName=self.records_table,
            Key=codec.item({"submission_id": submission_id}),
            **request,
        )
        return written is not None

    def set_handling(self, submission_id: str, handling: Handling) -> bool:
        return self._update(
            submission_id,
            {":h": _handling_values(handling), ":answered": HandlingState.ANSWERED.value},
            UpdateExpression="SET #h = :h",
            # Answered is final: a late "in progress" note must not reopen an answered inquiry.
            ConditionExpression="attribute_exists(submission_id) AND (attribute_not_exists(#h) OR #h.#st <> :answered)",
            ExpressionAttributeNames={"#h": HANDLING_ATTRIBUTE, "#st": "state"},
        )

    def add_reply(self, submission_id: str, reply: StoredReply, handling: Handling) -> bool:
        stored = {
            "reply_id": reply.reply_id,
            "replied_at": stored_time(reply.replied_at),
            "replied_by": reply.replied_by,
            "sealed": reply.sealed.ciphertext,
        }
        return self._update(
            submission_id,
            {
                ":empty": [],
                ":reply": [stored],
                ":h": _handling_values(handling),
                ":active": RecordStatus.ACTIVE.value,
            },
            UpdateExpression="SET #r = list_append(if_not_exists(#r, :empty), :reply), #h = :h",
            ConditionExpression="attribute_exists(submission_id) AND #status = :active",
            ExpressionAttributeNames={"#r": REPLIES_ATTRIBUTE, "#h": HANDLING_ATTRIBUTE, "#status": "status"},
        )
