"""Emails of the rights area (§3, §6), in Korean and English (Korean first: the site is Korean).

None of them names the person a record is about: a code mail may reach the wrong inbox, and a notice
to a recipient carries only the items that recipient was given before.
"""

from __future__ import annotations

from collections.abc import Mapping

from policybound.domain.core.ports import OutgoingMail
from policybound.policy import COMPANY, CONTACTS, ITEMS, FormPolicy

_KIND_TEXT = {
    "access": ("열람", "view"),
    "rectification": ("정정", "correct"),
    "erasure": ("삭제", "delete"),
    "marketing_withdrawal": ("마케팅 활용 동의 철회", "withdraw your marketing consent for"),
}


def rights_code(to: str, code: str, kind: str, minutes: int) -> OutgoingMail:
    ko_kind, en_kind = _KIND_TEXT.get(kind, ("열람", "view"))
    contact = CONTACTS[0].email
    text = (
        f"{COMPANY.ko} 개인정보 {ko_kind} 요청의 본인 확인 코드입니다.\n\n"
        f"    {code}\n\n"
        f"이 코드는 {minutes}분 동안 한 번만 쓸 수 있으며, 5번 틀리면 잠깁니다.\n"
        "요청하지 않으셨다면 이 메일을 무시하셔도 됩니다. 아무것도 변경되지 않습니다.\n"
        f"문의: {contact}\n\n"
        "----\n\n"
        f"Your code to {en_kind} the personal information {COMPANY.en} holds about you:\n\n"
        f"    {code}\n\n"
        f"It works once, for {minutes} minutes, and locks after 5 wrong tries.\n"
        "If you did not ask for it, ignore this email: nothing changes.\n"
        f"Questions: {contact}\n"
    )
    return OutgoingMail(to=(to,), subject=f"[{COMPANY.en}] 본인 확인 코드 / Your verification code", text=text)


def guardian_code(
    to: str, code: str, submission_id: str, form: FormPolicy, deadline: str, confirm_url: str
) -> OutgoingMail:
    contact = CONTACTS[0].email
    text = (
        f"만 14세 미만 아동이 {COMPANY.ko} '{form.title.ko}' 양식을 제출하면서 귀하를 법정대리인으로 지정했습니다.\n"
        "개인정보 보호법 제22조의2에 따라 법정대리인의 동의가 있어야 이 정보를 이용할 수 있습니다.\n\n"
        f"접수 번호: {submission_id}\n"
        f"동의 코드: {code}\n\n"
        f"동의하시려면 {deadline}까지 접수 번호와 코드를 입력해 주세요: {confirm_url}\n"
        "기한까지 동의하지 않으시면 제출된 정보는 이용되지 않고 파기됩니다.\n"
        "동의 후에도 아동의 개인정보를 열람·정정·삭제하실 수 있습니다 (이 주소로 본인 확인).\n"
        f"문의: {contact}\n\n"
        "----\n\n"
        f"A child under 14 submitted the {COMPANY.en} '{form.title.en}' form and named you as their legal "
        "representative. Under the Personal Information Protection Act (art. 22-2) it may be used only with "
        "your consent.\n\n"
        f"Submission number: {submission_id}\n"
        f"Consent code: {code}\n\n"
        f"To consent, enter the submission number and the code by {deadline}: {confirm_url}\n"
        "Without your consent by then, the information is never used and is destroyed.\n"
        "Once you consent you can view, correct or delete the child's information (verified by this address).\n"
        f"Questions: {contact}\n"
    )
    return OutgoingMail(
        to=(to,), subject=f"[{COMPANY.en}] 법정대리인 동의 요청 / Consent needed for a child under 14", text=text
    )


def correction_notice(
    to: str, disclosure_id: str, submission_id: str, provided_on: str, corrected: Mapping[str, str | None]
) -> OutgoingMail:
    """§6: wrong data already provided to a third party is corrected there too, without delay."""
    contact = CONTACTS[0].email

    def lines(language: str) -> str:
        deleted = "(삭제됨)" if language == "ko" else "(deleted)"
        return "\n".join(
            f"- {ITEMS[name].label.in_('ko' if language == 'ko' else 'en')}: {value if value is not None else deleted}"
            for name, value in sorted(corrected.items())
        )

    text = (
        f"{COMPANY.ko}가 {provided_on}에 제공한 개인정보 중 일부가 정보주체의 요청으로 정정되었습니다.\n"
        "개인정보 보호법에 따라 알려 드리니, 보유하신 정보도 아래와 같이 정정해 주십시오.\n\n"
        f"제공 번호: {disclosure_id}\n"
        f"기록 번호: {submission_id}\n"
        f"{lines('ko')}\n\n"
        f"문의: {contact}\n\n"
        "----\n\n"
        f"Personal information {COMPANY.en} provided to you on {provided_on} has been corrected at the request of "
        "the person it is about. Please correct your copy as below.\n\n"
        f"Provision: {disclosure_id}\n"
        f"Record: {submission_id}\n"
        f"{lines('en')}\n\n"
        f"Questions: {contact}\n"
    )
    return OutgoingMail(
        to=(to,), subject=f"[{COMPANY.en}] 제공된 개인정보의 정정 통지 / Correction of information provided", text=text
    )
