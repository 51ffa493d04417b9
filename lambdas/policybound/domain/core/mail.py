"""Emails the system sends, in Korean and English (Korean first: the site is Korean)."""

from __future__ import annotations

from datetime import timedelta

from policybound.catalogue import Resource
from policybound.domain.core.ports import OutgoingMail
from policybound.policy import COMPANY, CONTACTS, RETENTION_MONTHS, Text

# SES's sending rate is per account (14 mails/s for a new production account in Seoul). The stacks run
# at most SENDER_CONCURRENCY senders at once, each pacing itself, so the total stays below it.
SENDER_CONCURRENCY = 2
SENDS_PER_SECOND_PER_SENDER = 5.0


def one_click_unsubscribe(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers: mail clients offer a one-click unsubscribe that POSTs to `url`."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def subscription_confirmation(
    to: str, unsubscribe_url: str, retained_until: str, months: int = RETENTION_MONTHS, *, pending: bool = False
) -> OutgoingMail:
    contact = CONTACTS[0].email
    if pending:
        # A child's subscription waits for the legal representative: nothing is kept for months yet.
        ko_retention = (
            f"법정대리인이 {retained_until}까지 동의하면 그날부터 {months}개월간 보유하며, "
            "동의하지 않으면 이용하지 않고 지체 없이 파기됩니다.\n"
        )
        en_retention = (
            f"If your legal representative consents by {retained_until}, we keep your details for {months} months "
            "from their consent; otherwise they are never used and are destroyed without delay.\n"
        )
    else:
        ko_retention = f"보유기간: {retained_until}까지 (동의일로부터 {months}개월), 이후 지체 없이 파기됩니다.\n"
        en_retention = (
            f"We keep your details until {retained_until} ({months} months after your consent) and then destroy them.\n"
        )
    text = (
        f"{COMPANY.ko} 블로그 레터 구독이 완료되었습니다.\n\n"
        f"{ko_retention}"
        f"구독을 해지하시면 개인정보는 즉시 파기됩니다: {unsubscribe_url}\n"
        f"문의: {contact}\n\n"
        "----\n\n"
        f"Thank you for subscribing to the {COMPANY.en} Blog Letter.\n\n"
        f"{en_retention}"
        f"Unsubscribe at any time and your details are destroyed at once: {unsubscribe_url}\n"
        f"Questions: {contact}\n"
    )
    return OutgoingMail(
        to=(to,),
        subject=f"[{COMPANY.en}] 블로그 레터 구독 확인 / Blog Letter subscription confirmed",
        text=text,
        headers=one_click_unsubscribe(unsubscribe_url),
    )


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines()) or "> "


def inquiry_reply(to: str, name: str, inquiry: str, body: str) -> OutgoingMail:
    """A member of staff's answer to a contact-us inquiry, framed in both languages with the question."""
    contact = CONTACTS[0].email
    text = (
        f"{name}님, {COMPANY.ko}에 문의해 주셔서 감사합니다. 문의하신 내용에 대한 답변입니다.\n\n"
        f"{body}\n\n"
        f"문의 내용:\n{_quoted(inquiry)}\n\n"
        f"개인정보 관련 문의: {contact}\n\n"
        "----\n\n"
        f"Dear {name}, thank you for contacting {COMPANY.en}. Here is our answer to your inquiry (above).\n"
        f"Questions about your personal information: {contact}\n"
    )
    return OutgoingMail(
        to=(to,),
        subject=f"[{COMPANY.en}] 문의하신 내용에 대한 답변 / Reply to your inquiry",
        text=text,
    )


