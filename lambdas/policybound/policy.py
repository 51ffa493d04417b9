"""The privacy policy in force, as data.

Everything the system promises — what each form collects, why, for how long, who holds it and where,
who to contact — is declared here once. The API (`GET /v1/policy`), the intake rules, the stacks'
tags and region, and the docs all read these facts; nothing else repeats them.

The facts themselves are data: `policy_data/facts.json` names the company, the retention and region,
the purposes' and legal bases' texts, the items, the forms, the automatically collected items, the
consignees, the contacts and the cookie categories. It is read once at import and checked field by
field (`PolicyDataInvalid` names the file and the field). What code branches on (`Purpose`, `FormId`,
`LegalBasis`) stays here; the data must say each member's text.

The published text itself, every version of it and its announcement (§12) are data beside this
module, in `policy_data/`: `versions.json` lists the versions, each names its text file (every
section in English and Korean). The text states the facts declared here through references (the
§1.1 items, §3 exceptions, §5 consignee, §10 contacts), so a fact is never written twice; a company
publishes another policy by replacing those files. A later version states what it changes in a form
(`"forms": {"resources-download": {"optional_items": [...], "purposes": [...]}}`, from the declared
items and purposes) and the recipients it names (`"recipients": [...]`, §3); `forms_of(version)` and
`recipients_of(version)` give each version's, and a version that adds an item, a purpose or a recipient
must declare it in `adds`. The file's `notice_days` sets §12's notice periods.
Source: privacy policy effective 2019-09-20 (``shared/policy/privacy-policy-2019-09-20.txt``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar, cast, get_args
from zoneinfo import ZoneInfo

Language = Literal["en", "ko"]


@dataclass(frozen=True)
class Text:
    """A sentence in both languages the policy is published in."""

    en: str
    ko: str

    def in_(self, language: Language) -> str:
        return self.ko if language == "ko" else self.en


# --- Versions (§12) and jurisdiction ------------------------------------------------------------

# Where the published versions are read from: `policy_data/` beside this module, unless the variable
# POLICY_DATA_VARIABLE names another directory of the same shape (another company's policy, or local
# mode publishing a later version to try §12 out).
POLICY_DATA_VARIABLE = "POLICYBOUND_POLICY_DATA"
POLICY_DATA = Path(os.environ.get(POLICY_DATA_VARIABLE) or Path(__file__).with_name("policy_data"))


_E = TypeVar("_E", bound=StrEnum)


class PolicyDataInvalid(ValueError):
    """A policy data file is malformed: the import fails (and with it the synth, the tests and every
    function), naming the file and the field, rather than publishing a policy nobody wrote."""


@dataclass(frozen=True)
class _Field:
    """One value of a policy data file and where it sits in it, so a refusal names the field."""

    file: Path
    value: Any
    path: str = ""

    def fail(self, problem: str) -> NoReturn:
        raise PolicyDataInvalid(f"{self.file}: {self.path or 'the file'} {problem}")

    def fields(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, _Field]:
        if not isinstance(self.value, dict):
            self.fail("must be an object")
        unknown = sorted(set(self.value) - set(required) - set(optional))
        if unknown:
            self.at(unknown[0]).fail("is not a field this file may hold")
        missing = [key for key in required if key not in self.value]
        if missing:
            self.at(missing[0]).fail("is required")
        return {key: self.at(key) for key in self.value}

    def at(self, key: str | int) -> _Field:
        value = self.value.get(key) if isinstance(self.value, dict) else self.value[key]
        return _Field(self.file, value, f"{self.path}.{key}" if self.path else str(key))

    def entries(self) -> dict[str, _Field]:
        if not isinstance(self.value, dict) or not self.value:
            self.fail("must be a non-empty object")
        return {key: self.at(key) for key in self.value}

    def list(self, *, empty: bool = False) -> tuple[_Field, ...]:
        if not isinstance(self.value, list) or not (self.value or empty):
            self.fail("must be a list" if empty else "must be a non-empty list")
        return tuple(self.at(index) for index in range(len(self.value)))

    def str(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            self.fail("must be a non-empty string")
        return self.value

    def whole(self) -> int:
        if not isinstance(self.value, int) or isinstance(self.value, bool) or self.value < 1:
            self.fail("must be a whole number of at least 1")
        return self.value

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            self.fail("must be true or false")
        return self.value

    def text(self) -> Text:
        fields = self.fields(("en", "ko"))
        return Text(fields["en"].str(), fields["ko"].str())

    def one_of(self, kind: type[_E]) -> _E:
        try:
            return kind(self.str())
        except ValueError:
            self.fail(f"must be one of {[member.value for member in kind]}")

    def keyed_by(self, kind: type[_E]) -> dict[_E, _Field]:
        """An object with one entry for each member of `kind`: code branches on the members, the data says them."""
        entries = self.entries()
        for key in entries:
            if key not in {member.value for member in kind}:
                entries[key].fail(f"is not one of {[member.value for member in kind]}")
        missing = [member.value for member in kind if member.value not in entries]
        if missing:
            self.at(missing[0]).fail("is required")
        return {member: entries[member.value] for member in kind}


def _read_facts() -> _Field:
    file = POLICY_DATA / "facts.json"
    try:
        return _Field(file, json.loads(file.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise PolicyDataInvalid(f"{file}: cannot be read as JSON: {error}") from None


# The company's facts (who it is, what its forms collect, who holds the records, whom to contact): read
# once at import, like the versions, and checked field by field.
_FACTS = _read_facts().fields(
    (
        "company",
        "retention_months",
        "region",
        "purposes",
        "items",
        "forms",
        "auto_collected",
        "consignees",
        "third_party_provision",
        "contacts",
        "cookie_categories",
    )
)


class ChangeKind(StrEnum):
    """What a version adds that the one before it did not have; any of them needs a longer notice and
    the affected people's new consent."""

    ITEM = "item"
    PURPOSE = "purpose"
    RECIPIENT = "recipient"


