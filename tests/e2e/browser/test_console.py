"""The staff console (/staff/) in Chromium against local mode: sign-in through the local user pool and its
real triggers, each role's screens, the session's limits and storage, what the auditor sees, accessibility,
the CSP it is served under, and a screenshot of every screen in both languages."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from playwright.sync_api import Page, expect

from local.cognito import SEED_PASSWORD
from local.environment import table_name
from local.gateway import CONSOLE_HEADERS
from policybound import tables
from policybound.adapters import codec
from policybound.api.staff.evidence_schemas import ReconciliationOut
from policybound.api.staff.permissions import ROUTE_ROLES
from policybound.domain.evidence.reports import PATHS
from policybound.domain.retention.destruction import DestructionReason
from stacks.site_headers import console_headers
from tests.e2e.browser.conftest import AXE, Site
from tests.e2e.browser.test_forms import values
from tests.e2e.browser.test_pages import axe_violations
from tests.support.local_staff import add_account, id_token, pool_id_of, staff_headers

pytestmark = pytest.mark.e2e

MANAGER_SCREENS = [
    "rights-requests",
    "legal-holds",
    "provisions",
    "access-rights",
    "incidents",
    "ledger",
    "access-review",
]
AUDITOR_SCREENS = ["ledger", "access-review"]
HANDLER_SCREENS: list[str] = []
EVIDENCE_ROUTES = {
    "reconciliation": ("GET", "/v1/staff/evidence/reconciliation"),
    "destructions": ("GET", "/v1/staff/evidence/destructions"),
}
HANDLER_ROUTES = {
    "inquiries": ("GET", "/v1/staff/inquiries"),
    "letters": ("POST", "/v1/staff/letters"),
    "resources": ("GET", "/v1/staff/inquiries"),
}
for _screen, _route in EVIDENCE_ROUTES.items():
    if _route in ROUTE_ROLES:
        AUDITOR_SCREENS.append(_screen)
        MANAGER_SCREENS.append(_screen)
for _screen, _route in HANDLER_ROUTES.items():
    if _route in ROUTE_ROLES:
        HANDLER_SCREENS.append(_screen)
SLOW = 90_000  # ms
LABELS = {
    "en": {"username": "Username", "password": "Password", "submit": "Sign in", "signout": "Sign out"},
    "ko": {"username": "사용자 이름", "password": "비밀번호", "submit": "로그인", "signout": "로그아웃"},
}


class Console:
    """One browser profile on the console."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.page = site.page

    def url(self, lang: str, screen: str = "") -> str:
        return f"{self.site.base}/staff/?lang={lang}" + (f"#/{screen}" if screen else "")

    def wait(self, screen: str | None = None) -> Page:
        selector = f"body[data-ready=true][data-screen={screen}]" if screen else "body[data-ready=true]"
        self.page.wait_for_selector(selector, timeout=SLOW)
        return self.page

    def sign_in(self, username: str, lang: str = "en", password: str = SEED_PASSWORD) -> Page:
        page = self.page
        page.goto(self.url(lang))
        self.wait("signin")
        labels = LABELS[lang]
        page.get_by_label(labels["username"], exact=True).fill(username)
        page.get_by_label(labels["password"], exact=True).fill(password)
        page.get_by_role("button", name=labels["submit"], exact=True).click()
        # The first screen is drawn once its data is in (an auditor's: every chain verified), which can take
        # a while on a loaded machine.
        page.wait_for_selector("body[data-ready=true]:not([data-screen=signin]), #main .alert.error", timeout=SLOW)
        if page.locator("body").get_attribute("data-screen") == "signin":
            raise AssertionError(f"{username} was not signed in: {page.locator('#main .alert.error').inner_text()}")
        return page

    def open(self, screen: str, lang: str = "en") -> Page:
        self.page.goto(self.url(lang, screen))
        return self.wait(screen)

    def menu(self) -> list[str]:
        hrefs: list[str] = self.page.eval_on_selector_all("nav a", "links => links.map(a => a.getAttribute('href'))")
        return [href.removeprefix("#/") for href in hrefs]

    def storage(self) -> dict[str, Any]:
        stored: dict[str, Any] = self.page.evaluate(
            "() => ({session: Object.keys(sessionStorage), local: Object.keys(localStorage)})"
        )
        return stored

    def screenshot(self, name: str) -> None:
        self.site.screenshot(f"console-{name}")


@pytest.fixture
def console(site_factory: Callable[..., Site]) -> Callable[..., Console]:
    def make(**options: Any) -> Console:
        return Console(site_factory(**options))

    return make


def staff_call(site: Site, method: str, path: str, username: str = "manager", **kwargs: Any) -> requests.Response:
    headers = staff_headers(site.base, username)
    return requests.request(method, f"{site.base}{path}", headers=headers, timeout=30, **kwargs)


