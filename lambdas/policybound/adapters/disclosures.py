"""DynamoDB: provisions to third parties, one item per provided record (§3), with its notices (§6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policybound import tables
from policybound.adapters import codec
from policybound.adapters.aws import conditional, put_new_request, query_items, update_request
from policybound.adapters.codec import stored_time
from policybound.adapters.ledger import DynamoLedger
from policybound.domain.core import retention
from policybound.domain.core.ledger import LedgerDraft
from policybound.domain.rights.disclosures import CorrectionNotice, Disclosure, LawEnforcement, Recipient
from policybound.policy import LegalBasis


def _notice(notice: CorrectionNotice) -> dict[str, Any]:
    return {"sent_at": stored_time(notice.sent_at), "items": list(notice.items)}


def disclosure_item(disclosure: Disclosure) -> dict[str, Any]:
    law = disclosure.law_enforcement
    return codec.item(
        {
            "submission_id": disclosure.submission_id,
            "disclosure_id": disclosure.disclosure_id,
            "recipient_name": disclosure.recipient.name,
            "recipient_email": disclosure.recipient.email,
            "items": list(disclosure.items),
            "legal_basis": disclosure.legal_basis.value,
            "provided_at": stored_time(disclosure.provided_at),
            "provided_by": disclosure.provided_by,
            "notices": [_notice(n) for n in disclosure.notices],
            tables.DISCLOSURE_TTL_ATTRIBUTE: retention.epoch_seconds(disclosure.keep_until),
            "consent_reference": disclosure.consent_reference,
            "law_enforcement": {
                "agency": law.agency,
                "legal_provision": law.legal_provision,
                "case_number": law.case_number,
            }
            if law is not None
            else None,
            "pending_items": set(disclosure.pending_items) or None,
        }
    )


def _disclosure(values: dict[str, Any]) -> Disclosure:
    law = values.get("law_enforcement")
    return Disclosure(
        disclosure_id=values["disclosure_id"],
        submission_id=values["submission_id"],
        recipient=Recipient(values["recipient_name"], values["recipient_email"]),
        items=tuple(values["items"]),
        legal_basis=LegalBasis(values["legal_basis"]),
        provided_at=datetime.fromisoformat(values["provided_at"]),
        provided_by=values["provided_by"],
        keep_until=retention.from_epoch(values[tables.DISCLOSURE_TTL_ATTRIBUTE]),
        consent_reference=values.get("consent_reference"),
        law_enforcement=LawEnforcement(law["agency"], law["legal_provision"], law["case_number"]) if law else None,
        notices=tuple(
            CorrectionNotice(datetime.fromisoformat(n["sent_at"]), tuple(n["items"])) for n in values.get("notices", [])
        ),
        pending_items=tuple(sorted(values.get("pending_items", ()))),
    )


@dataclass(eq=False, repr=False)
class DynamoDisclosureStore:
    """Provisions to third parties, each written with its ledger entry in one transaction."""

    dynamodb: Any
    table: str
    ledger: DynamoLedger

    def record(self, disclosures: Sequence[Disclosure], entry: LedgerDraft) -> None:
        puts = [put_new_request(self.table, disclosure_item(d), "disclosure_id") for d in disclosures]
        self.ledger.append_with_new(puts, entry, "provision already recorded")

    def of_record(self, submission_id: str) -> list[Disclosure]:
        found = query_items(
            self.dynamodb,
            TableName=self.table,
            KeyConditionExpression="submission_id = :s",
            ExpressionAttributeValues=codec.item({":s": submission_id}),
            ConsistentRead=True,
        )
        return sorted((_disclosure(item) for item in found), key=lambda d: d.provided_at)

    def add_pending(self, submission_id: str, disclosure_id: str, items: Sequence[str]) -> None:
        conditional(
            self.dynamodb.update_item,
            {":items": set(items)},
            TableName=self.table,
            Key=codec.item({"submission_id": submission_id, "disclosure_id": disclosure_id}),
            UpdateExpression="ADD pending_items :items",
            # Never create a bare item: a provision TTL removed meanwhile needs no notice.
            ConditionExpression="attribute_exists(disclosure_id)",
        )

    def notice_sent(self, disclosure: Disclosure, notice: CorrectionNotice, entry: LedgerDraft) -> None:
        update = update_request(
            self.table,
            {"submission_id": disclosure.submission_id, "disclosure_id": disclosure.disclosure_id},
            "SET notices = list_append(if_not_exists(notices, :none), :notice) DELETE pending_items :sent",
            values={":none": [], ":notice": [_notice(notice)], ":sent": set(notice.items)},
        )
        self.ledger.append_with([update], entry)