@dataclass(frozen=True)
class FormChange:
    """What a version changes in one form's facts (§1.1, §2); what it leaves out stays as it was."""

    form: FormId
    required_items: tuple[str, ...] | None = None
    optional_items: tuple[str, ...] | None = None
    purposes: tuple[Purpose, ...] | None = None


@dataclass(frozen=True)
class Recipient:
    """A third party given personal information with the person's consent (§3, PIPA art. 17): who, why,
    which items, for how long, and from the records of which forms."""

    name: Text
    purpose: Text
    items: tuple[str, ...]
    retention: Text
    forms: tuple[FormId, ...]


@dataclass(frozen=True)
class PublishedVersion:
    version: str
    announced_on: date
    effective_date: date
    adds: frozenset[ChangeKind]
    summary: Text
    text_file: str
    # The forms' facts as this version changes them from the one before (the first version's are `FORMS`).
    form_changes: tuple[FormChange, ...] = ()
    # The recipients this version names, all of them, when it changes them (None: the ones before it; the
    # first version names none: §3 provides to nobody without consent).
    recipients: tuple[Recipient, ...] | None = None


def _form_change(form: str, raw: dict[str, Any]) -> FormChange:
    unknown = set(raw) - {"required_items", "optional_items", "purposes"}
    if unknown:
        raise VersionRefused(f"a policy version changes unknown facts of form {form}: {sorted(unknown)}")

    def names(key: str) -> tuple[str, ...] | None:
        return tuple(raw[key]) if key in raw else None

    purposes = names("purposes")
    return FormChange(
        FormId(form),
        names("required_items"),
        names("optional_items"),
        tuple(Purpose(p) for p in purposes) if purposes is not None else None,
    )


def _recipient(raw: dict[str, Any]) -> Recipient:
    unknown = set(raw) - {"name", "purpose", "items", "retention", "forms"}
    if unknown:
        raise VersionRefused(f"a policy version states unknown facts of a recipient: {sorted(unknown)}")
    return Recipient(
        Text(**raw["name"]),
        Text(**raw["purpose"]),
        tuple(raw["items"]),
        Text(**raw["retention"]),
        tuple(FormId(form) for form in raw["forms"]),
    )


