"""Site code puts nodes into pages only through web/assets/dom.js, which leaves out missing values and
refuses objects: the DOM's own `append` shows a `null` child as the word "null"."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
HELPER = WEB / "assets" / "dom.js"

# Every DOM call that inserts nodes or markup, and the markup properties.
DIRECT = re.compile(
    r"\.(?:append|appendChild|prepend|after|before|insertBefore|replaceWith|replaceChildren"
    r"|insertAdjacentHTML|insertAdjacentElement|insertAdjacentText)\s*\("
    r"|\.(?:innerHTML|outerHTML)\b"
    r"|\bdocument\.write(?:ln)?\s*\("
)
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def direct_calls(source: str) -> list[str]:
    code = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    return [
        f"{number}: {line.strip()}" for number, line in enumerate(code.splitlines(), start=1) if DIRECT.search(line)
    ]


def test_site_code_inserts_nodes_only_through_the_dom_helper() -> None:
    scripts = [path for path in WEB.rglob("*.js") if path != HELPER]
    assert scripts, "the site has no scripts to check"
    found = {str(path.relative_to(ROOT)): calls for path in scripts if (calls := direct_calls(path.read_text()))}
    assert not found, (
        "use append/prepend/insertAfter/replaceChildren/setText from web/assets/dom.js, not the DOM's own "
        f"(for URLSearchParams use .set): {found}"
    )


def test_the_check_sees_each_kind_of_direct_insertion() -> None:
    for line in (
        "main.append(title, null);",
        "list.appendChild(item)",
        "skip.after(banner)",
        "document.body.prepend(x)",
        "el.innerHTML = text",
        "el.insertAdjacentHTML('beforeend', s)",
        "document.write(s)",
    ):
        assert direct_calls(line), line
    assert not direct_calls("append(main, title); // main.append(x) is what we avoid")
    assert not direct_calls("const appended = prepend(list, item);")
