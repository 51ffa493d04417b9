"""The policy in force as a document (`GET /v1/policy`), built only from `policybound.policy`."""

from __future__ import annotations

from typing import Any

from policybound.policy import (
    AUTO_COLLECTED,
    CONSIGNEES,
    CONTACTS,
    COOKIE_CATEGORIES,
    EFFECTIVE_DATE,
    FORMS,
    ITEMS,
    POLICY_VERSION,
    PURPOSE_TEXT,
    SEPARATELY_CONSENTED_PURPOSES,
    THIRD_PARTY_PROVISION,
    UPCOMING_CHANGES,
    Language,
)


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


def policy_document(language: Language) -> dict[str, Any]:
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
        "version": POLICY_VERSION,
        "effective_date": EFFECTIVE_DATE.isoformat(),
        "language": language,
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
            for form in FORMS.values()
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
            for change in UPCOMING_CHANGES
        ],
    }
