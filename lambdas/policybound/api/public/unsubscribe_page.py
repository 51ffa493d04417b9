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
from policybound.domain.retention.unsubscribe import Subscription, SubscriptionState
from policybound.policy import COMPANY, CONTACTS

# The token is a credential in the URL: no referrer may carry it away, no frame may hide the button
# under something else (clickjacking), no cache may keep the page.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class Wording:
    title_ko: str
    title_en: str
    text_ko: str
    text_en: str


STATE_WORDING: dict[SubscriptionState, Wording] = {
    SubscriptionState.ACTIVE: Wording(
        "블로그 레터 구독 해지",
        "Unsubscribe from the Blog Letter",
        "구독을 해지하시면 구독 정보(이름, 이메일 등)는 즉시 파기되며 복구할 수 없습니다.",
        "If you unsubscribe, your subscription details (name, email and the rest) are destroyed at once "
        "and cannot be restored.",
    ),
    SubscriptionState.CANCELLED: Wording(
        "구독이 해지되었습니다",
        "You are unsubscribed",
        "구독 정보는 복구할 수 없도록 파기되었습니다. 더 이상 블로그 레터를 보내지 않습니다.",
        "Your subscription details have been destroyed and cannot be restored. No more letters will be sent.",
    ),
    SubscriptionState.CANCELLED_HELD: Wording(
        "구독이 해지되었습니다",
        "You are unsubscribed",
        "더 이상 블로그 레터를 보내지 않습니다. 법령에 따라 보존해야 하는 정보는 그 목적으로만 보관하며, "
        "보존 의무가 끝나면 지체 없이 파기합니다(개인정보처리방침 4.2).",
        "No more letters will be sent. Information the law obliges us to preserve is kept for that purpose "
        "only, and destroyed without delay when the obligation ends (privacy policy §4.2).",
    ),
    SubscriptionState.ALREADY_CANCELLED: Wording(
        "이미 해지된 구독입니다",
        "Already unsubscribed",
        "이 링크의 구독은 이미 해지되었고 구독 정보는 파기되었습니다. 더 하실 일은 없습니다.",
        "This link's subscription was already cancelled and its details destroyed. There is nothing more to do.",
    ),
}

INVALID_WORDING = Wording(
    "링크가 올바르지 않습니다",
    "This link is not valid",
    "링크가 잘렸거나 바뀌었습니다. 메일의 링크를 다시 열거나, 주소 전체를 브라우저에 붙여 넣어 주세요. "
    "아무것도 변경되지 않았습니다.",
    "The link is incomplete or has been altered. Open the link in the mail again, or paste the whole "
    "address into the browser. Nothing was changed.",
)
EXPIRED_WORDING = Wording(
    "링크가 만료되었습니다",
    "This link has expired",
    "구독 정보의 보유기간이 끝나 정보가 파기되었습니다. 더 하실 일은 없습니다.",
    "The subscription's retention period ended and its details were destroyed. There is nothing more to do.",
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


def subscription_page(subscription: Subscription, token: str | None) -> Response[str]:
    wording = STATE_WORDING[subscription.state]
    body = ""
    if subscription.state is SubscriptionState.ACTIVE and token is not None:
        until = rfc3339(subscription.retained_until).split("T")[0] if subscription.retained_until else ""
        # Relative to this page's own path, so it works behind any stage or custom domain.
        action = escape(f"?token={quote(token, safe='')}")
        body = f"""<p>보유기간 / Kept until: {escape(until)}</p>
<form method="post" action="{action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">구독 해지 / Unsubscribe</button>
</form>"""
    return html_response(200, wording, body)


def error_page(error: UnsubscribeLinkInvalid | UnsubscribeLinkExpired, status: int) -> Response[str]:
    """The page for a refused link; its status is the JSON error's (set in `api.errors`)."""
    return html_response(status, EXPIRED_WORDING if isinstance(error, UnsubscribeLinkExpired) else INVALID_WORDING)
