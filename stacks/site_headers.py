"""The response headers of the sample site and the staff console: one declaration, read by local mode's
gateway (local/gateway.py) and by the deployed site's CloudFront response headers policies
(stacks/site_hosting.py). Plain Python, no CDK: local mode imports it without starting jsii.

The policy is strict: nothing inline, nothing from another origin but the calls the pages make — the API
(deployed, on its own origin) and, for the console, Cognito's managed login domain (the token exchange
and the revocation at sign-out).
"""

from __future__ import annotations

from collections.abc import Iterable

# Where the console is served, under the site.
CONSOLE_PREFIX = "/staff/"


def content_security_policy(connect: Iterable[str] = ()) -> str:
    """The Content-Security-Policy of every page: own-origin scripts, styles and images only, calls to the
    own origin and to `connect` (exact https origins), no framing, no <base>, forms to the own origin."""
    connect_src = " ".join(["'self'", *connect])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src {connect_src}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


# Headers every page gets besides its CSP.
SECURITY_HEADERS: dict[str, str] = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# The console's pages are never kept by a browser or a shared cache.
CONSOLE_CACHE_CONTROL = "no-store"


def console_headers(connect: Iterable[str] = ()) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(connect),
        "Cache-Control": CONSOLE_CACHE_CONTROL,
        **SECURITY_HEADERS,
    }
