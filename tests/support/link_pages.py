"""The pages a link in a mail opens (unsubscribe, consent renewal): what a browser asks for, and what
every such page must be whatever it says."""

from __future__ import annotations

from werkzeug.test import TestResponse

# A browser's Accept header: the routes answer a page to it, JSON to a client that asks for JSON.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def link_page_text(response: TestResponse) -> str:
    """The page's text, once it is shown as a form that posts the answer, sends no referrer to other
    sites (a same-origin one, so the form's POST carries a real Origin, not null) and is never cached."""
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert 'method="post"' in text
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    return text
