"""The three forms in a real browser: built from GET /v1/policy, checked like the API, and answered
with a receipt; refused without the required consent, with the API's own words when it refuses."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from policybound.policy import FormId
from tests.e2e.browser.conftest import Site

pytestmark = pytest.mark.e2e

FORMS = [form.value for form in FormId]


def values(form: str) -> dict[str, str]:
    """Valid values for every item of a form; a new address each time, so tests never share a subject."""
    email = f"visitor-{uuid.uuid4().hex[:10]}@example.co.kr"
    return {
        "contact-us": {
            "name": "Choi Yuna",
            "contact": "010-2345-6789",
            "email": email,
            "organization": "Hanbit Systems",
            "job_grade": "Team lead",
            "inquiry": "Please send a quote for the cloud migration service.",
        },
        "resources-download": {
            "name": "Jung Hoon",
            "email": email,
            "company": "Hanbit Systems",
            "job_grade": "Manager",
            "resource_id": "cloud-whitepaper-2019",
            "department": "Infrastructure",
        },
        "blog-subscription": {
            "name": "Han Sora",
            "email": email,
            "job": "Architect",
            "company": "Hanbit Systems",
            "job_grade": "Principal",
            "interests": "Cloud, data platforms",
        },
    }[form]


def fill(page: Page, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        control = page.locator(f"#field-{name}")
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)


def form_policy(site: Site, form: str, lang: str = "ko") -> dict[str, Any]:
    return next(f for f in site.policy(lang)["forms"] if f["form"] == form)


def block_cookies(page: Page) -> None:
    page.get_by_role("button", name="모두 거부").first.click()
    expect(page.locator("#pb-cookie-banner")).to_have_count(0)


@pytest.mark.parametrize("form", FORMS)
def test_required_and_optional_items_and_both_consents_come_from_the_policy(site: Site, form: str) -> None:
    spec = form_policy(site, form)
    page = site.open(f"{form}.html")
    required = page.locator("fieldset.items-required .field")
    optional = page.locator("fieldset.items-optional .field")
    assert [f.get_attribute("data-item") for f in required.all()] == [i["name"] for i in spec["required_items"]]
    assert [f.get_attribute("data-item") for f in optional.all()] == [i["name"] for i in spec["optional_items"]]
    for item in spec["required_items"]:
        expect(page.locator(f"label[for=field-{item['name']}]")).to_contain_text(item["label"])
        expect(page.locator(f"#field-{item['name']}")).to_have_attribute("aria-required", "true")

    # PIPA art. 22: marketing is a consent of its own, apart from the consent the form needs.
    separate = ", ".join(p["description"] for p in spec["purposes"] if p["separate_consent"])
    purposes = ", ".join(p["description"] for p in spec["purposes"] if not p["separate_consent"])
    consents = [("required", spec["required_items"], purposes)]
    if spec["optional_items"]:
        consents.append(("optional", spec["optional_items"], purposes))
    if spec["marketing_consent"]:
        profile = [i for i in spec["required_items"] + spec["optional_items"] if not i["request"]]
        consents.append(("marketing", profile, separate))
    assert spec["marketing_consent"] == (form == "resources-download")
    for kind, items, described in consents:
        block = page.locator(f"fieldset[data-consent={kind}]")
        expect(block.locator("[data-consent-items]")).to_have_text(", ".join(i["label"] for i in items))
        expect(block.locator("[data-consent-purposes]")).to_have_text(described)
        # §4: the 60-month retention is stated in each consent, from the policy document.
        assert spec["retention_months"] == 60
        expect(block.locator("[data-consent-retention]")).to_contain_text("60개월")
        expect(block.get_by_role("checkbox")).not_to_be_checked()
    expect(page.locator("fieldset[data-consent]")).to_have_count(len(consents))
    site.screenshot(f"form-{form}")


@pytest.mark.parametrize("form", FORMS)
def test_each_form_is_submitted_and_answered_with_a_receipt(site: Site, form: str) -> None:
    spec = form_policy(site, form)
    page = site.open(f"{form}.html")
    block_cookies(page)
    fill(page, values(form))
    page.locator("#consent-required").check()
    if spec["optional_items"]:
        page.locator("#consent-optional").check()
    with page.expect_response(lambda r: r.url.endswith(f"/v1/forms/{form}")) as answer:
        page.get_by_role("button", name="제출").click()
    assert answer.value.status == 201
    receipt = answer.value.json()
    assert answer.value.request.header_value("idempotency-key")

    shown = page.locator("[data-receipt]")
    expect(shown).to_be_focused()
    labels = {i["name"]: i["label"] for i in spec["required_items"] + spec["optional_items"]}
    expect(shown.locator("[data-receipt-id]")).to_have_text(receipt["submission_id"])
    expect(shown.locator("[data-receipt-kept]")).to_have_text(", ".join(labels[n] for n in receipt["items_collected"]))
    expect(shown.locator("[data-receipt-dropped]")).to_have_text("없음")
    until = datetime.fromisoformat(receipt["retained_until"])
    received = datetime.fromisoformat(receipt["received_at"])
    assert (until.year - received.year) * 12 + until.month - received.month == 60
    expect(shown.locator("[data-receipt-until]")).to_contain_text(f"{until.year}년 {until.month}월 {until.day}일")
    site.screenshot(f"receipt-{form}")


def test_optional_items_without_optional_consent_are_dropped_and_the_receipt_says_so(site: Site) -> None:
    page = site.open("resources-download.html")
    block_cookies(page)
    fill(page, values("resources-download"))
    page.locator("#consent-required").check()
    with page.expect_response(lambda r: "/v1/forms/" in r.url) as answer:
        page.get_by_role("button", name="제출").click()
    sent = answer.value.request.post_data_json
    assert sent is not None
    version = site.policy()["version"]
    assert sent["consent"] == {"required": True, "optional": False, "marketing": False, "policy_version": version}
    assert answer.value.json()["items_dropped"] == ["department"]
    assert answer.value.json()["purposes"] == ["resource_delivery"]
    expect(page.locator("[data-receipt-dropped]")).to_contain_text("부서")
    expect(page.locator("[data-receipt-kept]")).not_to_contain_text("부서")


def test_without_the_required_consent_nothing_is_sent_and_the_reason_is_shown(site: Site) -> None:
    page = site.open("contact-us.html")
    block_cookies(page)
    fill(page, values("contact-us"))
    page.get_by_role("button", name="제출").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("필수 항목의 수집·이용에 동의하지 않아 아무것도 저장하지 않았습니다")
    expect(page.locator("#consent-required")).to_have_attribute("aria-invalid", "true")
    assert site.api_calls("POST", "/v1/forms/contact-us") == []
    site.screenshot("form-refused-without-consent")

    page.locator("#consent-required").check()
    with page.expect_response(lambda r: "/v1/forms/" in r.url) as answer:
        page.get_by_role("button", name="제출").click()
    assert answer.value.status == 201


def test_client_checks_mirror_the_api_and_name_each_field(site: Site) -> None:
    page = site.open("contact-us.html", lang="en")
    page.get_by_role("button", name="Block all").first.click()
    # Length is capped by the inputs themselves (maxlength from the policy); a hidden character is not.
    fill(page, values("contact-us") | {"name": "   ", "email": "not-an-email", "organization": "Hanbit\u200bSystems"})
    page.locator("#consent-required").check()
    page.get_by_role("button", name="Submit").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Name: is required.")
    expect(summary).to_contain_text("Email: is not a valid email address.")
    expect(summary).to_contain_text("Organization: must not contain control characters.")
    expect(page.locator("#field-organization")).to_have_attribute("maxlength", "200")
    for name in ("name", "email", "organization"):
        expect(page.locator(f"#field-{name}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#field-contact")).not_to_have_attribute("aria-invalid", "true")
    assert site.api_calls("POST", "/v1/forms/contact-us") == []
    # Each problem in the summary links to its field.
    summary.get_by_role("link", name="Email: is not a valid email address.").click()
    expect(page.locator("#field-email")).to_be_focused()


def test_what_only_the_api_can_judge_is_shown_in_the_apis_own_words(site: Site) -> None:
    site.expect_api_refusals(422)
    page = site.open("contact-us.html", lang="en")
    page.get_by_role("button", name="Block all").first.click()
    # Looks like a phone number to the page; the API's phone library knows +1 000 is no real number.
    fill(page, values("contact-us") | {"contact": "+1 000-000-0000"})
    page.locator("#consent-required").check()
    with page.expect_response(lambda r: "/v1/forms/" in r.url) as answer:
        page.get_by_role("button", name="Submit").click()
    error = answer.value.json()["error"]
    assert answer.value.status == 422
    assert error["code"] == "validation_failed"
    [detail] = error["details"]
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text(error["message"])
    expect(summary).to_contain_text(detail["problem"])
    expect(page.locator("#field-contact-error")).to_contain_text(detail["problem"])
    expect(page.locator("#field-contact")).to_have_attribute("aria-invalid", "true")


def test_an_outdated_policy_version_is_refused_then_the_current_policy_is_loaded(site: Site) -> None:
    site.expect_api_refusals(409)
    # The page loads while an older version is (as far as it knows) in force; later loads are real.
    site.route_policy(lambda doc: doc.update(version="2018-01-01"), times=1)
    page = site.open("contact-us.html", lang="en")
    banner = page.locator("#pb-cookie-banner")
    # The banner's choice under the old version is refused too, and it asks again under the current one.
    banner.get_by_role("button", name="Block all").click()
    expect(banner.get_by_role("status")).to_have_text(
        "The privacy policy has changed. Please choose again which cookies to allow."
    )
    banner.get_by_role("button", name="Block all").click()
    expect(banner).to_have_count(0)

    fill(page, values("contact-us"))
    page.locator("#consent-required").check()
    with page.expect_response(lambda r: "/v1/forms/" in r.url) as answer:
        page.get_by_role("button", name="Submit").click()
    assert answer.value.status == 409
    error = answer.value.json()["error"]
    assert error["code"] == "policy_version_outdated"
    expect(page.locator(".error-summary")).to_contain_text(error["message"])
    page.get_by_role("button", name="Load the current policy").click()
    expect(page.get_by_role("status").filter(has_text="The current policy is loaded")).to_be_visible()
    fill(page, values("contact-us"))
    page.locator("#consent-required").check()
    with page.expect_response(lambda r: "/v1/forms/" in r.url) as answer:
        page.get_by_role("button", name="Submit").click()
    assert answer.value.status == 201
    assert answer.value.json()["policy_version"] == site.policy()["version"]


def test_the_site_speaks_english_and_korean(site: Site) -> None:
    page = site.open("blog-subscription.html")
    assert page.evaluate("document.documentElement.lang") == "ko"
    expect(page.locator("h1")).to_have_text(form_policy(site, "blog-subscription", "ko")["title"])
    page.get_by_role("banner").get_by_role("link", name="English", exact=True).click()
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate("document.documentElement.lang") == "en"
    english = form_policy(site, "blog-subscription", "en")
    expect(page.locator("h1")).to_have_text(english["title"])
    expect(page.locator("label[for=field-name]")).to_contain_text("Name")
    expect(page.locator("fieldset[data-consent=required] [data-consent-retention]")).to_contain_text("60 months")
    # The language follows the visitor through the site's links.
    page.get_by_role("link", name="Privacy Policy").first.click()
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate("document.documentElement.lang") == "en"


def test_nothing_the_visitor_typed_reaches_the_servers_logs(site: Site) -> None:
    page = site.open("blog-subscription.html")
    page.locator("#pb-cookie-banner").get_by_role("button", name="모두 허용").click()
    typed = values("blog-subscription") | {"name": "Seo Logcheck", "interests": "Quantum logistics"}
    fill(page, typed)
    page.locator("#consent-required").check()
    page.locator("#consent-optional").check()
    with page.expect_response(lambda r: "/v1/forms/" in r.url) as answer:
        page.get_by_role("button", name="제출").click()
    assert answer.value.status == 201
    logs = site.server.logs()
    for value in typed.values():
        assert value not in logs


def test_a_child_under_14_names_a_legal_representative_who_is_asked_to_consent(site: Site) -> None:
    page = site.open("contact-us.html", lang="en")
    page.locator("#pb-cookie-banner").get_by_role("button", name="Block all").click()
    fill(page, values("contact-us"))
    page.locator("#consent-required").check()
    expect(page.get_by_label("Legal representative's email")).to_be_hidden()
    page.get_by_label("I am under 14").check()
    expect(page.get_by_label("I am under 14")).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".error-summary")).to_contain_text("Legal representative's email: is required.")
    assert site.api_calls("POST", "/v1/forms/contact-us") == []

    guardian = f"parent-{uuid.uuid4().hex[:10]}@example.co.kr"
    page.get_by_label("Legal representative's name").fill("Choi Minho")
    page.get_by_label("Legal representative's email").fill(guardian)
    with page.expect_response(lambda r: "/v1/forms/" in r.url) as answer:
        page.get_by_role("button", name="Submit").click()
    sent = answer.value.request.post_data_json
    assert sent is not None
    assert sent["consent"]["under_14"] is True
    assert sent["legal_representative"] == {"name": "Choi Minho", "email": guardian}
    assert answer.value.status == 201
    receipt = answer.value.json()
    assert receipt["status"] == "pending_guardian"
    expect(page.locator("[data-receipt-guardian]")).to_contain_text("We sent your legal representative a consent code")

    # The representative follows the mail's link to the rights page and enters the code.
    [mail] = site.outbox(guardian)
    code = re.search(r"Consent code: (\d{6})", mail["text"])
    link = re.search(r"(https?://\S+/rights\.html\?confirm=\S+)", mail["text"])
    assert code
    assert link
    assert link.group(1).startswith(site.base)
    page.goto(link.group(1) + "&lang=en")
    page.wait_for_selector("body[data-ready=true]")
    expect(page.get_by_label("Submission number")).to_have_value(receipt["submission_id"])
    page.get_by_label("Consent code (6 digits)").fill(code.group(1))
    with page.expect_response(lambda r: r.url.endswith("/v1/rights/guardian-confirmations")) as confirmed:
        page.get_by_role("button", name="I consent").click()
    assert confirmed.value.status == 200
    assert confirmed.value.json()["status"] == "active"
    expect(page.locator("[data-guardian-result]")).to_contain_text("Your consent is recorded.")
    site.screenshot("guardian-consent")
