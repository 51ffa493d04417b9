"""DynamoDB: the cookie consents and visits tables. The only code that knows their item layout."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.aws import (
    conditional,
    get_item,
    put_new,
    put_new_request,
    query_items,
    query_page,
    transact,
    translate_errors,
)
from policybound.adapters.codec import read_time, stored_time
from policybound.domain.cookies.consents import CookieChoice, CookieConsent
from policybound.domain.cookies.visits import Visit
from policybound.domain.core import retention


def consent_item(consent: CookieConsent) -> dict[str, Any]:
    return codec.item(
        {
            "consent_id": consent.consent_id,
            "choice": consent.choice.value,
            "categories": list(consent.categories),
            "policy_version": consent.policy_version,
            "recorded_at": stored_time(consent.recorded_at),
            tables.COOKIE_CONSENT_TTL_ATTRIBUTE: retention.epoch_seconds(consent.expires_at),
        }
    )


WITHDRAWN_ATTRIBUTE = "withdrawn_at"
# A transaction holds at most 100 items.
_DELETE_BATCH = 100


def visit_expiry_shard(visit_id: str) -> str:
    return str(hashlib.sha256(visit_id.encode()).digest()[0] % tables.VISIT_EXPIRY_SHARDS)


VISIT_EXPIRY_SHARDS: tuple[str, ...] = tuple(str(shard) for shard in range(tables.VISIT_EXPIRY_SHARDS))


def _consent(values: dict[str, Any]) -> CookieConsent:
    return CookieConsent(
        consent_id=values["consent_id"],
        choice=CookieChoice(values["choice"]),
        categories=tuple(values["categories"]),
        policy_version=values["policy_version"],
        recorded_at=datetime.fromisoformat(values["recorded_at"]),
        expires_at=retention.from_epoch(values[tables.COOKIE_CONSENT_TTL_ATTRIBUTE]),
        withdrawn_at=read_time(values.get(WITHDRAWN_ATTRIBUTE)),
    )


def consent_from_item(item: dict[str, Any]) -> CookieConsent:
    return _consent(codec.plain(item))


def visit_item(visit: Visit) -> dict[str, Any]:
    return codec.item(
        {
            "visit_id": visit.visit_id,
            "page": visit.page,
            "visited_at": stored_time(visit.visited_at),
            tables.VISIT_TTL_ATTRIBUTE: retention.epoch_seconds(visit.expires_at),
            "consent_id": visit.consent_id,
            tables.VISITS_BY_EXPIRY.partition.name: visit_expiry_shard(visit.visit_id),
            "source_ip": visit.source_ip or None,
        }
    )


def _consent_key(consent_id: str) -> dict[str, Any]:
    return codec.item({"consent_id": consent_id})


@dataclass(eq=False, repr=False)
class DynamoCookieConsentStore:
    """Cookie consents, one item each, read and marked withdrawn by consent id."""

    dynamodb: Any
    table: str

    def put(self, consent: CookieConsent) -> None:
        put_new(self.dynamodb, self.table, consent_item(consent), "consent_id")

    def get(self, consent_id: str) -> CookieConsent | None:
        found = get_item(self.dynamodb, self.table, {"consent_id": consent_id}, consistent=False)
        return _consent(found) if found else None

    def mark_withdrawn(self, consent_id: str, at: datetime) -> bool:
        marked = conditional(
            self.dynamodb.update_item,
            {":at": stored_time(at)},
            TableName=self.table,
            Key=_consent_key(consent_id),
            # A second withdrawal keeps the first time: it only finishes what the first began.
            UpdateExpression="SET #w = if_not_exists(#w, :at)",
            ConditionExpression="attribute_exists(consent_id)",
            ExpressionAttributeNames={"#w": WITHDRAWN_ATTRIBUTE},
        )
        return marked is not None

    def delete(self, consent_id: str) -> None:
        with translate_errors("DynamoDB"):
            self.dynamodb.delete_item(TableName=self.table, Key=_consent_key(consent_id))


@dataclass(eq=False, repr=False)
class DynamoVisitStore:
    """Visits, written only while their consent stands, and swept through the sparse expiry index."""

    dynamodb: Any
    table: str
    consents_table: str

    def put(self, visit: Visit) -> bool:
        # The consent is checked in the same transaction: a visit never outlives a withdrawal that
        # was under way when it arrived.
        consent_stands = {
            "ConditionCheck": {
                "TableName": self.consents_table,
                "Key": _consent_key(visit.consent_id),
                "ConditionExpression": "attribute_exists(consent_id) AND attribute_not_exists(#w)",
                "ExpressionAttributeNames": {"#w": WITHDRAWN_ATTRIBUTE},
            }
        }
        put = put_new_request(self.table, visit_item(visit), "visit_id")
        return transact(self.dynamodb, [consent_stands, put]) is None

    def delete(self, visit_ids: list[str]) -> None:
        for start in range(0, len(visit_ids), _DELETE_BATCH):
            batch = visit_ids[start : start + _DELETE_BATCH]
            with translate_errors("DynamoDB"):
                self.dynamodb.transact_write_items(
                    TransactItems=[
                        {"Delete": {"TableName": self.table, "Key": codec.item({"visit_id": visit_id})}}
                        for visit_id in batch
                    ]
                )

    def delete_of_consent(self, consent_id: str) -> int:
        found = query_items(
            self.dynamodb,
            TableName=self.table,
            IndexName=tables.VISITS_BY_CONSENT.name,
            KeyConditionExpression=f"{tables.VISITS_BY_CONSENT.partition.name} = :c",
            ExpressionAttributeValues=codec.item({":c": consent_id}),
        )
        ids = [item["visit_id"] for item in found]
        self.delete(ids)
        return len(ids)

    def due(self, shard: str, now_epoch: int, limit: int, after: str | None = None) -> tuple[list[str], str | None]:
        request = {
            "TableName": self.table,
            "IndexName": tables.VISITS_BY_EXPIRY.name,
            "KeyConditionExpression": f"{tables.VISITS_BY_EXPIRY.partition.name} = :s AND #e <= :now",
            "ExpressionAttributeNames": {"#e": tables.VISIT_TTL_ATTRIBUTE},
            "ExpressionAttributeValues": codec.item({":s": shard, ":now": now_epoch}),
        }
        items, last = query_page(self.dynamodb, request, limit, after)
        return [item["visit_id"] for item in items], last
