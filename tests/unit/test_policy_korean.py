"""The Korean the system publishes is in the register a Korean company's policy and notices use: the
formal declarative (합쇼체, "…합니다."), never the casual polite "…요." nor the plain "…한다.", and the
policy's own terms for its offices."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from policybound.api.public import consent_renewal_page, unsubscribe_page
from policybound.domain.core.mail import consent_renewal_request
from policybound.domain.core.policy_document import policy_document
from policybound.policy import ITEMS, PURPOSE_TEXT, Purpose, Text

# A sentence's last word before its full stop (numbers like "2." in a cross-reference are not sentences).
SENTENCE_END = re.compile(r"([가-힣]+)\.(?=\s|$)")


def korean_strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in korean_strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in korean_strings(value)]
    return [node] if isinstance(node, str) and re.search("[가-힣]", node) else []


def off_register(texts: list[str]) -> list[str]:
    """Sentences that end casually ("…요.") or plainly ("…다." but not "…니다."); a nominal ending
    ("… 서비스 제공.") is the policy's own style for list items and passes."""
    return [
        f"{word}. in {text[:60]!r}"
        for text in texts
        for word in SENTENCE_END.findall(text)
        if word.endswith("요") or (word.endswith("다") and not word.endswith("니다"))
    ]


def test_the_published_korean_policy_is_in_the_formal_register() -> None:
    texts = korean_strings(policy_document("ko", date(2026, 12, 1)))
    assert len(texts) > 100
    assert off_register(texts) == []


def test_the_pages_and_the_consent_mail_are_in_the_same_register() -> None:
    wordings = [
        *consent_renewal_page.RENEWAL_WORDING.values(),
        consent_renewal_page.EXPIRED_WORDING,
        consent_renewal_page.UNKNOWN_WORDING,
        unsubscribe_page.INVALID_WORDING,
        *unsubscribe_page.OUTCOME_WORDING.values(),
    ]
    mail = consent_renewal_request(
        "minji@example.co.kr",
        "김민지",
        "https://api.example.com/v1/consent-renewals?token=t",
        "2027-03-01",
        (ITEMS["department"].label,),
        (),
        "2027-03-31",
        recipients=(Text("Example Partner Co.", "예시파트너 주식회사"),),
        asked_apart=(PURPOSE_TEXT[Purpose.EMAIL_MARKETING],),
    )
    korean = mail.text.split("----", 1)[0]
    assert off_register([w.text_ko for w in wordings] + [korean]) == []


@pytest.mark.parametrize(
    ("role", "department"),
    [
        ("개인정보 보호책임자", "정도경영 담당"),
        ("개인정보 보호담당자", "정보보안팀"),
        ("웹사이트 개인정보 관리책임자", "홍보팀장"),
    ],
)
def test_the_contacts_are_named_as_the_company_names_its_offices(role: str, department: str) -> None:
    # "Jeon-do Management" in the English text is 정도경영 (the ethics office), not a word of its own.
    contacts = policy_document("ko", date(2026, 12, 1))["contacts"]
    assert {"role": role, "department": department} in [
        {"role": c["role"], "department": c["department"]} for c in contacts
    ]


def test_a_collected_item_is_named_as_a_policy_lists_it() -> None:
    download = next(f for f in policy_document("ko", date(2026, 12, 1))["forms"] if f["form"] == "resources-download")
    assert [i["label"] for i in download["required_items"]] == ["이름", "이메일", "회사명", "직급", "요청 자료"]
