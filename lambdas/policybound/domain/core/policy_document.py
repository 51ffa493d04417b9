"""The policy in force as a document (`GET /v1/policy`), built only from `policybound.policy`.

Besides the facts (forms, consignees, contacts ...) the document carries the published text, every
section of it in the policy's order, as blocks a page renders without knowing the policy:
`paragraph`, `heading`, `list` and `table`. Where the text states a declared fact (the §1.1 items,
§1.2, §3's exceptions, the §5 consignee, the §10 contacts) the block is made from that fact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from policybound.domain.core.errors import NotFound
from policybound.policy import (
    AUTO_COLLECTED,
    COMPANY,
    CONSIGNEES,
    CONTACTS,
    COOKIE_CATEGORIES,
    ITEMS,
    PURPOSE_TEXT,
    RETENTION_MONTHS,
    SEPARATELY_CONSENTED_PURPOSES,
    THIRD_PARTY_PROVISION,
    FormId,
    FormPolicy,
    Language,
    Recipient,
    Text,
    announced_versions,
    forms_of,
    policy_text,
    recipients_of,
    upcoming_versions,
    version_in_force,
)

Block = dict[str, Any]
Forms = Mapping[FormId, FormPolicy]
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def published_date(day: date, language: Language) -> str:
    """A date as the policy writes it: "September 20, 2019" / "2019년 9월 20일"."""
    if language == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _say(text: Mapping[str, str], language: Language) -> str:
    # The few facts a sentence of the text quotes are filled in from their declarations.
    return (
        text[language].replace("{company}", COMPANY.in_(language)).replace("{retention_months}", str(RETENTION_MONTHS))
    )


def _enumerate(labels: Iterable[str], language: Language) -> str:
    """Labels run into one phrase, as the text lists items: "Name, contact information, email"."""
    words = list(labels)
    if language == "en":
        # Only the first word keeps its capital, unless the label starts with an acronym ("IP address").
        words = [w if i == 0 or w[1:2].isupper() else w[:1].lower() + w[1:] for i, w in enumerate(words)]
    return ", ".join(words)


def _form_items(block: Mapping[str, Any], language: Language, forms: Forms) -> list[Block]:
    out: list[Block] = []
    for form in forms.values():
        lines = []
        for kind, names in (("required", form.required_items), ("optional", form.optional_items)):
            # The inquiry and the requested resource are the request itself, not collected items.
            labels = [ITEMS[name].label.in_(language) for name in names if not ITEMS[name].is_request]
            if labels:
                lines.append(f"{_say(block[kind], language)}: {_enumerate(labels, language)}")
        out += [{"type": "heading", "text": form.title.in_(language)}, {"type": "list", "items": lines}]
    return out


def _consignees(block: Mapping[str, Any], language: Language) -> list[Block]:
    labels = {name: _say(label, language) for name, label in block["labels"].items()}
    out: list[Block] = []
    for consignee in CONSIGNEES:
        values: dict[str, Text | str] = {
            "company": consignee.published_name or consignee.company,
            "duties": consignee.duties,
            "country": consignee.country,
            "items": consignee.items,
            "transfer_time": consignee.transfer_time,
            "transfer_method": consignee.transfer_method,
            "retention": consignee.retention,
        }
        out.append(
            {
                "type": "list",
                "items": [
                    f"{labels[name]}: {value if isinstance(value, str) else value.in_(language)}"
                    for name, value in values.items()
                ],
            }
        )
    return out


def _recipients(block: Mapping[str, Any], language: Language, recipients: tuple[Recipient, ...]) -> list[Block]:
    # A version that provides to third parties with consent names each one (PIPA art. 17(2)).
    rows = [
        [
            r.name.in_(language),
            r.purpose.in_(language),
            _enumerate((ITEMS[name].label.in_(language) for name in r.items), language),
            r.retention.in_(language),
        ]
        for r in recipients
    ]
    return [{"type": "table", "header": [_say(cell, language) for cell in block["header"]], "rows": rows}]


def _facts(
    block: Mapping[str, Any], language: Language, forms: Forms, recipients: tuple[Recipient, ...] = ()
) -> list[Block]:
    match block["facts"]:
        case "form_items":
            return _form_items(block, language, forms)
        case "auto_collected":
            return [{"type": "list", "items": [_enumerate((t.in_(language) for t in AUTO_COLLECTED), language)]}]
        case "third_party_exceptions":
            return [{"type": "list", "items": [text.in_(language) for text in THIRD_PARTY_PROVISION.values()]}]
        case "consignees":
            return _consignees(block, language)
        case "recipients":
            return _recipients(block, language, recipients)
        case "contacts":
            return [
                {
                    "type": "table",
                    "header": [_say(cell, language) for cell in block["header"]],
                    "rows": [[c.role.in_(language), c.department.in_(language), c.email] for c in CONTACTS],
                }
            ]
    raise ValueError(f"the policy text refers to unknown facts {block['facts']!r}")


def _blocks(
    raw: Iterable[Mapping[str, Any]], language: Language, forms: Forms, recipients: tuple[Recipient, ...] = ()
) -> list[Block]:
    out: list[Block] = []
    for block in raw:
        if "p" in block:
            out.append({"type": "paragraph", "text": _say(block["p"], language)})
        elif "heading" in block:
            out.append({"type": "heading", "text": _say(block["heading"], language)})
        elif "list" in block:
            out.append({"type": "list", "items": [_say(item, language) for item in block["list"]]})
        elif "table" in block:
            table = block["table"]
            out.append(
                {
                    "type": "table",
                    "header": [_say(cell, language) for cell in table["header"]],
                    "rows": [[_say(cell, language) for cell in row] for row in table["rows"]],
                }
            )
        elif "facts" in block:
            out += _facts(block, language, forms, recipients)
        else:
            raise ValueError(f"unknown block in the policy text: {sorted(block)}")
    return out


def _title(raw: Mapping[str, Any], language: Language) -> str | None:
    return _say(raw["title"], language) if "title" in raw else None


def published_text(version: str, effective: date, language: Language) -> dict[str, Any]:
    """Every section of one version's text, in its order and words."""
    raw = policy_text(version)
    forms = forms_of(version)
    recipients = recipients_of(version)
    return {
        "title": _say(raw["title"], language),
        "preamble": _blocks(raw.get("preamble", ()), language, forms, recipients),
        "sections": [
            {
                "number": section["number"],
                "anchor": section["anchor"],
                "title": _title(section, language),
                "blocks": _blocks(section.get("blocks", ()), language, forms, recipients),
                "subsections": [
                    {
                        "number": sub["number"],
                        "title": _title(sub, language),
                        "blocks": _blocks(sub.get("blocks", ()), language, forms, recipients),
                    }
                    for sub in section.get("subsections", ())
                ],
            }
            for section in raw["sections"]
        ],
        "effective": f"{_say(raw['effective_label'], language)} {published_date(effective, language)}",
    }


