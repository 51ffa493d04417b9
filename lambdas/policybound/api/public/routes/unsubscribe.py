"""GET and POST /v1/unsubscribe: the blog letter's unsubscribe link (§4, RFC 8058 one-click).

GET only shows what the link would do: mail scanners and link previews follow links, and must not
cancel anything. POST cancels at once. Mail clients' one-click POST carries the form body
`List-Unsubscribe=One-Click`; the confirmation page's button sends the same, and a script may send
JSON or nothing — the token in the query string is all that is needed.
"""

from typing import Annotated, Any, Literal, Self

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.dependencies import unsubscribe_service
from policybound.api.openapi import Tag
from policybound.api.public.mailed_link import MailedLink, token_query
from policybound.api.public.unsubscribe_page import subscription_page, wording_for
from policybound.api.schemas import rfc3339
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.retention.unsubscribe import Subscription, UnsubscribeService

router = APIGatewayRouter()

TokenParam = Annotated[str, token_query("The token from the subscription mail's link: `<submission_id>.<secret>`.")]
Service = Annotated[UnsubscribeService, Depends(unsubscribe_service)]


class UnsubscribeOut(LazyModel):
    status: Literal["subscribed", "unsubscribed", "unsubscribed_pending_legal_hold", "already_unsubscribed"]
    # What the link does (`subscribed`) or did: a blog subscription's record is destroyed; a resources
    # download's marketing consent is withdrawn and the record stays. Null when nothing is left to tell.
    effect: Literal["subscription_destroyed", "marketing_consent_withdrawn"] | None = None
    message: str
    # While subscribed: when the details would otherwise be destroyed; after a marketing consent is
    # withdrawn: until when the download's record stays.
    retained_until: str | None = None

    @classmethod
    def of(cls, subscription: Subscription) -> Self:
        return cls(
            status=subscription.state.value,
            effect=subscription.effect.value if subscription.effect else None,
            message=wording_for(subscription).text_en,
            retained_until=rfc3339(subscription.retained_until) if subscription.retained_until else None,
        )


_REFUSED = {
    400: "unsubscribe_link_invalid: the token is not of a link's shape (incomplete)",
    404: "not_found: the token names no subscription (its secret is not the record's: altered)",
    410: "unsubscribe_link_expired: the subscription's retention ended",
    503: "unavailable (retry after Retry-After seconds)",
}
_LINK = MailedLink(router, subscription_page, UnsubscribeOut.of, model=UnsubscribeOut, refused=_REFUSED)


@router.get(
    "/v1/unsubscribe",
    summary="Show what the unsubscribe link would do (changes nothing)",
    description=(
        "A confirmation page (Korean and English) with a button that cancels the subscription; JSON when the "
        "request asks for it (`Accept: application/json`). Opening the link never cancels anything."
    ),
    operation_id="getUnsubscribeConfirmation",
    tags=[Tag.UNSUBSCRIBE],
    responses=_LINK.responses("The subscription's state: `subscribed`, or `already_unsubscribed`"),
)
def confirm_unsubscribe(service: Service, token: TokenParam) -> Response[Any]:
    return _LINK.answer(service.check(token), token)


@router.post(
    "/v1/unsubscribe",
    summary="Unsubscribe at once (RFC 8058 one-click)",
    description=(
        "Cancels the blog letter subscription and destroys its record at once (policy §4), writing a destruction "
        "ledger entry with reason `unsubscribed` (`effect: subscription_destroyed`); a letter's link to a resources "
        "download withdraws its marketing consent only and the record stays for the resources "
        "(`effect: marketing_consent_withdrawn`). Body: `List-Unsubscribe=One-Click` (form), JSON, or none. "
        "A second request with the same link changes nothing and answers `already_unsubscribed`."
    ),
    operation_id="unsubscribe",
    tags=[Tag.UNSUBSCRIBE],
    responses=_LINK.responses("`unsubscribed`, `unsubscribed_pending_legal_hold` or `already_unsubscribed`"),
)
def unsubscribe(service: Service, token: TokenParam) -> Response[Any]:
    # The body is never read: it says nothing the token does not.
    return _LINK.answer(service.unsubscribe(token))
