"""No page shows a missing or unformatted value (`null`, `undefined`, `NaN`, `[object Object]`), in
either language. Every browser test is watched for them (conftest.py); this one walks every page and
the states a visitor reaches without filling a form: first load, a failed policy load, the cookie
dialog, a legal representative's link, a broken unsubscribe link; and the pages the API itself serves
for the links it mails (unsubscribe, consent renewal), where a value Python left out would read "None"."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import Site
from tests.e2e.browser.test_cookies import PAGES
from tests.e2e.browser.test_rights import download_with_marketing, letter_link, submit

pytestmark = pytest.mark.e2e

LANGUAGES = ("ko", "en")


def shown(site: Site, page: Page) -> list[str]:
    assert page.locator("body").inner_text().strip(), "the page shows nothing"
    return site.stray_text_now()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_shows_no_missing_value(site: Site, lang: str) -> None:
    site.expect_api_refusals(400)
    found: dict[str, list[str]] = {}
    for path in [
        *PAGES,
        f"rights.html?confirm={uuid.uuid4()}",
        f"unsubscribe.html?token={uuid.uuid4()}.not-the-secret",
    ]:
        page = site.open(path, lang=lang)
        found[path] = shown(site, page)
        if path == "index.html":
            page.locator("[data-cookie-settings]").first.click()
            expect(page.locator("dialog[open]")).to_be_visible()
            found["cookie settings"] = shown(site, page)
    assert {where: texts for where, texts in found.items() if texts} == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_page_whose_policy_cannot_be_loaded_shows_no_missing_value(site: Site, lang: str) -> None:
    site.expect_api_refusals(503)
    site.page.route(re.compile(r".*/v1/policy$"), lambda route: route.fulfill(status=503, json={}))
    page = site.page
    for path in ("index.html", "rights.html", "contact-us.html"):
        # The page never becomes ready: it says the policy could not be loaded.
        page.goto(site.url(path, lang))
        expect(page.get_by_role("alert")).to_be_visible()
        assert shown(site, page) == [], path


def test_the_watch_reports_a_null_child_the_dom_would_show(site: Site) -> None:
    # The DOM's own append turns null into the word "null": the watch that guards every test sees it.
    page = site.open("index.html", lang="en")
    page.evaluate("document.getElementById('main').append(null)")
    page.wait_for_function("() => window.__policyboundStrayTextNow().length > 0")
    page.wait_for_timeout(100)
    assert any("null" in text for text in site.stray_text), site.stray_text
    assert site.stray_text_now()
    # The helper leaves the same child out.
    page.evaluate(
        """async () => {
          const { append } = await import("/assets/dom.js");
          const main = document.getElementById("main");
          main.lastChild.remove();
          append(main, null, undefined, false);
        }"""
    )
    assert site.stray_text_now() == []
    site.stray_text.clear()


def test_the_helper_refuses_objects_and_numbers_that_are_not_finite(site: Site) -> None:
    page = site.open("index.html", lang="en")
    refused = page.evaluate(
        """async () => {
          const { append, h } = await import("/assets/dom.js");
          const main = document.getElementById("main");
          const outcomes = [];
          for (const value of [{}, [{ a: 1 }], NaN, Infinity]) {
            try {
              append(main, value);
              outcomes.push("appended");
            } catch (error) {
              outcomes.push(error instanceof TypeError ? "refused" : String(error));
            }
          }
          try {
            h("p", { text: { a: 1 } });
            outcomes.push("appended");
          } catch (error) {
            outcomes.push(error instanceof TypeError ? "refused" : String(error));
          }
          return outcomes;
        }"""
    )
    assert refused == ["refused"] * 5
    assert site.stray_text_now() == []


def test_the_pages_the_api_serves_for_its_mailed_links_show_no_missing_value(site: Site) -> None:
    site.expect_api_refusals(400, 404)
    subscriber = submit(site, "blog-subscription")["email"]
    [welcome] = site.outbox(subscriber)
    link = re.search(r"https?://\S+/v1/unsubscribe\?token=\S+", welcome["text"])
    assert link
    downloader = letter_link(site, download_with_marketing(site))
    token = parse_qs(urlparse(link.group(0)).query)["token"][0]
    # Well formed, but no record has it: the secret's last character changed.
    unknown = token[:-1] + ("A" if token[-1] != "A" else "B")
    page = site.page
    found: dict[str, list[str]] = {}

    def read(where: str) -> None:
        assert page.locator("body").inner_text().strip(), f"{where} shows nothing"
        text = page.locator("body").inner_text()
        found[where] = site.stray_text_now() + re.findall(r"\bNone\b", text)

    for where, url in [
        ("subscription", link.group(0)),
        ("downloader", downloader),
        ("unknown unsubscribe link", f"{site.base}/v1/unsubscribe?token={unknown}"),
        ("broken unsubscribe link", f"{site.base}/v1/unsubscribe?token={uuid.uuid4()}.not-the-secret"),
        ("unknown consent link", f"{site.base}/v1/consent-renewals?token={unknown}"),
        ("broken consent link", f"{site.base}/v1/consent-renewals?token={uuid.uuid4()}.not-the-secret"),
    ]:
        page.goto(url)
        read(where)
        if where in ("subscription", "downloader"):
            with page.expect_navigation():
                page.get_by_role("button").click()
            read(f"{where}, after the button")
            page.goto(url)
            read(f"{where}, opened again")
    assert {where: texts for where, texts in found.items() if texts} == {}
