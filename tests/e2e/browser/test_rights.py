"""The rights page (§6) and the unsubscribe page (§4) end to end: the code and the unsubscribe link are
read from local mode's outbox, as a visitor would read them from their mail."""

from __future__ import annotations

import json
import re
import time
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from playwright.sync_api import expect

from policybound.api.public.app import create_app, openapi_json
from tests.e2e.browser.conftest import Site
from tests.e2e.browser.test_forms import values
from tests.support.local_staff import staff_headers

RIGHTS_ROUTES = ("/v1/rights/requests", "/v1/rights/sessions", "/v1/rights/records")
UNSUBSCRIBE_ROUTE = "/v1/unsubscribe"


def missing(*paths: str) -> list[str]:
    """Routes of API.md this code base does not serve yet (the pages are built against the contract)."""
    served = json.loads(openapi_json(create_app()))["paths"]
    return [path for path in paths if path not in served]


pytestmark = pytest.mark.e2e
needs_rights_api = pytest.mark.skipif(
    bool(missing(*RIGHTS_ROUTES)), reason=f"not implemented yet: {', '.join(missing(*RIGHTS_ROUTES))}"
)
needs_unsubscribe_api = pytest.mark.skipif(
    bool(missing(UNSUBSCRIBE_ROUTE)), reason=f"not implemented yet: {UNSUBSCRIBE_ROUTE}"
)


def submit(site: Site, form: str, **changes: str) -> dict[str, str]:
    fields = values(form) | changes
    body = {
        "fields": fields,
        "consent": {"required": True, "optional": True, "policy_version": site.policy()["version"]},
    }
    response = requests.post(f"{site.base}/v1/forms/{form}", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return fields


def code_for(site: Site, email: str) -> str:
    # The address may have other mail too (a resources download mails its link): the code's is the newest
    # that carries one, and exactly one does.
    codes = [
        match.group(1)
        for mail in site.outbox(email)
        if (match := re.search(r"^\s+(\d{6})\s*$", mail["text"], re.MULTILINE))
    ]
    assert len(codes) == 1, "one mail carries a six-digit code"
    return codes[-1]


@needs_rights_api
def test_request_a_code_then_view_correct_and_delete_records(site: Site) -> None:
    first = submit(site, "contact-us")
    email = first["email"]
    submit(site, "resources-download", email=email)
    page = site.open("rights.html", lang="en")
    page.locator("#pb-cookie-banner").get_by_role("button", name="Block all").click()

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Correct").check()
    with page.expect_response(lambda r: r.url.endswith("/v1/rights/requests")) as answer:
        page.get_by_role("button", name="Send me a code").click()
    assert answer.value.status == 202
    expect(page.get_by_role("status").filter(has_text="we have sent a code")).to_be_visible()
    expect(page.get_by_label("Code (6 digits)")).to_be_focused()

    page.get_by_label("Code (6 digits)").fill(code_for(site, email))
    with page.expect_response(lambda r: r.url.endswith("/v1/rights/records")):
        page.get_by_role("button", name="Confirm").click()
    records = page.locator("[data-record]")
    expect(records).to_have_count(2)
    contact = records.filter(has_text="Contact Us")
    expect(contact.locator("[data-field=name]")).to_have_text(first["name"])
    # Items in the policy's order for the form, every one the form kept.
    spec = next(f for f in site.policy("en")["forms"] if f["form"] == "contact-us")
    shown = [f.get_attribute("data-field") for f in contact.locator("[data-field]").all()]
    assert shown == [i["name"] for i in spec["required_items"]]
    expect(contact).to_contain_text("Policy 2019-09-20")
    site.screenshot("rights-records")

    contact.get_by_role("button", name="Correct").click()
    contact.get_by_label("Name").fill("Choi Yuna Kim")
    with page.expect_response(lambda r: "/v1/rights/records/" in r.url and r.request.method == "PATCH") as patched:
        contact.get_by_role("button", name="Save correction").click()
    assert patched.value.ok
    expect(page.locator("[data-record]").filter(has_text="Contact Us").locator("[data-field=name]")).to_have_text(
        "Choi Yuna Kim"
    )
    expect(page.get_by_role("status").filter(has_text="Corrected.")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.request.method == "DELETE") as deleted:
        page.locator("[data-record]").filter(has_text="Contact Us").get_by_role("button", name="Delete").click()
    assert deleted.value.status == 204
    expect(page.locator("[data-record]")).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.url.endswith("/v1/rights/records") and r.request.method == "DELETE"):
        page.get_by_role("button", name="Delete everything").click()
    expect(page.locator("[data-no-records]")).to_have_text("We keep no data about you.")


