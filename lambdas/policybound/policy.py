"""The privacy policy in force, as data.

Everything the system promises — what each form collects, why, for how long, who holds it and where,
who to contact — is declared here once. The API (`GET /v1/policy`), the intake rules, the stacks'
tags and region, and the docs all read these facts; nothing else repeats them.

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
from typing import Any, Literal
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

# Where the published versions are read from: `policy_data/` beside this module, unless
# POLICYBOUND_POLICY_DATA names another directory of the same shape (another company's policy, or local
# mode publishing a later version to try §12 out).
POLICY_DATA = Path(os.environ.get("POLICYBOUND_POLICY_DATA") or Path(__file__).with_name("policy_data"))


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
    text: dict[str, Any] = json.loads((POLICY_DATA / published.text_file).read_text(encoding="utf-8"))
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


COMPANY = Text(en="LG CNS", ko="LG CNS")

# §4: "retained for 60 months after consenting ... then destroyed without delay". Months are calendar
# months counted in Korea time, because the policy is a Korean one and its reader's calendar is Seoul's.
RETENTION_MONTHS = 60
POLICY_TIMEZONE = ZoneInfo("Asia/Seoul")

# §5: the consignee keeps PI in the AWS Seoul region and nowhere else.
AWS_REGION = "ap-northeast-2"


class Purpose(StrEnum):
    INQUIRY_RESPONSE = "inquiry_response"
    RESOURCE_DELIVERY = "resource_delivery"
    EMAIL_MARKETING = "email_marketing"
    BLOG_LETTER = "blog_letter"


PURPOSE_TEXT: dict[Purpose, Text] = {
    Purpose.INQUIRY_RESPONSE: Text(
        en="Provision of information and guides (responses) on customer inquiries and status management",
        ko="고객 문의에 대한 정보 및 안내(답변) 제공 및 현황 관리",
    ),
    Purpose.RESOURCE_DELIVERY: Text(
        en="Provision of resource materials (brochures, white papers, etc.)",
        ko="자료(브로슈어, 백서 등) 제공",
    ),
    Purpose.EMAIL_MARKETING: Text(en="Use in email marketing", ko="이메일 마케팅 활용"),
    Purpose.BLOG_LETTER: Text(en="Sending blog letters", ko="블로그 레터 발송"),
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


ITEMS: dict[str, Item] = {
    item.name: item
    for item in (
        Item("name", Text("Name", "이름"), "text", 100),
        Item("contact", Text("Contact information", "연락처"), "phone", 32),
        Item("email", Text("Email", "이메일"), "email", 254),
        Item("organization", Text("Organization", "소속"), "text", 200),
        Item("company", Text("Company", "회사명"), "text", 200),
        Item("job_grade", Text("Job grade", "직급"), "text", 100),
        Item("job", Text("Job", "직무"), "text", 100),
        Item("department", Text("Department", "부서"), "text", 200),
        Item("interests", Text("Interests", "관심 분야"), "text", 500),
        Item("inquiry", Text("Inquiry", "문의 내용"), "long_text", 4000, is_request=True),
        Item("resource_id", Text("Requested resource", "요청 자료"), "identifier", 100, is_request=True),
    )
}


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


FORMS: dict[FormId, FormPolicy] = {
    FormId.CONTACT_US: FormPolicy(
        form=FormId.CONTACT_US,
        title=Text("Contact Us", "문의하기"),
        required_items=("name", "contact", "email", "organization", "job_grade", "inquiry"),
        optional_items=(),
        purposes=(Purpose.INQUIRY_RESPONSE,),
    ),
    FormId.RESOURCES_DOWNLOAD: FormPolicy(
        form=FormId.RESOURCES_DOWNLOAD,
        title=Text("Resources Download", "자료 다운로드"),
        required_items=("name", "email", "company", "job_grade", "resource_id"),
        optional_items=("department",),
        purposes=(Purpose.RESOURCE_DELIVERY, Purpose.EMAIL_MARKETING),
    ),
    FormId.BLOG_SUBSCRIPTION: FormPolicy(
        form=FormId.BLOG_SUBSCRIPTION,
        title=Text("Blog Letter Subscription", "블로그 레터 구독"),
        required_items=("name", "email", "job", "company", "job_grade"),
        optional_items=("interests",),
        purposes=(Purpose.BLOG_LETTER,),
        cancellable_subscription=True,
    ),
}

# §1.2: generated and collected automatically while the service is used.
AUTO_COLLECTED: tuple[Text, ...] = (
    Text("IP address", "IP 주소"),
    Text("Cookies", "쿠키"),
    Text("Date and time of visit", "방문 일시"),
    Text("Service usage records", "서비스 이용 기록"),
)


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


CONSIGNEES: tuple[Consignee, ...] = (
    Consignee(
        company="Amazon Web Services",
        published_name="Amazon Web Service",
        duties=Text("Data storage and system operation", "데이터 보관 및 시스템 운영"),
        country=Text("Seoul, Korea (AWS Seoul Region)", "대한민국 서울 (AWS 서울 리전)"),
        region=AWS_REGION,
        items=Text(
            "All personal information collected in the process of providing services",
            "서비스 제공 과정에서 수집된 모든 개인정보",
        ),
        transfer_time=Text(
            "When required information is entered for service use",
            "서비스 이용을 위하여 필수 정보를 입력하는 시점",
        ),
        transfer_method=Text(
            "Storing personal information in the AWS cloud computing environment",
            "AWS 클라우드 컴퓨팅 환경에 개인정보 저장",
        ),
        # The policy's own words; the period itself is §4's (RETENTION_MONTHS).
        retention=Text(
            "Retention until membership withdrawal or expiration of personal information",
            "회원 탈퇴 또는 개인정보 보유기간 만료 시까지",
        ),
    ),
)


# --- Third-party provision (§3) -----------------------------------------------------------------


class LegalBasis(StrEnum):
    CONSENT = "consent"
    LAW_ENFORCEMENT = "law_enforcement"


THIRD_PARTY_PROVISION: dict[LegalBasis, Text] = {
    LegalBasis.CONSENT: Text(
        "When the user has agreed to the disclosure in advance",
        "이용자가 사전에 공개에 동의한 경우",
    ),
    LegalBasis.LAW_ENFORCEMENT: Text(
        "When there is a request from the investigative agency in accordance with the provisions of the law or in "
        "accordance with the procedures and methods set forth in the law for the purpose of investigation",
        "법령의 규정에 의거하거나, 수사 목적으로 법령에 정해진 절차와 방법에 따라 수사기관의 요구가 있는 경우",
    ),
}


# --- Contacts (§10) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    role: Text
    department: Text
    email: str


CONTACTS: tuple[Contact, ...] = (
    Contact(
        Text("Personal Information Manager", "개인정보 보호책임자"),
        # "Jeon-do" is the published English text's romanisation of 정도(正道)경영, the company's ethics office.
        Text("Person in charge of Jeon-do Management", "정도경영 담당"),
        "infosec01@lgcns.com",
    ),
    Contact(
        Text("Person in charge of personal information", "개인정보 보호담당자"),
        Text("Information Security Team", "정보보안팀"),
        "infosec01@lgcns.com",
    ),
    Contact(
        Text("Website Personal Information Manager", "웹사이트 개인정보 관리책임자"),
        Text("PR Team Leader", "홍보팀장"),
        "mediapr@lgcns.com",
    ),
    Contact(
        Text("Person in charge of website personal information", "웹사이트 개인정보 관리담당자"),
        Text("PR Team", "홍보팀"),
        "mediapr@lgcns.com",
    ),
)


# --- Cookies (§7) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CookieCategory:
    name: str
    description: Text
    # Strictly necessary cookies need no consent; every other category is off until chosen.
    requires_consent: bool = True


COOKIE_CATEGORIES: tuple[CookieCategory, ...] = (
    CookieCategory(
        "strictly_necessary",
        Text(
            "Needed for the site to work, such as remembering your cookie choice",
            "쿠키 설정 저장 등 웹사이트 운영에 반드시 필요한 쿠키",
        ),
        requires_consent=False,
    ),
    CookieCategory(
        "analytics",
        Text(
            "Analysis of access frequency and visit time, and counting visits",
            "접속 빈도 및 방문 시간 분석, 방문 횟수 파악",
        ),
    ),
    CookieCategory(
        "marketing",
        Text(
            "Targeted marketing and personalised service based on your tastes and areas of interest",
            "이용자의 취향 및 관심 분야 파악을 통한 타겟 마케팅 및 개인 맞춤 서비스 제공",
        ),
    ),
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
