"""A second policy version for tests of §12: it adds an optional item and a purpose to contact-us."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from policybound import policy
from policybound.policy import ChangeKind, FormChange, FormId, PublishedVersion, Purpose, Text

FIRST = policy.VERSIONS[0]
# Contact-us gains an optional item and a purpose; the other forms do not change.
SECOND = PublishedVersion(
    "2027-03-01",
    date(2027, 1, 15),
    date(2027, 3, 1),
    frozenset({ChangeKind.ITEM, ChangeKind.PURPOSE}),
    Text("Department and marketing on the contact form", "문의하기 양식에 부서 및 마케팅 추가"),
    FIRST.text_file,
    (
        FormChange(
            FormId.CONTACT_US,
            optional_items=("department",),
            purposes=(Purpose.INQUIRY_RESPONSE, Purpose.EMAIL_MARKETING),
        ),
    ),
)
BEFORE = datetime.fromisoformat("2027-02-28T14:30:00+00:00")  # 23:30 on 28 February in Seoul
AFTER = datetime.fromisoformat("2027-02-28T15:30:00+00:00")  # 00:30 on 1 March in Seoul


# The §3 block that lists a version's recipients from the facts (`domain.core.policy_document`).
RECIPIENTS_BLOCK = {
    "facts": "recipients",
    "header": [
        {"en": "Recipient", "ko": "제공받는 자"},
        {"en": "Purpose", "ko": "이용 목적"},
        {"en": "Items", "ko": "제공 항목"},
        {"en": "Retention", "ko": "보유 및 이용 기간"},
    ],
}
WITH_RECIPIENTS_TEXT = "with-recipients.json"


def policy_data_with_recipients_text(folder: Path) -> Path:
    """A copy of the shipped policy data in `folder`, plus the first version's text with §3 listing its
    recipients (as WITH_RECIPIENTS_TEXT): what a version that names recipients must publish."""
    for shipped in policy.POLICY_DATA.iterdir():
        if shipped.is_file():
            (folder / shipped.name).write_bytes(shipped.read_bytes())
    text = json.loads((policy.POLICY_DATA / FIRST.text_file).read_text(encoding="utf-8"))
    next(s for s in text["sections"] if s["number"] == "3")["blocks"].append(RECIPIENTS_BLOCK)
    (folder / WITH_RECIPIENTS_TEXT).write_text(json.dumps(text), encoding="utf-8")
    return folder
