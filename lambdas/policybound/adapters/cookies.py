"""DynamoDB: the cookie consents and visits tables. The only code that knows their item layout."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound import tables
from policybound.adapters.aws import error_code, stored_time, translate_errors
from policybound.domain.cookies.consents import CookieChoice, CookieConsent
from policybound.domain.cookies.visits import Visit
from policybound.domain.core import retention


def consent_item(consent: CookieConsent) -> dict[str, Any]:
    return {
        "consent_id": {"S": consent.consent_id},
        "choice": {"S": consent.choice.value},
        "categories": {"L": [{"S": name} for name in consent.categories]},
        "policy_version": {"S": consent.policy_version},
        "recorded_at": {"S": stored_time(consent.recorded_at)},
        tables.COOKIE_CONSENT_TTL_ATTRIBUTE: {"N": str(retention.epoch_seconds(consent.expires_at))},
    }


WITHDRAWN_ATTRIBUTE = "withdrawn_at"
# A transaction holds at most 100 items.
_DELETE_BATCH = 100


def visit_expiry_shard(visit_id: str) -> str:
    return str(hashlib.sha256(visit_id.encode()).digest()[0] % tables.VISIT_EXPIRY_SHARDS)


VISIT_EXPIRY_SHARDS: tuple[str, ...] = tuple(str(shard) for shard in range(tables.VISIT_EXPIRY_SHARDS))


def consent_from_item(item: dict[str, Any]) -> CookieConsent:
    withdrawn = item.get(WITHDRAWN_ATTRIBUTE)
    return CookieConsent(
        consent_id=item["consent_id"]["S"],
        choice=CookieChoice(item["choice"]["S"]),
        categories=tuple(value["S"] for value in item["categories"]["L"]),
        policy_version=item["policy_version"]["S"],
        recorded_at=datetime.fromisoformat(item["recorded_at"]["S"]),
        expires_at=retention.from_epoch(int(item[tables.COOKIE_CONSENT_TTL_ATTRIBUTE]["N"])),
        withdrawn_at=datetime.fromisoformat(withdrawn["S"]) if withdrawn else None,
    )


def visit_item(visit: Visit) -> dict[str, Any]:
    item: dict[str, Any] = {
        "visit_id": {"S": visit.visit_id},
        "page": {"S": visit.page},
        "visited_at": {"S": stored_time(visit.visited_at)},
        tables.VISIT_TTL_ATTRIBUTE: {"N": str(retention.epoch_seconds(visit.expires_at))},
        "consent_id": {"S": visit.consent_id},
        "expiry_shard": {"S": visit_expiry_shard(visit.visit_id)},
    }
    if visit.source_ip:
        item["source_ip"] = {"S": visit.source_ip}
    return item


class DynamoCookieConsentStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def put(self, consent: CookieConsent) -> None:
        with translate_errors("DynamoDB"):
            self._db.put_item(
                TableName=self._table,
                Item=consent_item(consent),
                ConditionExpression="attribute_not_exists(consent_id)",
            )

    def get(self, consent_id: str) -> CookieConsent | None:
        with translate_errors("DynamoDB"):
            response = self._db.get_item(TableName=self._table, Key={"consent_id": {"S": consent_id}})
        item = response.get("Item")
        return consent_from_item(item) if item else None

    def mark_withdrawn(self, consent_id: str, at: datetime) -> bool:
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.update_item(
                    TableName=self._table,
                    Key={"consent_id": {"S": consent_id}},
                    # A second withdrawal keeps the first time: it only finishes what the first began.
                    UpdateExpression="SET #w = if_not_exists(#w, :at)",
                    ConditionExpression="attribute_exists(consent_id)",
                    ExpressionAttributeNames={"#w": WITHDRAWN_ATTRIBUTE},
                    ExpressionAttributeValues={":at": {"S": stored_time(at)}},
                )
        except ClientError:
            return False
        return True

    def delete(self, consent_id: str) -> None:
        with translate_errors("DynamoDB"):
            self._db.delete_item(TableName=self._table, Key={"consent_id": {"S": consent_id}})


class DynamoVisitStore:
    def __init__(self, dynamodb: Any, table: str, consents_table: str) -> None:
        self._db = dynamodb
        self._table = table
        self._consents = consents_table

    def put(self, visit: Visit) -> bool:
        # The consent is checked in the same transaction: a visit never outlives a withdrawal that
        # was under way when it arrived.
        try:
            with translate_errors("DynamoDB", passthrough=("TransactionCanceledException",)):
                self._db.transact_write_items(
                    TransactItems=[
                        {
                            "ConditionCheck": {
                                "TableName": self._consents,
                                "Key": {"consent_id": {"S": visit.consent_id}},
                                "ConditionExpression": "attribute_exists(consent_id) AND attribute_not_exists(#w)",
                                "ExpressionAttributeNames": {"#w": WITHDRAWN_ATTRIBUTE},
                            }
                        },
                        {
                            "Put": {
                                "TableName": self._table,
                                "Item": visit_item(visit),
                                "ConditionExpression": "attribute_not_exists(visit_id)",
                            }
                        },
                    ]
                )
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            return False
        return True

    def _query_ids(self, request: dict[str, Any]) -> list[str]:
        ids: list[str] = []
        with translate_errors("DynamoDB"):
            while True:
                response = self._db.query(**request)
                ids += [item["visit_id"]["S"] for item in response.get("Items", [])]
                if "LastEvaluatedKey" not in response:
                    return ids
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def delete(self, visit_ids: list[str]) -> None:
        for start in range(0, len(visit_ids), _DELETE_BATCH):
            batch = visit_ids[start : start + _DELETE_BATCH]
            with translate_errors("DynamoDB"):
                self._db.transact_write_items(
                    TransactItems=[
                        {"Delete": {"TableName": self._table, "Key": {"visit_id": {"S": visit_id}}}}
                        for visit_id in batch
                    ]
                )

    def delete_of_consent(self, consent_id: str) -> int:
        ids = self._query_ids(
            {
                "TableName": self._table,
                "IndexName": "by_consent",
                "KeyConditionExpression": "consent_id = :c",
                "ExpressionAttributeValues": {":c": {"S": consent_id}},
            }
        )
        self.delete(ids)
        return len(ids)

    def due(self, shard: str, now_epoch: int, limit: int, after: str | None = None) -> tuple[list[str], str | None]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "by_expiry",
            "KeyConditionExpression": "expiry_shard = :s AND #e <= :now",
            "ExpressionAttributeNames": {"#e": tables.VISIT_TTL_ATTRIBUTE},
            "ExpressionAttributeValues": {":s": {"S": shard}, ":now": {"N": str(now_epoch)}},
            "Limit": limit,
        }
        if after:
            request["ExclusiveStartKey"] = json.loads(after)
        with translate_errors("DynamoDB"):
            response = self._db.query(**request)
        last = response.get("LastEvaluatedKey")
        return [item["visit_id"]["S"] for item in response.get("Items", [])], json.dumps(last) if last else None
