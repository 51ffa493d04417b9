"""The one builder of domain services: from a set of ports, a clock and the settings links need.

Production hands it ports over AWS clients (`policybound.wiring`), local mode the same ports pointed at
its moto server, and unit tests in-memory fakes of the same ports: every caller gets the same graph,
so a service is never wired one way in production and another in a test.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar
from urllib.parse import quote

from policybound.domain.core.clock import Clock
from policybound.settings import Settings

# Each service imports its domain code when it is first built, not at module import: a function loads
# only what its routes use (the public API never loads the staff domain, the sweeper never loads rights
# or letters), and a cold start pays for nothing else. Names for annotations only:
if TYPE_CHECKING:
    from policybound.api.dependencies import Idempotency
    from policybound.domain.cookies.consents import CookieConsentService, CookieConsentStore, WithdrawnVisits
    from policybound.domain.cookies.visits import ExpiringVisits, VisitService, VisitStore, VisitSweeper
    from policybound.domain.core.ports import (
        BlindIndex,
        KeyedHash,
        KeyEncryptionKeys,
        LedgerStore,
        LegalHoldStore,
        Mailer,
    )
    from policybound.domain.core.records import RecordReader
    from policybound.domain.core.sealing import EnvelopeSealer
    from policybound.domain.evidence.consent_ledger import ConsentLedgerStore, ConsentSealing
    from policybound.domain.evidence.reports import EvidenceLedger, EvidenceService, RecordCensus
    from policybound.domain.incidents.service import IncidentService, IncidentStore
    from policybound.domain.intake.consent_renewal import ConsentRenewals, ConsentRequestStore
    from policybound.domain.intake.service import IntakeService
    from policybound.domain.purposes.inquiries import InquiryService, InquiryStore
    from policybound.domain.purposes.letters import LetterQueue, Letters, LetterSender, LetterStore
    from policybound.domain.purposes.resource_delivery import ResourceDelivery, ResourceLinks
    from policybound.domain.retention.destruction import Destroyer
    from policybound.domain.retention.legal_holds import LegalHoldService
    from policybound.domain.retention.sweeper import Sweeper
    from policybound.domain.retention.unsubscribe import UnsubscribeService
    from policybound.domain.retention.withdrawal import PurposeStore, PurposeWithdrawals
    from policybound.domain.rights.corrections import CorrectionRecords, Corrector
    from policybound.domain.rights.disclosures import DisclosureService, DisclosureStore
    from policybound.domain.rights.guardians import GuardianConfirmations, GuardianRecords
    from policybound.domain.rights.request_model import RightsRequestStore
    from policybound.domain.rights.requests import RightsRequestService
    from policybound.domain.rights.service import RightsRecords, RightsService
    from policybound.domain.rights.verification import OneTimeCodes, VerificationStore
    from policybound.domain.staff.access_records import AccessRecorder
    from policybound.domain.staff.access_rights import AccessRights
    from policybound.domain.staff.ports import FormIndex, StaffDirectory
    from policybound.domain.staff.reads import StaffReads
    from policybound.domain.staff.sessions import SessionStore, StaffSessions
    from policybound.domain.staff.sign_in import AttemptStore, SignInGuard

    class RecordStore(RightsRecords, GuardianRecords, CorrectionRecords, PurposeStore, ConsentRequestStore, Protocol):
        """The records table: every service's view of it, served by one adapter."""

    class Ledger(LedgerStore, EvidenceLedger, ConsentLedgerStore, Protocol):
        """The hash-chained ledger, as writers and readers both use it."""

    class VisitRecords(VisitStore, ExpiringVisits, WithdrawnVisits, Protocol):
        """The visits table: written under a consent, swept when expired, deleted with a withdrawal."""


# SES's mailbox simulator accepts mail like any address and delivers it nowhere. A code for an address
# without records goes there, so both answers cost the same SES call (see `domain.rights.service`).
SES_MAILBOX_SIMULATOR = "success@simulator.amazonses.com"


