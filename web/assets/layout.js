// What every page shares: language, header and menu, the notice of an announced policy change (§12),
// the footer with "Cookie settings", and the cookie banner. Each page module calls startPage().

import { getPolicy } from "./api.js";
import { startCookieConsent } from "./consent.js";
import { clear, h, insertAfter, prepend, replaceChildren } from "./dom.js";
import { companyName, currentLanguage, formatDate, t, urlInLanguage } from "./i18n.js";

const FORM_PAGES = ["contact-us", "resources-download", "blog-subscription"];

/** A link to another page of the site, in the current language. */
export function pageLink(language, href) {
  return urlInLanguage(language, href);
}

function header(language, policy, active) {
  const other = language === "ko" ? "en" : "ko";
  const titles = Object.fromEntries(policy ? policy.forms.map((f) => [f.form, f.title]) : []);
  const item = (key, href, text) =>
    h(
      "li",
      {},
      h("a", { href: pageLink(language, href), "aria-current": active === key ? "page" : null, text }),
    );
  return h(
    "header",
    { class: "site-header" },
    h(
      "div",
      { class: "bar" },
      h(
        "a",
        { class: "brand", href: pageLink(language, "index.html") },
        h("span", { class: "brand-mark", "aria-hidden": "true" }),
        h("span", { class: "brand-name", text: companyName(language) }),
        h("span", { class: "brand-tagline", text: t(language, "site.tagline") }),
      ),
      h("a", {
        class: "lang-switch",
        href: urlInLanguage(other),
        lang: other,
        hreflang: other,
        text: t(language, "switch.to"),
      }),
    ),
    h(
      "nav",
      { "aria-label": t(language, "nav.label") },
      h(
        "ul",
        {},
        item("home", "index.html", t(language, "nav.home")),
        FORM_PAGES.map((form) => item(form, `${form}.html`, titles[form] || t(language, `nav.${form}`))),
        item("policy", "policy.html", t(language, "nav.policy")),
        item("rights", "rights.html", t(language, "nav.rights")),
      ),
    ),
  );
}

function changeNotice(language, policy) {
  const upcoming = (policy && policy.upcoming_changes) || [];
  if (!upcoming.length) return null;
  const next = upcoming[0];
  return h(
    "aside",
    { class: "change-notice", "aria-label": t(language, "policy.s12") },
    h(
      "p",
      {},
      t(language, "notice.change", { version: next.version, date: formatDate(language, next.effective_date) }),
      " ",
      h("a", { href: pageLink(language, "policy.html#changes"), text: t(language, "notice.read") }),
    ),
  );
}

function footer(language) {
  return h(
    "footer",
    { class: "site-footer" },
    h(
      "ul",
      {},
      h("li", {}, h("a", { href: pageLink(language, "policy.html"), text: t(language, "footer.policy") })),
      h(
        "li",
        {},
        h("button", { type: "button", class: "linklike", "data-cookie-settings": true, text: t(language, "footer.cookies") }),
      ),
      h("li", {}, h("a", { href: pageLink(language, "rights.html"), text: t(language, "footer.rights") })),
    ),
    h("p", { class: "footnote", text: t(language, "footer.note") }),
    h("p", { class: "visually-hidden", role: "status", "data-cookie-status": true }),
  );
}

/**
 * Render the page: `render({language, policy, main})` fills <main> once the policy is loaded.
 * `title` is the page's title key; `active` the menu entry to mark.
 */
export async function startPage({ title, active, render }) {
  const language = currentLanguage();
  document.documentElement.lang = language;
  const main = document.getElementById("main");
  const skip = h("a", { class: "skip-link", href: "#main", text: t(language, "skip") });
  prepend(document.body, skip);
  replaceChildren(main, h("p", { class: "loading", role: "status", text: t(language, "loading") }));

  let policy;
  try {
    policy = await getPolicy(language);
  } catch {
    insertAfter(skip, header(language, null, active));
    replaceChildren(main, h("p", { class: "alert error", role: "alert", text: t(language, "error.load") }));
    insertAfter(main, footer(language));
    return;
  }
  const pageTitle = typeof title === "function" ? title(policy, language) : t(language, title);
  document.title = `${pageTitle} | ${companyName(language)}`;
  const top = header(language, policy, active);
  insertAfter(skip, top);
  const notice = changeNotice(language, policy);
  if (notice) insertAfter(top, notice);
  insertAfter(main, footer(language));
  clear(main);
  await render({ language, policy, main });
  await startCookieConsent({ language, policy });
  document.body.dataset.ready = "true";
}
