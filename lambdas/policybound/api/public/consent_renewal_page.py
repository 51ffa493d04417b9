"""The consent request link's pages, in Korean and English (Korean first: the site is Korean).

The confirmation page's button is a plain form POST, so it works without JavaScript; the page frame and
its headers (no referrer, no framing, no caching: the token is a credential) are the unsubscribe pages'.
A purpose that needs its own consent (email marketing, PIPA art. 22) is its own checkbox, unticked and
marked optional, never implied by the button.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response

from policybound.api.public.unsubscribe_page import INVALID_WORDING, Wording, html_response
from policybound.domain.core.errors import ConsentLinkExpired, ConsentLinkInvalid, ConsentLinkUnknown
from policybound.domain.intake.consent_renewal import Renewal, RenewalState
from policybound.policy import ITEMS, POLICY_TIMEZONE, PURPOSE_TEXT, Purpose, Recipient

RENEWAL_WORDING: dict[RenewalState, Wording] = {
    RenewalState.ASKED: Wording(
        "개인정보처리방침 변경에 따른 동의",
        "Consent to the updated Privacy Policy",
        "변경된 개인정보처리방침에 따라 아래의 사항이 추가됩니다. 동의하시면 추가되는 사항에 대하여 개인정보를 "
        "처리하며, 동의하지 않으시면 기존에 동의하신 범위에서만 처리합니다.",
        "The updated Privacy Policy adds what is listed below. If you consent, your details may be processed "
        "for it too; if not, they are used only as you agreed before.",
    ),
    RenewalState.RENEWED: Wording(
        "동의가 완료되었습니다",
        "Thank you: your consent is recorded",
        "변경된 개인정보처리방침에 대한 동의가 기록되었습니다. 동의는 언제든지 철회하실 수 있습니다.",
        "Your consent to the updated Privacy Policy is recorded. You may withdraw it at any time.",
    ),
    RenewalState.ALREADY_RENEWED: Wording(
        "이미 동의하셨습니다",
        "Consent already given",
        "이 링크로 이미 동의하셨습니다. 더 하실 일은 없습니다.",
        "You already gave your consent with this link. There is nothing more to do.",
    ),
}

EXPIRED_WORDING = Wording(
    "링크가 만료되었습니다",
    "This link has expired",
    "이 링크의 유효기간이 지났거나 해당 정보가 더 이상 보관되지 않습니다. 개인정보는 기존에 동의하신 범위에서만 "
    "처리되며, 아무것도 변경되지 않았습니다.",
    "This link's time ran out, or the details it was for are no longer kept. Your details are used only as "
    "you agreed before; nothing was changed.",
)


UNKNOWN_WORDING = Wording(
    "링크를 확인할 수 없습니다",
    "This link is not recognised",
    "이 링크에 해당하는 동의 요청이 없습니다. 링크가 바뀌었거나 해당 정보가 더 이상 보관되지 않습니다. "
    "가장 최근 메일의 링크를 열어 주시기 바랍니다. 아무것도 변경되지 않았습니다.",
    "No request for consent matches this link: it was altered, or the details it was for are no longer kept. "
    "Open the link in the latest mail. Nothing was changed.",
)


def _recipient(recipient: Recipient) -> str:
    items = ", ".join(ITEMS[i].label.ko for i in recipient.items)
    return escape(
        f"{recipient.name.ko} ({recipient.name.en}) — 목적: {recipient.purpose.ko}; 항목: {items}; "
        f"보유·이용기간: {recipient.retention.ko}"
    )


_APART_LABEL: dict[Purpose, str] = {
    Purpose.EMAIL_MARKETING: "marketing",
}


def _asked_apart(purposes: tuple[Purpose, ...]) -> str:
    boxes = "".join(
        f"""<p><label><input type="checkbox" name="{_APART_LABEL[p]}" value="true">
[선택] {escape(PURPOSE_TEXT[p].ko)}에 동의합니다 / (Optional) I consent to: {escape(PURPOSE_TEXT[p].en)}</label></p>
"""
        for p in purposes
    )
    return f"""<fieldset>
<legend>별도 동의(선택) / Asked apart (optional)</legend>
{boxes}<p>동의하지 않으셔도 위의 사항에 대한 동의와 서비스 이용에는 영향이 없습니다. /
Leaving it unticked changes nothing else.</p>
</fieldset>
"""


def renewal_page(renewal: Renewal, token: str | None) -> Response[str]:
    wording = RENEWAL_WORDING[renewal.state]
    body = ""
    if renewal.state is RenewalState.ASKED and token is not None:
        items = ", ".join(f"{ITEMS[i].label.ko} ({ITEMS[i].label.en})" for i in renewal.items_added) or "—"
        purposes = ", ".join(f"{PURPOSE_TEXT[p].ko} ({PURPOSE_TEXT[p].en})" for p in renewal.purposes_added) or "—"
        recipients = (
            "<p>추가되는 개인정보를 제공받는 자 / Recipients added:</p>\n<ul>"
            + "".join(f"<li>{_recipient(r)}</li>" for r in renewal.recipients_added)
            + "</ul>\n"
            if renewal.recipients_added
            else ""
        )
        until = renewal.valid_until.astimezone(POLICY_TIMEZONE).date().isoformat()
        # Relative to this page's own path, so it works behind any stage or custom domain.
        action = escape(f"?token={quote(token, safe='')}")
        apart = _asked_apart(renewal.purposes_asked_apart) if renewal.purposes_asked_apart else ""
        body = f"""<p>시행일 / Effective: {escape(renewal.effective_date)} (version {escape(renewal.version)})</p>
<p>추가되는 수집 항목 / Items added: {escape(items)}</p>
<p>추가되는 수집·이용 목적 / Purposes added: {escape(purposes)}</p>
{recipients}<p>링크 유효기간 / Link valid until: {escape(until)}</p>
<form method="post" action="{action}">
{apart}<button type="submit">동의합니다 / I consent</button>
</form>"""
    return html_response(200, wording, body)


def consent_link_error_page(error: ConsentLinkInvalid | ConsentLinkExpired, status: int) -> Response[str]:
    """The page for a refused link; its status is the JSON error's (set in `api.errors`)."""
    if isinstance(error, ConsentLinkExpired):
        return html_response(status, EXPIRED_WORDING)
    return html_response(status, UNKNOWN_WORDING if isinstance(error, ConsentLinkUnknown) else INVALID_WORDING)
