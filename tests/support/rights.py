"""The rights area's services over in-memory fakes, with a clock tests can move."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from policybound.domain.core.model import Representative, RequestOrigin
from policybound.domain.core.records import RecordReader
from policybound.domain.core.sealing import EnvelopeSealer
from policybound.domain.intake.service import ConsentGiven, IntakeService
from policybound.domain.retention.destruction import Destroyer
from policybound.domain.retention.withdrawal import PurposeWithdrawals
from policybound.domain.rights.corrections import Corrector
from policybound.domain.rights.disclosures import DisclosureService
from policybound.domain.rights.guardians import GuardianConfirmations
from policybound.domain.rights.requests import RightsRequestService
from policybound.domain.rights.service import RightsService
from policybound.domain.staff.actor import Actor
from policybound.policy import FORMS, POLICY_VERSION, FormId
from policybound.services import SES_MAILBOX_SIMULATOR, Services
from tests.conftest import NOW, VALID_FIELDS
from tests.support.fakes import FakeBlindIndex, FakeMailer
from tests.support.ports import FakePorts, MovableClock, fake_services
from tests.support.rights_fakes import (
    FakeDisclosureStore,
    FakeKeyedHash,
    FakeRightsRequestStore,
    FakeRightsStore,
    FakeVerificationStore,
)

DECOY = SES_MAILBOX_SIMULATOR
MANAGER = Actor("sub-manager", "manager", "198.51.100.20", manager=True)
STAFF_ROUTE = "POST /v1/staff/test"
CODE = re.compile(r"^\s+(\d{6})$", re.MULTILINE)
GUARDIAN_CODE = re.compile(r"(?:동의 코드|Consent code): (\d{6})")
# An address with a record, and one without.
KNOWN = VALID_FIELDS["contact-us"]["email"]
UNKNOWN = "nobody-here@example.co.kr"


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
    services: Services[FakePorts]
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


def build_world(now: datetime = NOW) -> RightsWorld:
    clock = MovableClock(now)
    return world_of(fake_services(clock), clock)


def world_of(services: Services[FakePorts], clock: MovableClock) -> RightsWorld:
    """The rights area of these services (whose clock is `clock`)."""
    ports = services.ports
    return RightsWorld(
        clock=clock,
        store=ports.store,
        mailer=ports.mailer,
        verifications=ports.verifications,
        hasher=ports.keyed_hash,
        disclosure_store=ports.disclosure_store,
        request_store=ports.rights_request_store,
        blind_index=ports.blind_index,
        intake=services.intake,
        reader=services.reader,
        destroyer=services.destroyer,
        disclosures=services.disclosures,
        corrector=services.corrector,
        withdrawals=services.purpose_withdrawals,
        guardians=services.guardians,
        rights=services.rights,
        requests=services.rights_requests,
        sealer=services.sealer,
        services=services,
    )


def world_with_an_inquiry(email: str = KNOWN) -> RightsWorld:
    """A world holding one inquiry of `email`, its receipt mail already read."""
    world = build_world()
    world.submit("contact-us", email=email)
    world.mailer.sent.clear()
    return world


def wrong(code: str) -> str:
    """Another six-digit code than `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"
