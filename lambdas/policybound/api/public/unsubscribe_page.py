"""The unsubscribe link's pages, in Korean and English (Korean first: the site is Korean).

People open the link from a mail in a browser, so they get a page; scripts that ask for JSON get
JSON. The confirmation page's button is a plain form POST with RFC 8058's one-click body, so it works
without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from policybound.api.schemas import rfc3339
from policybound.domain.core.errors import UnsubscribeLinkExpired, UnsubscribeLinkInvalid
from policybound.domain.retention.unsubscribe import Subscription, SubscriptionState, UnsubscribeEffect
from policybound.policy import COMPANY, CONTACTS

# The token is a credential in the URL: no referrer may carry it to another site, no frame may hide the
# button under something else (clickjacking), no cache may keep the page. `same-origin`, not `no-referrer`:
# under `no-referrer` a browser's form POST says `Origin: null`, which the API's origin check refuses, so
# the page's own button could never unsubscribe; the only request it makes is to this same origin.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class Wording:
    title_ko: str
    title_en: str
    text_ko: str
    text_en: str


_DESTROYED = UnsubscribeEffect.SUBSCRIPTION_DESTROYED
_WITHDRAWN = UnsubscribeEffect.MARKETING_CONSENT_WITHDRAWN

# What the page says for each outcome: what the link would do or did to the record behind it. A blog
# subscription is destroyed (§4); a downloader's marketing consent is withdrawn and the download's record
# stays for the resources until its retention ends, so that page never says "destroyed".
OUTCOME_WORDING: dict[tuple[SubscriptionState, UnsubscribeEffect | None], Wording] = {
    (SubscriptionState.ACTIVE, _DESTROYED): Wording(
        "블로그 레터 구독 해지",
        "Unsubscribe from the Blog Letter",
        "구독을 해지하시면 구독 정보(이름, 이메일 등)는 즉시 파기되며 복구할 수 없습니다.",
        "If you unsubscribe, your subscription details (name, email and the rest) are destroyed at once "
        "and cannot be restored.",
    ),
    (SubscriptionState.ACTIVE, _WITHDRAWN): Wording(
        "마케팅 이메일 수신 거부",
        "Stop marketing email",
        "수신을 거부하시면 마케팅 이메일 수신 동의가 철회되어 블로그 레터와 마케팅 이메일을 더 이상 보내지 "
        "않습니다. 자료 다운로드 신청 정보는 파기되지 않고, 자료 제공 목적으로만 보유기간까지 보관한 뒤 파기합니다.",
        "If you unsubscribe, your consent to marketing email is withdrawn and no more blog letters or marketing "
        "email will be sent. The details of your resource download are not destroyed: they are kept only to "
        "provide the resources, until their retention period ends, and destroyed then.",
    ),
    (SubscriptionState.CANCELLED, _DESTROYED): Wording(
        "구독이 해지되었습니다",
        "You are unsubscribed",
        "구독 정보는 복구할 수 없도록 파기되었습니다. 더 이상 블로그 레터를 보내지 않습니다.",
        "Your subscription details have been destroyed and cannot be restored. No more letters will be sent.",
    ),
    (SubscriptionState.CANCELLED, _WITHDRAWN): Wording(
        "마케팅 이메일 수신 동의가 철회되었습니다",
        "Your consent to marketing email is withdrawn",
        "블로그 레터와 마케팅 이메일을 더 이상 보내지 않습니다. 자료 다운로드 신청 정보는 파기되지 않았으며, "
        "자료 제공 목적으로만 보유기간까지 보관한 뒤 파기합니다.",
        "No more blog letters or marketing email will be sent. The details of your resource download were not "
        "destroyed: they are kept only to provide the resources, until their retention period ends, and "
        "destroyed then.",
    ),
    (SubscriptionState.CANCELLED_HELD, _DESTROYED): Wording(
        "구독이 해지되었습니다",
        "You are unsubscribed",
        "더 이상 블로그 레터를 보내지 않습니다. 법령에 따라 보존해야 하는 정보는 그 목적으로만 보관하며, "
        "보존 의무가 끝나면 지체 없이 파기합니다(개인정보처리방침 4.2).",
        "No more letters will be sent. Information the law obliges us to preserve is kept for that purpose "
        "only, and destroyed without delay when the obligation ends (privacy policy §4.2).",
    ),
    (SubscriptionState.ALREADY_CANCELLED, _WITHDRAWN): Wording(
        "이미 마케팅 이메일 수신 동의를 철회하셨습니다",
        "Marketing email already stopped",
        "이 링크의 마케팅 이메일 수신 동의는 이미 철회되어 블로그 레터와 마케팅 이메일을 보내지 않습니다. 자료 "
        "다운로드 신청 정보는 자료 제공 목적으로만 보유기간까지 보관합니다. 더 하실 일은 없습니다.",
        "Consent to marketing email under this link was already withdrawn: no blog letters or marketing email "
        "are sent. The details of your resource download are kept only to provide the resources, until their "
        "retention period ends. There is nothing more to do.",
    ),
    # Nothing is left behind the link to say more about (a used link, an erased record, or none at all).
    (SubscriptionState.ALREADY_CANCELLED, None): Wording(
        "이미 해지된 구독입니다",
        "Already unsubscribed",
        "이 링크의 구독은 이미 해지되어 더 이상 메일을 보내지 않습니다. 더 하실 일은 없습니다.",
        "This link's subscription was already cancelled: no more mail will be sent. There is nothing more to do.",
    ),
}


def wording_for(subscription: Subscription) -> Wording:
    return OUTCOME_WORDING[subscription.state, subscription.effect]


INVALID_WORDING = Wording(
    "링크가 올바르지 않습니다",
    "This link is not valid",
    "링크가 잘렸거나 바뀌었습니다. 메일의 링크를 다시 열거나, 주소 전체를 브라우저에 붙여 넣어 주시기 바랍니다. "
    "아무것도 변경되지 않았습니다.",
    "The link is incomplete or has been altered. Open the link in the mail again, or paste the whole "
    "address into the browser. Nothing was changed.",
)
EXPIRED_WORDING = Wording(
    "링크가 만료되었습니다",
    "This link has expired",
    "이 링크의 정보는 보유기간이 끝나 파기되었습니다. 더 하실 일은 없습니다.",
    "The retention period of the details behind this link ended and they were destroyed. There is nothing more to do.",
)


def wants_html(event: APIGatewayProxyEvent) -> bool:
    """A browser following the link gets a page; a caller that sends or asks for JSON gets JSON."""
    accept = (event.headers.get("accept") or event.headers.get("Accept") or "").lower()
    content_type = (event.headers.get("content-type") or event.headers.get("Content-Type") or "").lower()
    return "application/json" not in accept and not content_type.startswith("application/json")


def _document(wording: Wording, body: str) -> str:
    contact = escape(CONTACTS[0].email)
    return f"""<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(wording.title_ko)} / {escape(wording.title_en)} | {escape(COMPANY.en)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.6; }}
