"""Composition root: builds AWS clients, adapters and domain services from validated settings.

Entry points call this once per cold start. Every AWS client honours AWS_ENDPOINT_URL, which is how
local mode points the same code at its moto server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import boto3

from policybound.adapters.aws import CLIENT_CONFIG
from policybound.domain.core.clock import Clock, SystemClock
from policybound.settings import Settings, SettingsError

# Each service imports its adapters and domain code when it is first built, not at module import: a
# function loads only what its routes use (the public API never loads the staff domain, the sweeper
# never loads rights or letters), and a cold start pays for nothing else. Names for annotations only:
if TYPE_CHECKING:
    from policybound.adapters.cognito import CognitoStaffDirectory
    from policybound.adapters.cookies import DynamoCookieConsentStore, DynamoVisitStore
    from policybound.adapters.dynamodb import DynamoSubmissionStore
    from policybound.adapters.idempotency import PowertoolsIdempotency
    from policybound.adapters.kms import KmsBlindIndex, KmsKeyedHash
    from policybound.adapters.ledger import DynamoLedger
    from policybound.adapters.legal_holds import DynamoLegalHoldStore
    from policybound.adapters.letters import DynamoLetterStore
    from policybound.adapters.rights_requests import DynamoRightsRequestStore
    from policybound.adapters.ses import SesMailer
    from policybound.adapters.verification import DynamoVerificationStore
    from policybound.domain.cookies.consents import CookieConsentService
    from policybound.domain.cookies.visits import VisitService, VisitSweeper
    from policybound.domain.core.records import RecordReader
    from policybound.domain.core.sealing import EnvelopeSealer
    from policybound.domain.evidence.consent_ledger import ConsentSealing
    from policybound.domain.evidence.reports import EvidenceService
    from policybound.domain.incidents.service import IncidentService
    from policybound.domain.intake.consent_renewal import ConsentRenewals
    from policybound.domain.intake.service import IntakeService
    from policybound.domain.purposes.inquiries import InquiryService
    from policybound.domain.purposes.letters import Letters, LetterSender
    from policybound.domain.purposes.resource_delivery import ResourceDelivery
    from policybound.domain.retention.destruction import Destroyer
    from policybound.domain.retention.legal_holds import LegalHoldService
    from policybound.domain.retention.sweeper import Sweeper
    from policybound.domain.retention.unsubscribe import UnsubscribeService
    from policybound.domain.rights.corrections import Corrector
    from policybound.domain.rights.disclosures import DisclosureService
    from policybound.domain.rights.guardians import GuardianConfirmations
    from policybound.domain.rights.requests import RightsRequestService
    from policybound.domain.rights.service import RightsService
    from policybound.domain.rights.verification import OneTimeCodes
    from policybound.domain.rights.withdrawal import PurposeWithdrawals
    from policybound.domain.staff.access_records import AccessRecorder
    from policybound.domain.staff.access_rights import AccessRights
    from policybound.domain.staff.reads import StaffReads
    from policybound.domain.staff.sessions import StaffSessions
    from policybound.domain.staff.sign_in import SignInGuard

# At DEBUG these libraries log whole request bodies and route arguments, and ours carry personal
# information (form fields, the SES raw message, the blind-index input). Pin them to WARNING whatever
# the root logger's level is; our own loggers log ids and counts only.
for _noisy in ("boto3", "botocore", "urllib3", "aws_lambda_powertools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)


# SES's mailbox simulator accepts mail like any address and delivers it nowhere. A code for an address
# without records goes there, so both answers cost the same SES call (see `domain.rights.service`).
SES_MAILBOX_SIMULATOR = "success@simulator.amazonses.com"


class Wiring:
    def __init__(self, settings: Settings, clock: Clock | None = None, session: boto3.Session | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self._session = session or boto3.Session()

    def client(self, name: str) -> Any:
        return self._session.client(name, config=CLIENT_CONFIG)

    @cached_property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    @cached_property
    def kms(self) -> Any:
        return self.client("kms")

    @cached_property
    def ses(self) -> Any:
        return self.client("ses")

    @cached_property
    def store(self) -> DynamoSubmissionStore:
        from policybound.adapters.dynamodb import DynamoSubmissionStore

        return DynamoSubmissionStore(self.dynamodb, self.settings.records_table, self.settings.keys_table, self.ledger)

    @cached_property
    def ledger(self) -> DynamoLedger:
        from policybound.adapters.ledger import DynamoLedger

        return DynamoLedger(self.dynamodb, self.settings.ledger_table)

    @cached_property
    def consent_sealing(self) -> ConsentSealing:
        from policybound.domain.evidence.consent_ledger import ConsentSealing

        return ConsentSealing(self.ledger, self.clock)

    @cached_property
    def reader(self) -> RecordReader:
        from policybound.domain.core.records import RecordReader

        return RecordReader(self.store, self.sealer, self.clock)

    @cached_property
    def destroyer(self) -> Destroyer:
        from policybound.domain.retention.destruction import Destroyer

        return Destroyer(self.store, self.clock)

    @cached_property
    def sealer(self) -> EnvelopeSealer:
        from policybound.adapters.kms import KmsKeyEncryptionKeys
        from policybound.adapters.metrics import count_record_opened
        from policybound.domain.core.sealing import EnvelopeSealer

        keks = KmsKeyEncryptionKeys(self.kms, self.settings.data_key_id)
        return EnvelopeSealer(keks, on_open=count_record_opened)

    def unsubscribe_url(self, token: str) -> str:
        return f"{self.settings.base_url}/v1/unsubscribe?token={quote(token, safe='')}"

    def consent_renewal_url(self, token: str) -> str:
        return f"{self.settings.base_url}/v1/consent-renewals?token={quote(token, safe='')}"

    @cached_property
    def consent_renewals(self) -> ConsentRenewals:
        """§12: asking the people a new version affects for their consent, and recording it."""
        from policybound.adapters.staff_reads import DynamoFormIndex
        from policybound.domain.intake.consent_renewal import ConsentRenewals

        return ConsentRenewals(
            self.store,
            DynamoFormIndex(self.dynamodb, self.settings.records_table),
            self.reader,
            self.mailer,
            self.clock,
            self.consent_renewal_url,
        )

    @cached_property
    def intake(self) -> IntakeService:
        from policybound.adapters.kms import KmsBlindIndex
        from policybound.adapters.ses import SesMailer
        from policybound.domain.intake.service import IntakeService

        return IntakeService(
            store=self.store,
            sealer=self.sealer,
            blind_index=KmsBlindIndex(self.kms, self.settings.blind_index_key_id),
            mailer=SesMailer(self.ses, self.settings.mail_sender),
            clock=self.clock,
            unsubscribe_url=self.unsubscribe_url,
            guardians=self.guardians,
            resources=self.resource_delivery,
        )

    @cached_property
    def idempotency(self) -> PowertoolsIdempotency:
        from policybound.adapters.idempotency import PowertoolsIdempotency

        return PowertoolsIdempotency(self.settings.idempotency_table, self.dynamodb)

    @cached_property
    def cookie_consent_store(self) -> DynamoCookieConsentStore:
        from policybound.adapters.cookies import DynamoCookieConsentStore

        return DynamoCookieConsentStore(self.dynamodb, self.settings.cookie_consents_table)

    @cached_property
    def visit_store(self) -> DynamoVisitStore:
        from policybound.adapters.cookies import DynamoVisitStore

        return DynamoVisitStore(self.dynamodb, self.settings.visits_table, self.settings.cookie_consents_table)

    @cached_property
    def cookie_consents(self) -> CookieConsentService:
        from policybound.domain.cookies.consents import CookieConsentService

        return CookieConsentService(self.cookie_consent_store, self.visit_store, self.clock)

    @cached_property
    def visits(self) -> VisitService:
        from policybound.domain.cookies.visits import VisitService

        return VisitService(self.cookie_consent_store, self.visit_store, self.clock)

    @cached_property
    def visit_sweeper(self) -> VisitSweeper:
        from policybound.adapters.cookies import VISIT_EXPIRY_SHARDS
        from policybound.domain.cookies.visits import VisitSweeper

        return VisitSweeper(self.visit_store, self.clock, VISIT_EXPIRY_SHARDS)

    @cached_property
    def sweeper(self) -> Sweeper:
        from policybound.adapters.dynamodb import EXPIRY_SHARDS
        from policybound.domain.retention.sweeper import Sweeper

        return Sweeper(self.store, self.destroyer, self.clock, EXPIRY_SHARDS)

    @cached_property
    def unsubscribe(self) -> UnsubscribeService:
        from policybound.domain.retention.unsubscribe import UnsubscribeService

        return UnsubscribeService(
            self.store, self.destroyer, self.clock, self.keyed_hash, withdrawals=self.purpose_withdrawals
        )

    @cached_property
    def legal_hold_store(self) -> DynamoLegalHoldStore:
        from policybound.adapters.legal_holds import DynamoLegalHoldStore

        return DynamoLegalHoldStore(
            self.dynamodb, self.settings.legal_holds_table, self.settings.records_table, self.ledger
        )

    @cached_property
    def legal_holds(self) -> LegalHoldService:
        from policybound.adapters.kms import KmsBlindIndex
        from policybound.domain.retention.legal_holds import LegalHoldService

        return LegalHoldService(
            self.legal_hold_store,
            self.reader,
            KmsBlindIndex(self.kms, self.settings.blind_index_key_id),
            self.clock,
        )

    # --- staff access ---

    @cached_property
    def access_recorder(self) -> AccessRecorder:
        from policybound.domain.staff.access_records import AccessRecorder

        return AccessRecorder(self.ledger, self.clock)

    @cached_property
    def staff_reads(self) -> StaffReads:
        from policybound.adapters.kms import KmsBlindIndex
        from policybound.adapters.staff_reads import DynamoFormIndex
        from policybound.domain.staff.reads import StaffReads

        return StaffReads(
            DynamoFormIndex(self.dynamodb, self.settings.records_table),
            self.reader,
            KmsBlindIndex(self.kms, self.settings.blind_index_key_id),
            self.access_recorder,
            self.rights_request_store,
            self.legal_hold_store,
        )

    @cached_property
    def evidence(self) -> EvidenceService:
        from policybound.adapters.staff_reads import DynamoFormIndex
        from policybound.domain.evidence.reports import EvidenceService

        return EvidenceService(self.ledger, DynamoFormIndex(self.dynamodb, self.settings.records_table))

    @cached_property
    def staff_sessions(self) -> StaffSessions:
        from policybound.adapters.staff_access import DynamoSessionStore
        from policybound.domain.staff.sessions import StaffSessions

        return StaffSessions(DynamoSessionStore(self.dynamodb, self.settings.staff_sessions_table), self.clock)

    @cached_property
    def sign_in_guard(self) -> SignInGuard:
        from policybound.adapters.staff_access import DynamoAttemptStore
        from policybound.domain.staff.sign_in import SignInGuard

        return SignInGuard(DynamoAttemptStore(self.dynamodb, self.settings.staff_sign_ins_table), self.clock)

    @cached_property
    def cognito(self) -> Any:
        return self.client("cognito-idp")

    @cached_property
    def staff_directory(self) -> CognitoStaffDirectory:
        from policybound.adapters.cognito import CognitoStaffDirectory

        if self.settings.staff_user_pool_id is None:
            raise SettingsError("invalid Policybound settings: STAFF_USER_POOL_ID is not set")
        return CognitoStaffDirectory(self.cognito, self.settings.staff_user_pool_id)

    @cached_property
    def access_rights(self) -> AccessRights:
        from policybound.domain.staff.access_rights import AccessRights

        return AccessRights(self.staff_directory, self.ledger, self.clock, self.staff_sessions)

    @cached_property
    def incidents(self) -> IncidentService:
        from policybound.adapters.incidents import DynamoIncidentStore
        from policybound.adapters.ses import SesMailer
        from policybound.domain.incidents.service import IncidentService

        return IncidentService(
            DynamoIncidentStore(self.dynamodb, self.settings.incidents_table, self.ledger),
            self.ledger,
            self.reader,
            self.access_recorder,
            SesMailer(self.client("ses"), self.settings.mail_sender),
            self.clock,
        )

    # --- data-subject rights, legal representatives, provisions ---

    @cached_property
    def blind_index(self) -> KmsBlindIndex:
        from policybound.adapters.kms import KmsBlindIndex

        return KmsBlindIndex(self.kms, self.settings.blind_index_key_id)

    @cached_property
    def mailer(self) -> SesMailer:
        from policybound.adapters.ses import SesMailer

        return SesMailer(self.ses, self.settings.mail_sender)

    @cached_property
    def verifications(self) -> DynamoVerificationStore:
        from policybound.adapters.verification import DynamoVerificationStore

        return DynamoVerificationStore(self.dynamodb, self.settings.rights_verifications_table)

    @cached_property
    def one_time_codes(self) -> OneTimeCodes:
        from policybound.adapters.kms import KmsKeyedHash
        from policybound.domain.rights.verification import OneTimeCodes

        return OneTimeCodes(self.verifications, KmsKeyedHash(self.kms, self.settings.blind_index_key_id), self.clock)

    def guardian_confirm_url(self, submission_id: str) -> str:
        # The site's rights page (the first allowed origin), where a representative enters the code.
        site = self.settings.allowed_origins[0] if self.settings.allowed_origins else self.settings.base_url
        return f"{site.rstrip('/')}/rights.html?confirm={quote(submission_id, safe='')}"

    @cached_property
    def guardians(self) -> GuardianConfirmations:
        from policybound.domain.rights.guardians import GuardianConfirmations

        return GuardianConfirmations(
            self.store,
            self.one_time_codes,
            self.mailer,
            self.clock,
            self.guardian_confirm_url,
            self.reader,
            resources=self.resource_delivery,
        )

    @cached_property
    def disclosures(self) -> DisclosureService:
        from policybound.adapters.disclosures import DynamoDisclosureStore
        from policybound.domain.rights.disclosures import DisclosureService

        store = DynamoDisclosureStore(self.dynamodb, self.settings.disclosures_table, self.ledger)
        return DisclosureService(store, self.reader, self.mailer, self.clock)

    @cached_property
    def corrector(self) -> Corrector:
        from policybound.domain.rights.corrections import Corrector

        return Corrector(self.store, self.reader, self.sealer, self.blind_index, self.disclosures, self.clock)

    @cached_property
    def purpose_withdrawals(self) -> PurposeWithdrawals:
        """The one way a purpose leaves a record: the subject's rights request and a letter's unsubscribe."""
        from policybound.domain.rights.withdrawal import PurposeWithdrawals

        return PurposeWithdrawals(self.store, self.reader, self.destroyer, self.clock)

    @cached_property
    def rights(self) -> RightsService:
        from policybound.domain.rights.service import SESSION_VALID_FOR, RightsService
        from policybound.domain.rights.verification import Sessions

        return RightsService(
            store=self.store,
            reader=self.reader,
            destroyer=self.destroyer,
            corrector=self.corrector,
            withdrawals=self.purpose_withdrawals,
            disclosures=self.disclosures,
            codes=self.one_time_codes,
            sessions=Sessions(self.verifications, self.clock, SESSION_VALID_FOR),
            blind_index=self.blind_index,
            mailer=self.mailer,
            ledger=self.ledger,
            clock=self.clock,
            decoy_recipient=SES_MAILBOX_SIMULATOR,
        )

    @cached_property
    def rights_request_store(self) -> DynamoRightsRequestStore:
        from policybound.adapters.rights_requests import DynamoRightsRequestStore

        return DynamoRightsRequestStore(self.dynamodb, self.settings.rights_requests_table, self.ledger)

    @cached_property
    def rights_requests(self) -> RightsRequestService:
        from policybound.domain.rights.requests import RightsRequestService

        return RightsRequestService(
            self.rights_request_store,
            self.store,
            self.reader,
            self.destroyer,
            self.corrector,
            self.blind_index,
            self.access_recorder,
            self.clock,
        )

    # --- serving the collection purposes: inquiries, resources, letters ---

    @cached_property
    def resource_delivery(self) -> ResourceDelivery:
        from policybound.adapters.s3 import S3ResourceLinks
        from policybound.domain.purposes.resource_delivery import ResourceDelivery

        return ResourceDelivery(S3ResourceLinks(self.client("s3"), self.settings.resources_bucket), self.mailer)

    @cached_property
    def keyed_hash(self) -> KmsKeyedHash:
        from policybound.adapters.kms import KmsKeyedHash

        return KmsKeyedHash(self.kms, self.settings.blind_index_key_id)

    @cached_property
    def letter_store(self) -> DynamoLetterStore:
        from policybound.adapters.letters import DynamoLetterStore

        return DynamoLetterStore(self.dynamodb, self.settings.letters_table, self.settings.letter_deliveries_table)

    @cached_property
    def letters(self) -> Letters:
        from policybound.adapters.letters import SqsLetterQueue
        from policybound.domain.purposes.letters import Letters

        return Letters(
            self.staff_reads,
            self.letter_store,
            SqsLetterQueue(self.client("sqs"), self.settings.letter_queue_url),
            self.access_recorder,
            self.clock,
        )

    @cached_property
    def letter_sender(self) -> LetterSender:
        from policybound.domain.purposes.letters import LetterSender

        return LetterSender(
            self.letter_store,
            self.reader,
            self.keyed_hash,
            self.mailer,
            self.clock,
            self.unsubscribe_url,
            per_second=self.settings.letter_sends_per_second,
        )

    @cached_property
    def inquiries(self) -> InquiryService:
        from policybound.adapters.inquiries import DynamoInquiryStore
        from policybound.domain.purposes.inquiries import InquiryService

        return InquiryService(
            DynamoInquiryStore(self.dynamodb, self.settings.records_table, self.store),
            self.reader,
            self.sealer,
            self.access_recorder,
            self.mailer,
            self.clock,
        )

    def providers(self) -> dict[Callable[[], Any], Callable[[], Any]]:
        """Route dependency providers and what replaces them; services are built on first use."""
        # Only the API functions ask: the background functions never load the API package.
        from policybound.api import dependencies

        return {
            dependencies.clock: lambda: self.clock,
            dependencies.intake_service: lambda: self.intake,
            dependencies.idempotency: lambda: self.idempotency,
            dependencies.cookie_consent_service: lambda: self.cookie_consents,
            dependencies.visit_service: lambda: self.visits,
            dependencies.staff_sessions: lambda: self.staff_sessions,
            dependencies.staff_reads: lambda: self.staff_reads,
            dependencies.ledger_reader: lambda: self.ledger,
            dependencies.evidence_service: lambda: self.evidence,
            dependencies.access_rights: lambda: self.access_rights,
            dependencies.staff_directory: lambda: self.staff_directory,
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