def _load_versions() -> tuple[PublishedVersion, ...]:
    # A few hundred bytes, read once at import; the texts themselves are read on first use.
    raw = json.loads((POLICY_DATA / "versions.json").read_text(encoding="utf-8"))
    versions = tuple(
        PublishedVersion(
            version=entry["version"],
            announced_on=date.fromisoformat(entry["announced_on"]),
            effective_date=date.fromisoformat(entry["effective_date"]),
            adds=frozenset(ChangeKind(kind) for kind in entry.get("adds", ())),
            summary=Text(**entry["summary"]),
            text_file=entry["text"],
            form_changes=tuple(_form_change(form, change) for form, change in entry.get("forms", {}).items()),
            recipients=tuple(_recipient(r) for r in entry["recipients"]) if "recipients" in entry else None,
        )
        for entry in raw["versions"]
    )
    return tuple(sorted(versions, key=lambda v: v.effective_date))


@cache
def policy_text(version: str) -> dict[str, Any]:
    """The published text of one version, as its data file holds it (see `domain.core.policy_document`)."""
    published = next((v for v in VERSIONS if v.version == version), None)
    if published is None:
        raise KeyError(version)
    return _read_text(published.text_file)


def _read_text(text_file: str) -> dict[str, Any]:
    text: dict[str, Any] = json.loads((POLICY_DATA / text_file).read_text(encoding="utf-8"))
    return text


class VersionRefused(ValueError):
    """The declared versions break §12: the synth, the tests and the functions refuse them."""


@dataclass(frozen=True)
class NoticePeriods:
    """§12: a version is announced at least `days` before it takes effect, and at least
    `days_for_additions` when it adds an item, a purpose or a recipient (the people it affects are then
    asked for their consent again). Settings of the policy's data (`versions.json`'s `notice_days`), so a
    company that promises longer notice says so without a code change."""

    days: int = 7
    days_for_additions: int = 30

    def required(self, version: PublishedVersion) -> int:
        return self.days_for_additions if version.adds else self.days


def _load_notice() -> NoticePeriods:
    raw = json.loads((POLICY_DATA / "versions.json").read_text(encoding="utf-8")).get("notice_days", {})
    unknown = set(raw) - {"any_change", "additions"}
    notice = NoticePeriods(
        raw.get("any_change", NoticePeriods.days), raw.get("additions", NoticePeriods.days_for_additions)
    )
    valid = all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in (notice.days, notice.days_for_additions)
    )
    if unknown or not valid or notice.days_for_additions < notice.days:
        raise VersionRefused(
            "versions.json's notice_days names any_change and additions, whole days of at least 1, additions "
            f"no fewer than any_change (unknown: {sorted(unknown)})"
        )
    return notice


NOTICE = _load_notice()
NOTICE_DAYS = NOTICE.days
NOTICE_DAYS_FOR_ADDITIONS = NOTICE.days_for_additions


def required_notice_days(version: PublishedVersion, notice: NoticePeriods | None = None) -> int:
    return (notice or NOTICE).required(version)


def check_versions(versions: tuple[PublishedVersion, ...], notice: NoticePeriods | None = None) -> None:
    if not versions:
        raise VersionRefused("no policy version is declared")
    if len({v.version for v in versions}) != len(versions) or len({v.effective_date for v in versions}) != len(
        versions
    ):
        raise VersionRefused("two policy versions share a name or an effective date")
    # The first version replaces nothing, so there was nothing to announce it against.
    for version in versions[1:]:
        given = (version.effective_date - version.announced_on).days
        needed = required_notice_days(version, notice)
        if given < needed:
            adds = f" (it adds: {', '.join(sorted(version.adds))})" if version.adds else ""
            raise VersionRefused(
                f"policy version {version.version} is announced {given} days before it takes effect; "
                f"§12 needs at least {needed}{adds}"
            )
    _check_form_changes(versions)
    _check_recipients_stated(versions)


