// Injected into every page of the browser tests (conftest.py); __STRAY_TEXT__ is the pattern.
(() => {
  const STRAY = new RegExp(__STRAY_TEXT__, "g");
  const reported = new Set();
  function strayText() {
    if (!document.body) return [];
    const texts = [document.title, document.body.innerText];
    for (const element of document.querySelectorAll("[placeholder], [title], [aria-label], [alt]")) {
      for (const name of ["placeholder", "title", "aria-label", "alt"]) {
        const value = element.getAttribute(name);
        if (value) texts.push(value);
      }
    }
    const found = [];
    for (const text of texts) {
      for (const match of text.matchAll(STRAY)) {
        found.push(text.slice(Math.max(0, match.index - 40), match.index + match[0].length + 40).replace(/\s+/g, " "));
      }
    }
    return found;
  }
  window.__policyboundStrayTextNow = strayText;
  let pending = false;
  function check() {
    pending = false;
    for (const text of strayText()) {
      const key = location.pathname + location.search + " " + text;
      if (reported.has(key)) continue;
      reported.add(key);
      window.__policyboundStrayText(location.pathname + location.search, text);
    }
  }
  const schedule = () => {
    if (!pending) {
      pending = true;
      setTimeout(check, 0);
    }
  };
  new MutationObserver(schedule).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
  });
  document.addEventListener("DOMContentLoaded", schedule);
})();
