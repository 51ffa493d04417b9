"""The cookie banner (§7) in a real browser: no cookie before a choice, at most the consent cookie after
"block all", the site's cookies and recorded visits after "allow all", withdrawal deleting cookies, and
a new policy version asking again."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect

from local.environment import table_name
from policybound import tables
from tests.e2e.browser.conftest import Site

pytestmark = pytest.mark.e2e

CONSENT_COOKIE = "pb_cookie_consent"
ANALYTICS_COOKIE = "pb_visit_count"
MARKETING_COOKIE = "pb_interests"
PAGES = [
    "index.html",
    "contact-us.html",
    "resources-download.html",
    "blog-subscription.html",
    "policy.html",
    "rights.html",
    "unsubscribe.html",
]


def stored_visits(site: Site) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = site.server.aws("dynamodb").scan(TableName=table_name(tables.VISITS))["Items"]
    return items


def banner(page: Page) -> Any:
    return page.locator("#pb-cookie-banner")


def choose(page: Page, button: str, answered_at: str) -> Response:
    """Clicks one of the banner's choices: the API's answer at `answered_at` that the click brings."""
    with page.expect_response(lambda r: r.url.endswith(answered_at)) as answer:
        banner(page).get_by_role("button", name=button).click()
    return answer.value


def test_no_cookie_is_set_before_a_choice_and_the_banner_offers_three_choices(site: Site) -> None:
    for path in PAGES:
        page = site.open(path)
        shown = banner(page)
        expect(shown).to_be_visible()
        for name in ("모두 허용", "직접 선택", "모두 거부"):
            expect(shown.get_by_role("button", name=name)).to_be_visible()
        assert site.cookie_names() == set()
        assert page.evaluate("document.cookie") == ""
    assert site.api_calls("POST", "/v1/visits") == []
    assert site.api_calls("POST", "/v1/cookie-consents") == []
    site.open("index.html")
    site.screenshot("cookie-banner")


def test_block_all_leaves_at_most_the_consent_cookie_and_records_no_visit(site: Site) -> None:
    before = len(stored_visits(site))
    page = site.open("contact-us.html")
    answer = choose(page, "모두 거부", "/v1/cookie-consents")
    assert answer.status == 201
    recorded = answer.json()
    assert (recorded["choice"], recorded["categories"]) == ("none", [])
    expect(banner(page)).to_have_count(0)
    for path in PAGES:
        site.open(path)
        expect(banner(site.page)).to_have_count(0)
        assert site.cookie_names() <= {CONSENT_COOKIE}
    assert site.cookie_names() == {CONSENT_COOKIE}
    assert site.api_calls("POST", "/v1/visits") == []
    assert len(stored_visits(site)) == before


def test_allow_all_sets_the_sites_cookies_and_the_server_records_visits(site: Site) -> None:
    before = len(stored_visits(site))
    page = site.open("resources-download.html")
    visit = choose(page, "모두 허용", "/v1/visits")
    assert visit.status == 204
    sent = visit.request.post_data_json
    assert sent is not None
    assert sent["page"] == "/resources-download.html"
    assert sent["consent_id"]
    assert site.cookie_names() == {CONSENT_COOKIE, ANALYTICS_COOKIE, MARKETING_COOKIE}
    with page.expect_response(lambda r: r.url.endswith("/v1/visits")):
        site.open("policy.html")
    cookies = {c["name"]: c for c in site.context.cookies()}
    assert cookies[ANALYTICS_COOKIE]["value"] == "2"
    assert cookies[CONSENT_COOKIE]["sameSite"] == "Lax"
    visits = stored_visits(site)
    assert len(visits) == before + 2
    assert {"/resources-download.html", "/policy.html"} <= {v["page"]["S"] for v in visits}
    # The network the visit came from, never the address itself (IP is personal information).
    assert all(v["source_ip"]["S"] == "127.0.0.0/24" for v in visits)


def test_choosing_categories_and_withdrawing_one_deletes_its_cookies(site: Site) -> None:
    page = site.open("blog-subscription.html")
    banner(page).get_by_role("button", name="직접 선택").click()
    dialog = page.get_by_role("dialog", name="쿠키 설정")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("checkbox", name="필수 쿠키")).to_be_disabled()
    expect(dialog.get_by_role("checkbox", name="필수 쿠키")).to_be_checked()
    dialog.get_by_role("checkbox", name="분석 쿠키").check()
    expect(dialog.get_by_role("checkbox", name="마케팅 쿠키")).not_to_be_checked()
    site.screenshot("cookie-settings")
    with page.expect_response(lambda r: r.url.endswith("/v1/cookie-consents")) as answer:
        dialog.get_by_role("button", name="선택 저장").click()
    assert (answer.value.json()["choice"], answer.value.json()["categories"]) == ("selected", ["analytics"])
    expect(dialog).to_be_hidden()
    expect(banner(page)).to_have_count(0)
    assert site.cookie_names() == {CONSENT_COOKIE, ANALYTICS_COOKIE}

    # The footer's "cookie settings" reopens the choice; withdrawing analytics deletes its cookie at once.
    page.get_by_role("contentinfo").get_by_role("button", name="쿠키 설정").click()
    expect(dialog.get_by_text("현재 선택: 직접 선택")).to_be_visible()
    expect(dialog.get_by_role("checkbox", name="분석 쿠키")).to_be_checked()
    dialog.get_by_role("checkbox", name="분석 쿠키").uncheck()
    dialog.get_by_role("checkbox", name="마케팅 쿠키").check()
    with page.expect_response(lambda r: r.url.endswith("/v1/cookie-consents")):
        dialog.get_by_role("button", name="선택 저장").click()
    expect(dialog).to_be_hidden()
    assert site.cookie_names() == {CONSENT_COOKIE, MARKETING_COOKIE}
    expect(page.locator("[data-cookie-status]")).to_have_text("쿠키 선택을 저장했습니다.")

    requests_before = len(site.api_calls("POST", "/v1/visits"))
    site.open("index.html")
    assert len(site.api_calls("POST", "/v1/visits")) == requests_before


def test_withdrawing_the_consent_in_the_settings_deletes_its_visits_on_the_server(site: Site) -> None:
    page = site.open("index.html")
    withdrawn = choose(page, "모두 허용", "/v1/cookie-consents").json()["consent_id"]
    with page.expect_response(lambda r: r.url.endswith("/v1/visits")):
        site.open("rights.html")
    assert [v for v in stored_visits(site) if v["consent_id"]["S"] == withdrawn]

    # The rights page explains it and opens the settings, where the consent is withdrawn.
    rights = site.page.locator("#cookie-withdrawal")
    expect(rights).to_contain_text("방문 기록")
    rights.get_by_role("button", name="쿠키 설정 열기").click()
    dialog = site.page.get_by_role("dialog", name="쿠키 설정")
    with site.page.expect_response(lambda r: r.request.method == "DELETE") as answer:
        dialog.get_by_role("button", name="동의 철회 및 방문 기록 삭제").click()
    assert answer.value.status == 204
    assert answer.value.url.endswith(f"/v1/cookie-consents/{withdrawn}")
    expect(site.page.locator("[data-cookie-status]")).to_contain_text("방문 기록은 모두 삭제했습니다")
    assert [v for v in stored_visits(site) if v["consent_id"]["S"] == withdrawn] == []
    assert site.cookie_names() == set()
    expect(banner(site.page)).to_be_visible()


def test_a_new_policy_version_asks_again_and_removes_cookies_until_answered(site: Site) -> None:
    page = site.open("index.html")
    banner(page).get_by_role("button", name="모두 허용").click()
    expect(banner(page)).to_have_count(0)
    assert site.cookie_names() == {CONSENT_COOKIE, ANALYTICS_COOKIE, MARKETING_COOKIE}

    site.route_policy(lambda doc: doc.update(version="2099-01-01"))
    site.open("index.html")
    shown = banner(page)
    expect(shown).to_be_visible()
    expect(shown.get_by_role("status")).to_have_text(
        "개인정보 처리방침이 바뀌었습니다. 쿠키 사용 여부를 다시 선택해 주세요."
    )
    assert site.cookie_names() == {CONSENT_COOKIE}
    assert len(site.api_calls("POST", "/v1/visits")) == 1
    site.screenshot("cookie-banner-policy-changed")

    page.unroute_all()
    site.open("index.html")
    expect(banner(page)).to_have_count(0)


def test_every_page_has_cookie_settings_and_explains_how_to_refuse_cookies_in_the_browser(site: Site) -> None:
    for path in PAGES:
        page = site.open(path, lang="en")
        if path == PAGES[0]:
            banner(page).get_by_role("button", name="Block all").click()
        page.get_by_role("contentinfo").get_by_role("button", name="Cookie settings").click()
        dialog = page.get_by_role("dialog", name="Cookie settings")
        expect(dialog).to_be_visible()
        help_text = dialog.locator("details.browser-help")
        help_text.locator("summary").click()
        expect(help_text).to_contain_text("block all cookies")
        expect(help_text).to_contain_text("Tools > Internet options > Privacy")
        dialog.get_by_role("button", name="Close").click()
        expect(dialog).to_be_hidden()
    policy = site.open("policy.html", lang="en")
    expect(policy.locator("#cookies")).to_contain_text("How to refuse cookies in your browser")


def test_settings_opened_while_a_banner_choice_is_saving_stay_open_when_it_is_saved(site: Site) -> None:
    page = site.open("index.html", lang="en")
    held: list[Any] = []
    page.route("**/v1/cookie-consents", lambda route: held.append(route))
    banner(page).get_by_role("button", name="Block all").click()
    while not held:
        page.wait_for_timeout(20)
    page.get_by_role("contentinfo").get_by_role("button", name="Cookie settings").click()
    dialog = page.get_by_role("dialog", name="Cookie settings")
    expect(dialog).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/v1/cookie-consents")):
        held[0].continue_()
    expect(page.get_by_role("contentinfo").get_by_role("status")).to_have_text("Your cookie choice is saved.")
    # The banner's choice closes the banner; the dialog opened since is the person's, and stays.
    expect(banner(page)).to_have_count(0)
    expect(dialog).to_be_visible()


def test_the_banner_works_with_the_keyboard_alone(site: Site) -> None:
    page = site.open("contact-us.html")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    # The banner comes right after the skip link, before the menu, so it is reached first.
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.cookieChoice") == "none":
            break
    block = banner(page).get_by_role("button", name="모두 거부")
    expect(block).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith("/v1/cookie-consents")):
        page.keyboard.press("Enter")
    expect(banner(page)).to_have_count(0)
    assert site.cookie_names() == {CONSENT_COOKIE}

    # The settings dialog: opened from the footer by keyboard, closed with Escape.
    settings = page.get_by_role("contentinfo").get_by_role("button", name="쿠키 설정")
    settings.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="쿠키 설정")
    expect(dialog).to_be_visible()
    expect(dialog.locator(":focus")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(settings).to_be_focused()