def _lists_recipients(blocks: Any) -> bool:
    """Whether a text (or any part of it) holds the block that lists the version's recipients."""
    if isinstance(blocks, dict):
        return blocks.get("facts") == "recipients" or any(_lists_recipients(v) for v in blocks.values())
    if isinstance(blocks, list):
        return any(_lists_recipients(v) for v in blocks)
    return False


def _check_recipients_stated(versions: tuple[PublishedVersion, ...]) -> None:
    """A version that provides to third parties says so in the text people read and consent to (§3,
    PIPA art. 17(2)), not only in the facts beside it."""
    recipients: tuple[Recipient, ...] = ()
    for version in versions:
        recipients = version.recipients if version.recipients is not None else recipients
        if not recipients:
            continue
        if not _lists_recipients(_read_text(version.text_file)):
            raise VersionRefused(
                f"policy version {version.version} names recipients "
                f"({', '.join(repr(r.name.en) for r in recipients)}) but its text {version.text_file} lists "
                'none: §3 needs a {"facts": "recipients"} block'
            )


def _check_form_changes(versions: tuple[PublishedVersion, ...]) -> None:
    """Each version's forms name only declared items, its recipients only items of the forms they name,
    and a version that adds an item, a purpose or a recipient to a form says so in `adds` — that is what
    sets its notice period and asks the affected for consent."""
    forms = dict(FORMS)
    recipients: tuple[Recipient, ...] = ()
    for version in versions:
        before, recipients_before = forms, recipients
        forms = _apply(forms, version.form_changes)
        recipients = version.recipients if version.recipients is not None else recipients
        for policy in forms.values():
            unknown = sorted(set(policy.items) - set(ITEMS))
            if unknown or not policy.purposes or set(policy.required_items) & set(policy.optional_items):
                raise VersionRefused(
                    f"policy version {version.version} gives form {policy.form} unknown or overlapping items "
                    f"{unknown} or no purpose"
                )
        for recipient in recipients:
            if not recipient.forms or any(set(recipient.items) - set(forms[form].items) for form in recipient.forms):
                raise VersionRefused(
                    f"policy version {version.version} names recipient {recipient.name.en!r} with items the forms "
                    "it names do not collect, or no form"
                )
        for form in forms:
            added = _added(before[form], forms[form], recipients_before, recipients)
            for kind, what in (
                (ChangeKind.ITEM, added.items),
                (ChangeKind.PURPOSE, added.purposes),
                (ChangeKind.RECIPIENT, tuple(r.name.en for r in added.recipients)),
            ):
                if what and kind not in version.adds:
                    raise VersionRefused(
                        f"policy version {version.version} adds {sorted(what)} to form {form} "
                        f"but does not declare that it adds a {kind}"
                    )


def _apply(forms: dict[FormId, FormPolicy], changes: tuple[FormChange, ...]) -> dict[FormId, FormPolicy]:
    out = dict(forms)
    for change in changes:
        was = out[change.form]
        out[change.form] = replace(
            was,
            required_items=change.required_items if change.required_items is not None else was.required_items,
            optional_items=change.optional_items if change.optional_items is not None else was.optional_items,
            purposes=change.purposes if change.purposes is not None else was.purposes,
        )
    return out


@dataclass(frozen=True)
class Additions:
    """What a version has for a form that an earlier one did not: what a person who consented under the
    earlier one must consent to anew (§12) before their record is used for it."""

    items: tuple[str, ...] = ()
    purposes: tuple[Purpose, ...] = ()
    recipients: tuple[Recipient, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.items or self.purposes or self.recipients)

    @property
    def purposes_asked_apart(self) -> tuple[Purpose, ...]:
        """Added purposes that need their own consent (email marketing, PIPA art. 22): each is asked on its
        own, never on the same answer as the rest, and refusing it refuses nothing else."""
        return tuple(p for p in self.purposes if p in SEPARATELY_CONSENTED_PURPOSES)

    @property
    def purposes_asked_together(self) -> tuple[Purpose, ...]:
        return tuple(p for p in self.purposes if p not in SEPARATELY_CONSENTED_PURPOSES)

    def __or__(self, other: Additions) -> Additions:
        return Additions(
            self.items + tuple(i for i in other.items if i not in self.items),
            self.purposes + tuple(p for p in other.purposes if p not in self.purposes),
            self.recipients + tuple(r for r in other.recipients if r not in self.recipients),
        )


