"""The sample site in Debian's headless Chromium, driven by Playwright, against local mode.

Local mode is the e2e package's `local_server` (`python -m local` on free ports). The browser is the
system's `/usr/bin/chromium` (installed by `.ci/run`), never one Playwright downloads, with a fresh
profile per test so every test starts without cookies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Playwright, Request, sync_playwright

from tests.e2e.conftest import LocalServer, running_local


@pytest.fixture(scope="package")
def local_server() -> Iterator[LocalServer]:
    """The browser tests' own local mode: they sign staff in and out and lock and revoke accounts, which
    must never reach the tokens the other end-to-end tests sign in with."""
    with running_local() as server:
        yield server


ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What Chromium logs for every 4xx/5xx answer to a fetch; a test that provokes one says so.
FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of (\d{3})")
# What a missing or unformatted value looks like once it reaches a page.
STRAY_TEXT = r"\b(?:null|undefined|NaN)\b|\[object [A-Za-z]+\]"
# Watches every page of every test: after each change to the document, the visible text (and the
# labels a screen reader reads out) is searched for stray values, and each one found is reported to
# the test through a binding, so any state a test reaches is checked, not only the ones it inspects.
STRAY_TEXT_WATCH = (
    (Path(__file__).parent / "stray_text.js").read_text().replace("__STRAY_TEXT__", json.dumps(STRAY_TEXT))
)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (`apt-get install -y chromium`, as .ci/run does)"
        )
    with sync_playwright() as driver:
        yield driver


@dataclass
class Site:
    """One browser profile on the sample site, with what the page logged and asked for."""

    base: str
    server: LocalServer
    context: BrowserContext
    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)
    stray_text: list[str] = field(default_factory=list)

    def url(self, path: str, lang: str | None = None) -> str:
        url = f"{self.base}/{path.lstrip('/')}"
        if lang:
            url += ("&" if "?" in url else "?") + f"lang={lang}"
        return url

    def open(self, path: str, lang: str | None = None) -> Page:
        self.page.goto(self.url(path, lang))
        self.page.wait_for_selector("body[data-ready=true]")
        return self.page

    def cookie_names(self) -> set[str]:
        return {cookie["name"] for cookie in self.context.cookies()}

    def api_calls(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.url.split("?")[0] == self.base + path]

    def expect_api_refusals(self, *statuses: int) -> None:
        """The test provokes these refusals; Chromium's console lines about them are not page errors."""
        self.allowed_statuses.update(statuses)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def policy(self, lang: str = "en") -> dict[str, Any]:
        response = requests.get(f"{self.base}/v1/policy", headers={"Accept-Language": lang}, timeout=30)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def outbox(self, to: str) -> list[dict[str, Any]]:
        mails: list[dict[str, Any]] = requests.get(f"{self.base}/_local/outbox", timeout=30).json()
        return [mail for mail in mails if to in mail["to"]]

    def route_policy(self, change: Callable[[dict[str, Any]], None], times: int | None = None) -> None:
        """Make the page see a changed GET /v1/policy (a new version, an announced change), for the
        next `times` loads or for good."""

        def handle(route: Any) -> None:
            response = route.fetch()
            document = response.json()
            change(document)
            route.fulfill(response=response, json=document)

        self.page.route(re.compile(r".*/v1/policy$"), handle, times=times)

    def unexpected_console_errors(self) -> list[str]:
        unexpected = []
        for text in self.console_errors:
            failed = FAILED_LOAD.match(text)
            if failed and int(failed.group(1)) in self.allowed_statuses:
                continue
            unexpected.append(text)
        return unexpected + self.page_errors

    def stray_text_now(self) -> list[str]:
        """Stray values in what the current page shows, read at once."""
        if self.page.is_closed():
            return []
        found: list[str] = self.page.evaluate(
            "() => window.__policyboundStrayTextNow ? window.__policyboundStrayTextNow() : []"
        )
        return found


def _context(playwright: Playwright, profile: Path, locale: str, bypass_csp: bool = False) -> BrowserContext:
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        locale=locale,
        viewport={"width": 1280, "height": 900},
        bypass_csp=bypass_csp,
    )


@pytest.fixture
def site_factory(playwright: Playwright, local_server: LocalServer, tmp_path: Path) -> Iterator[Callable[..., Site]]:
    sites: list[Site] = []

    def make(locale: str = "ko-KR", bypass_csp: bool = False) -> Site:
        """`bypass_csp` only for pages served with a CSP that axe-core's injected script must get past."""
        profile = tmp_path / f"profile-{len(sites)}"
        context = _context(playwright, profile, locale, bypass_csp)
        page = context.pages[0] if context.pages else context.new_page()
        site = Site(local_server.api_url, local_server, context, page)
        context.expose_binding(
            "__policyboundStrayText", lambda _source, where, text: site.stray_text.append(f"{where}: {text}")
        )
        context.add_init_script(STRAY_TEXT_WATCH)
        page.on("console", lambda message: _console(site, message))
        page.on("pageerror", lambda error: site.page_errors.append(f"page error: {error}"))
        page.on("request", lambda request: site.requests.append(request))
        sites.append(site)
        return site

    yield make
    problems, stray = [], []
    for site in sites:
        problems += site.unexpected_console_errors()
        stray += site.stray_text + [f"{site.page.url}: {text}" for text in site.stray_text_now()]
        site.context.close()
    assert problems == [], "the pages logged errors"
    assert stray == [], "the pages showed a missing or unformatted value"


def _console(site: Site, message: ConsoleMessage) -> None:
    if message.type == "error":
        # Chromium's "Failed to load resource" names no resource; its location does, which a failure needs.
        where = message.location.get("url") if message.location else None
        site.console_errors.append(f"{message.text} ({where})" if where else message.text)


@pytest.fixture
def site(site_factory: Callable[..., Site]) -> Site:
    """The site as a Korean-speaking visitor's fresh browser sees it."""
    return site_factory()
