"""DynamoDB: one-time codes and rights sessions, in the rights verifications table.

One item per code (keyed by what it proves: `code#<blind index>`, `guardian#<submission id>`) and per
session (`session#<token hash>`). No item holds a code, a token or an address: only keyed hashes,
plain hashes of 256-bit tokens, and blind indexes. TTL removes them days after they expire; expiry is
decided at read time by the domain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound import tables
from policybound.adapters.aws import translate_errors
from policybound.domain.core import retention
from policybound.domain.rights.verification import CodeState, StoredSession

_TTL = tables.RIGHTS_VERIFICATION_TTL_ATTRIBUTE
_KEY = tables.RIGHTS_VERIFICATIONS.partition.name


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _session_key(token_hash: str) -> str:
    return f"session#{token_hash}"


def code_item(state: CodeState) -> dict[str, Any]:
    return {
        _KEY: {"S": state.key},
        "code_hash": {"S": state.code_hash},
        "issued_at": {"S": _time(state.issued_at)},
        "valid_until": {"S": _time(state.expires_at)},
        _TTL: {"N": str(retention.epoch_seconds(state.expires_at))},
        "failures": {"N": str(state.failures)},
        "context": {"S": state.context},
    }


def code_from_item(item: dict[str, Any]) -> CodeState:
    return CodeState(
        key=item[_KEY]["S"],
        code_hash=item["code_hash"]["S"],
        issued_at=datetime.fromisoformat(item["issued_at"]["S"]),
        expires_at=datetime.fromisoformat(item["valid_until"]["S"]),
        failures=int(item["failures"]["N"]),
        context=item.get("context", {}).get("S", ""),
    )


class DynamoVerificationStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def _get(self, key: str) -> dict[str, Any] | None:
        with translate_errors("DynamoDB"):
            item: dict[str, Any] | None = self._db.get_item(
                TableName=self._table, Key={_KEY: {"S": key}}, ConsistentRead=True
            ).get("Item")
        return item

    def get_code(self, key: str) -> CodeState | None:
        item = self._get(key)
        return code_from_item(item) if item else None

    def put_code(self, state: CodeState) -> None:
        with translate_errors("DynamoDB"):
            self._db.put_item(TableName=self._table, Item=code_item(state))

    def count_failure(self, key: str) -> int:
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                response = self._db.update_item(
                    TableName=self._table,
                    Key={_KEY: {"S": key}},
                    UpdateExpression="ADD failures :one",
                    ConditionExpression=f"attribute_exists({_KEY})",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                    ReturnValues="UPDATED_NEW",
                )
        except ClientError:
            return 0  # used or replaced meanwhile: this try was against a code that no longer exists
        return int(response["Attributes"]["failures"]["N"])

    def consume_code(self, key: str, code_hash: str) -> bool:
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.delete_item(
                    TableName=self._table,
                    Key={_KEY: {"S": key}},
                    ConditionExpression="code_hash = :h",
                    ExpressionAttributeValues={":h": {"S": code_hash}},
                )
        except ClientError:
            return False
        return True

    def put_session(self, session: StoredSession) -> None:
        item = {
            _KEY: {"S": _session_key(session.token_hash)},
            "subject": {"S": session.subject},
            "valid_until": {"S": _time(session.expires_at)},
            _TTL: {"N": str(retention.epoch_seconds(session.expires_at))},
            "context": {"S": session.context},
        }
        with translate_errors("DynamoDB"):
            self._db.put_item(TableName=self._table, Item=item)

    def get_session(self, token_hash: str) -> StoredSession | None:
        item = self._get(_session_key(token_hash))
        if item is None:
            return None
        return StoredSession(
            token_hash=token_hash,
            subject=item["subject"]["S"],
            expires_at=datetime.fromisoformat(item["valid_until"]["S"]),
            context=item.get("context", {}).get("S", ""),
        )
