"""DynamoDB: staff session activity (idle timeout) and sign-in attempts (lockout)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound.adapters.aws import error_code, translate_errors
from policybound.domain.staff.sessions import Activity
from policybound.domain.staff.sign_in import Attempts


def _epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


class DynamoSessionStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def activity(self, session_id: str) -> Activity:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(
                TableName=self._table, Key={"session_id": {"S": session_id}}, ConsistentRead=True
            ).get("Item")
        if not item:
            return Activity(None)
        last_seen = datetime.fromtimestamp(int(item["last_seen"]["N"]), UTC) if "last_seen" in item else None
        return Activity(last_seen, ended="ended_at" in item)

    def seen(self, session_id: str, now: datetime, ends_at: datetime) -> None:
        # Never moves activity backwards (a slow request finishing after a newer one), never revives a
        # session that was signed out meanwhile.
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.update_item(
                    TableName=self._table,
                    Key={"session_id": {"S": session_id}},
                    UpdateExpression="SET last_seen = :now, expires_at = :ends",
                    ConditionExpression="attribute_not_exists(ended_at) AND "
                    "(attribute_not_exists(last_seen) OR last_seen <= :now)",
                    ExpressionAttributeValues={":now": {"N": _epoch(now)}, ":ends": {"N": _epoch(ends_at)}},
                )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    def end(self, session_id: str, now: datetime, ends_at: datetime) -> None:
        # Kept until the session would have ended anyway (TTL on expires_at): its tokens die before that.
        with translate_errors("DynamoDB"):
            self._db.update_item(
                TableName=self._table,
                Key={"session_id": {"S": session_id}},
                UpdateExpression="SET ended_at = :now, expires_at = :ends",
                ExpressionAttributeValues={":now": {"N": _epoch(now)}, ":ends": {"N": _epoch(ends_at)}},
            )

    def ended_before(self, user_id: str) -> datetime | None:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(
                TableName=self._table, Key={"session_id": {"S": _ended_key(user_id)}}, ConsistentRead=True
            ).get("Item")
        return datetime.fromtimestamp(int(item["ended_at"]["N"]), UTC) if item else None

    def end_sessions(self, user_id: str, at: datetime, kept_until: datetime) -> None:
        with translate_errors("DynamoDB"):
            self._db.update_item(
                TableName=self._table,
                Key={"session_id": {"S": _ended_key(user_id)}},
                UpdateExpression="SET ended_at = :at, expires_at = :until",
                ExpressionAttributeValues={":at": {"N": _epoch(at)}, ":until": {"N": _epoch(kept_until)}},
            )


def _ended_key(user_id: str) -> str:
    # Beside the sessions (hashes of sign-ins), one item per user whose sessions were ended.
    return f"ended#{user_id}"


class DynamoAttemptStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def get(self, key: str) -> Attempts:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(TableName=self._table, Key={"username": {"S": key}}, ConsistentRead=True).get(
                "Item"
            )
        if not item:
            return Attempts(0, None)
        return Attempts(int(item["failed"]["N"]), datetime.fromtimestamp(int(item["last_at"]["N"]), UTC))

    def _counted(self, key: str, update: str, condition: str, values: dict[str, Any]) -> dict[str, Any] | None:
        """None when the try was counted; else the item as the failed condition found it ({}: none)."""
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.update_item(
                    TableName=self._table,
                    Key={"username": {"S": key}},
                    UpdateExpression=f"{update} last_at = :now, expires_at = :expires",
                    ConditionExpression=condition,
                    ExpressionAttributeValues=values,
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
        except ClientError as error:
            found: dict[str, Any] = error.response.get("Item", {})
            return found
        return None

    def claim(self, key: str, now: datetime, max_tries: int, lock_over: datetime, expires_at: datetime) -> bool:
        values = {
            ":one": {"N": "1"},
            ":max": {"N": str(max_tries)},
            ":now": {"N": _epoch(now)},
            ":expires": {"N": _epoch(expires_at)},
        }
        # Two conditional writes, each atomic: add a try below the limit, or start again after a lock
        # is over. Between them another attempt may start the count again or a success clear it; then
        # the first applies again, so a few rounds decide.
        for _ in range(3):
            found = self._counted(key, "ADD failed :one SET", "attribute_not_exists(failed) OR failed < :max", values)
            if found is None:
                return True
            found = self._counted(
                key,
                "SET failed = :one,",
                "failed >= :max AND last_at <= :lock_over",
                values | {":lock_over": {"N": _epoch(lock_over)}},
            )
            if found is None:
                return True
            if found and int(found["failed"]["N"]) >= max_tries:
                return False  # locked: the limit reached and its last try within the lockout
        return False

    def clear(self, key: str) -> None:
        with translate_errors("DynamoDB"):
            self._db.delete_item(TableName=self._table, Key={"username": {"S": key}})