def _added(
    before: FormPolicy,
    after: FormPolicy,
    recipients_before: tuple[Recipient, ...] = (),
    recipients_after: tuple[Recipient, ...] = (),
) -> Additions:
    def known(recipient: Recipient) -> bool:
        # The same recipient given more items, or the records of this form for the first time, is added too.
        return any(
            was.name == recipient.name and before.form in was.forms and set(recipient.items) <= set(was.items)
            for was in recipients_before
        )

    return Additions(
        tuple(item for item in after.items if item not in before.items),
        tuple(purpose for purpose in after.purposes if purpose not in before.purposes),
        tuple(r for r in recipients_after if after.form in r.forms and not known(r)),
    )


def forms_of(version: str) -> dict[FormId, FormPolicy]:
    """The forms' facts (items, purposes) as a published version states them: the first version's are
    `FORMS`, and each later one applies its changes to the one before."""
    forms = dict(FORMS)
    for published in VERSIONS:
        forms = _apply(forms, published.form_changes)
        if published.version == version:
            return forms
    raise KeyError(version)


def is_declared(version: str) -> bool:
    return any(published.version == version for published in VERSIONS)


def form_as_consented(version: str, form: FormId) -> FormPolicy:
    """A form's facts as the version a record consented to states them: what the record may be used for
    and corrected by (the first version's, for a version no longer declared)."""
    return forms_of(version)[form] if is_declared(version) else FORMS[form]


def forms_kept_for(purposes: frozenset[Purpose]) -> tuple[FormId, ...]:
    """The forms that some declared version keeps records of for one of `purposes`: a later version may
    add a purpose to a form, and the records consented to it are then kept for it too."""
    kept: set[FormId] = set()
    for published in VERSIONS:
        kept |= {form for form, facts in forms_of(published.version).items() if set(facts.purposes) & purposes}
    return tuple(form for form in FormId if form in kept)


def recipients_of(version: str) -> tuple[Recipient, ...]:
    """The recipients (§3) a published version names: each later one states them all when it changes them."""
    recipients: tuple[Recipient, ...] = ()
    for published in VERSIONS:
        recipients = published.recipients if published.recipients is not None else recipients
        if published.version == version:
            return recipients
    raise KeyError(version)


def additions(consented: str, current: str, form: FormId) -> Additions:
    """The items, purposes and recipients `current` has for `form` that the version a person consented to
    did not: what they must consent to anew (§12) before the record is used under `current`."""
    return _added(forms_of(consented)[form], forms_of(current)[form], recipients_of(consented), recipients_of(current))


def version_in_force(today: date) -> PublishedVersion:
    """The version whose effective date is the latest one reached: the switch needs no deploy."""
    reached = [v for v in VERSIONS if v.effective_date <= today]
    return reached[-1] if reached else VERSIONS[0]


def in_force_at(moment: datetime) -> str:
    """The version in force at a moment, on Seoul's calendar: what a consent must name (409 otherwise)."""
    return version_in_force(moment.astimezone(POLICY_TIMEZONE).date()).version


def announced_versions(today: date) -> tuple[PublishedVersion, ...]:
    """Every version published by `today`: the ones in force before, the one in force, the announced."""
    in_force = version_in_force(today)
    return tuple(v for v in VERSIONS if v.announced_on <= today or v is in_force)


def upcoming_versions(today: date) -> tuple[PublishedVersion, ...]:
    return tuple(v for v in announced_versions(today) if v.effective_date > today)


COMPANY = _FACTS["company"].text()

# §4: "retained for 60 months after consenting ... then destroyed without delay". Months are calendar
# months counted in Korea time, because the policy is a Korean one and its reader's calendar is Seoul's.
RETENTION_MONTHS = _FACTS["retention_months"].whole()
POLICY_TIMEZONE = ZoneInfo("Asia/Seoul")

