"""The policy page (§10 contacts, §12 announced changes), accessibility of every page (axe-core, labels,
keyboard-only use), and a screenshot of each page in both languages."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, Route, expect

from policybound.policy import Language, Text
from stacks import site_pages
from tests.e2e.browser.conftest import AXE, ROOT, Site
from tests.e2e.browser.test_cookies import PAGES
from tests.e2e.browser.test_forms import fill, values

pytestmark = pytest.mark.e2e

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def test_policy_page_is_rendered_from_the_policy_with_contacts_and_retention(site: Site) -> None:
    for lang in ("ko", "en"):
        policy = site.policy(lang)
        page = site.open("policy.html", lang=lang)
        expect(page.locator("[data-policy-version]")).to_have_attribute("data-policy-version", policy["version"])
        contacts = page.locator("#contacts")
        for contact in policy["contacts"]:
            row = contacts.get_by_role("row").filter(
                has=page.get_by_role("rowheader", name=contact["role"], exact=True)
            )
            expect(row).to_contain_text(contact["department"])
            expect(row.get_by_role("link", name=contact["email"])).to_have_attribute(
                "href", f"mailto:{contact['email']}"
            )
        expect(page.locator("#retention")).to_contain_text("60")
        for form in policy["forms"]:
            expect(page.locator("#items")).to_contain_text(form["title"])
        for consignee in policy["consignees"]:
            expect(page.locator("#consignment")).to_contain_text(consignee["country"])
        for category in policy["cookie_categories"]:
            expect(page.locator("#cookies")).to_contain_text(category["description"])
        expect(page.locator("#changes")).to_contain_text("예고된 변경 사항이 없습니다" if lang == "ko" else "No change")
        site.screenshot(f"policy-{lang}")


def section_text(section: dict[str, Any]) -> list[str]:
    texts = [section["title"]] if section.get("title") else []
    for block in section["blocks"]:
        texts += block.get("items") or ([block["text"]] if "text" in block else [])
        if block["type"] == "table":
            texts += [cell for row in block["rows"] for cell in row]
    for sub in section.get("subsections", []):
        texts += section_text(sub)
    return texts


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_policy_page_shows_every_section_of_the_text(site: Site, lang: str) -> None:
    policy = site.policy(lang)
    page = site.open("policy.html", lang=lang)
    headings = page.locator("main section[data-section] > h2")
    expect(headings).to_have_text([f"{s['number']}. {s['title']}" for s in policy["sections"]])
    for section in policy["sections"]:
        shown = page.locator(f"section#{section['anchor']}")
        for text in section_text(section):
            expect(shown).to_contain_text(text)
    expect(page.locator("[data-policy-effective]")).to_have_text(policy["effective"])


def test_the_policy_page_names_the_reporting_organisations_and_section_11(site: Site) -> None:
    page = site.open("policy.html", lang="ko")
    organisations = page.locator("#contacts li")
    expect(organisations).to_have_text(
        [
            "개인정보침해신고센터: (privacy.kisa.or.kr / 국번 없이 118)",
            "대검찰청 사이버수사과: (www.spo.go.kr / 국번 없이 1301)",
            "경찰청 사이버안전국: (http://cyberbureau.police.go.kr / 국번 없이 182)",
        ]
    )
    other = page.get_by_role("region", name="11. 기타")
    expect(other).to_contain_text(
        "회사에 링크된 외부 웹사이트가 개인정보를 수집하는 행위에는 "
        "본 개인정보처리방침이 적용되지 않음을 알려 드립니다."
    )
    page = site.open("policy.html", lang="en")
    expect(page.locator("#contacts li")).to_have_text(
        [
            "Personal Information Infringement Report Center: (privacy.kisa.or.kr / 118 without area code)",
            "Supreme Prosecutors’ Office: (www.spo.go.kr / 1301 without area code)",
            "Cyber Security Bureau of the National Police Agency "
            "(http://cyberbureau.police.go.kr / 182 without area code)",
        ]
    )
    expect(page.get_by_role("region", name="11. Other")).to_contain_text(
        "Please note that this Privacy Policy does not apply to the collection of personal information by external "
        "websites linked to the Company."
    )


def test_an_announced_change_is_shown_before_it_takes_effect(site: Site) -> None:
    change = {
        "version": "2027-03-01",
        "effective_date": "2027-03-01",
        "announced_on": "2027-02-01",
        "summary": "The retention of blog letter subscriptions becomes 36 months.",
    }
    site.route_policy(lambda doc: doc.update(upcoming_changes=[change]))
    page = site.open("policy.html", lang="en")
    changes = page.locator("#changes [data-upcoming]")
    expect(changes).to_contain_text("Version 2027-03-01: effective 1 March 2027 (announced 1 February 2027)")
    expect(changes).to_contain_text(change["summary"])
    # Every page carries the notice until the new version is in force.
    home = site.open("index.html", lang="en")
    notice = home.get_by_role("complementary", name="12. Duty of notice")
    expect(notice).to_contain_text("takes effect on 1 March 2027")
    notice.get_by_role("link", name="Read what changes").click()
    site.page.wait_for_selector("body[data-ready=true]")
    assert site.page.url.endswith("policy.html?lang=en#changes")
    site.screenshot("policy-announced-change")


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `make e2e` (npm ci installs it)")
def _answer_html(html: str, route: Route) -> None:
    route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_brand_and_title_name_the_company_the_page_was_rendered_for(site: Site, lang: Language) -> None:
    # The scripts set the title and brand themselves: they must take the company from the page, not a copy.
    other = Text(en="Example Corp", ko="예시 주식회사")
    for path in ("contact-us.html", "staff/index.html"):
        html = site_pages.render(path, company=other)
        site.page.route(re.compile(rf".*/{re.escape(path)}(\?.*)?$"), functools.partial(_answer_html, html))
        page = site.open(path, lang=lang)
        expect(page.locator(".brand-name")).to_have_text(other.in_(lang))
        if not site_pages.BY_PATH[path].console:  # the console titles itself with its own name
            assert page.title().endswith(f" | {other.in_(lang)}")
        site.page.unroute_all()


def test_every_page_passes_axe_before_and_after_the_cookie_choice(site: Site) -> None:
    found: dict[str, Any] = {}
    for index, path in enumerate(PAGES):
        page = site.open(path)
        if index == 0:
            found[f"{path} with banner"] = axe_violations(page)
            page.locator("#pb-cookie-banner").get_by_role("button", name="모두 거부").click()
        found[path] = axe_violations(page)
    page = site.open("contact-us.html", lang="en")
    page.get_by_role("button", name="Submit").click()
    found["contact-us errors"] = axe_violations(page)
    page.get_by_role("contentinfo").get_by_role("button", name="Cookie settings").click()
    found["cookie settings"] = axe_violations(page)
    assert {where: v for where, v in found.items() if v} == {}


def test_every_control_has_a_label_and_every_page_a_title_and_landmarks(site: Site) -> None:
    for path in PAGES:
        page = site.open(path, lang="en")
        unlabeled = page.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea, button')]
                .filter(el => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                              && !(el.textContent || '').trim())
                .map(el => el.outerHTML)"""
        )
        assert unlabeled == [], path
        assert page.title().endswith("| LG CNS")
        expect(page.get_by_role("main")).to_have_count(1)
        expect(page.get_by_role("banner")).to_have_count(1)
        expect(page.get_by_role("contentinfo")).to_have_count(1)
        expect(page.get_by_role("navigation", name="Main menu")).to_have_count(1)


