"""The download form offers the API's catalogue (GET /v1/resources), in the page's language, and the
person gets the link to the file they chose."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from policybound.catalogue import RESOURCES
from tests.e2e.browser.conftest import Site
from tests.e2e.browser.test_forms import block_cookies, fill, values


def test_the_download_form_lists_the_catalogue_and_the_chosen_file_is_mailed(site: Site) -> None:
    page = site.open("resources-download.html")
    block_cookies(page)
    options = page.locator("select[name=resource_id] option:not([value=''])")
    expect(options).to_have_count(len(RESOURCES))
    assert options.all_inner_texts() == [r.title.ko for r in RESOURCES]
    chosen = RESOURCES[2]
    fill(page, values("resources-download") | {"resource_id": chosen.resource_id, "email": "browser.dl@example.co.kr"})
    page.locator("#consent-required").check()
    with page.expect_response(lambda r: "/v1/forms/" in r.url) as answer:
        page.get_by_role("button", name="제출").click()
    assert answer.value.status == 201
    (mail,) = site.outbox("browser.dl@example.co.kr")
    link = next(word for word in mail["text"].split() if word.startswith("http"))
    assert requests.get(link, timeout=10).content.startswith(b"%PDF")
    assert chosen.title.ko in mail["text"]
