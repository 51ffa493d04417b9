"""DynamoDB: provisions to third parties, one item per provided record (§3), with its notices (§6)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from policybound import tables
from policybound.adapters.aws import stored_time, translate_errors
from policybound.adapters.ledger import DynamoLedger
from policybound.domain.core import retention
from policybound.domain.core.errors import Unavailable
from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.rights.disclosures import CorrectionNotice, Disclosure, LawEnforcement, Recipient
from policybound.policy import LegalBasis


def _strings(values: Sequence[str]) -> dict[str, Any]:
    return {"L": [{"S": value} for value in values]}


def _notice(notice: CorrectionNotice) -> dict[str, Any]:
    return {"M": {"sent_at": {"S": stored_time(notice.sent_at)}, "items": _strings(notice.items)}}


def disclosure_item(disclosure: Disclosure) -> dict[str, Any]:
    item: dict[str, Any] = {
        "submission_id": {"S": disclosure.submission_id},
        "disclosure_id": {"S": disclosure.disclosure_id},
        "recipient_name": {"S": disclosure.recipient.name},
        "recipient_email": {"S": disclosure.recipient.email},
        "items": _strings(disclosure.items),
        "legal_basis": {"S": disclosure.legal_basis.value},
        "provided_at": {"S": stored_time(disclosure.provided_at)},
        "provided_by": {"S": disclosure.provided_by},
        "notices": {"L": [_notice(n) for n in disclosure.notices]},
        tables.DISCLOSURE_TTL_ATTRIBUTE: {"N": str(retention.epoch_seconds(disclosure.keep_until))},
    }
    if disclosure.consent_reference is not None:
        item["consent_reference"] = {"S": disclosure.consent_reference}
    if disclosure.law_enforcement is not None:
        law = disclosure.law_enforcement
        item["law_enforcement"] = {
            "M": {
                "agency": {"S": law.agency},
                "legal_provision": {"S": law.legal_provision},
                "case_number": {"S": law.case_number},
            }
        }
    if disclosure.pending_items:
        item["pending_items"] = {"SS": list(disclosure.pending_items)}
    return item


def disclosure_from_item(item: dict[str, Any]) -> Disclosure:
    law = item.get("law_enforcement", {}).get("M")
    return Disclosure(
        disclosure_id=item["disclosure_id"]["S"],
        submission_id=item["submission_id"]["S"],
        recipient=Recipient(item["recipient_name"]["S"], item["recipient_email"]["S"]),
        items=tuple(v["S"] for v in item["items"]["L"]),
        legal_basis=LegalBasis(item["legal_basis"]["S"]),
        provided_at=datetime.fromisoformat(item["provided_at"]["S"]),
        provided_by=item["provided_by"]["S"],
        keep_until=retention.from_epoch(int(item[tables.DISCLOSURE_TTL_ATTRIBUTE]["N"])),
        consent_reference=item.get("consent_reference", {}).get("S"),
        law_enforcement=LawEnforcement(law["agency"]["S"], law["legal_provision"]["S"], law["case_number"]["S"])
        if law
        else None,
        notices=tuple(
            CorrectionNotice(
                datetime.fromisoformat(n["M"]["sent_at"]["S"]), tuple(v["S"] for v in n["M"]["items"]["L"])
            )
            for n in item.get("notices", {}).get("L", [])
        ),
        pending_items=tuple(sorted(item.get("pending_items", {}).get("SS", []))),
    )


class DynamoDisclosureStore:
    def __init__(self, dynamodb: Any, table: str, ledger: DynamoLedger) -> None:
        self._db = dynamodb
        self._table = table
        self._ledger = ledger

    def _key(self, submission_id: str, disclosure_id: str) -> dict[str, Any]:
        return {"submission_id": {"S": submission_id}, "disclosure_id": {"S": disclosure_id}}

    def record(self, disclosures: Sequence[Disclosure], entry: LedgerDraft) -> None:
        puts = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": disclosure_item(disclosure),
                    "ConditionExpression": "attribute_not_exists(disclosure_id)",
                }
            }
            for disclosure in disclosures
        ]
        if self._ledger.append_with(puts, entry) is not None:
            # Ids are fresh UUIDs: a collision means a retried write already landed, never a real clash.
            raise Unavailable("DynamoDB (provision already recorded)")

    def of_record(self, submission_id: str) -> list[Disclosure]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "submission_id = :s",
            "ExpressionAttributeValues": {":s": {"S": submission_id}},
            "ConsistentRead": True,
        }
        found: list[Disclosure] = []
        with translate_errors("DynamoDB"):
            while True:
                response = self._db.query(**request)
                found += [disclosure_from_item(item) for item in response.get("Items", [])]
                if "LastEvaluatedKey" not in response:
                    return sorted(found, key=lambda d: d.provided_at)
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def add_pending(self, submission_id: str, disclosure_id: str, items: Sequence[str]) -> None:
        try:
            with translate_errors("DynamoDB", passthrough=("ConditionalCheckFailedException",)):
                self._db.update_item(
                    TableName=self._table,
                    Key=self._key(submission_id, disclosure_id),
                    UpdateExpression="ADD pending_items :items",
                    # Never create a bare item: a provision TTL removed meanwhile needs no notice.
                    ConditionExpression="attribute_exists(disclosure_id)",
                    ExpressionAttributeValues={":items": {"SS": list(items)}},
                )
        except ClientError:
            pass

    def notice_sent(self, disclosure: Disclosure, notice: CorrectionNotice, entry: LedgerDraft) -> None:
        update = {
            "Update": {
                "TableName": self._table,
                "Key": self._key(disclosure.submission_id, disclosure.disclosure_id),
                "UpdateExpression": "SET notices = list_append(if_not_exists(notices, :none), :notice) "
                "DELETE pending_items :sent",
                "ExpressionAttributeValues": {
                    ":none": {"L": []},
                    ":notice": {"L": [_notice(notice)]},
                    ":sent": {"SS": list(notice.items)},
                },
            }
        }
        self._ledger.append_with([update], entry)
