"""Composition root: the ports over AWS clients, and the services built from them for one process.

Entry points build one `Wiring` per cold start. Every AWS client honours AWS_ENDPOINT_URL, which is how
local mode points the same code at its moto server. The services come from the one builder
(`policybound.services`) that unit tests feed with in-memory fakes of the same ports.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3

from policybound.adapters.aws import CLIENT_CONFIG
from policybound.domain.core.clock import Clock, SystemClock
from policybound.services import Services
from policybound.settings import Settings, SettingsError

# Each port imports its adapter when it is first used, not at module import: a function loads only the
# adapters its routes use, and a cold start pays for nothing else. Names for annotations only:
if TYPE_CHECKING:
    from collections.abc import Callable

    from policybound.adapters.cognito import CognitoStaffDirectory
    from policybound.adapters.cookies import DynamoCookieConsentStore, DynamoVisitStore
    from policybound.adapters.disclosures import DynamoDisclosureStore
    from policybound.adapters.dynamodb import DynamoSubmissionStore
    from policybound.adapters.idempotency import PowertoolsIdempotency
    from policybound.adapters.incidents import DynamoIncidentStore
    from policybound.adapters.inquiries import DynamoInquiryStore
    from policybound.adapters.kms import KmsBlindIndex, KmsKeyedHash, KmsKeyEncryptionKeys
    from policybound.adapters.ledger import DynamoLedger
    from policybound.adapters.legal_holds import DynamoLegalHoldStore
    from policybound.adapters.letters import DynamoLetterStore, SqsLetterQueue
    from policybound.adapters.rights_requests import DynamoRightsRequestStore
    from policybound.adapters.s3 import S3ResourceLinks
    from policybound.adapters.ses import SesMailer
    from policybound.adapters.staff_access import DynamoAttemptStore, DynamoSessionStore
    from policybound.adapters.staff_reads import DynamoFormIndex
    from policybound.adapters.verification import DynamoVerificationStore

# At DEBUG these libraries log whole request bodies and route arguments, and ours carry personal
# information (form fields, the SES raw message, the blind-index input). Pin them to WARNING whatever
# the root logger's level is; our own loggers log ids and counts only.
for _noisy in ("boto3", "botocore", "urllib3", "aws_lambda_powertools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)


class AwsPorts:
    """Every port over its AWS service, one adapter (and one client per service) per instance."""

    def __init__(self, settings: Settings, session: boto3.Session | None = None) -> None:
        self.settings = settings
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
    def cognito(self) -> Any:
        return self.client("cognito-idp")

    # --- records, keys and the ledger ---

    @cached_property
    def store(self) -> DynamoSubmissionStore:
        from policybound.adapters.dynamodb import DynamoSubmissionStore

        return DynamoSubmissionStore(self.dynamodb, self.settings.records_table, self.settings.keys_table, self.ledger)

    @cached_property
    def ledger(self) -> DynamoLedger:
        from policybound.adapters.ledger import DynamoLedger

        return DynamoLedger(self.dynamodb, self.settings.ledger_table)

    @cached_property
    def expiry_shards(self) -> tuple[str, ...]:
        from policybound.adapters.dynamodb import EXPIRY_SHARDS

        return EXPIRY_SHARDS

    @cached_property
    def form_index(self) -> DynamoFormIndex:
        from policybound.adapters.staff_reads import DynamoFormIndex

        return DynamoFormIndex(self.dynamodb, self.settings.records_table)

    @property
    def census(self) -> DynamoFormIndex:
        # The form index's table scan counts what is kept: one adapter answers both.
        return self.form_index

    @cached_property
    def keks(self) -> KmsKeyEncryptionKeys:
        from policybound.adapters.kms import KmsKeyEncryptionKeys

        return KmsKeyEncryptionKeys(self.kms, self.settings.data_key_id)

    @cached_property
    def record_opened(self) -> Callable[[], None]:
        from policybound.adapters.metrics import count_record_opened

        return count_record_opened

    @cached_property
    def blind_index(self) -> KmsBlindIndex:
        from policybound.adapters.kms import KmsBlindIndex

        return KmsBlindIndex(self.kms, self.settings.blind_index_key_id)

    @cached_property
    def keyed_hash(self) -> KmsKeyedHash:
        from policybound.adapters.kms import KmsKeyedHash

        return KmsKeyedHash(self.kms, self.settings.blind_index_key_id)

    @cached_property
    def mailer(self) -> SesMailer:
        from policybound.adapters.ses import SesMailer

        return SesMailer(self.ses, self.settings.mail_sender)

    @cached_property
    def idempotency(self) -> PowertoolsIdempotency:
        from policybound.adapters.idempotency import PowertoolsIdempotency

        return PowertoolsIdempotency(self.settings.idempotency_table, self.dynamodb)

    @cached_property
    def legal_hold_store(self) -> DynamoLegalHoldStore:
        from policybound.adapters.legal_holds import DynamoLegalHoldStore

        return DynamoLegalHoldStore(
            self.dynamodb, self.settings.legal_holds_table, self.settings.records_table, self.ledger
        )

    # --- cookies ---

    @cached_property
    def cookie_consent_store(self) -> DynamoCookieConsentStore:
        from policybound.adapters.cookies import DynamoCookieConsentStore

        return DynamoCookieConsentStore(self.dynamodb, self.settings.cookie_consents_table)

    @cached_property
    def visit_store(self) -> DynamoVisitStore:
        from policybound.adapters.cookies import DynamoVisitStore

        return DynamoVisitStore(self.dynamodb, self.settings.visits_table, self.settings.cookie_consents_table)

    @cached_property
    def visit_expiry_shards(self) -> tuple[str, ...]:
        from policybound.adapters.cookies import VISIT_EXPIRY_SHARDS

        return VISIT_EXPIRY_SHARDS

    # --- staff access ---

    @cached_property
    def session_store(self) -> DynamoSessionStore:
        from policybound.adapters.staff_access import DynamoSessionStore

        return DynamoSessionStore(self.dynamodb, self.settings.staff_sessions_table)

    @cached_property
    def attempt_store(self) -> DynamoAttemptStore:
        from policybound.adapters.staff_access import DynamoAttemptStore

        return DynamoAttemptStore(self.dynamodb, self.settings.staff_sign_ins_table)

    @cached_property
    def staff_directory(self) -> CognitoStaffDirectory:
        from policybound.adapters.cognito import CognitoStaffDirectory

        if self.settings.staff_user_pool_id is None:
            raise SettingsError("invalid Policybound settings: STAFF_USER_POOL_ID is not set")
        return CognitoStaffDirectory(self.cognito, self.settings.staff_user_pool_id)

    @cached_property
    def incident_store(self) -> DynamoIncidentStore:
        from policybound.adapters.incidents import DynamoIncidentStore

        return DynamoIncidentStore(self.dynamodb, self.settings.incidents_table, self.ledger)

    # --- data-subject rights ---

    @cached_property
    def verifications(self) -> DynamoVerificationStore:
        from policybound.adapters.verification import DynamoVerificationStore

        return DynamoVerificationStore(self.dynamodb, self.settings.rights_verifications_table)

    @cached_property
    def disclosure_store(self) -> DynamoDisclosureStore:
        from policybound.adapters.disclosures import DynamoDisclosureStore

        return DynamoDisclosureStore(self.dynamodb, self.settings.disclosures_table, self.ledger)

    @cached_property
    def rights_request_store(self) -> DynamoRightsRequestStore:
        from policybound.adapters.rights_requests import DynamoRightsRequestStore

        return DynamoRightsRequestStore(self.dynamodb, self.settings.rights_requests_table, self.ledger)

    # --- the collection purposes: resources, letters, inquiries ---

    @cached_property
    def resource_links(self) -> S3ResourceLinks:
        from policybound.adapters.s3 import S3ResourceLinks

        return S3ResourceLinks(self.client("s3"), self.settings.resources_bucket)

    @cached_property
    def letter_store(self) -> DynamoLetterStore:
        from policybound.adapters.letters import DynamoLetterStore

        return DynamoLetterStore(self.dynamodb, self.settings.letters_table, self.settings.letter_deliveries_table)

    @cached_property
    def letter_queue(self) -> SqsLetterQueue:
        from policybound.adapters.letters import SqsLetterQueue

        return SqsLetterQueue(self.client("sqs"), self.settings.letter_queue_url)

    @cached_property
    def inquiry_store(self) -> DynamoInquiryStore:
        from policybound.adapters.inquiries import DynamoInquiryStore

        return DynamoInquiryStore(self.dynamodb, self.settings.records_table, self.store)


class Wiring(Services[AwsPorts]):
    """The services of one process over AWS: what every entry point (and local mode) builds."""

    def __init__(self, settings: Settings, clock: Clock | None = None, session: boto3.Session | None = None) -> None:
        super().__init__(AwsPorts(settings, session), clock or SystemClock(), settings)
