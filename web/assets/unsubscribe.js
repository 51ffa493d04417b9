// Unsubscribe confirmation (§4: "when applying for cancellation of subscription, the information is
// destroyed without delay"). Opening the page changes nothing; the button does, with the same one-click
// request a mail client sends (RFC 8058).

import { ApiError, request } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { startPage } from "./layout.js";

startPage({
  title: "unsub.title",
  active: null,
  render: ({ language, main }) => {
    const token = new URLSearchParams(location.search).get("token");
    main.append(h("h1", { text: t(language, "unsub.title") }));
    if (!token) {
      main.append(h("p", { class: "alert error", role: "alert", text: t(language, "unsub.missing") }));
      return;
    }
    const result = h("div", { role: "status" });
    const button = h("button", { type: "submit", class: "button danger", text: t(language, "unsub.confirm") });
    const form = h("form", { id: "unsubscribe" }, h("p", { class: "lead", text: t(language, "unsub.lead") }), h("div", { class: "actions" }, button));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        await request("POST", `/v1/unsubscribe?token=${encodeURIComponent(token)}`, {
          form: { "List-Unsubscribe": "One-Click" },
        });
        // The token is spent: keep it out of the history and out of any later request.
        const url = new URL(location.href);
        url.searchParams.delete("token");
        history.replaceState(null, "", url.pathname + url.search);
        form.remove();
        result.className = "alert success";
        result.textContent = t(language, "unsub.done");
      } catch (error) {
        button.disabled = false;
        result.className = "alert error";
        result.textContent =
          error instanceof ApiError && error.fromApi ? `${t(language, "error.server")} ${error.message}` : t(language, "error.network");
      }
    });
    main.append(form, result);
  },
});