section + section {{ border-top: 1px solid #ccc; margin-top: 2rem; padding-top: 1rem; }}
button {{ font-size: 1rem; padding: .6rem 1.2rem; background: #b00020; color: #fff; border: 0; border-radius: 4px; }}
</style>
</head>
<body>
<main>
<section lang="ko"><h1>{escape(wording.title_ko)}</h1><p>{escape(wording.text_ko)}</p></section>
<section lang="en"><h1>{escape(wording.title_en)}</h1><p>{escape(wording.text_en)}</p></section>
{body}
<p><small>문의 / Questions: <a href="mailto:{contact}">{contact}</a></small></p>
</main>
</body>
</html>
"""


def html_response(status: int, wording: Wording, body: str = "") -> Response[str]:
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=_document(wording, body),
        headers=dict(PAGE_HEADERS),
    )


_BUTTONS = {_DESTROYED: "구독 해지 / Unsubscribe", _WITHDRAWN: "수신 거부 / Unsubscribe"}


def subscription_page(subscription: Subscription, token: str | None) -> Response[str]:
    wording = wording_for(subscription)
    body = ""
    until = rfc3339(subscription.retained_until).split("T")[0] if subscription.retained_until else ""
    if subscription.state is SubscriptionState.ACTIVE and token is not None and subscription.effect is not None:
        # Relative to this page's own path, so it works behind any stage or custom domain.
        action = escape(f"?token={quote(token, safe='')}")
        body = f"""<p>보유기간 / Kept until: {escape(until)}</p>
<form method="post" action="{action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">{_BUTTONS[subscription.effect]}</button>
</form>"""
    elif until:
        body = f"<p>자료 제공 목적의 보유기간 / Kept to provide the resources until: {escape(until)}</p>"
    return html_response(200, wording, body)


def error_page(error: UnsubscribeLinkInvalid | UnsubscribeLinkExpired, status: int) -> Response[str]:
    """The page for a refused link; its status is the JSON error's (set in `api.errors`)."""
    return html_response(status, EXPIRED_WORDING if isinstance(error, UnsubscribeLinkExpired) else INVALID_WORDING)
