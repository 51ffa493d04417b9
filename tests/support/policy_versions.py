"""A second policy version for tests of §12: it adds an optional item and a purpose to contact-us."""

from __future__ import annotations

from datetime import date, datetime

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