class Ports(Protocol):
    """What the domain reaches outside itself through: one object per port, per process."""

    @property
    def store(self) -> RecordStore: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def keks(self) -> KeyEncryptionKeys: ...
    @property
    def record_opened(self) -> Callable[[], None]: ...
    @property
    def blind_index(self) -> BlindIndex: ...
    @property
    def keyed_hash(self) -> KeyedHash: ...
    @property
    def mailer(self) -> Mailer: ...
    @property
    def idempotency(self) -> Idempotency: ...
    @property
    def expiry_shards(self) -> tuple[str, ...]: ...
    @property
    def cookie_consent_store(self) -> CookieConsentStore: ...
    @property
    def visit_store(self) -> VisitRecords: ...
    @property
    def visit_expiry_shards(self) -> tuple[str, ...]: ...
    @property
    def legal_hold_store(self) -> LegalHoldStore: ...
    @property
    def form_index(self) -> FormIndex: ...
    @property
    def census(self) -> RecordCensus: ...
    @property
    def session_store(self) -> SessionStore: ...
    @property
    def attempt_store(self) -> AttemptStore: ...
    @property
    def staff_directory(self) -> StaffDirectory: ...
    @property
    def incident_store(self) -> IncidentStore: ...
    @property
    def verifications(self) -> VerificationStore: ...
    @property
    def disclosure_store(self) -> DisclosureStore: ...
    @property
    def rights_request_store(self) -> RightsRequestStore: ...
    @property
    def resource_links(self) -> ResourceLinks: ...
    @property
    def letter_store(self) -> LetterStore: ...
    @property
    def letter_queue(self) -> LetterQueue: ...
    @property
    def inquiry_store(self) -> InquiryStore: ...


P = TypeVar("P", bound=Ports)


