"""Emails the system sends, in Korean and English (Korean first: the site is Korean)."""

from __future__ import annotations

from policybound.domain.ports import OutgoingMail
from policybound.policy import COMPANY, CONTACTS, RETENTION_MONTHS


def subscription_confirmation(to: str, unsubscribe_url: str, retained_until: str) -> OutgoingMail:
    contact = CONTACTS[0].email
    text = (
        f"{COMPANY.ko} 블로그 레터 구독이 완료되었습니다.\n\n"
        f"보유기간: {retained_until}까지 (동의일로부터 {RETENTION_MONTHS}개월), 이후 지체 없이 파기됩니다.\n"
        f"구독을 해지하시면 개인정보는 즉시 파기됩니다: {unsubscribe_url}\n"
        f"문의: {contact}\n\n"
        "----\n\n"
        f"Thank you for subscribing to the {COMPANY.en} Blog Letter.\n\n"
        f"We keep your details until {retained_until} ({RETENTION_MONTHS} months after your consent)"
        " and then destroy them.\n"
        f"Unsubscribe at any time and your details are destroyed at once: {unsubscribe_url}\n"
        f"Questions: {contact}\n"
    )
    return OutgoingMail(
        to=(to,),
        subject=f"[{COMPANY.en}] 블로그 레터 구독 확인 / Blog Letter subscription confirmed",
        text=text,
        # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe that POSTs to the link.
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
