"""The sample site's pages under the Content-Security-Policy the deployed site gets from CloudFront
(stacks/site_headers.py; there its connect-src also names the API's origin, which local mode serves from
the pages' own). A page that needed inline script or style, or a call elsewhere, would log a violation,
which fails the test (the fixture fails on any console error)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from stacks.site_headers import SECURITY_HEADERS, content_security_policy
from stacks.site_pages import PAGES as SITE_PAGES
from tests.e2e.browser.conftest import Site

pytestmark = pytest.mark.e2e

# The site's pages (the console, under /staff/, has its own headers and tests).
PAGES = sorted(page.path for page in SITE_PAGES if "/" not in page.path)


def serve_as_deployed(site: Site) -> str:
    csp = content_security_policy()

    def deployed(route: Any) -> None:
        response = route.fetch()
        headers = {
            **response.headers,
            "content-security-policy": csp,
            **{k.lower(): v for k, v in SECURITY_HEADERS.items()},
        }
        route.fulfill(response=response, headers=headers)

    site.page.route(re.compile(rf"^{re.escape(site.base)}/[\w-]*\.html(\?.*)?$"), deployed)
    return csp


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_page_works_under_the_deployed_csp(site: Site, lang: str) -> None:
    csp = serve_as_deployed(site)
    for name in PAGES:
        response = site.page.goto(site.url(name, lang))
        assert response is not None
        assert response.header_value("content-security-policy") == csp
        site.page.wait_for_selector("body[data-ready=true]")
    assert not [text for text in site.console_errors if "Content Security Policy" in text]
