"""DynamoDB: one-time codes and rights sessions, in the rights verifications table.

One item per code (keyed by what it proves: `code#<blind index>`, `guardian#<submission id>`), per
session (`session#<token hash>`) and per hour of code mails (`code-mails#<hour>`, a counter).
No item holds a code, a token or an address: only keyed hashes, plain hashes of 256-bit tokens, and
blind indexes. TTL removes them days after they expire; expiry is decided at read time by the domain.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound import tables
from policybound.adapters.aws import stored_time, translate_errors
from policybound.domain.core import retention
from policybound.domain.rights.verification import CodeState, StoredSession

_TTL = tables.RIGHTS_VERIFICATION_TTL_ATTRIBUTE
_KEY = tables.RIGHTS_VERIFICATIONS.partition.name


def _session_key(token_hash: str) -> str:
    return f"session#{token_hash}"


def code_item(state: CodeState) -> dict[str, Any]:
    return {
        _KEY: {"S": state.key},
        "code_hash": {"S": state.code_hash},
        "issued_at": {"S": stored_time(state.issued_at)},
        "valid_until": {"S": stored_time(state.expires_at)},
        _TTL: {"N": str(retention.epoch_seconds(state.expires_at))},
        "failures": {"N": str(state.failures)},
        "context": {"S": state.context},
        "window_start": {"S": stored_time(state.window_start or state.issued_at)},
        "issued_in_window": {"N": str(state.issued_in_window)},
    }


def code_from_item(item: dict[str, Any]) -> CodeState:
    return CodeState(
        key=item[_KEY]["S"],
        code_hash=item["code_hash"]["S"],
        issued_at=datetime.fromisoformat(item["issued_at"]["S"]),
        expires_at=datetime.fromisoformat(item["valid_until"]["S"]),
        failures=int(item["failures"]["N"]),
        context=item.get("context", {}).get("S", ""),
        window_start=datetime.fromisoformat(item["window_start"]["S"]) if "window_start" in item else None,
        issued_in_window=int(item.get("issued_in_window", {"N": "1"})["N"]),
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

    def _conditional(self, call: Any, **request: Any) -> dict[str, Any] | None:
        """The call's response, or None when its condition did not hold."""
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                response: dict[str, Any] = call(TableName=self._table, **request)
        except ClientError:
            return None
        return response

    def replace_code(self, state: CodeState, previous: CodeState | None) -> bool:
        if previous is None:
            condition: dict[str, Any] = {"ConditionExpression": f"attribute_not_exists({_KEY})"}
        else:
            condition = {
                "ConditionExpression": "code_hash = :h AND issued_at = :at",
                "ExpressionAttributeValues": {
                    ":h": {"S": previous.code_hash},
                    ":at": {"S": stored_time(previous.issued_at)},
                },
            }
        return self._conditional(self._db.put_item, Item=code_item(state), **condition) is not None

    def claim_try(self, key: str, code_hash: str, max_tries: int) -> int | None:
        response = self._conditional(
            self._db.update_item,
            Key={_KEY: {"S": key}},
            UpdateExpression="ADD failures :one",
            ConditionExpression="code_hash = :h AND failures < :max",
            ExpressionAttributeValues={":one": {"N": "1"}, ":h": {"S": code_hash}, ":max": {"N": str(max_tries)}},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["failures"]["N"]) if response else None

    def count_code_mail(self, hour: str, limit: int, expires_at: datetime) -> bool:
        response = self._conditional(
            self._db.update_item,
            Key={_KEY: {"S": f"code-mails#{hour}"}},
            UpdateExpression="ADD mails :one SET #ttl = :ttl",
            ConditionExpression="attribute_not_exists(mails) OR mails < :limit",
            ExpressionAttributeNames={"#ttl": _TTL},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":ttl": {"N": str(retention.epoch_seconds(expires_at))},
            },
        )
        return response is not None

    def consume_code(self, key: str, code_hash: str) -> bool:
        response = self._conditional(
            self._db.delete_item,
            Key={_KEY: {"S": key}},
            ConditionExpression="code_hash = :h",
            ExpressionAttributeValues={":h": {"S": code_hash}},
        )
        return response is not None

    def put_session(self, session: StoredSession) -> None:
        item = {
            _KEY: {"S": _session_key(session.token_hash)},
            "subject": {"S": session.subject},
            "valid_until": {"S": stored_time(session.expires_at)},
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
