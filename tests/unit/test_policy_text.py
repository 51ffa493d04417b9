"""The published policy is the policy text: `GET /v1/policy` carries every section, in the policy's
order and words, in English and Korean.

The expected English is `tests/fixtures/privacy-policy-2019-09-20.txt`, a copy of the policy as
published (without the web page's "View content" link). The rendering is compared with it section by
section, ignoring only layout: line breaks and spacing, the list and heading marks ("–", "-", "*"),
and the table's cell borders (the published copy runs a row's cells together).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from policybound import policy
from policybound.domain.core.policy_document import policy_document
from tests.conftest import NOW

FIXTURE = Path(__file__).parents[1] / "fixtures" / "privacy-policy-2019-09-20.txt"
SECTION_HEADING = re.compile(r"^(\d{1,2})\. \S", re.MULTILINE)
EFFECTIVE = re.compile(r"^Effective date .*$", re.MULTILINE)

TODAY = NOW.astimezone(policy.POLICY_TIMEZONE).date()


def layout_free(text: str) -> str:
    return re.sub(r"[\s–*-]", "", text)


def published_sections() -> dict[str, str]:
    """The fixture cut at its top-level headings ("1. ", "2. " ... "12. "); "" is the title and preamble,
    "effective" the closing date line."""
    text = FIXTURE.read_text(encoding="utf-8")
    effective = EFFECTIVE.search(text)
    assert effective, "the fixture ends with its effective date"
    body, tail = text[: effective.start()], text[effective.start() :]
    starts = [(m.group(1), m.start()) for m in SECTION_HEADING.finditer(body)]
    sections = {"": body[: starts[0][1]], "effective": tail}
    for (number, start), (_, end) in zip(starts, [*starts[1:], ("", len(body))], strict=True):
        sections[number] = body[start:end]
    return sections


def flatten(blocks: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        match block["type"]:
            case "paragraph" | "heading":
                lines.append(block["text"])
            case "list":
                lines += [f"– {item}" for item in block["items"]]
            case "table":
                lines += ["".join(block["header"]), *("".join(row) for row in block["rows"])]
            case other:
                raise AssertionError(f"unknown block type {other}")
    return lines


def rendered_section(section: dict[str, Any]) -> str:
    lines = [f"{section['number']}. {section['title']}", *flatten(section["blocks"])]
    for sub in section["subsections"]:
        blocks = flatten(sub["blocks"])
        if sub["title"]:
            lines += [f"{sub['number']}. {sub['title']}", *blocks]
        else:
            lines += [f"{sub['number']}. {blocks[0]}", *blocks[1:]]
    return "\n".join(lines)


def test_the_fixture_has_the_twelve_sections_of_the_policy() -> None:
    assert list(published_sections()) == ["", "effective", *(str(n) for n in range(1, 13))]


@pytest.mark.parametrize("number", [str(n) for n in range(1, 13)])
def test_each_english_section_is_the_policy_text(number: str) -> None:
    document = policy_document("en", TODAY)
    [section] = [s for s in document["sections"] if s["number"] == number]
    assert layout_free(rendered_section(section)) == layout_free(published_sections()[number])


def test_the_title_preamble_and_effective_date_are_the_policy_text() -> None:
    document = policy_document("en", TODAY)
    head = "\n".join([document["title"], *flatten(document["preamble"])])
    assert layout_free(head) == layout_free(published_sections()[""])
    assert layout_free(document["effective"]) == layout_free(published_sections()["effective"])


def test_sections_come_in_the_policy_order_with_anchors_for_the_page() -> None:
    for language in ("en", "ko"):
        sections = policy_document(language, TODAY)["sections"]
        assert [s["number"] for s in sections] == [str(n) for n in range(1, 13)]
        assert len({s["anchor"] for s in sections}) == 12


def korean_text(document: dict[str, Any]) -> str:
    lines = [document["title"], *flatten(document["preamble"]), document["effective"]]
    for section in document["sections"]:
        lines += [section["title"], *flatten(section["blocks"])]
        for sub in section["subsections"]:
            lines += [sub["title"] or "", *flatten(sub["blocks"])]
    return "\n".join(lines)


def test_the_korean_text_has_every_section_in_the_standard_legal_terms() -> None:
    document = policy_document("ko", TODAY)
    english = policy_document("en", TODAY)
    for ko, en in zip(document["sections"], english["sections"], strict=True):
        assert ko["number"] == en["number"]
        assert [s["number"] for s in ko["subsections"]] == [s["number"] for s in en["subsections"]]
        assert len(flatten(ko["blocks"])) == len(flatten(en["blocks"]))
        for ko_sub, en_sub in zip(ko["subsections"], en["subsections"], strict=True):
            assert len(flatten(ko_sub["blocks"])) == len(flatten(en_sub["blocks"]))
    text = korean_text(document)
    for term in (
        "개인정보처리방침",
        "정보주체",
        "위탁",
        "파기",
        "열람·정정",
        "삭제를 요청",
        "개인정보 보호책임자",
        "법정대리인",
        "개인정보침해신고센터: (privacy.kisa.or.kr / 국번 없이 118)",
        "대검찰청 사이버수사과: (www.spo.go.kr / 국번 없이 1301)",
        "경찰청 사이버안전국: (http://cyberbureau.police.go.kr / 국번 없이 182)",
        "개인정보 보유 및 이용 기간: 회원 탈퇴 또는 개인정보 보유기간 만료 시까지",
        "본 개인정보처리방침이 적용되지 않음",
    ):
        assert term in text, term


def test_the_text_states_the_declared_facts_not_a_copy_of_them() -> None:
    """The §10 table is the declared contacts and §4's period the declared retention: change the
    declaration and the published text follows."""
    document = policy_document("en", TODAY)
    [contacts] = [s for s in document["sections"] if s["number"] == "10"]
    [table] = [b for b in contacts["blocks"] if b["type"] == "table"]
    assert table["rows"] == [[c.role.en, c.department.en, c.email] for c in policy.CONTACTS]
    [retention] = [s for s in document["sections"] if s["number"] == "4"]
    assert f"retained for {policy.RETENTION_MONTHS} months" in retention["blocks"][1]["text"]