def resource_link(to: str, name: str, resource: Resource, url: str, valid_for: timedelta) -> OutgoingMail:
    """The link to a requested resource, valid for a limited time."""
    minutes = int(valid_for.total_seconds() // 60)
    contact = CONTACTS[0].email
    text = (
        f"{name}님, 요청하신 자료 \u300c{resource.title.ko}\u300d를 보내 드립니다.\n\n"
        f"다운로드: {url}\n"
        f"이 링크는 {minutes}분 동안 유효합니다. 만료된 경우 자료 다운로드 양식으로 다시 신청하여 주시기 바랍니다.\n"
        f"개인정보 관련 문의: {contact}\n\n"
        "----\n\n"
        f"Dear {name}, here is the resource you asked for: {resource.title.en}.\n\n"
        f"Download: {url}\n"
        f"The link works for {minutes} minutes; after that, request it again with the download form.\n"
        f"Questions about your personal information: {contact}\n"
    )
    return OutgoingMail(
        to=(to,),
        subject=f"[{COMPANY.en}] 요청하신 자료 / Your download: {resource.title.en}",
        text=text,
    )


def letter_mail(
    to: str, name: str, subject: str, body: str, unsubscribe_url: str, *, cancels_subscription: bool
) -> OutgoingMail:
    """A letter to one member of the marketing audience, with their own one-click unsubscribe link."""
    if cancels_subscription:
        why_ko = "블로그 레터를 구독하셨기 때문에 이 메일을 받으셨습니다. 구독을 해지하시면 개인정보는 즉시 파기됩니다"
        why_en = "You get this because you subscribed to the Blog Letter. Unsubscribe and your details are destroyed"
    else:
        why_ko = "자료 다운로드 시 이메일 마케팅 수신에 동의하셨기 때문에 이 메일을 받으셨습니다. 수신을 거부하시려면"
        why_en = "You get this because you agreed to marketing email when downloading a resource. To stop it"
    text = (
        f"{name}님,\n\n{body}\n\n"
        "----\n"
        f"{why_ko}: {unsubscribe_url}\n"
        f"{why_en}: {unsubscribe_url}\n"
        f"{COMPANY.en} · {CONTACTS[0].email}\n"
    )
    return OutgoingMail(
        to=(to,),
        subject=subject,
        text=text,
        headers=one_click_unsubscribe(unsubscribe_url),
    )


def consent_renewal_request(
    to: str,
    name: str,
    url: str,
    effective: str,
    items: tuple[Text, ...],
    purposes: tuple[Text, ...],
    valid_until: str,
    recipients: tuple[Text, ...] = (),
    asked_apart: tuple[Text, ...] = (),
) -> OutgoingMail:
    """§12: a changed policy adds items, purposes or recipients to what the person consented to; their
    consent is asked for, never assumed, and without it their details stay within what they agreed to. A
    purpose that needs its own consent (email marketing) is named apart, as the optional consent it is."""
    contact = CONTACTS[0].email

    def listed(texts: tuple[Text, ...], language: str) -> str:
        return ", ".join(t.ko if language == "ko" else t.en for t in texts) or ("없음" if language == "ko" else "none")

    apart_ko = (
        f"별도 동의(선택): {listed(asked_apart, 'ko')} — 동의하지 않으셔도 다른 항목에 대한 동의 및 서비스 이용에는 "
        "영향이 없습니다.\n"
        if asked_apart
        else ""
    )
    apart_en = (
        f"Asked apart (optional): {listed(asked_apart, 'en')}. Refusing it changes nothing else.\n"
        if asked_apart
        else ""
    )
    recipients_ko = f"추가되는 개인정보를 제공받는 자: {listed(recipients, 'ko')}\n" if recipients else ""
    recipients_en = f"Recipients added: {listed(recipients, 'en')}\n" if recipients else ""

    text = (
        f"{name}님, 안녕하십니까.\n\n"
        f"{COMPANY.ko} 개인정보처리방침이 {effective}부터 변경되어 시행됨에 따라, 아래와 같이 추가되는 "
        "개인정보의 수집·이용에 대하여 동의를 요청드립니다.\n\n"
        f"추가되는 수집 항목: {listed(items, 'ko')}\n"
        f"추가되는 수집·이용 목적: {listed(purposes, 'ko')}\n"
        f"{recipients_ko}{apart_ko}\n"
        f"아래 링크에서 변경 내용을 확인하신 후 동의하여 주시기 바랍니다(링크 유효기간: {valid_until}까지).\n"
        f"{url}\n\n"
        "동의하지 않으시더라도 회사는 귀하께서 이미 동의하신 범위에서만 개인정보를 처리하며, 추가되는 항목 및 "
        "목적으로는 처리하지 않습니다.\n"
        f"개인정보 관련 문의: {contact}\n\n"
        "----\n\n"
        f"Dear {name},\n\n"
        f"The {COMPANY.en} Privacy Policy changes from {effective}. It adds the following to what you consented to, "
        "and we ask for your consent to it.\n\n"
        f"Items added: {listed(items, 'en')}\n"
        f"Purposes added: {listed(purposes, 'en')}\n"
        f"{recipients_en}{apart_en}\n"
        f"Read the change and give your consent here (the link works until {valid_until}):\n{url}\n\n"
        "If you do not consent, we keep using your details only as you agreed before, never for what is added.\n"
        f"Questions about your personal information: {contact}\n"
    )
    return OutgoingMail(
        to=(to,),
        subject=f"[{COMPANY.en}] 개인정보처리방침 변경에 따른 동의 요청 / Your consent to the updated Privacy Policy",
        text=text,
    )
