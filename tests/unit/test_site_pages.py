"""The site's pages, rendered from one shell (stacks/site_pages.py): every page has the same head, its links
resolve to files of web/, the titles name the company of the policy's facts, and local mode's gateway
serves the renderings as a static host serves files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.test import Client

from local.gateway import CONSOLE_HEADERS, Gateway
from policybound.policy import COMPANY, POLICY_DATA, Text
from stacks.paths import REPO_ROOT, WEB_DIR
from stacks.site_pages import BY_PATH, PAGES, Page, render

PATHS = [page.path for page in PAGES]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parsed(html: str) -> _Elements:
    elements = _Elements()
    elements.feed(html)
    return elements


def _of(elements: _Elements, tag: str) -> list[dict[str, str | None]]:
    return [attrs for name, attrs in elements.elements if name == tag]


def test_the_pages_are_the_sites_html_pages_and_none_is_a_file() -> None:
    assert len(set(PATHS)) == len(PATHS)
    assert {"index.html", "staff/index.html"} <= set(PATHS)
    assert not [path for path in PATHS if (WEB_DIR / path).exists()]


@pytest.mark.parametrize("path", PATHS)
def test_every_page_has_the_shared_head(path: str) -> None:
    page = BY_PATH[path]
    html = render(path)
    elements = parsed(html)
    assert html.startswith('<!doctype html>\n<html lang="ko">\n<head>\n<meta charset="utf-8">\n')
    metas = {attrs.get("name"): attrs.get("content") for attrs in _of(elements, "meta") if "name" in attrs}
    assert metas["viewport"] == "width=device-width, initial-scale=1"
    assert metas["referrer"] == page.referrer
    assert ("robots" in metas) is page.console
    icons = [a["href"] for a in _of(elements, "link") if a.get("rel") == "icon"]
    sheets = [a["href"] for a in _of(elements, "link") if a.get("rel") == "stylesheet"]
    assert icons == [f"{page.base}favicon.svg"]
    assert sheets[0] == f"{page.base}assets/site.css"
    scripts = _of(elements, "script")
    assert scripts == [{"src": f"{page.base}assets/config.js"}, {"type": "module", "src": page.script}]
    assert [attrs.get("id") for attrs in _of(elements, "main")] == ["main"]
    assert "<noscript><p>" in html
    # The CSP allows no inline script or style: every script has a source, nothing carries a style.
    assert "<style" not in html
    assert not [attrs for _, attrs in elements.elements if "style" in attrs or attrs.keys() & {"onload", "onclick"}]
    body = _of(elements, "body")
    assert body == [{"data-form": page.form} if page.form else {}]


@pytest.mark.parametrize("path", PATHS)
def test_every_link_of_a_page_is_a_file_of_the_site(path: str) -> None:
    elements = parsed(render(path))
    links = [attrs.get("href") or attrs.get("src") for name, attrs in elements.elements if name in ("link", "script")]
    folder = PurePosixPath(path).parent
    for link in links:
        assert link is not None
        target = (WEB_DIR / folder / link).resolve()
        assert target.is_relative_to(WEB_DIR.resolve()), link
        assert target.is_file(), f"{path}: {link}"


def test_a_form_page_names_its_own_form() -> None:
    forms = [page for page in PAGES if page.form]
    assert {page.form for page in forms} == {"contact-us", "resources-download", "blog-subscription"}
    assert all(page.path == f"{page.form}.html" for page in forms)


def test_the_titles_name_the_company_of_the_policy() -> None:
    assert parsed(render("index.html")).title == COMPANY.en
    assert parsed(render("contact-us.html")).title == f"Contact Us | {COMPANY.en}"
    assert parsed(render("staff/index.html")).title == f"Staff console | {COMPANY.en}"


EXAMPLE = Text(en="Example & Söhne", ko="예시 & 존")


def _names(html: str) -> dict[str | None, str | None]:
    """The page's application-name metas, by language: what the scripts name the company with."""
    return {a.get("lang"): a.get("content") for a in _of(parsed(html), "meta") if a.get("name") == "application-name"}