# §5: the consignee keeps PI in the AWS Seoul region and nowhere else.
AWS_REGION = _FACTS["region"].str()


class Purpose(StrEnum):
    INQUIRY_RESPONSE = "inquiry_response"
    RESOURCE_DELIVERY = "resource_delivery"
    EMAIL_MARKETING = "email_marketing"
    BLOG_LETTER = "blog_letter"


PURPOSE_TEXT: dict[Purpose, Text] = {
    purpose: text.text() for purpose, text in _FACTS["purposes"].keyed_by(Purpose).items()
}

# Purposes for which the subject may be sent marketing or newsletter email (the marketing audience).
MARKETING_PURPOSES: frozenset[Purpose] = frozenset({Purpose.EMAIL_MARKETING, Purpose.BLOG_LETTER})

# PIPA art. 22: marketing needs its own consent, apart from the consent the service itself needs, and
# refusing it must not block the service. (A blog letter is the service a subscriber asks for.)
SEPARATELY_CONSENTED_PURPOSES: frozenset[Purpose] = frozenset({Purpose.EMAIL_MARKETING})


# --- Items --------------------------------------------------------------------------------------

ItemKind = Literal["text", "long_text", "email", "phone", "identifier"]


@dataclass(frozen=True)
class Item:
    """One piece of information a form may collect."""

    name: str
    label: Text
    kind: ItemKind
    max_length: int
    # The inquiry text and the requested resource are what the visitor asks for, not a profile of them.
    is_request: bool = False


ITEM_KINDS: tuple[str, ...] = get_args(ItemKind)


def _item(raw: _Field) -> Item:
    fields = raw.fields(("name", "label", "kind", "max_length"), ("is_request",))
    kind = fields["kind"].str()
    if kind not in ITEM_KINDS:
        fields["kind"].fail(f"must be one of {list(ITEM_KINDS)}")
    return Item(
        fields["name"].str(),
        fields["label"].text(),
        cast(ItemKind, kind),
        fields["max_length"].whole(),
        fields["is_request"].flag() if "is_request" in fields else False,
    )


def _items(raw: _Field) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for entry in raw.list():
        item = _item(entry)
        if item.name in items:
            entry.at("name").fail(f"names {item.name!r} a second time")
        items[item.name] = item
    return items


ITEMS: dict[str, Item] = _items(_FACTS["items"])


# --- Forms (§1.1, §2, §4.1) ---------------------------------------------------------------------


class FormId(StrEnum):
    CONTACT_US = "contact-us"
    RESOURCES_DOWNLOAD = "resources-download"
    BLOG_SUBSCRIPTION = "blog-subscription"


@dataclass(frozen=True)
class FormPolicy:
    form: FormId
    title: Text
    required_items: tuple[str, ...]
    optional_items: tuple[str, ...]
    purposes: tuple[Purpose, ...]
    retention_months: int = RETENTION_MONTHS
    # §4: "when applying for cancellation of subscription, the information is destroyed without delay".
    cancellable_subscription: bool = False

    @property
    def items(self) -> tuple[str, ...]:
        return self.required_items + self.optional_items

    @property
    def marketing_consent(self) -> bool:
        """The form asks for a separate marketing consent (`consent.marketing`)."""
        return any(purpose in SEPARATELY_CONSENTED_PURPOSES for purpose in self.purposes)

    def purposes_consented(self, marketing: bool) -> tuple[Purpose, ...]:
        """The purposes a submission is kept for: every purpose of the form, less marketing without its
        own consent."""
        return tuple(p for p in self.purposes if marketing or p not in SEPARATELY_CONSENTED_PURPOSES)


