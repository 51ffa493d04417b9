"""DynamoDB: one-time codes and rights sessions, in the rights verifications table.

One item per code (keyed by what it proves: `code#<blind index>`, `guardian#<submission id>`), per
session (`session#<token hash>`) and per hour of code mails (`code-mails#<hour>`, a counter).
No item holds a code, a token or an address: only keyed hashes, plain hashes of 256-bit tokens, and
blind indexes. TTL removes them days after they expire; expiry is decided at read time by the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.aws import conditional, get_item, translate_errors
from policybound.adapters.codec import read_time, stored_time
from policybound.domain.core import retention
from policybound.domain.rights.verification import CodeState, StoredSession

_TTL = tables.RIGHTS_VERIFICATION_TTL_ATTRIBUTE
_KEY = tables.RIGHTS_VERIFICATIONS.partition.name


def _session_key(token_hash: str) -> str:
    return f"session#{token_hash}"


def code_item(state: CodeState) -> dict[str, Any]:
    return codec.item(
        {
            _KEY: state.key,
            "code_hash": state.code_hash,
            "issued_at": stored_time(state.issued_at),
            "valid_until": stored_time(state.expires_at),
            _TTL: retention.epoch_seconds(state.expires_at),
            "failures": state.failures,
            "context": state.context,
            "window_start": stored_time(state.window_start or state.issued_at),
            "issued_in_window": state.issued_in_window,
        }
    )


def _code(values: dict[str, Any]) -> CodeState:
    return CodeState(
        key=values[_KEY],
        code_hash=values["code_hash"],
        issued_at=datetime.fromisoformat(values["issued_at"]),
        expires_at=datetime.fromisoformat(values["valid_until"]),
        failures=values["failures"],
        context=values.get("context", ""),
        window_start=read_time(values.get("window_start")),
        issued_in_window=values.get("issued_in_window", 1),
    )


@dataclass(eq=False, repr=False)
class DynamoVerificationStore:
    """One-time codes, their mail counts and rights sessions."""

    dynamodb: Any
    table: str

    def get_code(self, key: str) -> CodeState | None:
        found = get_item(self.dynamodb, self.table, {_KEY: key})
        return _code(found) if found else None

    def _conditional(self, call: Any, values: dict[str, Any] | None = None, **request: Any) -> dict[str, Any] | None:
        """The call's response, or None when its condition did not hold (plain expression values)."""
        return conditional(call, values, TableName=self.table, **request)

    def _key(self, key: str) -> dict[str, Any]:
        return codec.item({_KEY: key})

    def replace_code(self, state: CodeState, previous: CodeState | None) -> bool:
        if previous is None:
            written = self._conditional(
                self.dynamodb.put_item, Item=code_item(state), ConditionExpression=f"attribute_not_exists({_KEY})"
            )
        else:
            written = self._conditional(
                self.dynamodb.put_item,
                {":h": previous.code_hash, ":at": stored_time(previous.issued_at)},
                Item=code_item(state),
                ConditionExpression="code_hash = :h AND issued_at = :at",
            )
        return written is not None

    def claim_try(self, key: str, code_hash: str, max_tries: int) -> int | None:
        response = self._conditional(
            self.dynamodb.update_item,
            {":one": 1, ":h": code_hash, ":max": max_tries},
            Key=self._key(key),
            UpdateExpression="ADD failures :one",
            ConditionExpression="code_hash = :h AND failures < :max",
            ReturnValues="UPDATED_NEW",
        )
        return int(codec.plain(response["Attributes"])["failures"]) if response else None

    def count_code_mail(self, hour: str, limit: int, expires_at: datetime) -> bool:
        response = self._conditional(
            self.dynamodb.update_item,
            {":one": 1, ":limit": limit, ":ttl": retention.epoch_seconds(expires_at)},
            Key=self._key(f"code-mails#{hour}"),
            UpdateExpression="ADD mails :one SET #ttl = :ttl",
            ConditionExpression="attribute_not_exists(mails) OR mails < :limit",
            ExpressionAttributeNames={"#ttl": _TTL},
        )
        return response is not None

    def consume_code(self, key: str, code_hash: str) -> bool:
        response = self._conditional(
            self.dynamodb.delete_item,
            {":h": code_hash},
            Key=self._key(key),
            ConditionExpression="code_hash = :h",
        )
        return response is not None

    def put_session(self, session: StoredSession) -> None:
        item = codec.item(
            {
                _KEY: _session_key(session.token_hash),
                "subject": session.subject,
                "valid_until": stored_time(session.expires_at),
                _TTL: retention.epoch_seconds(session.expires_at),
                "context": session.context,
            }
        )
        with translate_errors("DynamoDB"):
            self.dynamodb.put_item(TableName=self.table, Item=item)

    def get_session(self, token_hash: str) -> StoredSession | None:
        found = get_item(self.dynamodb, self.table, {_KEY: _session_key(token_hash)})
        if found is None:
            return None
        return StoredSession(
            token_hash=token_hash,
            subject=found["subject"],
            expires_at=datetime.fromisoformat(found["valid_until"]),
            context=found.get("context", ""),
        )
