"""GET and POST /v1/consent-renewals: the link in the mail that asks for consent to a changed policy (§12).

GET only shows what is added and asks: mail scanners and link previews follow links, and consent is a
person's act. POST (the page's button, or a script) records the consent. Both answer a page to a
browser and JSON to a caller that asks for it. A purpose that needs its own consent (email marketing,
PIPA art. 22) is the page's own checkbox, unticked: the form field `marketing=true` gives it, and the
button without it consents to the rest only.
"""

from typing import Annotated, Any, Literal, Self

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Form
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.dependencies import consent_renewals
from policybound.api.openapi import Tag
from policybound.api.public.consent_renewal_page import RENEWAL_WORDING, renewal_page
from policybound.api.public.mailed_link import MailedLink, token_query
from policybound.api.schemas import rfc3339
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.intake.consent_renewal import ConsentRenewals, Renewal
from policybound.policy import Purpose

router = APIGatewayRouter()

TokenParam = Annotated[str, token_query("The token from the consent request mail's link: `<submission_id>.<secret>`.")]
Service = Annotated[ConsentRenewals, Depends(consent_renewals)]


class ConsentRenewalOut(LazyModel):
    status: Literal["asked", "renewed", "already_renewed"]
    message: str
    # The version asked for, and when it took effect.
    policy_version: str
    effective_date: str
    items_added: list[str]
    # Consented to by the request itself, with the items and recipients.
    purposes_added: list[str]
    # Each needs its own consent (`marketing=true` for email marketing); refusing it refuses nothing else.
    purposes_asked_apart: list[str]
    # Once renewed: the ones asked apart that were given.
    purposes_given_apart: list[str]
    # Third parties (§3) the records would be provided to, by their English name.
    recipients_added: list[str]
    # Until when the link can be used.
    valid_until: str

    @classmethod
    def of(cls, renewal: Renewal) -> Self:
        return cls(
            status=renewal.state.value,
            message=RENEWAL_WORDING[renewal.state].text_en,
            policy_version=renewal.version,
            effective_date=renewal.effective_date,
            items_added=list(renewal.items_added),
            purposes_added=[p.value for p in renewal.purposes_added],
            purposes_asked_apart=[p.value for p in renewal.purposes_asked_apart],
            purposes_given_apart=[p.value for p in renewal.purposes_given_apart],
            recipients_added=[r.name.en for r in renewal.recipients_added],
            valid_until=rfc3339(renewal.valid_until),
        )


_REFUSED = {
    400: "consent_link_invalid: the token is not of a link's shape (incomplete)",
    404: "not_found: the token names no request for consent that is kept (altered, or its details are gone)",
    410: "consent_link_expired: the link's time ran out, or its details are no longer kept",
    503: "unavailable (retry after Retry-After seconds)",
}
_LINK = MailedLink(router, renewal_page, ConsentRenewalOut.of, model=ConsentRenewalOut, refused=_REFUSED)


@router.get(
    "/v1/consent-renewals",
    summary="Show what a changed policy adds and asks consent to (changes nothing)",
    description=(
        "The link in the mail sent when a version in force adds items, purposes or recipients to a form (policy §12): "
        "a page (Korean and English) naming what is added, with a button that consents and, apart from it, an "
        "unticked checkbox for each purpose that needs its own consent (email marketing); JSON when the request asks "
        "for it (`Accept: application/json`). Opening the link never consents to anything."
    ),
    operation_id="getConsentRenewal",
    tags=[Tag.POLICY],
    responses=_LINK.responses("`asked` (with what is added), or `already_renewed`"),
)
def show_consent_renewal(service: Service, token: TokenParam) -> Response[Any]:
    return _LINK.answer(service.check(token), token)


@router.post(
    "/v1/consent-renewals",
    summary="Consent to what a changed policy adds",
    description=(
        "Records the consent on each of the person's records the mail was about: their `policy_version` becomes the "
        "version asked for and the added purposes join their purposes, each with a consent ledger entry (no personal "
        "information). Email marketing, when added, joins only with its own consent, the form field `marketing=true` "
        "(`application/x-www-form-urlencoded`, as the page's checkbox sends it); without it everything else is "
        "consented to and marketing is refused. Until then the records keep the version and purposes consented to "
        "before. A second request with the same link changes nothing and answers `already_renewed`."
    ),
    operation_id="renewConsent",
    tags=[Tag.POLICY],
    responses=_LINK.responses("`renewed`, or `already_renewed`"),
)
def renew_consent(
    service: Service,
    token: TokenParam,
    marketing: Annotated[
        bool,
        Form(description="Its own consent to use in email marketing, where the change adds it (PIPA art. 22)"),
    ] = False,
) -> Response[Any]:
    given = frozenset({Purpose.EMAIL_MARKETING}) if marketing else frozenset()
    return _LINK.answer(service.renew(token, given))