@needs_rights_api
def test_a_wrong_code_is_refused_with_the_apis_message(site: Site) -> None:
    site.expect_api_refusals(401)
    email = submit(site, "contact-us")["email"]
    page = site.open("rights.html", lang="en")
    page.locator("#pb-cookie-banner").get_by_role("button", name="Block all").click()
    page.get_by_label("Email address").fill(email)
    with page.expect_response(lambda r: r.url.endswith("/v1/rights/requests")):
        page.get_by_role("button", name="Send me a code").click()
    right = code_for(site, email)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    page.get_by_label("Code (6 digits)").fill(wrong)
    with page.expect_response(lambda r: r.url.endswith("/v1/rights/sessions")) as answer:
        page.get_by_role("button", name="Confirm").click()
    assert answer.value.status == 401
    expect(page.locator("#step-code [role=alert]")).to_contain_text(answer.value.json()["error"]["message"])
    expect(page.locator("[data-record]")).to_have_count(0)


@needs_unsubscribe_api
def test_the_unsubscribe_page_confirms_before_it_destroys(site: Site) -> None:
    email = submit(site, "blog-subscription")["email"]
    [mail] = site.outbox(email)
    link = re.search(r"https?://\S+/v1/unsubscribe\?token=\S+", mail["text"])
    assert link
    token = parse_qs(urlparse(link.group(0)).query)["token"][0]
    path = f"unsubscribe.html?token={token}"

    page = site.open(path, lang="en")
    page.locator("#pb-cookie-banner").get_by_role("button", name="Block all").click()
    expect(page.locator("#pb-cookie-banner")).to_have_count(0)
    # Opening the page changes nothing, however often.
    page = site.open(path, lang="en")
    expect(page.get_by_text("Unless you unsubscribe, your details are kept until")).to_be_visible()
    site.screenshot("unsubscribe-confirm")
    with page.expect_response(lambda r: "/v1/unsubscribe" in r.url and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Unsubscribe and destroy my details").click()
    assert answer.value.status == 200
    assert answer.value.request.post_data == "List-Unsubscribe=One-Click"
    expect(page.locator("[data-unsubscribe-result]")).to_have_text(
        "You are unsubscribed. Your subscription details were destroyed and cannot be restored."
    )
    assert "token=" not in page.url
    site.screenshot("unsubscribe-done")

    again = site.open(path, lang="en")
    expect(again.locator("[data-unsubscribe-result]")).to_have_text(
        "This subscription was already cancelled. No more mail will be sent."
    )
    expect(again.get_by_role("button", name="Unsubscribe and destroy my details")).to_have_count(0)


@needs_unsubscribe_api
def test_a_broken_unsubscribe_link_is_explained_in_the_apis_words(site: Site) -> None:
    site.expect_api_refusals(400)
    page = site.open(f"unsubscribe.html?token={uuid.uuid4()}.not-the-secret", lang="en")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The server said:")
    expect(page.get_by_role("button", name="Unsubscribe and destroy my details")).to_have_count(0)


def letter_link(site: Site, email: str) -> str:
    """Send a letter to the marketing audience as staff and return the one-click link it mailed to `email`."""
    bearer = staff_headers(site.base, "staff")
    subject = f"Letter {uuid.uuid4().hex[:8]}"
    queued = requests.post(
        f"{site.base}/v1/staff/letters", json={"subject": subject, "body": "News."}, headers=bearer, timeout=60
    )
    assert queued.status_code == 202, queued.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mails = [m for m in site.outbox(email) if m["subject"] == subject]
        if mails:
            return str(mails[0]["headers"]["List-Unsubscribe"]).strip("<>")
        time.sleep(0.5)
    raise AssertionError("the letter did not reach the downloader")


def download_with_marketing(site: Site) -> str:
    fields = values("resources-download")
    body = {
        "fields": fields,
        "consent": {"required": True, "optional": True, "marketing": True, "policy_version": site.policy()["version"]},
    }
    response = requests.post(f"{site.base}/v1/forms/resources-download", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return fields["email"]


@needs_unsubscribe_api
def test_a_downloaders_letter_link_says_marketing_consent_is_withdrawn_not_destroyed(site: Site) -> None:
    """The link as the mail carries it (the API's own page), in a real browser: Korean and English."""
    link = letter_link(site, download_with_marketing(site))
    page = site.page
    page.goto(link)
    expect(page.locator("section[lang=ko] h1")).to_have_text("마케팅 이메일 수신 거부")
    expect(page.locator("section[lang=en] h1")).to_have_text("Stop marketing email")
    expect(page.locator("section[lang=en]")).to_contain_text("are not destroyed")
    page.get_by_role("button", name="수신 거부 / Unsubscribe").click()
    expect(page.locator("section[lang=ko] h1")).to_have_text("마케팅 이메일 수신 동의가 철회되었습니다")
    expect(page.locator("section[lang=en] h1")).to_have_text("Your consent to marketing email is withdrawn")
    expect(page.locator("section[lang=en]")).to_contain_text("were not destroyed")
    expect(page.locator("main")).not_to_contain_text("have been destroyed")
    site.screenshot("unsubscribe-marketing-withdrawn")
    page.goto(link)
    expect(page.locator("section[lang=en] h1")).to_have_text("Marketing email already stopped")
    expect(page.get_by_role("button")).to_have_count(0)


@needs_unsubscribe_api
def test_a_blog_subscribers_link_says_the_subscription_is_destroyed(site: Site) -> None:
    email = submit(site, "blog-subscription")["email"]
    [mail] = site.outbox(email)
    page = site.page
    page.goto(str(mail["headers"]["List-Unsubscribe"]).strip("<>"))
    expect(page.locator("section[lang=en]")).to_contain_text("destroyed at once")
    page.get_by_role("button", name="구독 해지 / Unsubscribe").click()
    expect(page.locator("section[lang=ko] h1")).to_have_text("구독이 해지되었습니다")
    expect(page.locator("section[lang=en]")).to_contain_text("Your subscription details have been destroyed")


@needs_unsubscribe_api
def test_the_sites_unsubscribe_page_tells_a_downloader_their_record_stays(site: Site) -> None:
    link = letter_link(site, download_with_marketing(site))
    token = parse_qs(urlparse(link).query)["token"][0]
    page = site.open(f"unsubscribe.html?token={token}", lang="en")
    page.locator("#pb-cookie-banner").get_by_role("button", name="Block all").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop marketing email")
    expect(page.get_by_text("Kept to provide the resources until")).to_be_visible()
    page.get_by_role("button", name="Stop marketing email").click()
    expect(page.locator("[data-unsubscribe-result]")).to_contain_text(
        "Your consent to marketing email is withdrawn. The details of your resource download were not destroyed"
    )
    again = site.open(f"unsubscribe.html?token={token}", lang="ko")
    expect(again.locator("[data-unsubscribe-result]")).to_contain_text("이미 마케팅 이메일 수신 동의를 철회하셨습니다")
