"""DynamoDB: staff session activity (idle timeout) and sign-in attempts (lockout)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound.adapters import codec
from policybound.adapters.aws import conditional, get_item, translate_errors
from policybound.domain.core.retention import epoch_seconds
from policybound.domain.staff.sessions import Activity
from policybound.domain.staff.sign_in import Attempts


def _moment(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@dataclass(eq=False, repr=False)
class DynamoSessionStore:
    """Staff session activity and the times a user's sessions were ended."""

    dynamodb: Any
    table: str

    def _key(self, session_id: str) -> dict[str, Any]:
        return codec.item({"session_id": session_id})

    def _set(self, session_id: str, expression: str, values: dict[str, Any]) -> None:
        with translate_errors("DynamoDB"):
            self.dynamodb.update_item(
                TableName=self.table,
                Key=self._key(session_id),
                UpdateExpression=expression,
                ExpressionAttributeValues=codec.item(values),
            )

    def activity(self, session_id: str) -> Activity:
        found = get_item(self.dynamodb, self.table, {"session_id": session_id})
        if not found:
            return Activity(None)
        last_seen = _moment(found["last_seen"]) if "last_seen" in found else None
        return Activity(last_seen, ended="ended_at" in found)

    def seen(self, session_id: str, now: datetime, ends_at: datetime) -> None:
        # Never moves activity backwards (a slow request finishing after a newer one), never revives a
        # session that was signed out meanwhile; a failed condition leaves the item as it is.
        conditional(
            self.dynamodb.update_item,
            {":now": epoch_seconds(now), ":ends": epoch_seconds(ends_at)},
            TableName=self.table,
            Key=self._key(session_id),
            UpdateExpression="SET last_seen = :now, expires_at = :ends",
            ConditionExpression="attribute_not_exists(ended_at) AND "
            "(attribute_not_exists(last_seen) OR last_seen <= :now)",
        )

    def end(self, session_id: str, now: datetime, ends_at: datetime) -> None:
        # Kept until the session would have ended anyway (TTL on expires_at): its tokens die before that.
        self._set(
            session_id,
            "SET ended_at = :now, expires_at = :ends",
            {":now": epoch_seconds(now), ":ends": epoch_seconds(ends_at)},
        )

    def ended_before(self, user_id: str) -> datetime | None:
        found = get_item(self.dynamodb, self.table, {"session_id": _ended_key(user_id)})
        return _moment(found["ended_at"]) if found else None

    def end_sessions(self, user_id: str, at: datetime, kept_until: datetime) -> None:
        self._set(
            _ended_key(user_id),
            "SET ended_at = :at, expires_at = :until",
            {":at": epoch_seconds(at), ":until": epoch_seconds(kept_until)},
        )


def _ended_key(user_id: str) -> str:
    # Beside the sessions (hashes of sign-ins), one item per user whose sessions were ended.
    return f"ended#{user_id}"


@dataclass(eq=False, repr=False)
class DynamoAttemptStore:
    """Failed sign-in attempts per user, for the lockout."""

    dynamodb: Any
    table: str

    def get(self, key: str) -> Attempts:
        found = get_item(self.dynamodb, self.table, {"username": key})
        if not found:
            return Attempts(0, None)
        return Attempts(found["failed"], _moment(found["last_at"]))

    def _counted(self, key: str, update: str, condition: str, values: dict[str, Any]) -> dict[str, Any] | None:
        """None when the try was counted; else the item as the failed condition found it ({}: none)."""
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self.dynamodb.update_item(
                    TableName=self.table,
                    Key=codec.item({"username": key}),
                    UpdateExpression=f"{update} last_at = :now, expires_at = :expires",
                    ConditionExpression=condition,
                    ExpressionAttributeValues=codec.item(values),
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
        except ClientError as error:
            return codec.plain(error.response.get("Item", {}))
        return None

    def claim(self, key: str, now: datetime, max_tries: int, lock_over: datetime, expires_at: datetime) -> bool:
        values = {":one": 1, ":max": max_tries, ":now": epoch_seconds(now), ":expires": epoch_seconds(expires_at)}
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
                values | {":lock_over": epoch_seconds(lock_over)},
            )
            if found is None:
                return True
            if found and found["failed"] >= max_tries:
                return False  # locked: the limit reached and its last try within the lockout
        return False

    def clear(self, key: str) -> None:
        with translate_errors("DynamoDB"):
            self.dynamodb.delete_item(TableName=self.table, Key=codec.item({"username": key}))
