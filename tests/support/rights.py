"""The rights area's services over in-memory fakes, with a clock tests can move."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from policybound.catalogue import Resource
from policybound.domain.core.model import Representative, RequestOrigin
from policybound.domain.core.records import RecordReader
from policybound.domain.core.sealing import EnvelopeSealer
from policybound.domain.intake.service import ConsentGiven, IntakeService
from policybound.domain.purposes.resource_delivery import ResourceDelivery
from policybound.domain.retention.destruction import Destroyer
from policybound.domain.rights.corrections import Corrector
from policybound.domain.rights.disclosures import DisclosureService
from policybound.domain.rights.guardians import GuardianConfirmations
from policybound.domain.rights.requests import RightsRequestService
from policybound.domain.rights.service import SESSION_VALID_FOR, RightsService
from policybound.domain.rights.verification import OneTimeCodes, Sessions
from policybound.domain.rights.withdrawal import PurposeWithdrawals
from policybound.domain.staff.access_records import AccessRecorder
from policybound.domain.staff.actor import Actor
from policybound.policy import FORMS, POLICY_VERSION, FormId
from tests.conftest import NOW, VALID_FIELDS
from tests.support.fakes import FakeBlindIndex, FakeKeks, FakeMailer
from tests.support.rights_fakes import (
    FakeDisclosureStore,
    FakeKeyedHash,
    FakeRightsRequestStore,
    FakeRightsStore,
    FakeVerificationStore,
)

DECOY = "success@simulator.amazonses.com"
MANAGER = Actor("sub-manager", "manager", "198.51.100.20", manager=True)
STAFF_ROUTE = "POST /v1/staff/test"
CODE = re.compile(r"^\s+(\d{6})$", re.MULTILINE)
GUARDIAN_CODE = re.compile(r"(?:동의 코드|Consent code): (\d{6})")


class MovableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class RightsWorld:
    clock: MovableClock
    store: FakeRightsStore
    mailer: FakeMailer
    verifications: FakeVerificationStore
    hasher: FakeKeyedHash
    disclosure_store: FakeDisclosureStore
    request_store: FakeRightsRequestStore
    blind_index: FakeBlindIndex
    intake: IntakeService
    reader: RecordReader
    destroyer: Destroyer
    disclosures: DisclosureService
    corrector: Corrector
    withdrawals: PurposeWithdrawals
    guardians: GuardianConfirmations
    rights: RightsService
    requests: RightsRequestService
    sealer: EnvelopeSealer
    submitted: list[str] = field(default_factory=list)

    def submit(
        self,
        form: str = "contact-us",
        representative: Representative | None = None,
        optional: bool = True,
        marketing: bool = False,
        **overrides: str,
    ) -> str:
        policy = FORMS[FormId(form)]
        items = VALID_FIELDS[form] | overrides
        if "contact" in items:
            items["contact"] = "+821012345678"
        consent = ConsentGiven(True, optional, POLICY_VERSION, under_14=representative is not None, marketing=marketing)
        receipt = self.intake.submit(
            policy, dict(items), consent, RequestOrigin("203.0.113.7", "pytest"), representative
        )
        self.submitted.append(receipt.submission_id)
        return receipt.submission_id

    def last_code(self, to: str) -> str:
        mail = next(m for m in reversed(self.mailer.sent) if m.to == (to,))
        match = CODE.search(mail.text) or GUARDIAN_CODE.search(mail.text)
        assert match, mail.text
        return match.group(1)

    def session_for(self, email: str, kind: Any = None) -> str:
        from policybound.domain.rights.service import RightsKind

        self.rights.request_code(email, kind or RightsKind.ACCESS)
        return self.rights.open_session(email, self.last_code(email)).token


class FakeResourceLinks:
    """Presigned links as S3 makes them, without S3: the file's key and how long the link works."""

    def link(self, resource: Resource, valid_for_seconds: int) -> str:
        return f"https://files.example.com/{resource.object_key}?X-Amz-Expires={valid_for_seconds}"


def build_world(now: datetime = NOW) -> RightsWorld:
    clock = MovableClock(now)
    store, mailer, keks = FakeRightsStore(), FakeMailer(), FakeKeks()
    sealer = EnvelopeSealer(keks)
    blind_index = FakeBlindIndex()
    verifications, hasher = FakeVerificationStore(), FakeKeyedHash()
    codes = OneTimeCodes(verifications, hasher, clock)
    reader = RecordReader(store, sealer, clock)
    resources = ResourceDelivery(FakeResourceLinks(), mailer)
    guardians = GuardianConfirmations(
        store,
        codes,
        mailer,
        clock,
        confirm_url=lambda sid: f"https://www.example.com/rights.html?confirm={sid}",
        reader=reader,
        resources=resources,
    )
    intake = IntakeService(
        store=store,
        sealer=sealer,
        blind_index=blind_index,
        mailer=mailer,
        clock=clock,
        unsubscribe_url=lambda token: f"https://api.example.com/v1/unsubscribe?token={token}",
        guardians=guardians,
        resources=resources,
    )
    destroyer = Destroyer(store, clock)
    disclosure_store = FakeDisclosureStore()
    disclosures = DisclosureService(disclosure_store, reader, mailer, clock)
    corrector = Corrector(store, reader, sealer, blind_index, disclosures, clock)
    withdrawals = PurposeWithdrawals(store, reader, destroyer, clock)
    rights = RightsService(
        store=store,
        reader=reader,
        destroyer=destroyer,
        corrector=corrector,
        withdrawals=withdrawals,
        disclosures=disclosures,
        codes=codes,
        sessions=Sessions(verifications, clock, SESSION_VALID_FOR),
        blind_index=blind_index,
        mailer=mailer,
        ledger=store.ledger,
        clock=clock,
        decoy_recipient=DECOY,
    )
    request_store = FakeRightsRequestStore()
    requests = RightsRequestService(
        request_store, store, reader, destroyer, corrector, blind_index, AccessRecorder(store.ledger, clock), clock
    )
    return RightsWorld(
        clock=clock,
        store=store,
        mailer=mailer,
        verifications=verifications,
        hasher=hasher,
        disclosure_store=disclosure_store,
        request_store=request_store,
        blind_index=blind_index,
        intake=intake,
        reader=reader,
        destroyer=destroyer,
        disclosures=disclosures,
        corrector=corrector,
        withdrawals=withdrawals,
        guardians=guardians,
        rights=rights,
        requests=requests,
        sealer=sealer,
    )
