"""DynamoDB: staff session activity (idle timeout) and sign-in attempts (lockout)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound.adapters.aws import error_code, translate_errors
from policybound.domain.sign_in import Attempts


def _epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


class DynamoSessionStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def touch(self, session_id: str, now: datetime, idle_since: datetime, may_start: bool, ends_at: datetime) -> bool:
        active = "last_seen >= :idle_since"
        condition = (
            f"attribute_not_exists(session_id) OR {active}"
            if may_start
            else f"attribute_exists(session_id) AND {active}"
        )
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.update_item(
                    TableName=self._table,
                    Key={"session_id": {"S": session_id}},
                    UpdateExpression="SET last_seen = :now, expires_at = :ends",
                    ConditionExpression=condition,
                    ExpressionAttributeValues={
                        ":now": {"N": _epoch(now)},
                        ":idle_since": {"N": _epoch(idle_since)},
                        ":ends": {"N": _epoch(ends_at)},
                    },
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True


class DynamoAttemptStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def get(self, username: str) -> Attempts:
        with translate_errors("DynamoDB"):
            item = self._db.get_item(TableName=self._table, Key={"username": {"S": username}}, ConsistentRead=True).get(
                "Item"
            )
        if not item:
            return Attempts(0, None)
        return Attempts(int(item["failed"]["N"]), datetime.fromtimestamp(int(item["last_at"]["N"]), UTC))

    def count(self, username: str, now: datetime, restart: bool, expires_at: datetime) -> None:
        update = "SET failed = :one" if restart else "SET failed = if_not_exists(failed, :zero) + :one"
        with translate_errors("DynamoDB"):
            self._db.update_item(
                TableName=self._table,
                Key={"username": {"S": username}},
                UpdateExpression=f"{update}, last_at = :now, expires_at = :expires",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":now": {"N": _epoch(now)},
                    ":expires": {"N": _epoch(expires_at)},
                    **({} if restart else {":zero": {"N": "0"}}),
                },
            )

    def clear(self, username: str) -> None:
        with translate_errors("DynamoDB"):
            self._db.delete_item(TableName=self._table, Key={"username": {"S": username}})
