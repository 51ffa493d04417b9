"""One in-memory world for the retention tests: intake, sweeper, unsubscribe and legal holds over the
same fakes and one movable clock."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

from policybound import tables
from policybound.adapters import codec
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.ledger import LedgerEntry, LedgerKind
from policybound.domain.core.model import Receipt, RequestOrigin
from policybound.domain.intake.service import ConsentGiven
from policybound.domain.retention.sweeper import Sweeper
from policybound.domain.retention.unsubscribe import letter_unsubscribe_token
from policybound.policy import FORMS, POLICY_VERSION, FormId
from tests.conftest import NOW, VALID_FIELDS
from tests.support.ports import FakePorts, fake_services
from tests.support.rights_fakes import FakeRightsStore

ORIGIN = RequestOrigin(source_ip="203.0.113.9", user_agent="pytest")
STAFF_ID = "0b7e4c1e-staff-manager"


def every_pi_value() -> list[str]:
    return [value for fields in VALID_FIELDS.values() for value in fields.values()]


class World:
    """The production service graph over in-memory ports, at a clock tests move with `at`."""

    def __init__(self, store: FakeRightsStore | None = None) -> None:
        self.clock = FixedClock(NOW)
        self.services = fake_services(self.clock, FakePorts(store or FakeRightsStore()))
        ports = self.services.ports
        self.store, self.mailer, self.blind_index, self.keyed_hash = (
            ports.store,
            ports.mailer,
            ports.blind_index,
            ports.keyed_hash,
        )
        self.hold_store = ports.legal_hold_store
        self.sealer, self.reader, self.destroyer = self.services.sealer, self.services.reader, self.services.destroyer
        self.intake, self.unsubscribe, self.holds = (
            self.services.intake,
            self.services.unsubscribe,
            self.services.legal_holds,
        )
        # Small pages, so that a handful of records already spans several.
        self.sweeper = Sweeper(self.store, self.destroyer, self.clock, ports.expiry_shards, batch_size=3)

    def submit(self, form: str = "contact-us", **overrides: str) -> Receipt:
        items = dict(VALID_FIELDS[form]) | overrides
        consent = ConsentGiven(required=True, optional=True, policy_version=POLICY_VERSION)
        return self.intake.submit(FORMS[FormId(form)], items, consent, ORIGIN)

    def subscribe(self, **overrides: str) -> tuple[Receipt, str]:
        """A blog subscription and the token of its mailed unsubscribe link."""
        receipt = self.submit("blog-subscription", **overrides)
        link = self.mailer.sent[-1].headers["List-Unsubscribe"].strip("<>")
        return receipt, parse_qs(urlparse(link).query)["token"][0]

    def download(self, marketing: bool = True) -> tuple[Receipt, str]:
        """A resources download and the token of the unsubscribe link a letter would carry to it."""
        items = dict(VALID_FIELDS["resources-download"])
        consent = ConsentGiven(required=True, optional=True, policy_version=POLICY_VERSION, marketing=marketing)
        receipt = self.intake.submit(FORMS[FormId.RESOURCES_DOWNLOAD], items, consent, ORIGIN)
        return receipt, letter_unsubscribe_token(receipt.submission_id, self.keyed_hash)

    def at(self, moment: datetime) -> World:
        self.clock.at = moment
        return self

    def ledger(self, kind: LedgerKind) -> list[LedgerEntry]:
        return self.store.ledger.entries(kind, limit=10_000)

    def exists(self, submission_id: str) -> bool:
        return submission_id in self.store.records or submission_id in self.store.keys

    def ledger_text(self) -> str:
        return json.dumps(
            [dict(entry.payload) for entries in self.store.ledger.chains.values() for entry in entries],
            ensure_ascii=False,
        )


# --- DynamoDB stream events, in the shape Lambda receives them --------------------------------

TTL_IDENTITY = tables.TTL_REMOVAL_IDENTITY
STREAM_ARN = (
    "arn:aws:dynamodb:ap-northeast-2:123456789012:table/policybound-local-records/stream/2026-11-30T05:00:00.000"
)


def stream_record(
    event_name: str, item: dict[str, Any], sequence: int, identity: dict[str, str] | None = None
) -> dict[str, Any]:
    # An OLD_IMAGE stream carries the item as it was before the change; an insert has no "before".
    image = {} if event_name == "INSERT" else {"OldImage": codec.stream_image(item)}
    record: dict[str, Any] = {
        "eventID": f"event-{sequence}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "ap-northeast-2",
        "dynamodb": {
            "ApproximateCreationDateTime": 1_956_528_000,
            "Keys": {"submission_id": item["submission_id"]},
            **image,
            "SequenceNumber": str(100_000_000 + sequence),
            "SizeBytes": 512,
            "StreamViewType": "OLD_IMAGE",
        },
        "eventSourceARN": STREAM_ARN,
    }
    if identity is not None:
        record["userIdentity"] = identity
    return record


def stream_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}