def _form(form: FormId, raw: _Field) -> FormPolicy:
    fields = raw.fields(
        ("title", "required_items", "optional_items", "purposes"), ("retention_months", "cancellable_subscription")
    )

    def names(key: str) -> tuple[str, ...]:
        entries = fields[key].list(empty=key == "optional_items")
        for entry in entries:
            if entry.str() not in ITEMS:
                entry.fail(f"names {entry.value!r}, which is not one of the items")
        return tuple(entry.str() for entry in entries)

    return FormPolicy(
        form=form,
        title=fields["title"].text(),
        required_items=names("required_items"),
        optional_items=names("optional_items"),
        purposes=tuple(entry.one_of(Purpose) for entry in fields["purposes"].list()),
        retention_months=fields["retention_months"].whole() if "retention_months" in fields else RETENTION_MONTHS,
        cancellable_subscription=(
            fields["cancellable_subscription"].flag() if "cancellable_subscription" in fields else False
        ),
    )


FORMS: dict[FormId, FormPolicy] = {form: _form(form, raw) for form, raw in _FACTS["forms"].keyed_by(FormId).items()}

# §1.2: generated and collected automatically while the service is used.
AUTO_COLLECTED: tuple[Text, ...] = tuple(entry.text() for entry in _FACTS["auto_collected"].list())


# --- Consignment (§5) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Consignee:
    company: str
    # The name as the published text spells it ("Amazon Web Service"), where it differs.
    published_name: str | None
    duties: Text
    country: Text
    region: str
    items: Text
    transfer_time: Text
    transfer_method: Text
    retention: Text


def _consignee(raw: _Field) -> Consignee:
    texts = ("duties", "country", "items", "transfer_time", "transfer_method", "retention")
    fields = raw.fields(("company", *texts), ("published_name",))
    published = fields.get("published_name")
    return Consignee(
        company=fields["company"].str(),
        published_name=published.str() if published is not None and published.value is not None else None,
        # §5: the consignee keeps the records in the one region the facts name, and nowhere else.
        region=AWS_REGION,
        **{key: fields[key].text() for key in texts},
    )


CONSIGNEES: tuple[Consignee, ...] = tuple(_consignee(entry) for entry in _FACTS["consignees"].list())


# --- Third-party provision (§3) -----------------------------------------------------------------


class LegalBasis(StrEnum):
    CONSENT = "consent"
    LAW_ENFORCEMENT = "law_enforcement"


THIRD_PARTY_PROVISION: dict[LegalBasis, Text] = {
    basis: text.text() for basis, text in _FACTS["third_party_provision"].keyed_by(LegalBasis).items()
}


# --- Contacts (§10) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    role: Text
    department: Text
    email: str


def _contact(raw: _Field) -> Contact:
    fields = raw.fields(("role", "department", "email"))
    if "@" not in fields["email"].str():
        fields["email"].fail("must be an email address")
    return Contact(fields["role"].text(), fields["department"].text(), fields["email"].str())


CONTACTS: tuple[Contact, ...] = tuple(_contact(entry) for entry in _FACTS["contacts"].list())


# --- Cookies (§7) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CookieCategory:
    name: str
    description: Text
    # Strictly necessary cookies need no consent; every other category is off until chosen.
    requires_consent: bool = True


def _cookie_category(raw: _Field) -> CookieCategory:
    fields = raw.fields(("name", "description"), ("requires_consent",))
    requires_consent = fields["requires_consent"].flag() if "requires_consent" in fields else True
    return CookieCategory(fields["name"].str(), fields["description"].text(), requires_consent)


COOKIE_CATEGORIES: tuple[CookieCategory, ...] = tuple(
    _cookie_category(entry) for entry in _FACTS["cookie_categories"].list()
)
CONSENTABLE_COOKIE_CATEGORIES: tuple[str, ...] = tuple(
    category.name for category in COOKIE_CATEGORIES if category.requires_consent
)


def form_policy(form: str) -> FormPolicy | None:
    try:
        return FORMS[FormId(form)]
    except ValueError:
        return None


# --- The published versions (loaded last: their forms are stated against `FORMS` and `ITEMS`) -----

VERSIONS: tuple[PublishedVersion, ...] = _load_versions()
check_versions(VERSIONS)

# The first version, as examples in the API's schema name it; what is in force is `version_in_force`.
POLICY_VERSION = VERSIONS[0].version
EFFECTIVE_DATE = VERSIONS[0].effective_date