@pytest.mark.parametrize("path", PATHS)
def test_every_page_names_the_company_of_the_policy_in_both_languages(path: str) -> None:
    assert _names(render(path)) == {"ko": COMPANY.ko, "en": COMPANY.en}


def test_another_company_renames_every_page_and_nothing_else() -> None:
    named = re.compile(r"<title>.*</title>|<meta name=\"application-name\"[^>]*>")
    for path in PATHS:
        ours, theirs = render(path), render(path, company=EXAMPLE)
        title = parsed(theirs).title
        assert title == EXAMPLE.en or title.endswith(f" | {EXAMPLE.en}")
        assert "<title>" + title.replace("&", "&amp;") + "</title>" in theirs
        assert _names(theirs) == {"ko": EXAMPLE.ko, "en": EXAMPLE.en}
        assert named.sub("", ours) == named.sub("", theirs)


def test_another_companys_policy_data_retitles_the_written_pages(tmp_path: Path) -> None:
    data = tmp_path / "policy_data"
    shutil.copytree(POLICY_DATA, data)
    facts = json.loads((data / "facts.json").read_text(encoding="utf-8"))
    facts["company"] = {"en": "Example Corp", "ko": "예시 주식회사"}
    (data / "facts.json").write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    site = tmp_path / "site"
    environment = os.environ | {"POLICYBOUND_POLICY_DATA": str(data)}
    subprocess.run(
        [sys.executable, "-m", "stacks.site_pages", str(site)], cwd=REPO_ROOT, env=environment, check=True, timeout=60
    )
    written = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*") if p.is_file()}
    assert set(written) == set(PATHS)
    assert parsed(written["index.html"]).title == "Example Corp"
    assert parsed(written["policy.html"]).title == "Privacy Policy | Example Corp"
    assert all(
        text == render(path, company=Text(en="Example Corp", ko="예시 주식회사")) for path, text in written.items()
    )


# --- Served by local mode's gateway, as the deployed site serves the published renderings -----------


def _never_called(event: object, context: object) -> dict[str, object]:
    raise AssertionError("no function runs for a page")


@pytest.fixture
def site() -> Client:
    return Client(Gateway(_never_called, openapi=lambda: "{}", site_root=WEB_DIR, local_routes={}))


@pytest.mark.parametrize(
    ("address", "path"),
    [("/", "index.html"), ("/policy.html", "policy.html"), ("/staff/", "staff/index.html")]
    + [(f"/{page.path}", page.path) for page in PAGES]
    + [("/assets/../rights.html", "rights.html")],
)
def test_the_gateway_serves_each_page_as_rendered(site: Client, address: str, path: str) -> None:
    response = site.get(address)
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert response.get_data(as_text=True) == render(path)
    console = path.startswith("staff/")
    assert all(response.headers.get(name) == value for name, value in CONSOLE_HEADERS.items()) is console


def test_a_head_request_gets_a_pages_headers_without_its_body(site: Client) -> None:
    got, head = site.get("/contact-us.html"), site.head("/contact-us.html")
    assert head.status_code == 200
    assert head.content_type == got.content_type
    assert head.headers["Content-Length"] == got.headers["Content-Length"]
    assert head.get_data() == b""


def test_a_folder_is_sent_on_to_its_address_with_a_slash(site: Client) -> None:
    response = site.get("/staff")
    assert response.status_code == 308
    assert response.headers["Location"] == "/staff/"


def test_the_other_files_are_still_served_and_nothing_else(site: Client) -> None:
    css = site.get("/assets/site.css")
    assert css.status_code == 200
    assert css.get_data() == (WEB_DIR / "assets" / "site.css").read_bytes()
    assert site.get("/staff/app.js").headers["Cache-Control"] == CONSOLE_HEADERS["Cache-Control"]
    for missing in ("/nothing.html", "/staff/nothing.html", "/../README.md"):
        with pytest.raises(NotFound):
            site.get(missing)


def test_a_page_declared_deeper_has_its_base_from_its_depth() -> None:
    assert Page("a/b/c.html", None, "c.js").base == "../../"
    assert Page("c.html", None, "c.js").base == ""
