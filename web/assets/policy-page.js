// The privacy policy page, rendered from GET /v1/policy: every section of the published text, in its
// order and words, and the site's own controls where the text speaks of them (§6 rights, §7 cookies,
// §12 announced changes). Nothing on it is written here: the text comes from the API.

import { append, h, table } from "./dom.js";
import { categoryLabel } from "./consent.js";
import { formatDate, t } from "./i18n.js";
import { pageLink, startPage } from "./layout.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function cell(text) {
  return EMAIL.test(text) ? h("a", { href: `mailto:${text}`, text }) : text;
}

function blocks(list, headingLevel) {
  return list.map((block) => {
    switch (block.type) {
      case "paragraph":
        return h("p", { text: block.text });
      case "heading":
        return h(headingLevel, { class: "policy-heading", text: block.text });
      case "list":
        return h("ul", {}, block.items.map((text) => h("li", { text })));
      case "table":
        return table(null, block.header, block.rows.map((row) => row.map(cell)));
      default:
        return null;
    }
  });
}

function subsection(sub) {
  const [first, ...rest] = sub.blocks;
  // A subsection without a title opens with its first paragraph, as the policy writes "1.1. The Company …".
  if (!sub.title && first && first.type === "paragraph") {
    return h(
      "div",
      { class: "subsection", "data-subsection": sub.number },
      h("p", {}, h("strong", { text: `${sub.number}. ` }), first.text),
      // No heading of its own, so its blocks' headings are the level below the section's.
      blocks(rest, "h3"),
    );
  }
  return h(
    "div",
    { class: "subsection", "data-subsection": sub.number },
    h("h3", { text: sub.title ? `${sub.number}. ${sub.title}` : `${sub.number}.` }),
    blocks(sub.blocks, "h4"),
  );
}

function changeLine(lang, change) {
  return h("strong", {
    text: t(lang, "policy.s12.change", {
      version: change.version,
      effective: formatDate(lang, change.effective_date),
      announced: formatDate(lang, change.announced_on),
    }),
  });
}

// What the site adds under a section of the text: the controls that make the section true here.
function extras(lang, policy, anchor) {
  const upcoming = policy.upcoming_changes || [];
  switch (anchor) {
    case "rights":
      return h("p", {}, h("a", { class: "button", href: pageLink(lang, "rights.html"), text: t(lang, "policy.s6.link") }));
    case "cookies":
      return [
        table(
          null,
          [t(lang, "policy.s7.category"), t(lang, "policy.s7.purpose"), t(lang, "policy.s7.consent")],
          policy.cookie_categories.map((c) => [
            categoryLabel(lang, c.name),
            c.description,
            t(lang, c.requires_consent ? "policy.s7.asked" : "policy.s7.needed"),
          ]),
        ),
        h("p", {}, h("button", { type: "button", class: "button", "data-cookie-settings": true, text: t(lang, "policy.s7.settings") })),
        h("h3", { text: t(lang, "cookie.browser.title") }),
        h("p", { text: t(lang, "cookie.browser.lead") }),
        h("ul", {}, ["chrome", "edge", "firefox", "safari", "ie"].map((b) => h("li", { text: t(lang, `cookie.browser.${b}`) }))),
      ];
    case "changes":
      return upcoming.length
        ? h("ul", { "data-upcoming": true }, upcoming.map((change) => h("li", {}, changeLine(lang, change), h("br"), change.summary)))
        : h("p", { class: "hint", text: t(lang, "policy.s12.none") });
    default:
      return null;
  }
}

startPage({
  title: "policy.title",
  active: "policy",
  render: ({ language: lang, policy, main }) => {
    const upcoming = policy.upcoming_changes || [];
    append(main, [
      h("h1", { text: policy.title }),
      h("p", { class: "lead", "data-policy-version": policy.version }, t(lang, "policy.version", { version: policy.version, date: formatDate(lang, policy.effective_date) })),
      upcoming.length
        ? h("div", { class: "alert info", role: "note" }, upcoming.map((change) => h("p", {}, changeLine(lang, change), " ", change.summary)))
        : null,
      h("div", { class: "policy-preamble" }, blocks(policy.preamble, "h3")),
      policy.sections.map((section) =>
        h(
          "section",
          { id: section.anchor, "data-section": section.number, "aria-labelledby": `${section.anchor}-title` },
          h("h2", { id: `${section.anchor}-title`, text: `${section.number}. ${section.title}` }),
          blocks(section.blocks, "h3"),
          section.subsections.map(subsection),
          extras(lang, policy, section.anchor),
        ),
      ),
      h("p", { class: "policy-effective", "data-policy-effective": true, text: policy.effective }),
    ]);
  },
});