def submit(site: Site, form: str, marketing: bool | None = None, **changes: str) -> tuple[str, dict[str, str]]:
    fields = values(form) | changes
    consent: dict[str, Any] = {"required": True, "optional": True, "policy_version": site.policy()["version"]}
    if marketing is not None:
        consent["marketing"] = marketing
    body = {"fields": fields, "consent": consent}
    response = requests.post(f"{site.base}/v1/forms/{form}", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["submission_id"], fields


@pytest.fixture
def new_account(site: Site) -> Iterator[Callable[[str], str]]:
    """A staff account of its own (so a test may lock or revoke it without touching the seeded ones)."""
    cognito = site.server.aws("cognito-idp")
    pool_id = pool_id_of(cognito)
    made: list[str] = []

    def make(group: str) -> str:
        username = f"member-{uuid.uuid4().hex[:8]}"
        stamp = datetime.now(UTC).isoformat()
        add_account(cognito, pool_id, username, password_changed_at=stamp, password=SEED_PASSWORD, group=group)
        made.append(username)
        return username

    yield make
    for username in made:
        cognito.admin_delete_user(UserPoolId=pool_id, Username=username)


# --- Sign-in and session ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_sign_in_form_has_its_labels_and_signs_in_with_the_keyboard(
    console: Callable[..., Console], lang: str
) -> None:
    c = console()
    page = c.page
    page.goto(c.url(lang))
    c.wait("signin")
    labels = LABELS[lang]
    expect(page.get_by_label(labels["username"], exact=True)).to_be_visible()
    expect(page.get_by_label(labels["password"], exact=True)).to_have_attribute("type", "password")
    c.screenshot(f"{lang}-signin")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the language switch
    page.keyboard.press("Tab")
    expect(page.get_by_label(labels["username"], exact=True)).to_be_focused()
    page.keyboard.type("auditor")
    page.keyboard.press("Tab")
    page.keyboard.type(SEED_PASSWORD)
    page.keyboard.press("Enter")
    c.wait("ledger")
    expect(page.locator("[data-signed-in]")).to_contain_text("auditor")
    expect(page.get_by_role("button", name=labels["signout"])).to_be_visible()


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(
    console: Callable[..., Console], new_account: Callable[[str], str]
) -> None:
    c = console()
    c.site.expect_api_refusals(401, 403)
    username = new_account("auditor")
    page = c.page
    page.goto(c.url("en"))
    c.wait("signin")
    for _ in range(5):
        page.get_by_label("Username", exact=True).fill(username)
        page.get_by_label("Password", exact=True).fill("Not-The-Passw0rd!")
        with page.expect_response(lambda r: r.url.endswith("/_local/staff-sign-in")) as answer:
            page.get_by_role("button", name="Sign in").click()
        assert answer.value.status == 401
        expect(page.get_by_role("alert")).to_have_text("Incorrect username or password.")
        expect(page.get_by_label("Password", exact=True)).to_have_value("")
    # The right password no longer opens the account: the pool's pre-authentication trigger refuses it.
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(SEED_PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/_local/staff-sign-in")) as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status in (401, 403)
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.locator("body").get_attribute("data-screen") == "signin"
    assert c.storage() == {"session": [], "local": []}


@pytest.mark.parametrize(
    ("username", "expected", "closed"),
    [
        ("manager", MANAGER_SCREENS, None),
        ("auditor", AUDITOR_SCREENS, ("access-rights", "/v1/staff/users")),
        ("staff", HANDLER_SCREENS, ("ledger", "/v1/staff/ledger")),
    ],
)
def test_each_role_sees_only_the_screens_its_groups_open(
    console: Callable[..., Console], username: str, expected: list[str], closed: tuple[str, str] | None
) -> None:
    c = console()
    page = c.sign_in(username)
    if username == "manager":  # the PI manager is a PI handler too
        expected = HANDLER_SCREENS + expected
    assert sorted(c.menu()) == sorted(expected)
    if closed is None:
        return
    # A screen the member's groups do not open is not opened by typing its address either.
    screen, route = closed
    c.site.requests.clear()
    page.goto(c.url("en", screen))
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("body").get_attribute("data-screen") != screen
    assert not [r.url for r in c.site.requests if r.url.split("?")[0] == c.site.base + route]


def test_the_session_lives_in_this_tab_only_and_sign_out_ends_it(console: Callable[..., Console]) -> None:
    c = console()
    c.site.expect_api_refusals(401)
    page = c.sign_in("auditor")
    stored = c.storage()
    assert stored["local"] == []
    assert stored["session"], "the token is kept for this tab"
    assert c.site.context.cookies() == []
    token = page.evaluate("() => JSON.parse(sessionStorage.getItem('policybound.staff.tokens')).id_token")
    # A reload keeps the session (same tab); a new tab of the same browser does not share it.
    page.reload()
    c.wait("ledger")
    other = c.site.context.new_page()
    other.goto(c.url("en"))
    other.wait_for_selector("body[data-ready=true][data-screen=signin]")
    other.close()

    page.get_by_role("button", name="Sign out").click()
    c.wait("signin")
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    assert c.storage() == {"session": [], "local": []}
    page.reload()
    c.wait("signin")
    # The session is over at the API too: the same token is refused.
    refused = requests.get(f"{c.site.base}/v1/staff/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert refused.status_code == 401


def test_an_idle_console_signs_itself_out_after_the_apis_idle_limit(console: Callable[..., Console]) -> None:
    c = console()
    c.page.clock.install()
    page = c.sign_in("auditor")
    me = staff_call(c.site, "GET", "/v1/staff/me", "auditor").json()
    page.clock.run_for((me["idle_limit_seconds"] - 60) * 1000)
    assert page.locator("body").get_attribute("data-screen") == "ledger"
    page.clock.run_for(120 * 1000)
    c.wait("signin")
    minutes = me["idle_limit_seconds"] // 60
    expect(page.get_by_role("alert")).to_have_text(
        f"Your session ended after {minutes} minutes without use. Please sign in again."
    )
    assert c.storage()["session"] == []


SIGN_IN_DOMAIN = "auth.policybound.example"
PKCE_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 §4.1


class ManagedLogin:
    """The deployed console in a browser: config.js in Cognito mode and the console's deployed headers (its
    connect-src adds the sign-in domain, stacks/site_headers.py), with Cognito's managed login played by the
    test at its own address. The tokens it hands out are real ones of the local pool."""

    def __init__(self, c: Console, *, connect: tuple[str, ...] = (f"https://{SIGN_IN_DOMAIN}",)) -> None:
        self.c = c
        self.redirect = f"{c.site.base}/staff/"
        self.config = {
            "mode": "cognito",
            "domain": SIGN_IN_DOMAIN,
            "clientId": "console-client",
            "redirectUri": self.redirect,
        }
        self.seen: dict[str, Any] = {}
        self.tokens: list[dict[str, str]] = []
        self.issued: list[str] = []
        self.username = "auditor"
        # What the stand-in answers: the callback's query after the login page, and the token endpoint's answer.
        self.callback: Callable[[dict[str, str]], str] = lambda asked: f"code=one-time-code&state={asked['state']}"
        self.token_answer: Callable[[dict[str, str]], tuple[int, dict[str, Any]]] = self.issue
        page = c.page
        page.add_init_script(f"window.POLICYBOUND_CONFIG = {{ staffSignIn: {json.dumps(self.config)} }};")
        csp = console_headers(connect)["Content-Security-Policy"]
        console_page = re.compile(rf"^{re.escape(self.redirect)}(\?.*)?$")
        page.route(console_page, lambda route: self.deployed_headers(route, csp))
        page.route(f"https://{SIGN_IN_DOMAIN}/oauth2/authorize*", self.authorize)
        page.route(f"https://{SIGN_IN_DOMAIN}/oauth2/token", self.token)
        page.route(f"https://{SIGN_IN_DOMAIN}/oauth2/revoke", self.revoke)
        page.route(f"https://{SIGN_IN_DOMAIN}/logout*", self.logout)

    @staticmethod
    def deployed_headers(route: Any, csp: str) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": csp})

    def authorize(self, route: Any) -> None:
        asked = {k: v[0] for k, v in parse_qs(urlparse(route.request.url).query).items()}
        self.seen["authorize"] = asked
        self.send_back(route, f"{self.redirect}?{self.callback(asked)}")

    @staticmethod
    def send_back(route: Any, url: str) -> None:
        # A page that moves on, rather than a 302: Playwright routes a new navigation but not a redirect, and the
        # console's page must come through `deployed_headers`.
        page = f'<!doctype html><meta http-equiv="refresh" content="0;url={html.escape(url)}"><title>Sign-in</title>'
        route.fulfill(status=200, content_type="text/html", body=page)

    def issue(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.issued.append(id_token(self.c.site.base, self.username))
        return 200, {
            "id_token": self.issued[-1],
            "access_token": "a",
            "refresh_token": "r",
            "token_type": "Bearer",
        }

    def token(self, route: Any) -> None:
        form = {k: v[0] for k, v in parse_qs(route.request.post_data or "").items()}
        self.tokens.append(form)
        status, body = self.token_answer(form)
        route.fulfill(status=status, json=body, headers={"Access-Control-Allow-Origin": "*"})

    def revoke(self, route: Any) -> None:
        self.seen["revoke"] = route.request.post_data
        route.fulfill(status=200, body="", headers={"Access-Control-Allow-Origin": "*"})

    def logout(self, route: Any) -> None:
        self.seen["logout"] = {k: v[0] for k, v in parse_qs(urlparse(route.request.url).query).items()}
        self.send_back(route, self.seen["logout"]["logout_uri"] + "?lang=en")

    def sign_in(self, lang: str = "en") -> Page:
        page = self.c.page
        page.goto(self.c.url(lang))
        self.c.wait("signin")
        page.get_by_role("button", name=LABELS[lang]["submit"]).click()
        page.wait_for_selector("body[data-ready=true]:not([data-screen=signin]), #main .alert.error", timeout=SLOW)
        return page


def test_deployed_sign_in_goes_through_cognito_managed_login_with_pkce(console: Callable[..., Console]) -> None:
    # No CSP bypass: the console runs under the headers the site distribution gives it.
    c = console()
    login = ManagedLogin(c)
    page = c.page
    page.goto(c.url("en"))
    c.wait("signin")
    expect(page.get_by_label("Username", exact=True)).to_have_count(0)  # no password ever reaches this page
    login.sign_in()
    c.wait("ledger")
    asked = login.seen["authorize"]
    assert asked["response_type"] == "code"
    assert asked["client_id"] == "console-client"
    assert asked["redirect_uri"] == login.redirect
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["state"]) >= 22  # at least 128 random bits
    [sent] = login.tokens
    assert sent["grant_type"] == "authorization_code"
    assert sent["client_id"] == "console-client"
    assert sent["code"] == "one-time-code"
    assert sent["redirect_uri"] == login.redirect
    assert PKCE_VERIFIER.match(sent["code_verifier"])
    digest = hashlib.sha256(sent["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == asked["code_challenge"]
    assert "code=" not in page.url
    assert "state=" not in page.url
    expect(page.locator("[data-signed-in]")).to_contain_text("auditor")
    # The verifier and state were for this one exchange: only the tokens remain, in this tab.
    assert c.storage()["local"] == []
    assert "policybound.staff.pkce" not in c.storage()["session"]

    page.get_by_role("button", name="Sign out").click()
    c.wait("signin")
    assert "token=r" in login.seen["revoke"]
    assert login.seen["logout"]["client_id"] == "console-client"
    assert login.seen["logout"]["logout_uri"] == login.redirect
    assert c.storage() == {"session": [], "local": []}
    # Signed out at the API too: the session's token is refused from now on.
    assert len(c.site.api_calls("DELETE", "/v1/staff/session")) == 1
    [issued] = login.issued
    after = requests.get(f"{c.site.base}/v1/staff/me", headers={"Authorization": f"Bearer {issued}"}, timeout=30)
    assert after.status_code == 401


def test_the_deployed_console_renews_its_id_token_with_the_refresh_token_before_it_expires(
    console: Callable[..., Console],
) -> None:
    c = console()
    login = ManagedLogin(c)
    page = c.page
    page.clock.install()  # the console's clock, moved on below; the API's stays real
    login.sign_in()
    c.wait("ledger")
    [first] = login.issued
    expires = datetime.fromtimestamp(int(json.loads(base64.urlsafe_b64decode(first.split(".")[1] + "=="))["exp"]), UTC)
    # A member who keeps working (never idle for the idle limit) until a minute before the id token expires.
    left = expires - datetime.now(UTC)
    steps = 3
    for _ in range(steps):
        page.clock.fast_forward(int((left.total_seconds() - 30) / steps * 1000))
        with page.expect_response(lambda r: r.url.endswith("/v1/staff/ledger/verify")) as answered:
            page.get_by_role("button", name="Verify again").click()
        assert answered.value.status == 200
    refreshed = [form for form in login.tokens if form["grant_type"] == "refresh_token"]
    assert refreshed == [{"grant_type": "refresh_token", "refresh_token": "r", "client_id": "console-client"}]
    # The call after the renewal went with the new token.
    assert answered.value.request.headers["authorization"] == f"Bearer {login.issued[-1]}"
    assert login.issued[-1] != first
    expect(page.locator("[data-verified]")).to_have_attribute("data-verified", "true")


def test_a_callback_this_tab_did_not_begin_is_never_exchanged(console: Callable[..., Console]) -> None:
    c = console()
    login = ManagedLogin(c)
    page = c.page
    # A code pushed at the console by someone else (no sign-in begun here): refused, never sent on.
    page.goto(f"{login.redirect}?code=someone-elses-code&state=forged&lang=en")
    c.wait("signin")
    expect(page.locator("#main .alert.error")).to_contain_text("does not match a sign-in begun in this window")
    assert "code=" not in page.url
    # A sign-in begun here whose answer comes back with another state: refused the same way.
    login.callback = lambda asked: "code=one-time-code&state=" + asked["state"][::-1]
    login.sign_in()
    expect(page.locator("#main .alert.error")).to_contain_text("does not match a sign-in begun in this window")
    assert login.tokens == []
    assert c.storage() == {"session": [], "local": []}


def test_a_refused_sign_in_or_a_failed_exchange_says_why_and_keeps_nothing(console: Callable[..., Console]) -> None:
    c = console()
    login = ManagedLogin(c)
    page = c.page
    login.callback = lambda asked: f"error=access_denied&error_description=denied&state={asked['state']}"
    login.sign_in("ko")
    expect(page.locator("#main .alert.error")).to_contain_text("로그인이 완료되지 않았습니다(access_denied)")
    assert login.tokens == []
    assert "error=" not in page.url

    c.site.expect_api_refusals(400)
    login.callback = lambda asked: f"code=used-code&state={asked['state']}"
    login.token_answer = lambda form: (400, {"error": "invalid_grant"})
    login.sign_in()
    expect(page.locator("#main .alert.error")).to_contain_text("The sign-in service gave no tokens (invalid_grant)")
    assert len(login.tokens) == 1
    assert c.storage() == {"session": [], "local": []}


def test_without_the_sign_in_domain_in_connect_src_the_exchange_is_blocked(console: Callable[..., Console]) -> None:
    # What the deployed CSP's extra origin is for: under the local console's policy the browser refuses the call.
    c = console()
    login = ManagedLogin(c, connect=())
    page = c.page
    login.sign_in()
    expect(page.locator("#main .alert.error")).to_contain_text("The sign-in service gave no tokens (network)")
    assert login.tokens == []
    blocked = [text for text in c.site.console_errors if "Content Security Policy" in text]
    assert blocked
    assert all(SIGN_IN_DOMAIN in text for text in blocked)
    c.site.console_errors[:] = [text for text in c.site.console_errors if text not in blocked]


# --- What each role does ---------------------------------------------------------------------------


def open_inquiry_from_the_inbox(c: Console, submission_id: str) -> Page:
    page = c.wait("inquiries")
    link = page.locator(f'#inbox a[href="#/inquiries/{submission_id}"]')
    more = page.get_by_role("button", name="Show more")
    while not link.count() and more.is_visible():
        more.click()
        page.wait_for_selector("#inbox table, #inbox p:not(.loading)")
    link.click()
    page.wait_for_selector("#inquiry [data-handling]")
    return page


def test_staff_answers_an_inquiry_from_the_inbox_and_the_reply_reaches_the_person(
    console: Callable[..., Console],
) -> None:
    c = console()
    submission_id, fields = submit(c.site, "contact-us")
    page = c.sign_in("staff")
    open_inquiry_from_the_inbox(c, submission_id)
    items = page.get_by_role("region", name="What the person sent")
    for name in ("name", "email", "organization", "inquiry"):
        expect(items).to_contain_text(fields[name])
    expect(page.locator("[data-handling]")).to_have_attribute("data-handling", "open")
    page.get_by_label("State").select_option("in_progress")
    page.get_by_role("button", name="Save handling").click()
    expect(page.locator("[data-handling]")).to_have_attribute("data-handling", "in_progress")
    expect(page.locator("[data-handling]")).to_contain_text("Assignee: staff")
    c.screenshot("en-inquiry")

    reply = "Thank you for asking. We will send the quote by Friday.\n금요일까지 견적을 보내 드리겠습니다."
    page.get_by_label("Your reply").fill(reply)
    with page.expect_response(lambda r: r.url.endswith(f"/v1/staff/inquiries/{submission_id}/replies")) as sent:
        page.get_by_role("button", name="Send reply").click()
    assert sent.value.status == 201
    expect(page.get_by_role("status").filter(has_text="The reply was sent.")).to_be_visible()
    expect(page.locator("[data-handling]")).to_have_attribute("data-handling", "answered")
    expect(page.get_by_role("region", name="Replies sent")).to_contain_text("We will send the quote by Friday.")
    [mail] = c.site.outbox(fields["email"])
    assert "We will send the quote by Friday." in mail["text"]
    assert "금요일까지 견적을 보내 드리겠습니다." in mail["text"]
    # The address bar named the inquiry by its id only.
    assert submission_id in page.url
    assert not [u for u in [page.url, *(r.url for r in c.site.requests)] if fields["email"] in u or "%40" in u]
    # Answered, it has left the open inbox.
    c.open("inquiries")
    expect(page.locator(f'#inbox a[href="#/inquiries/{submission_id}"]')).to_have_count(0)


def test_staff_composes_a_letter_sees_the_audience_confirms_and_follows_its_delivery(
    console: Callable[..., Console],
) -> None:
    c = console()
    _, reader = submit(c.site, "blog-subscription")
    _, downloader = submit(c.site, "resources-download", marketing=True)
    _, declined = submit(c.site, "resources-download", marketing=False)
    _, asker = submit(c.site, "contact-us")
    counted = staff_call(c.site, "GET", "/v1/staff/letters/audience", "staff")
    assert counted.status_code == 200, counted.text
    audience = counted.json()["count"]
    assert audience >= 2

    page = c.sign_in("staff")
    c.open("letters")
    # The audience's size is on the screen before anything is written.
    expect(page.locator("#letter-audience [data-audience]")).to_have_attribute("data-audience", str(audience))
    expect(page.locator("#letter-audience")).to_contain_text(f"The marketing audience now: {audience} people")
    subject = f"Blog letter {uuid.uuid4().hex[:8]}"
    body = "This month on the blog: moving a data centre to Seoul.\n이달의 블로그: 서울 리전으로의 이전."
    page.get_by_label("Subject", exact=True).fill(subject)
    page.get_by_label("Body", exact=True).fill(body)
    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.get_by_role("article", name="Preview")
    expect(preview).to_contain_text(subject)
    expect(preview).to_contain_text("이달의 블로그: 서울 리전으로의 이전.")
    confirm = page.get_by_role("group", name=re.compile("Send this letter"))
    expect(confirm).to_contain_text(f"Send this letter to the {audience} people in the marketing audience now?")
    assert not c.site.api_calls("POST", "/v1/staff/letters"), "nothing is sent before the confirmation"
    c.screenshot("en-letter-confirm")

    letters = f"{c.site.base}/v1/staff/letters"
    with page.expect_response(lambda r: r.url == letters and r.request.method == "POST") as sent:
        page.get_by_role("button", name="Send", exact=True).click()
    assert sent.value.status == 202
    queued = sent.value.json()
    assert queued["recipients"] == audience
    expect(page.get_by_role("status").filter(has_text=f"Sending to {audience} people has begun.")).to_be_visible()
    # The delivery state follows the queue until every recipient is settled.
    state = page.locator(f'#letter-status [data-letter="{queued["letter_id"]}"]')
    expect(state).to_have_attribute("data-complete", "true", timeout=SLOW)
    expect(state.locator("[data-count=sent]")).to_have_text(str(audience))
    expect(state.locator("[data-count=pending]")).to_have_text("0")
    expect(state).to_contain_text("Finished: every recipient is settled")
    c.screenshot("en-letter-delivered")

    mails = [m for m in requests.get(f"{c.site.base}/_local/outbox", timeout=30).json() if m["subject"] == subject]
    assert len(mails) == audience
    to = [m["to"][0] for m in mails]
    assert {reader["email"], downloader["email"]} <= set(to)
    assert declined["email"] not in to
    assert asker["email"] not in to
    links = {m["to"][0]: m["headers"]["List-Unsubscribe"].strip("<>") for m in mails}
    assert len(set(links.values())) == len(mails), "each recipient has their own link"
    for mail in mails:
        assert "This month on the blog" in mail["text"]
        assert links[mail["to"][0]] in mail["text"]
        assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The reader's link opens the unsubscribe confirmation (and changes nothing until confirmed).
    opened = requests.get(links[reader["email"]], timeout=30)
    assert opened.status_code == 200, opened.text
    # Nobody's name or address went into the console's addresses.
    assert not [u for u in [page.url, *(r.url for r in c.site.requests)] if "@" in u or "%40" in u]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_handlers_see_the_resource_catalogue_in_both_languages(console: Callable[..., Console], lang: str) -> None:
    c = console()
    catalogue = requests.get(f"{c.site.base}/v1/resources", timeout=30).json()["resources"]
    assert catalogue
    c.sign_in("staff", lang)
    page = c.open("resources", lang)
    for resource in catalogue:
        row = page.locator("#resources tr", has_text=resource["resource_id"])
        expect(row).to_contain_text(resource["title"][lang])
    c.screenshot(f"{lang}-resources")


def test_the_pi_manager_records_and_completes_a_rights_request(console: Callable[..., Console]) -> None:
    c = console()
    _, fields = submit(c.site, "contact-us")
    page = c.sign_in("manager")
    c.open("rights-requests")
    form = page.locator("form", has=page.get_by_role("heading", name="Record a request"))
    form.get_by_label("Received by").select_option("phone")
    form.get_by_label("Kind").select_option("access")
    form.get_by_label("Identity verified by").select_option("id_document")
    form.get_by_label("Requester's email address").fill(fields["email"])
    form.get_by_role("button", name="Record request").click()
    expect(page.get_by_role("status").filter(has_text="is recorded, due")).to_be_visible()
    row = page.locator("#rights-requests tbody tr").first
    expect(row).to_contain_text("10 days left")
    expect(row).to_contain_text("Phone")
    c.screenshot("en-rights-requests")
    row.get_by_role("button").click()
    completion = page.get_by_role("form", name=re.compile("Complete request"))
    completion.get_by_label("Outcome").select_option("fulfilled")
    completion.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("status").filter(has_text="The request is completed.")).to_be_visible()
    expect(page.locator("#rights-requests .loading")).to_have_count(0)
    page.get_by_label("Show").select_option("completed")
    expect(page.locator("#rights-requests")).to_contain_text("Fulfilled")
    assert not [r.url for r in c.site.requests if fields["email"] in r.url or "%40" in r.url]


def test_the_pi_manager_places_and_releases_a_legal_hold_and_records_a_provision(
    console: Callable[..., Console],
) -> None:
    c = console()
    submission_id, _ = submit(c.site, "contact-us")
    page = c.sign_in("manager")
    c.open("legal-holds")
    case = f"SPO-{uuid.uuid4().hex[:6]}"
    page.get_by_label("Submission ids").fill(submission_id)
    page.get_by_label("Case reference").fill(case)
    page.get_by_label("Reason").fill("Criminal Procedure Act art. 106: preservation requested by the prosecutor")
    page.get_by_role("button", name="Place hold").click()
    expect(page.get_by_role("status").filter(has_text=f"Case {case}: 1 records are held.")).to_be_visible()
    row = page.locator("#legal-holds tr", has_text=case)
    expect(row).to_contain_text("Holding")
    c.screenshot("en-legal-holds")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=f"Release the hold for case {case}").click()
    expect(page.locator("#legal-holds tr", has_text=case)).to_contain_text("Released")

    c.open("provisions")
    page.get_by_label("Submission ids").fill(submission_id)
    page.get_by_label("Recipient (organisation)").fill("Seoul Metropolitan Police Agency")
    page.get_by_label("Recipient's email").fill("cyber@police.example.kr")
    page.get_by_label("Items", exact=True).fill("name, email")
    page.get_by_label("Legal basis").select_option("law_enforcement")
    page.get_by_label("Agency").fill("Seoul Metropolitan Police Agency")
    page.get_by_label("Legal provision").fill("Criminal Procedure Act art. 199(2)")
    page.get_by_label("Case number").fill("2026-형제-12345")
    page.get_by_role("button", name="Record provision").click()
    expect(page.get_by_role("status").filter(has_text="The provision of 1 records is recorded.")).to_be_visible()
    expect(page.locator("#provisions tbody tr").last).to_contain_text("Lawful request of an investigative agency")
    c.screenshot("en-provisions")


def test_the_pi_manager_opens_an_incident_and_sees_the_72_hour_clock(console: Callable[..., Console]) -> None:
    c = console()
    submission_id, _ = submit(c.site, "contact-us")
    page = c.sign_in("manager")
    c.open("incidents")
    # The form says before anything is sent that opening notifies everyone involved.
    expect(page.locator("form")).to_contain_text("Opening the incident notifies everyone involved at once")
    reference = f"INC-{uuid.uuid4().hex[:6]}"
    page.get_by_label("Category").select_option("leak")
    page.get_by_label("Discovered (Korea time)").fill(datetime.now(UTC).astimezone().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Reference", exact=True).fill(reference)
    page.get_by_label("What happened").fill("A report with contact details was sent to the wrong customer.")
    page.get_by_label("Measures and remedies").fill("The recipient deleted it; call us at 02-1234-5678.")
    page.get_by_label("Submission ids involved").fill(submission_id)
    page.get_by_role("button", name="Open incident").click()
    c.wait("incidents")
    # Opening confirms the incident, and the notices go out at once (§8: "immediately").
    expect(page.locator("[data-clock]")).to_contain_text("Notified in time")
    c.screenshot("en-incident")
    expect(page.get_by_role("button", name=re.compile("Send notices"))).to_have_count(0)
    page.get_by_role("link", name="← Incidents").click()
    c.wait("incidents")
    expect(page.locator("#incidents tr", has_text=reference)).to_contain_text("Notified")


def test_the_pi_manager_changes_a_members_groups_with_a_reference(
    console: Callable[..., Console], new_account: Callable[[str], str]
) -> None:
    c = console()
    member = new_account("staff")
    page = c.sign_in("manager")
    c.open("access-rights")
    expect(page.locator("#access-rights tr", has_text="manager")).to_contain_text("Your account")
    page.get_by_role("button", name=f"Change the groups of {member}").click()
    page.get_by_role("checkbox", name="Auditor").check()
    page.get_by_label("Approval reference").fill("ACC-2026-0042")
    page.get_by_role("button", name="Save change").click()
    expect(page.get_by_role("status").filter(has_text=f"The groups of {member} are changed.")).to_be_visible()
    expect(page.locator("#access-rights tr", has_text=member)).to_contain_text("Auditor, PI handler")
    c.screenshot("en-access-rights")


def test_the_auditor_sees_the_ledger_verified_with_no_names_or_addresses(console: Callable[..., Console]) -> None:
    c = console()
    submission_id, fields = submit(c.site, "contact-us")
    # Work that leaves entries in several chains: a read of the record (access) and a hold (legal_hold).
    assert staff_call(c.site, "GET", f"/v1/staff/submissions/{submission_id}?purpose=inquiry_response", "staff").ok
    hold = {"submission_ids": [submission_id], "case_reference": "AUD-1", "reason": "audit test"}
    placed = staff_call(c.site, "POST", "/v1/staff/legal-holds", json=hold)
    assert placed.status_code == 201, placed.text
    assert staff_call(c.site, "DELETE", f"/v1/staff/legal-holds/{placed.json()['hold_id']}").ok

    page = c.sign_in("auditor")
    expect(page.locator("[data-verified]")).to_have_attribute("data-verified", "true")
    expect(page.locator("#verification")).to_contain_text("chains verified: no entry is missing or altered")
    expect(page.locator("#chain tbody tr").filter(has_text=submission_id)).not_to_have_count(0)
    shown = []
    for screen in AUDITOR_SCREENS:
        c.open(screen)
        if screen == "ledger":
            for kind in ("access", "legal_hold", "destruction", "consent"):
                page.get_by_label("Chain", exact=True).select_option(kind)
                page.wait_for_selector("#chain table, #chain p:not(.loading)")
                shown.append(page.inner_text("main"))
        shown.append(page.inner_text("body"))
    text = "\n".join(shown)
    for value in (fields["name"], fields["email"], fields["contact"], fields["organization"], fields["inquiry"]):
        assert value not in text
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), "no email address on an auditor's screen"
    assert not re.search(r"\b\d{1,3}(\.\d{1,3}){3}\b", text), "no IP address on an auditor's screen"
    assert not [r.url for r in c.site.requests if "@" in r.url or "%40" in r.url]


def unsubscribe_at_once(site: Site) -> str:
    """A blog subscription cancelled with its one-click link: destroyed at once, with a destruction entry."""
    submission_id, subscriber = submit(site, "blog-subscription")
    [welcome] = site.outbox(subscriber["email"])
    link = welcome["headers"]["List-Unsubscribe"].strip("<>")
    one_click = {"Content-Type": "application/x-www-form-urlencoded"}
    assert requests.post(link, data="List-Unsubscribe=One-Click", headers=one_click, timeout=30).ok
    return submission_id


def test_the_destruction_report_shows_each_destruction_with_its_ledger_entry(console: Callable[..., Console]) -> None:
    c = console()
    destroyed = unsubscribe_at_once(c.site)
    c.sign_in("auditor")
    page = c.page
    with page.expect_response(lambda r: "/v1/staff/evidence/destructions" in r.url) as answered:
        c.open("destructions")
    body = answered.value.json()
    [row] = [r for r in body["destructions"] if r["submission_id"] == destroyed]
    shown = page.locator("#destructions tbody tr", has_text=destroyed)
    expect(shown).to_contain_text("Unsubscribed")
    expect(shown).to_contain_text(f"no. {row['ledger_seq']}")
    expect(shown.locator(f'code[title="{row["ledger_hash"]}"]')).to_have_count(1)
    report = page.locator("#destructions")
    expect(report).to_contain_text(f"no. {body['chain_head']['seq']}")
    expect(report).to_contain_text(f"Unsubscribe {body['by_path']['unsubscribe']}")
    # Every reason and path the API can give has its words in both languages (not a raw code on the page).
    keys = page.evaluate("async () => (await import('/staff/strings.js')).KEYS")
    wanted = {f"reason.{reason.value}" for reason in DestructionReason} | {f"path.{path}" for path in PATHS.values()}
    assert wanted - set(keys["en"]) == set()
    assert wanted - set(keys["ko"]) == set()


@pytest.fixture
def tampered_records(site: Site) -> Iterator[dict[str, str]]:
    """What reconciliation exists to catch, done behind the API's back in the local tables: a record deleted
    without a destruction entry, and a record stored without a consent entry. Undone afterwards."""
    dynamodb = site.server.aws("dynamodb")
    records = table_name(tables.RECORDS)
    key = tables.RECORDS.partition.name
    # Both chains get a head: a subscription cancelled at once (a destruction entry), consents sealed.
    unsubscribe_at_once(site)
    lost, _ = submit(site, "contact-us")
    copied, _ = submit(site, "contact-us")
    assert requests.post(f"{site.base}/_local/seal-consents", timeout=60).ok
    lost_item = dynamodb.get_item(TableName=records, Key=codec.item({key: lost}))["Item"]
    orphan = str(uuid.uuid4())
    orphan_item = dynamodb.get_item(TableName=records, Key=codec.item({key: copied}))["Item"] | codec.item(
        {key: orphan}
    )
    dynamodb.delete_item(TableName=records, Key=codec.item({key: lost}))
    dynamodb.put_item(TableName=records, Item=orphan_item)
    try:
        yield {"unaccounted": lost, "without_consent_entry": orphan}
    finally:
        dynamodb.delete_item(TableName=records, Key=codec.item({key: orphan}))
        dynamodb.put_item(TableName=records, Item=lost_item)


def test_the_reconciliation_screen_shows_every_item_the_api_gives(
    console: Callable[..., Console], tampered_records: dict[str, str]
) -> None:
    c = console()
    c.sign_in("auditor")
    page = c.page
    with page.expect_response(lambda r: r.url.endswith("/v1/staff/evidence/reconciliation")) as answered:
        c.open("reconciliation")
    body = answered.value.json()
    # The answer is the schema's, whole: a field added to it later must be added to the screen too.
    assert set(body) == set(ReconciliationOut.model_fields)
    assert body["consent_head"] is not None
    assert body["destruction_head"] is not None
    assert tampered_records["unaccounted"] in body["unaccounted"]
    assert tampered_records["without_consent_entry"] in body["without_consent_entry"]
    screen = page.locator("#reconciliation")
    for name, value in body.items():
        if isinstance(value, list):
            expect(screen.locator(f'[data-field="{name}.count"]')).to_have_text(str(len(value)))
            listed = screen.locator(f'[data-field="{name}"] tbody tr')
            expect(listed).to_have_count(len(value))
            assert sorted(listed.all_inner_texts()) == sorted(value)
        elif isinstance(value, dict):
            shown = screen.locator(f'[data-field="{name}"]')
            expect(shown).to_contain_text(f"no. {value['seq']}")
            expect(shown.locator("code")).to_have_attribute("title", value["hash"])
        elif value is None:
            expect(screen.locator(f'[data-field="{name}"]')).to_have_text("no entries yet")
        else:
            expect(screen.locator(f'[data-field="{name}"]')).to_have_text(str(value))
    status = screen.get_by_role("status").first
    expect(status).to_contain_text(f"Records unaccounted for: {len(body['unaccounted'])}")
    expect(status).to_contain_text(f"Records without a consent entry: {len(body['without_consent_entry'])}")
    c.screenshot("en-reconciliation-findings")


def test_a_revoked_members_console_stops_working_at_once(
    console: Callable[..., Console], new_account: Callable[[str], str]
) -> None:
    member = new_account("auditor")
    theirs = console()
    theirs.site.expect_api_refusals(401, 403)
    page = theirs.sign_in(member)
    expect(page.locator("[data-verified]")).to_have_attribute("data-verified", "true")

    manager = console()
    manager.sign_in("manager")
    manager.open("access-rights")
    manager.page.get_by_role("button", name=f"Change the groups of {member}").click()
    manager.page.get_by_role("checkbox", name="Auditor").uncheck()
    manager.page.get_by_label("Approval reference").fill("ACC-2026-0099")
    manager.page.get_by_role("button", name="Save change").click()
    expect(manager.page.get_by_role("status").filter(has_text=f"The groups of {member} are changed.")).to_be_visible()

    # The member's next step, with the console still open and the old token in hand, is refused.
    with page.expect_response(lambda r: "/v1/staff/ledger/verify" in r.url) as answer:
        page.get_by_role("button", name="Verify again").click()
    assert answer.value.status in (401, 403)
    page.reload()
    theirs.wait()
    assert page.locator("body").get_attribute("data-screen") == "signin" or not theirs.menu()
    expect(page.locator("[data-verified]")).to_have_count(0)


# --- Quality ---------------------------------------------------------------------------------------


def test_the_console_is_served_under_a_strict_content_security_policy(console: Callable[..., Console]) -> None:
    c = console()
    response = c.page.goto(c.url("en"))
    assert response is not None
    policy = response.header_value("content-security-policy") or ""
    assert policy == CONSOLE_HEADERS["Content-Security-Policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response.header_value("cache-control") == "no-store"
    page = c.sign_in("manager")
    for screen in c.menu():
        c.open(screen)
    # A violation would be a console error, which fails the test in the fixture.
    assert not [text for text in c.site.console_errors if "Content Security Policy" in text]
    assert page.locator("body").get_attribute("data-ready") == "true"


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `make e2e` (npm ci installs it)")
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_screen_passes_axe_and_is_photographed_in_both_languages(
    console: Callable[..., Console], lang: str
) -> None:
    c = console(bypass_csp=True)  # axe-core is injected as an inline script
    submit(c.site, "contact-us")
    found: dict[str, Any] = {}
    page = c.page
    page.goto(c.url(lang))
    c.wait("signin")
    found["signin"] = axe_violations(page)
    seen: set[str] = set()
    for username in ("manager", "auditor", "staff"):
        c.sign_in(username, lang)
        for screen in c.menu():
            c.open(screen, lang)
            page.wait_for_timeout(100)
            if screen not in seen:
                found[f"{username}:{screen}"] = axe_violations(page)
                c.screenshot(f"{lang}-{screen}")
                seen.add(screen)
        page.get_by_role("button", name=LABELS[lang]["signout"]).click()
        c.wait("signin")
    assert {where: v for where, v in found.items() if v} == {}
    assert seen >= set(MANAGER_SCREENS) | set(AUDITOR_SCREENS)


def test_the_console_names_nobody_in_its_addresses(console: Callable[..., Console]) -> None:
    c = console()
    c.sign_in("manager")
    for screen in c.menu():
        c.open(screen)
    urls = [r.url for r in c.site.requests] + [c.page.url]
    assert not [u for u in urls if "@" in u or "%40" in u]
    staff_paths = {r.url.split("?")[0] for r in c.site.requests if "/v1/staff/" in r.url}
    assert f"{c.site.base}/v1/staff/subjects" not in staff_paths
    assert json.dumps(c.storage())  # nothing but the session key names
