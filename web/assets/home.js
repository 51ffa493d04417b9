// The home page: the three forms, what each collects, and where to read the policy or use one's rights.

import { append, h } from "./dom.js";
import { t } from "./i18n.js";
import { pageLink, startPage } from "./layout.js";

startPage({
  title: "nav.home",
  active: "home",
  render: ({ language, policy, main }) => {
    append(main, 
      h("section", { class: "hero" }, h("h1", { text: t(language, "home.title") }), h("p", { class: "lead", text: t(language, "home.lead") })),
      h("h2", { text: t(language, "home.forms") }),
      h(
        "ul",
        { class: "cards" },
        policy.forms.map((form) =>
          h(
            "li",
            { class: "card" },
            h("h3", {}, h("a", { href: pageLink(language, `${form.form}.html`), text: form.title })),
            h("p", { text: form.purposes.map((p) => p.description).join(", ") }),
            h("p", {
              class: "hint",
              text: t(language, "home.collects", {
                required: form.required_items.length,
                optional: form.optional_items.length,
                months: form.retention_months,
              }),
            }),
          ),
        ),
      ),
      h("h2", { text: t(language, "home.more") }),
      h(
        "ul",
        { class: "cards" },
        h(
          "li",
          { class: "card" },
          h("h3", {}, h("a", { href: pageLink(language, "policy.html"), text: t(language, "nav.policy") })),
          h("p", { text: t(language, "home.policy") }),
        ),
        h(
          "li",
          { class: "card" },
          h("h3", {}, h("a", { href: pageLink(language, "rights.html"), text: t(language, "nav.rights") })),
          h("p", { text: t(language, "home.rights") }),
        ),
      ),
    );
  },
});