def test_a_form_can_be_filled_and_submitted_with_the_keyboard_alone(site: Site) -> None:
    page = site.open("contact-us.html", lang="en")
    keyboard = page.keyboard
    # Skip link, then the banner's three choices: "Block all" is the third.
    keyboard.press("Tab")
    keyboard.press("Tab")
    keyboard.press("Tab")
    keyboard.press("Tab")
    expect(page.locator("#pb-cookie-banner").get_by_role("button", name="Block all")).to_be_focused()
    keyboard.press("Enter")
    expect(page.locator("#pb-cookie-banner")).to_have_count(0)

    page.locator("#main").focus()
    typed = values("contact-us")
    for name in ("name", "contact", "email", "organization", "job_grade", "inquiry"):
        keyboard.press("Tab")
        expect(page.locator(f"#field-{name}")).to_be_focused()
        keyboard.type(typed[name])
    keyboard.press("Tab")
    expect(page.locator("#under-14")).to_be_focused()
    keyboard.press("Tab")
    expect(page.locator("#consent-required")).to_be_focused()
    keyboard.press("Space")
    expect(page.locator("#consent-required")).to_be_checked()
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Submit")).to_be_focused()
    with page.expect_response(lambda r: "/v1/forms/" in r.url) as answer:
        keyboard.press("Enter")
    assert answer.value.status == 201
    expect(page.locator("[data-receipt]")).to_be_focused()
    expect(page.locator("[data-receipt-until]")).to_contain_text("then destroyed without delay")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_screenshots_of_every_page(site: Site, lang: str) -> None:
    for path in PAGES:
        page = site.open(path, lang=lang)
        expect(page.locator("h1")).to_have_count(1)
        site.screenshot(f"page-{lang}-{path.removesuffix('.html')}")


