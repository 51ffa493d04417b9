"""Services the routes depend on, one provider per service.

Routes declare `Annotated[IntakeService, Depends(intake_service)]`; the entry point (through
`Wiring.providers()`) or a test replaces each provider via Powertools' `app.dependency_overrides`,
so routes never build AWS clients themselves and tests swap in fakes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

# Names for the providers' return annotations only (strings here; Powertools reads the routes' own
# annotations): importing every service would load the staff domain into the public function and the
# public one into the staff function, at every cold start.
if TYPE_CHECKING:
    from policybound.domain.cookies.consents import CookieConsentService
    from policybound.domain.cookies.visits import VisitService
    from policybound.domain.core.clock import Clock
    from policybound.domain.evidence.reports import EvidenceService
    from policybound.domain.incidents.service import IncidentService
    from policybound.domain.intake.consent_renewal import ConsentRenewals
    from policybound.domain.intake.service import IntakeService
    from policybound.domain.purposes.inquiries import InquiryService
    from policybound.domain.purposes.letters import Letters
    from policybound.domain.retention.legal_holds import LegalHoldService
    from policybound.domain.retention.unsubscribe import UnsubscribeService
    from policybound.domain.rights.disclosures import DisclosureService
    from policybound.domain.rights.guardians import GuardianConfirmations
    from policybound.domain.rights.requests import RightsRequestService
    from policybound.domain.rights.service import RightsService
    from policybound.domain.staff.access_rights import AccessRights
    from policybound.domain.staff.ports import LedgerReader, StaffDirectory
    from policybound.domain.staff.reads import StaffReads
    from policybound.domain.staff.sessions import StaffSessions


class Idempotency(Protocol):
    def run(self, key: str, fingerprint: str, operation: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run `operation` once per key; a repeat with the same key and fingerprint returns the first
        result, and a repeat with another fingerprint is refused."""
        ...


def _not_wired(name: str) -> NoReturn:
    raise RuntimeError(f"{name} is not wired: the entry point must override it in app.dependency_overrides")


def clock() -> Clock:
    """The process's clock (the wiring's): what "today" is for the version in force."""
    _not_wired("clock")


def intake_service() -> IntakeService:
    _not_wired("intake_service")


def consent_renewals() -> ConsentRenewals:
    _not_wired("consent_renewals")


def idempotency() -> Idempotency:
    _not_wired("idempotency")


def cookie_consent_service() -> CookieConsentService:
    _not_wired("cookie_consent_service")


def visit_service() -> VisitService:
    _not_wired("visit_service")


# --- staff access ---


def staff_sessions() -> StaffSessions:
    _not_wired("staff_sessions")


def staff_reads() -> StaffReads:
    _not_wired("staff_reads")


def ledger_reader() -> LedgerReader:
    _not_wired("ledger_reader")


def evidence_service() -> EvidenceService:
    _not_wired("evidence_service")


def access_rights() -> AccessRights:
    _not_wired("access_rights")


def staff_directory() -> StaffDirectory:
    """The staff user pool, asked by the staff gate for each caller's current groups."""
    _not_wired("staff_directory")


def incident_service() -> IncidentService:
    _not_wired("incident_service")


def unsubscribe_service() -> UnsubscribeService:
    _not_wired("unsubscribe_service")


def legal_hold_service() -> LegalHoldService:
    _not_wired("legal_hold_service")


# --- data-subject rights, legal representatives, provisions ---


def rights_service() -> RightsService:
    _not_wired("rights_service")


def guardian_confirmations() -> GuardianConfirmations:
    _not_wired("guardian_confirmations")


def disclosure_service() -> DisclosureService:
    _not_wired("disclosure_service")


def rights_request_service() -> RightsRequestService:
    _not_wired("rights_request_service")


# --- serving the collection purposes: inquiries, resources, letters ---


def inquiry_service() -> InquiryService:
    _not_wired("inquiry_service")


def letters() -> Letters:
    _not_wired("letters")
