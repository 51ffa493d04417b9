// Unsubscribe confirmation (§4: "when applying for cancellation of subscription, the information is
// destroyed without delay"). Opening the page changes nothing (GET /v1/unsubscribe only reads the
// link's state); the button sends the same one-click request a mail client sends (RFC 8058).

import { ApiError, request } from "./api.js";
import { append, h, replaceChildren, setText } from "./dom.js";
import { formatMoment, t } from "./i18n.js";
import { startPage } from "./layout.js";

const DONE = {
  unsubscribed: "unsub.done",
  unsubscribed_pending_legal_hold: "unsub.held",
  already_unsubscribed: "unsub.already",
};
// A letter's link to a resources download withdraws its marketing consent only: the record stays for the
// resources, so these pages never say "destroyed".
const WITHDRAWN = {
  unsubscribed: "unsub.marketing.done",
  already_unsubscribed: "unsub.marketing.already",
};

function doneText(language, answer) {
  const keys = answer.effect === "marketing_consent_withdrawn" ? WITHDRAWN : DONE;
  return t(language, keys[answer.status] || DONE[answer.status] || "unsub.done");
}

function keepsText(language, answer) {
  if (!answer.retained_until || answer.effect !== "marketing_consent_withdrawn") return null;
  return t(language, "unsub.marketing.until", { until: formatMoment(language, answer.retained_until, { time: false }) });
}

function failure(language, error) {
  return error instanceof ApiError && error.fromApi ? `${t(language, "error.server")} ${error.message}` : t(language, "error.network");
}

startPage({
  title: "unsub.title",
  active: null,
  render: async ({ language, main }) => {
    const token = new URLSearchParams(location.search).get("token");
    append(main, h("h1", { text: t(language, "unsub.title") }));
    const result = h("div", { role: "status", "data-unsubscribe-result": true });
    const path = `/v1/unsubscribe?token=${encodeURIComponent(token || "")}`;
    if (!token) {
      append(main, h("p", { class: "alert error", role: "alert", text: t(language, "unsub.missing") }));
      return;
    }

    const show = (answer) => {
      result.className = "alert success";
      const keeps = keepsText(language, answer);
      replaceChildren(result, h("p", { text: doneText(language, answer) }), keeps ? h("p", { text: keeps }) : null);
    };

    let state;
    try {
      state = (await request("GET", path)).body;
    } catch (error) {
      append(main, [h("p", { class: "alert error", role: "alert", text: failure(language, error) })]);
      return;
    }
    const marketing = state.effect === "marketing_consent_withdrawn";
    const key = (name) => (marketing ? `unsub.marketing.${name}` : `unsub.${name}`);
    setText(main.querySelector("h1"), t(language, key("title")));
    if (state.status !== "subscribed") {
      show(state);
      append(main, result);
      return;
    }

    const button = h("button", { type: "submit", class: "button danger", text: t(language, key("confirm")) });
    const until = state.retained_until ? formatMoment(language, state.retained_until, { time: false }) : null;
    const form = h(
      "form",
      { id: "unsubscribe" },
      h("p", { class: "lead", text: t(language, key("lead")) }),
      until ? h("p", { text: t(language, key("until"), { until }) }) : null,
      h("div", { class: "actions" }, button),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        const { body } = await request("POST", path, { form: { "List-Unsubscribe": "One-Click" } });
        // The token is spent: keep it out of the history.
        const url = new URL(location.href);
        url.searchParams.delete("token");
        history.replaceState(null, "", url.pathname + url.search);
        form.remove();
        show(body);
      } catch (error) {
        button.disabled = false;
        result.className = "alert error";
        result.textContent = failure(language, error);
      }
    });
    append(main, [form, result]);
  },
});
