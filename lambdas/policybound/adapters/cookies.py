"""DynamoDB: the cookie consents and visits tables. The only code that knows their item layout."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from policybound import tables
from policybound.adapters.aws import translate_errors
from policybound.domain.cookies.consents import CookieChoice, CookieConsent
from policybound.domain.cookies.visits import Visit
from policybound.domain.core import retention


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def consent_item(consent: CookieConsent) -> dict[str, Any]:
    return {
        "consent_id": {"S": consent.consent_id},
        "choice": {"S": consent.choice.value},
        "categories": {"L": [{"S": name} for name in consent.categories]},
        "policy_version": {"S": consent.policy_version},
        "recorded_at": {"S": _time(consent.recorded_at)},
        tables.COOKIE_CONSENT_TTL_ATTRIBUTE: {"N": str(retention.epoch_seconds(consent.expires_at))},
    }


def consent_from_item(item: dict[str, Any]) -> CookieConsent:
    return CookieConsent(
        consent_id=item["consent_id"]["S"],
        choice=CookieChoice(item["choice"]["S"]),
        categories=tuple(value["S"] for value in item["categories"]["L"]),
        policy_version=item["policy_version"]["S"],
        recorded_at=datetime.fromisoformat(item["recorded_at"]["S"]),
        expires_at=retention.from_epoch(int(item[tables.COOKIE_CONSENT_TTL_ATTRIBUTE]["N"])),
    )


def visit_item(visit: Visit) -> dict[str, Any]:
    item: dict[str, Any] = {
        "visit_id": {"S": visit.visit_id},
        "page": {"S": visit.page},
        "visited_at": {"S": _time(visit.visited_at)},
        tables.VISIT_TTL_ATTRIBUTE: {"N": str(retention.epoch_seconds(visit.expires_at))},
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


class DynamoVisitStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def put(self, visit: Visit) -> None:
        with translate_errors("DynamoDB"):
            self._db.put_item(
                TableName=self._table, Item=visit_item(visit), ConditionExpression="attribute_not_exists(visit_id)"
            )
