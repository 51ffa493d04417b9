"""The breach notice (§8; PIPA art. 34): what happened, what the subject can do, what the company
does, and whom to ask — in Korean and English. Names no other person and holds no other record."""

from __future__ import annotations

from policybound.domain.core.ports import OutgoingMail
from policybound.domain.incidents.model import Incident
from policybound.policy import COMPANY, CONTACTS, POLICY_TIMEZONE

_CATEGORY = {
    "loss": ("분실", "lost"),
    "theft": ("도난", "stolen"),
    "leak": ("유출", "leaked"),
    "falsification": ("위조·변조", "falsified"),
    "damage": ("훼손", "damaged"),
}


def breach_notice(to: str, incident: Incident) -> OutgoingMail:
    ko, en = _CATEGORY[incident.category.value]
    when = incident.discovered_at.astimezone(POLICY_TIMEZONE).strftime("%Y-%m-%d %H:%M KST")
    contact = CONTACTS[0].email
    text = (
        f"{COMPANY.ko}에서 보관하던 귀하의 개인정보가 {ko}된 사실을 {when}에 확인하여 알려드립니다.\n\n"
        f"경위: {incident.summary}\n"
        f"당사의 조치 및 피해 구제: {incident.measures}\n"
        "피해를 줄이기 위해 의심스러운 연락에 주의하시고, 필요하시면 아래로 문의해 주십시오.\n"
        f"문의: {contact} (사건 번호 {incident.incident_id})\n"
        "개인정보침해 신고센터: privacy.kisa.or.kr / 국번 없이 118\n\n"
        "----\n\n"
        f"We are writing to tell you that personal information of yours held by {COMPANY.en} was {en}; "
        f"we learned of it at {when}.\n\n"
        f"What happened: {incident.summary}\n"
        f"What we are doing and how we will make it right: {incident.measures}\n"
        "To limit any harm, be wary of unexpected messages that use your details, and contact us if you need help.\n"
        f"Contact: {contact} (incident {incident.incident_id})\n"
        "Personal Information Infringement Report Center: privacy.kisa.or.kr / 118\n"
    )
    return OutgoingMail(
        to=(to,),
        subject=f"[{COMPANY.en}] 개인정보 {ko} 통지 / Notice: your personal information was {en}",
        text=text,
    )