def test_every_page_works_under_a_strict_content_security_policy(site: Site) -> None:
    policy = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    def with_csp(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers=response.headers | {"content-security-policy": policy})

    site.page.route("**/*.html*", with_csp)
    response = site.page.goto(site.url("index.html"))
    assert response is not None
    assert response.header_value("content-security-policy") == policy
    for path in PAGES:
        page = site.open(path, lang="en")
        expect(page.locator("h1")).to_have_count(1)
    page = site.open("policy.html", lang="en")
    page.locator("#pb-cookie-banner").get_by_role("button", name="Choose categories").click()
    page.get_by_role("dialog").get_by_role("button", name="Save my choice").click()
    expect(page.locator("#pb-cookie-banner")).to_have_count(0)
    # A violation would be logged as a console error, which fails the test in the fixture.
    assert not [text for text in site.console_errors if "Content Security Policy" in text]


def _pointed_at(site: Site, api: str) -> None:
    """Deploy-time configuration as a static host would have it: the pages call `api`."""
    site.page.add_init_script(f"window.POLICYBOUND_CONFIG = {{ apiBase: {json.dumps(api)} }};")


def test_the_pages_work_from_another_origin_that_the_api_allows(site: Site) -> None:
    # Local mode allows its own address under both loopback names; the pages come from one and call the other.
    api = site.base
    pages = api.replace("127.0.0.1", "localhost")
    _pointed_at(site, api)
    page = site.page
    page.goto(f"{pages}/contact-us.html?lang=en")
    page.wait_for_selector("body[data-ready=true]")
    with page.expect_response(lambda r: r.url == f"{api}/v1/cookie-consents" and r.request.method == "POST") as sent:
        page.locator("#pb-cookie-banner").get_by_role("button", name="Block all").click()
    assert sent.value.status == 201
    assert sent.value.request.header_value("origin") == pages
    assert sent.value.header_value("access-control-allow-origin") == pages
    fill(page, values("contact-us"))
    page.locator("#consent-required").check()
    with page.expect_response(lambda r: r.url == f"{api}/v1/forms/contact-us" and r.request.method == "POST") as form:
        page.get_by_role("button", name="Submit").click()
    assert form.value.status == 201
    expect(page.locator("[data-receipt]")).to_be_visible()


class _QuietStaticFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_pages_from_an_origin_the_api_does_not_allow_are_refused(site: Site, tmp_path: Path) -> None:
    # The site as another static host would have it: web/'s files and the rendered pages.
    shutil.copytree(ROOT / "web", tmp_path / "web")
    site_pages.write(tmp_path / "web")
    handler = functools.partial(_QuietStaticFiles, directory=str(tmp_path / "web"))
    static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=static.serve_forever, daemon=True).start()
    try:
        foreign = f"http://127.0.0.1:{static.server_address[1]}"
        _pointed_at(site, site.base)
        page = site.page
        page.goto(f"{foreign}/index.html?lang=en")
        expect(page.get_by_role("alert")).to_have_text(
            "The policy could not be loaded. Please reload the page in a moment."
        )
        [call] = site.api_calls("GET", "/v1/policy")
        assert call.failure is not None  # the browser refused the answer: no Access-Control-Allow-Origin
        expect(page.locator("#pb-cookie-banner")).to_have_count(0)
        assert site.cookie_names() == set()
    finally:
        static.shutdown()
        static.server_close()
    # What the browser was refused: the API's 403 in its error shape.
    refused = requests.get(f"{site.base}/v1/policy", headers={"Origin": foreign}, timeout=30)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert "Access-Control-Allow-Origin" not in refused.headers
    # The browser reports the refusal as a CORS error; that is this test's point, not a page fault.
    assert any(f"from origin '{foreign}' has been blocked by CORS policy" in text for text in site.console_errors)
    site.console_errors.clear()
