// The privacy policy page, rendered from GET /v1/policy: every fact on it comes from the API.

import { append, h, table } from "./dom.js";
import { categoryLabel } from "./consent.js";
import { formatDate, t } from "./i18n.js";
import { pageLink, startPage } from "./layout.js";

function section(id, title, ...content) {
  return h("section", { id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title`, text: title }), content);
}

const labels = (items) => items.map((i) => i.label).join(", ");

startPage({
  title: "policy.title",
  active: "policy",
  render: ({ language: lang, policy, main }) => {
    const purposes = new Map();
    for (const form of policy.forms) for (const p of form.purposes) purposes.set(p.purpose, p.description);
    const upcoming = policy.upcoming_changes || [];

    append(main, [
      h("h1", { text: t(lang, "policy.title") }),
      h("p", { class: "lead", "data-policy-version": policy.version }, t(lang, "policy.version", { version: policy.version, date: formatDate(lang, policy.effective_date) })),
      upcoming.length
        ? h(
            "div",
            { class: "alert info", role: "note" },
            upcoming.map((change) =>
              h(
                "p",
                {},
                h("strong", {
                  text: t(lang, "policy.s12.change", {
                    version: change.version,
                    effective: formatDate(lang, change.effective_date),
                    announced: formatDate(lang, change.announced_on),
                  }),
                }),
                " ",
                change.summary,
              ),
            ),
          )
        : null,

      section(
        "items",
        t(lang, "policy.s1"),
        table(
          null,
          [t(lang, "policy.s1.form"), t(lang, "policy.s1.required"), t(lang, "policy.s1.optional")],
          policy.forms.map((f) => [f.title, labels(f.required_items), labels(f.optional_items) || "—"]),
        ),
        h("p", { text: t(lang, "policy.s1.refuse") }),
        h("h3", { text: t(lang, "policy.s1.auto") }),
        h("ul", {}, policy.auto_collected.map((text) => h("li", { text }))),
      ),

      section("purposes", t(lang, "policy.s2"), h("ul", {}, [...purposes.values()].map((text) => h("li", { text })))),

      section(
        "provision",
        t(lang, "policy.s3"),
        h("p", { text: t(lang, "policy.s3.default") }),
        h("ul", {}, policy.third_party_provision.exceptions.map((e) => h("li", { text: e.description }))),
      ),

      section(
        "retention",
        t(lang, "policy.s4"),
        h("p", { "data-retention": true, text: t(lang, "policy.s4.rule", { months: policy.forms[0].retention_months }) }),
        table(
          null,
          [t(lang, "policy.s4.items"), t(lang, "policy.s4.purpose"), t(lang, "policy.s4.period")],
          policy.forms.map((f) => [
            labels([...f.required_items, ...f.optional_items]),
            f.purposes.map((p) => p.description).join(", "),
            t(lang, "policy.s4.months", { months: f.retention_months }),
          ]),
          { rowHeaders: false },
        ),
      ),

      section(
        "consignment",
        t(lang, "policy.s5"),
        policy.consignees.map((c) =>
          table(
            null,
            [t(lang, "policy.s5.company"), c.company],
            [
              [t(lang, "policy.s5.duties"), c.duties],
              [t(lang, "policy.s5.country"), c.country],
              [t(lang, "policy.s5.items"), c.items],
              [t(lang, "policy.s5.time"), c.transfer_time],
              [t(lang, "policy.s5.method"), c.transfer_method],
              [t(lang, "policy.s5.retention"), c.retention],
            ],
          ),
        ),
      ),

      section(
        "rights",
        t(lang, "policy.s6"),
        h("p", { text: t(lang, "policy.s6.text") }),
        h("p", {}, h("a", { class: "button", href: pageLink(lang, "rights.html"), text: t(lang, "policy.s6.link") })),
      ),

      section(
        "cookies",
        t(lang, "policy.s7"),
        h("p", { text: t(lang, "policy.s7.text") }),
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
      ),

      section(
        "contacts",
        t(lang, "policy.s10"),
        table(
          null,
          [t(lang, "policy.s10.role"), t(lang, "policy.s10.department"), t(lang, "policy.s10.email")],
          policy.contacts.map((c) => [c.role, c.department, h("a", { href: `mailto:${c.email}`, text: c.email })]),
        ),
      ),

      section(
        "changes",
        t(lang, "policy.s12"),
        h("p", { text: t(lang, "policy.s12.text") }),
        upcoming.length
          ? h(
              "ul",
              { "data-upcoming": true },
              upcoming.map((change) =>
                h(
                  "li",
                  {},
                  h("strong", {
                    text: t(lang, "policy.s12.change", {
                      version: change.version,
                      effective: formatDate(lang, change.effective_date),
                      announced: formatDate(lang, change.announced_on),
                    }),
                  }),
                  h("br"),
                  change.summary,
                ),
              ),
            )
          : h("p", { class: "hint", text: t(lang, "policy.s12.none") }),
      ),
    ]);
  },
});
