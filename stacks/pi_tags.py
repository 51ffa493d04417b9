"""Tags that make the §5 consignment visible on every resource holding personal information.

Generated from the policy module, so a change of consignee, purpose or retention in `policy.py`
changes the tags in the account at the next deploy, with nothing to edit here.
"""

from __future__ import annotations

import re

from policybound import policy

TAG_PREFIX = "policybound:"
# Characters AWS accepts in tag keys and values (across services); anything else becomes a space.
_NOT_ALLOWED = re.compile(r"[^\w .:/=+\-@]", re.UNICODE)
_MAX_VALUE = 256


def tag_value(text: str) -> str:
    cleaned = " ".join(_NOT_ALLOWED.sub(" ", text).split())
    return cleaned[:_MAX_VALUE].rstrip()


def form_purposes() -> tuple[str, ...]:
    """Every purpose any form collects PI for, in the policy's order."""
    seen: dict[str, None] = {}
    for form in policy.FORMS.values():
        for purpose in form.purposes:
            seen.setdefault(purpose.value, None)
    return tuple(seen)


def pi_tags(holds: str) -> dict[str, str]:
    """Tags for a resource holding PI; `holds` says what it holds (e.g. the table's purpose)."""
    consignee = policy.CONSIGNEES[0]
    retention_months = {form.retention_months for form in policy.FORMS.values()}
    return {
        f"{TAG_PREFIX}holds-personal-information": "true",
        f"{TAG_PREFIX}holds": tag_value(holds),
        f"{TAG_PREFIX}consignee": tag_value(", ".join(c.company for c in policy.CONSIGNEES)),
        f"{TAG_PREFIX}consigned-duties": tag_value(consignee.duties.en),
        f"{TAG_PREFIX}region": tag_value(" ".join(sorted({c.region for c in policy.CONSIGNEES}))),
        f"{TAG_PREFIX}country": tag_value(consignee.country.en),
        f"{TAG_PREFIX}purposes": tag_value(" ".join(form_purposes())),
        f"{TAG_PREFIX}retention": tag_value(
            " or ".join(f"{months} months after consent" for months in sorted(retention_months))
            + " then destroyed, or at once on cancellation"
        ),
        f"{TAG_PREFIX}policy-version": tag_value(policy.POLICY_VERSION),
    }
