// Pieces every console screen uses: the API call with the session's token, headings, fields,
// messages, tables and the loading of a screen's data. Everything from the API goes in as text.

import { ApiError, NetworkError, request } from "../assets/api.js";
import { append, clear, h, table, uniqueId } from "../assets/dom.js";
import { formatMoment } from "../assets/i18n.js";
import { t } from "./strings.js";

/** What a screen gets: the language, the signed-in member, and `api(method, path, options)`. */
export class ConsoleContext {
  constructor({ language, me, api, navigate }) {
    this.language = language;
    this.me = me;
    this.api = api;
    this.navigate = navigate;
  }

  t(key, values) {
    return t(this.language, key, values);
  }

  moment(iso) {
    return iso ? formatMoment(this.language, iso) : "—";
  }

  has(role) {
    return this.me.groups.includes(role);
  }
}

/** A path with a query built from ids and codes only; callers never pass names or addresses. */
export function withQuery(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export function errorText(ctx, error) {
  if (error instanceof ApiError && error.fromApi) {
    const details = error.details.map((d) => (d.field ? `${d.field}: ${d.problem}` : d.problem));
    return [error.message, ...details].join(" · ");
  }
  if (error instanceof NetworkError) return ctx.t("error.network");
  return ctx.t("error.unexpected");
}

/** A message area: `show(kind, text)` with kind error (an alert, focused) or success/info (a status). */
export function messageArea() {
  const area = h("div", { class: "message-area", "aria-live": "polite" });
  return {
    element: area,
    show(kind, text) {
      const box = h("p", {
        class: `alert ${kind}`,
        role: kind === "error" ? "alert" : "status",
        tabindex: "-1",
        text,
      });
      append(clear(area), [box]);
      if (kind === "error") box.focus();
    },
    clear() {
      clear(area);
    },
  };
}

export function field(label, control, hint) {
  const id = control.id || uniqueId("field");
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id, text: label }),
    hint ? h("p", { class: "hint", id: hintId, text: hint }) : null,
    control,
  );
}

export function select(name, options, selected) {
  return h(
    "select",
    { name },
    options.map(([value, text]) => h("option", { value, selected: value === selected, text })),
  );
}

export function button(text, onclick, { kind = "", type = "button", attrs = {} } = {}) {
  return h("button", { type, class: `button ${kind}`.trim(), onclick, ...attrs, text });
}

export { append, clear, h, table };

/** A form on a card, as the console's forms are: its heading (`labelledBy` names it for the form), an
 * optional lead, its message area if it has one, `controls`, and its actions — the submit button (primary
 * unless `primary` is false) followed by any `more` buttons. */
export function cardForm({ title, lead, messages, submit, primary = true, more = [], labelledBy }, ...controls) {
  return h(
    "form",
    { class: "card", novalidate: true, "aria-labelledby": labelledBy },
    h("h2", { id: labelledBy, text: title }),
    lead ? h("p", { class: "hint", text: lead }) : null,
    messages ? messages.element : null,
    controls,
    h("div", { class: "actions" }, button(submit, null, { kind: primary ? "primary" : "", type: "submit" }), more),
  );
}

/** A list of key/value rows. */
export function facts(pairs) {
  return h(
    "dl",
    {},
    pairs.filter(Boolean).map(([term, value]) => [h("dt", { text: term }), h("dd", {}, value ?? "—")]),
  );
}

export function badge(text, kind = "") {
  return h("span", { class: `badge ${kind}`.trim(), text });
}

/** Run `load()`, showing a loading line, then `render(result)` or the API's refusal in `where`. */
export async function loadInto(ctx, where, load, render) {
  append(clear(where), [h("p", { class: "loading", role: "status", text: ctx.t("loading") })]);
  let result;
  try {
    result = await load();
  } catch (error) {
    if (error && error.signedOut) return;
    append(clear(where), [h("p", { class: "alert error", role: "alert", text: errorText(ctx, error) })]);
    return;
  }
  append(clear(where), [render(result)]);
}

/** Handle a form's submit: disables its buttons while `action` runs; a refusal goes to `messages`. */
export function onSubmit(ctx, form, messages, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const buttons = [...form.querySelectorAll("button")];
    for (const b of buttons) b.disabled = true;
    messages.clear();
    try {
      await action(new FormData(form));
    } catch (error) {
      if (!(error && error.signedOut)) messages.show("error", errorText(ctx, error));
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  });
  return form;
}

/** The current month in Seoul time, as YYYY-MM (the access review and destruction report count in it). */
export function seoulMonth(date = new Date()) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul", year: "numeric", month: "2-digit" })
    .formatToParts(date)
    .reduce((acc, part) => ({ ...acc, [part.type]: part.value }), {});
  return `${parts.year}-${parts.month}`;
}

export { request };