class Services(Generic[P]):
    """Every domain service, built on first use from `ports` and `clock`, each once per instance."""

    def __init__(self, ports: P, clock: Clock, settings: Settings) -> None:
        self.ports = ports
        self.clock = clock
        # Only the links' settings are read here (base URL, allowed origins, the letter rate); the
        # ports read their own.
        self.settings = settings

    # --- links in mails ---

    def unsubscribe_url(self, token: str) -> str:
        return f"{self.settings.base_url}/v1/unsubscribe?token={quote(token, safe='')}"

    def consent_renewal_url(self, token: str) -> str:
        return f"{self.settings.base_url}/v1/consent-renewals?token={quote(token, safe='')}"

    def guardian_confirm_url(self, submission_id: str) -> str:
        # The site's rights page (the first allowed origin), where a representative enters the code.
        site = self.settings.allowed_origins[0] if self.settings.allowed_origins else self.settings.base_url
        return f"{site.rstrip('/')}/rights.html?confirm={quote(submission_id, safe='')}"

    # --- records: sealing, reading, destroying ---

    @cached_property
    def sealer(self) -> EnvelopeSealer:
        from policybound.domain.core.sealing import EnvelopeSealer

        return EnvelopeSealer(self.ports.keks, on_open=self.ports.record_opened)

    @cached_property
    def reader(self) -> RecordReader:
        from policybound.domain.core.records import RecordReader

        return RecordReader(self.ports.store, self.sealer, self.clock)

    @cached_property
    def destroyer(self) -> Destroyer:
        from policybound.domain.retention.destruction import Destroyer

        return Destroyer(self.ports.store, self.clock)

    @cached_property
    def consent_sealing(self) -> ConsentSealing:
        from policybound.domain.evidence.consent_ledger import ConsentSealing

        return ConsentSealing(self.ports.ledger, self.clock)

    # --- intake and consent ---

    @cached_property
    def intake(self) -> IntakeService:
        from policybound.domain.intake.service import IntakeService

        return IntakeService(
            store=self.ports.store,
            sealer=self.sealer,
            blind_index=self.ports.blind_index,
            mailer=self.ports.mailer,
            clock=self.clock,
            unsubscribe_url=self.unsubscribe_url,
            guardians=self.guardians,
            resources=self.resource_delivery,
        )

    @cached_property
    def consent_renewals(self) -> ConsentRenewals:
        """§12: asking the people a new version affects for their consent, and recording it."""
        from policybound.domain.intake.consent_renewal import ConsentRenewals

        return ConsentRenewals(
            self.ports.store,
            self.ports.form_index,
            self.reader,
            self.ports.mailer,
            self.clock,
            self.consent_renewal_url,
        )

    @cached_property
    def cookie_consents(self) -> CookieConsentService:
        from policybound.domain.cookies.consents import CookieConsentService

        return CookieConsentService(self.ports.cookie_consent_store, self.ports.visit_store, self.clock)

    @cached_property
    def visits(self) -> VisitService:
        from policybound.domain.cookies.visits import VisitService

        return VisitService(self.ports.cookie_consent_store, self.ports.visit_store, self.clock)

    @cached_property
    def visit_sweeper(self) -> VisitSweeper:
        from policybound.domain.cookies.visits import VisitSweeper

        return VisitSweeper(self.ports.visit_store, self.clock, self.ports.visit_expiry_shards)

    # --- retention ---

    @cached_property
    def sweeper(self) -> Sweeper:
        from policybound.domain.retention.sweeper import Sweeper

        return Sweeper(self.ports.store, self.destroyer, self.clock, self.ports.expiry_shards)

    @cached_property
    def unsubscribe(self) -> UnsubscribeService:
        from policybound.domain.retention.unsubscribe import UnsubscribeService

        return UnsubscribeService(
            self.ports.store, self.destroyer, self.clock, self.ports.keyed_hash, withdrawals=self.purpose_withdrawals
        )

    @cached_property
    def legal_holds(self) -> LegalHoldService:
        from policybound.domain.retention.legal_holds import LegalHoldService

        return LegalHoldService(self.ports.legal_hold_store, self.reader, self.ports.blind_index, self.clock)

    # --- staff access ---

    @cached_property
    def access_recorder(self) -> AccessRecorder:
        from policybound.domain.staff.access_records import AccessRecorder

        return AccessRecorder(self.ports.ledger, self.clock)

    @cached_property
    def staff_reads(self) -> StaffReads:
        from policybound.domain.staff.reads import StaffReads

        return StaffReads(
            self.ports.form_index,
            self.reader,
            self.ports.blind_index,
            self.access_recorder,
            self.ports.rights_request_store,
            self.ports.legal_hold_store,
        )

    @cached_property
    def evidence(self) -> EvidenceService:
        from policybound.domain.evidence.reports import EvidenceService

        return EvidenceService(self.ports.ledger, self.ports.census)

    @cached_property
    def staff_sessions(self) -> StaffSessions:
        from policybound.domain.staff.sessions import StaffSessions

        return StaffSessions(self.ports.session_store, self.clock)

    @cached_property
    def sign_in_guard(self) -> SignInGuard:
        from policybound.domain.staff.sign_in import SignInGuard

        return SignInGuard(self.ports.attempt_store, self.clock)

    @cached_property
    def access_rights(self) -> AccessRights:
        from policybound.domain.staff.access_rights import AccessRights

        return AccessRights(self.ports.staff_directory, self.ports.ledger, self.clock, self.staff_sessions)

    @cached_property
    def incidents(self) -> IncidentService:
        from policybound.domain.incidents.service import IncidentService

        return IncidentService(
            self.ports.incident_store,
            self.ports.ledger,
            self.reader,
            self.access_recorder,
            self.ports.mailer,
            self.clock,
        )

    # --- data-subject rights, legal representatives, provisions ---

    @cached_property
    def one_time_codes(self) -> OneTimeCodes:
        from policybound.domain.rights.verification import OneTimeCodes

        return OneTimeCodes(self.ports.verifications, self.ports.keyed_hash, self.clock)

    @cached_property
    def guardians(self) -> GuardianConfirmations:
        from policybound.domain.rights.guardians import GuardianConfirmations

        return GuardianConfirmations(
            self.ports.store,
            self.one_time_codes,
            self.ports.mailer,
            self.clock,
            self.guardian_confirm_url,
            self.reader,
            resources=self.resource_delivery,
        )

    @cached_property
    def disclosures(self) -> DisclosureService:
        from policybound.domain.rights.disclosures import DisclosureService

        return DisclosureService(self.ports.disclosure_store, self.reader, self.ports.mailer, self.clock)

    @cached_property
    def corrector(self) -> Corrector:
        from policybound.domain.rights.corrections import Corrector

        return Corrector(
            self.ports.store, self.reader, self.sealer, self.ports.blind_index, self.disclosures, self.clock
        )

    @cached_property
    def purpose_withdrawals(self) -> PurposeWithdrawals:
        """The one way a purpose leaves a record: the subject's rights request and a letter's unsubscribe."""
        from policybound.domain.retention.withdrawal import PurposeWithdrawals

        return PurposeWithdrawals(self.ports.store, self.reader, self.destroyer, self.clock)

    @cached_property
    def rights(self) -> RightsService:
        from policybound.domain.rights.service import RightsService
        from policybound.domain.rights.verification import Sessions
        from policybound.obligations import RIGHTS_SESSION_VALID_FOR

        return RightsService(
            store=self.ports.store,
            reader=self.reader,
            destroyer=self.destroyer,
            corrector=self.corrector,
            withdrawals=self.purpose_withdrawals,
            disclosures=self.disclosures,
            codes=self.one_time_codes,
            sessions=Sessions(self.ports.verifications, self.clock, RIGHTS_SESSION_VALID_FOR),
            blind_index=self.ports.blind_index,
            mailer=self.ports.mailer,
            ledger=self.ports.ledger,
            clock=self.clock,
            decoy_recipient=SES_MAILBOX_SIMULATOR,
        )

    @cached_property
    def rights_requests(self) -> RightsRequestService:
        from policybound.domain.rights.requests import RightsRequestService

        return RightsRequestService(
            self.ports.rights_request_store,
            self.ports.store,
            self.reader,
            self.destroyer,
            self.corrector,
            self.ports.blind_index,
            self.access_recorder,
            self.clock,
            withdrawals=self.purpose_withdrawals,
        )

    # --- serving the collection purposes: inquiries, resources, letters ---

    @cached_property
    def resource_delivery(self) -> ResourceDelivery:
        from policybound.domain.purposes.resource_delivery import ResourceDelivery

        return ResourceDelivery(self.ports.resource_links, self.ports.mailer)

    @cached_property
    def letters(self) -> Letters:
        from policybound.domain.purposes.letters import Letters

        return Letters(
            self.staff_reads, self.ports.letter_store, self.ports.letter_queue, self.access_recorder, self.clock
        )

    @cached_property
    def letter_sender(self) -> LetterSender:
        from policybound.domain.purposes.letters import LetterSender

        return LetterSender(
            self.ports.letter_store,
            self.reader,
            self.ports.keyed_hash,
            self.ports.mailer,
            self.clock,
            self.unsubscribe_url,
            per_second=self.settings.letter_sends_per_second,
        )

    @cached_property
    def inquiries(self) -> InquiryService:
        from policybound.domain.purposes.inquiries import InquiryService

        return InquiryService(
            self.ports.inquiry_store, self.reader, self.sealer, self.access_recorder, self.ports.mailer, self.clock
        )

    def providers(self) -> dict[Callable[[], Any], Callable[[], Any]]:
        """Route dependency providers and what replaces them; services are built on first use."""
        # Only the API functions ask: the background functions never load the API package.
        from policybound.api import dependencies

        return {
            dependencies.clock: lambda: self.clock,
            dependencies.intake_service: lambda: self.intake,
            dependencies.idempotency: lambda: self.ports.idempotency,
            dependencies.cookie_consent_service: lambda: self.cookie_consents,
            dependencies.visit_service: lambda: self.visits,
            dependencies.staff_sessions: lambda: self.staff_sessions,
            dependencies.staff_reads: lambda: self.staff_reads,
            dependencies.ledger_reader: lambda: self.ports.ledger,
            dependencies.evidence_service: lambda: self.evidence,
            dependencies.access_rights: lambda: self.access_rights,
            dependencies.staff_directory: lambda: self.ports.staff_directory,
            dependencies.incident_service: lambda: self.incidents,
            dependencies.unsubscribe_service: lambda: self.unsubscribe,
            dependencies.consent_renewals: lambda: self.consent_renewals,
            dependencies.legal_hold_service: lambda: self.legal_holds,
            dependencies.rights_service: lambda: self.rights,
            dependencies.guardian_confirmations: lambda: self.guardians,
            dependencies.disclosure_service: lambda: self.disclosures,
            dependencies.rights_request_service: lambda: self.rights_requests,
            dependencies.inquiry_service: lambda: self.inquiries,
            dependencies.letters: lambda: self.letters,
        }