def preferred_language(accept_language: str | None) -> Language:
    """Korean when the client prefers it to English (RFC 9110 quality values), otherwise English."""
    best: tuple[float, Language] = (0.0, "en")
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        if language not in ("ko", "en"):
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > best[0]:
            best = (quality, "ko" if language == "ko" else "en")
    return best[1]


def policy_document(language: Language, today: date, version: str | None = None) -> dict[str, Any]:
    """The version in force on `today` (Seoul's date), or any published `version` (NotFound otherwise):
    a version is published from its announcement on, so the text of a change can be read before it
    takes effect, and an old version stays readable for whoever consented to it."""
    in_force = version_in_force(today)
    published = {v.version: v for v in announced_versions(today)}
    if version is not None and version not in published:
        raise NotFound(f"No policy version {version!r} is published; the version in force is {in_force.version}.")
    shown = published[version] if version is not None else in_force

    def item(name: str) -> dict[str, Any]:
        spec = ITEMS[name]
        return {
            "name": name,
            "label": spec.label.in_(language),
            # Lets a page pick the input (email, phone, long text) and check it as the API will.
            "kind": spec.kind,
            "max_length": spec.max_length,
            "request": spec.is_request,
        }

    return {
        "version": shown.version,
        "effective_date": shown.effective_date.isoformat(),
        "announced_on": shown.announced_on.isoformat(),
        "in_force": shown is in_force,
        "version_in_force": in_force.version,
        "language": language,
        **published_text(shown.version, shown.effective_date, language),
        "forms": [
            {
                "form": form.form.value,
                "title": form.title.in_(language),
                "required_items": [item(name) for name in form.required_items],
                "optional_items": [item(name) for name in form.optional_items],
                "purposes": [
                    {
                        "purpose": purpose.value,
                        "description": PURPOSE_TEXT[purpose].in_(language),
                        # Consented to apart from the required consent (`consent.marketing`).
                        "separate_consent": purpose in SEPARATELY_CONSENTED_PURPOSES,
                    }
                    for purpose in form.purposes
                ],
                "marketing_consent": form.marketing_consent,
                "retention_months": form.retention_months,
                "cancellable_subscription": form.cancellable_subscription,
            }
            for form in forms_of(shown.version).values()
        ],
        "auto_collected": [text.in_(language) for text in AUTO_COLLECTED],
        "consignees": [
            {
                "company": consignee.company,
                "duties": consignee.duties.in_(language),
                "country": consignee.country.in_(language),
                "region": consignee.region,
                "items": consignee.items.in_(language),
                "transfer_time": consignee.transfer_time.in_(language),
                "transfer_method": consignee.transfer_method.in_(language),
                "retention": consignee.retention.in_(language),
            }
            for consignee in CONSIGNEES
        ],
        "third_party_provision": {
            "default": "none_without_consent",
            "exceptions": [
                {"legal_basis": basis.value, "description": text.in_(language)}
                for basis, text in THIRD_PARTY_PROVISION.items()
            ],
            # The third parties this version provides to with the person's consent (PIPA art. 17(2)):
            # who, why, which items, for how long, from which forms' records.
            "recipients": [
                {
                    "name": recipient.name.in_(language),
                    "purpose": recipient.purpose.in_(language),
                    "items": [ITEMS[name].label.in_(language) for name in recipient.items],
                    "retention": recipient.retention.in_(language),
                    "forms": [form.value for form in recipient.forms],
                }
                for recipient in recipients_of(shown.version)
            ],
        },
        "contacts": [
            {"role": c.role.in_(language), "department": c.department.in_(language), "email": c.email} for c in CONTACTS
        ],
        "cookie_categories": [
            {
                "name": category.name,
                "description": category.description.in_(language),
                "requires_consent": category.requires_consent,
            }
            for category in COOKIE_CATEGORIES
        ],
        "upcoming_changes": [
            {
                "version": change.version,
                "effective_date": change.effective_date.isoformat(),
                "announced_on": change.announced_on.isoformat(),
                "summary": change.summary.in_(language),
            }
            for change in upcoming_versions(today)
        ],
        "versions": [
            {"version": v.version, "effective_date": v.effective_date.isoformat(), "in_force": v is in_force}
            for v in published.values()
        ],
    }
