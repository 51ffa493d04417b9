"""The HTML pages of the sample site and the staff console: one shell and the list of pages it makes.

Every page is the same document — the head that loads the site's stylesheet, the deploy-time
`assets/config.js` and the page's own module, and an empty `<main>` the module fills — so the shell is
written once, here, and each page names only what is its own. Local mode's gateway (local/gateway.py)
serves these pages as rendered here, and the deployment (stacks/site_hosting.py) publishes the same
renderings beside web/'s other files; no .html file of them exists under web/.

The titles name the company from the policy's facts (policybound.policy.COMPANY), and so do the pages'
`application-name` metas, one a language, which the scripts read for the brand and the title they set
(assets/i18n.js `companyName`): another company's policy data renames every page, before and after its
script runs. The scripts fill in the rest (in the visitor's language) once they run.

Plain Python, no CDK: local mode imports it without starting jsii. `python -m stacks.site_pages DIR`
writes the pages into DIR, for a copy of web/ on another static host.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path
from string import Template

from policybound.policy import COMPANY, Text

# No inline script or style anywhere: the site's CSP (stacks/site_headers.py) allows neither.
SHELL = Template("""\
<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="$referrer">
<meta name="application-name" lang="ko" content="$company_ko">
<meta name="application-name" lang="en" content="$company_en">
$robots<title>$title</title>
<link rel="icon" href="${base}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${base}assets/site.css">
$stylesheets<script src="${base}assets/config.js"></script>
<script type="module" src="$script"></script>
</head>
<body$body>
<main id="main" tabindex="-1">
<noscript><p>$noscript</p></noscript>
</main>
</body>
</html>
""")

SITE_NEEDS_SCRIPT = "이 페이지는 JavaScript가 필요합니다. / This page needs JavaScript."
CONSOLE_NEEDS_SCRIPT = "이 콘솔은 JavaScript가 필요합니다. / This console needs JavaScript."
# A link followed from a page tells the other site the page's origin only.
ORIGIN_REFERRER = "strict-origin-when-cross-origin"
# Pages whose address carries a secret (a confirmation id, an unsubscribe token) or a staff screen send
# no Referer at all, not even to their own origin.
NO_REFERRER = "no-referrer"


@dataclass(frozen=True)
class Page:
    """One page: where it is under the site, and what differs from the shell."""

    path: str  # under the site's root, e.g. "contact-us.html", "staff/index.html"
    title: str | None  # before " | <company>"; None: the company's name alone
    script: str  # the page's module, relative to the page
    form: str | None = None  # the form a form page shows (`<body data-form>`, read by assets/form.js)
    referrer: str = ORIGIN_REFERRER
    console: bool = False  # the staff console: not indexed, its own stylesheet and wording

    @property
    def base(self) -> str:
        """The site's root, relative to the page."""
        return "../" * self.path.count("/")


PAGES: tuple[Page, ...] = (
    Page("index.html", None, "assets/home.js"),
    Page("contact-us.html", "Contact Us", "assets/form.js", form="contact-us"),
    Page("resources-download.html", "Resources Download", "assets/form.js", form="resources-download"),
    Page("blog-subscription.html", "Blog Letter Subscription", "assets/form.js", form="blog-subscription"),
    Page("policy.html", "Privacy Policy", "assets/policy-page.js"),
    Page("rights.html", "My data", "assets/rights.js", referrer=NO_REFERRER),
    Page("unsubscribe.html", "Unsubscribe", "assets/unsubscribe.js", referrer=NO_REFERRER),
    Page("staff/index.html", "Staff console", "app.js", referrer=NO_REFERRER, console=True),
)
BY_PATH = {page.path: page for page in PAGES}


def render(path: str, company: Text = COMPANY) -> str:
    """The page at `path` (a key of BY_PATH), named for `company`."""
    page = BY_PATH[path]
    title = company.en if page.title is None else f"{page.title} | {company.en}"
    return SHELL.substitute(
        referrer=page.referrer,
        robots='<meta name="robots" content="noindex, nofollow">\n' if page.console else "",
        title=escape(title),
        company_ko=escape(company.ko),
        company_en=escape(company.en),
        base=page.base,
        stylesheets='<link rel="stylesheet" href="console.css">\n' if page.console else "",
        script=escape(page.script),
        body=f' data-form="{escape(page.form)}"' if page.form else "",
        noscript=CONSOLE_NEEDS_SCRIPT if page.console else SITE_NEEDS_SCRIPT,
    )


def write(directory: Path) -> None:
    """Every page, rendered into `directory` (e.g. a copy of web/)."""
    for page in PAGES:
        target = directory / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(page.path), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m stacks.site_pages DIR  (writes the site's pages into DIR)")
    write(Path(sys.argv[1]))
