// Rights of the data subject (§6): ask for a code by email, enter it, then view, correct or delete
// one's records. The session token lives in this page's memory only: never in a cookie or storage.

import { ApiError, request } from "./api.js";
import { append, clear, h } from "./dom.js";
import { formatMoment, t } from "./i18n.js";
import { startPage } from "./layout.js";

const KINDS = ["access", "rectification", "erasure"];

function message(language, error) {
  if (error instanceof ApiError && error.fromApi) return `${t(language, "error.server")} ${error.message}`;
  return t(language, "error.network");
}

function problems(error) {
  return error instanceof ApiError ? error.details.map((d) => `${d.field}: ${d.problem}`) : [];
}

/** An alert area that shows one message (and the API's per-field problems) at a time. */
function alertArea(language) {
  const area = h("div", { class: "alert error", role: "alert", hidden: true, tabindex: "-1" });
  const show = (text, details = []) => {
    append(clear(area), [h("p", { text }), details.length ? h("ul", {}, details.map((d) => h("li", { text: d }))) : null]);
    area.hidden = false;
    area.focus();
  };
  return {
    element: area,
    show,
    /** A failed call: the API's message and problems, or that the network failed. */
    failed(error) {
      show(message(language, error), problems(error));
    },
    hide() {
      area.hidden = true;
      clear(area);
    },
  };
}

/** Runs `action` when `form` is submitted, `alerts` cleared first; a call that fails is shown in `alerts`. */
function whenSubmitted(form, alerts, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alerts.hide();
    try {
      await action();
    } catch (error) {
      alerts.failed(error);
    }
  });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CODE = /^[0-9]{6}$/;

/** The input's trimmed value if it matches `pattern`; otherwise the input is marked invalid, `alerts` shows
 * `problem`, and the answer is null (the form is not sent). */
function checked(input, pattern, alerts, problem) {
  const value = input.value.trim();
  if (!pattern.test(value)) {
    input.setAttribute("aria-invalid", "true");
    alerts.show(problem);
    return null;
  }
  input.removeAttribute("aria-invalid");
  return value;
}

function records(body) {
  if (Array.isArray(body)) return body;
  if (body && Array.isArray(body.records)) return body.records;
  return [];
}

function render({ language, policy, main }) {
  const forms = Object.fromEntries(policy.forms.map((f) => [f.form, f]));
  const itemLabel = (formId, name) => {
    const form = forms[formId];
    const item = form && [...form.required_items, ...form.optional_items].find((i) => i.name === name);
    return item ? item.label : name;
  };
  const purposeText = (formId, purpose) => {
    const form = forms[formId];
    const found = form && form.purposes.find((p) => p.purpose === purpose);
    return found ? found.description : purpose;
  };
  // A record's items in the form's order (the policy's), not in the order the API happens to list them.
  const ordered = (formId, fields) => {
    const form = forms[formId];
    const order = form ? [...form.required_items, ...form.optional_items].map((i) => i.name) : [];
    const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
    return Object.entries(fields).sort(([a], [b]) => rank(a) - rank(b));
  };
  const state = { email: "", token: null };
  const contacts = policy.contacts.filter((c, i, all) => all.findIndex((o) => o.email === c.email) === i);

  const step1Error = alertArea(language);
  const step2Error = alertArea(language);
  const step3Error = alertArea(language);
  const step3Status = h("p", { class: "alert info", role: "status", hidden: true });

  // Step 1: the address and what the visitor wants to do.
  const requestForm = h(
    "form",
    { id: "rights-request", novalidate: true },
    step1Error.element,
    h(
      "div",
      { class: "field" },
      h("label", { for: "rights-email", text: t(language, "rights.email") }),
      h("input", { id: "rights-email", name: "email", type: "email", autocomplete: "email", required: true, maxlength: 254 }),
    ),
    h(
      "fieldset",
      { class: "choices" },
      h("legend", { text: t(language, "rights.kind") }),
      KINDS.map((kind, index) =>
        h(
          "div",
          { class: "check" },
          h("input", { type: "radio", id: `rights-kind-${kind}`, name: "kind", value: kind, checked: index === 0 }),
          h("label", { for: `rights-kind-${kind}`, text: t(language, `rights.kind.${kind}`) }),
        ),
      ),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary", text: t(language, "rights.send") })),
  );

  // Step 2: the code from the email.
  const sent = h("p", { class: "alert info", role: "status" });
  const codeForm = h(
    "form",
    { id: "rights-code", novalidate: true },
    sent,
    step2Error.element,
    h(
      "div",
      { class: "field" },
      h("label", { for: "rights-code-input", text: t(language, "rights.code") }),
      h("input", {
        id: "rights-code-input",
        name: "code",
        inputmode: "numeric",
        autocomplete: "one-time-code",
        pattern: "[0-9]{6}",
        maxlength: 6,
        required: true,
      }),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary", text: t(language, "rights.verify") })),
  );

  const step2 = h("section", { id: "step-code", "aria-labelledby": "step-code-title", hidden: true }, h("h2", { id: "step-code-title", text: t(language, "rights.step2") }), codeForm);
  const listArea = h("div", { id: "rights-records" });
  const expiry = h("p", { class: "hint" });
  const step3 = h(
    "section",
    { id: "step-records", "aria-labelledby": "step-records-title", hidden: true, tabindex: "-1" },
    h("h2", { id: "step-records-title", text: t(language, "rights.step3") }),
    expiry,
    step3Status,
    step3Error.element,
    listArea,
  );

  whenSubmitted(requestForm, step1Error, async () => {
    const email = checked(requestForm.email, EMAIL, step1Error, t(language, "check.email", { label: t(language, "rights.email") }));
    if (email === null) return;
    await request("POST", "/v1/rights/requests", { json: { email, kind: requestForm.kind.value } });
    state.email = email;
    sent.textContent = t(language, "rights.sent");
    step2.hidden = false;
    codeForm.code.focus();
  });

  whenSubmitted(codeForm, step2Error, async () => {
    const code = checked(codeForm.code, CODE, step2Error, t(language, "rights.code"));
    if (code === null) return;
    const { body } = await request("POST", "/v1/rights/sessions", { json: { email: state.email, code } });
    state.token = body.token;
    expiry.textContent = body.expires_at ? t(language, "rights.expires", { time: formatMoment(language, body.expires_at) }) : "";
    step3.hidden = false;
    await load();
    step3.focus();
  });

  async function load() {
    step3Error.hide();
    const { body } = await request("GET", "/v1/rights/records", { token: state.token });
    show(records(body));
  }

  function announce(text) {
    step3Status.hidden = false;
    step3Status.textContent = text;
  }

  function show(list) {
    clear(listArea);
    if (!list.length) {
      append(listArea, h("p", { "data-no-records": true, text: t(language, "rights.none") }));
      return;
    }
    append(listArea, 
      h("ul", { class: "records" }, list.map((record) => h("li", {}, recordCard(record)))),
      h("div", { class: "actions" }, h("button", { type: "button", class: "button danger", "data-delete-all": true, text: t(language, "rights.delete.all"), onclick: deleteAll })),
    );
  }

  function recordCard(record) {
    const form = forms[record.form];
    const id = record.submission_id;
    const titleId = `record-${id}-title`;
    const fields = record.fields || {};
    const consent = record.consent || {};
    const provisions = record.provisions || record.third_party_provisions || record.disclosures || [];
    const status = record.status ? t(language, `rights.status.${record.status}`) : "";
    const card = h(
      "article",
      { class: "record card", "data-record": id, "aria-labelledby": titleId },
      h("h3", {
        id: titleId,
        text: t(language, "rights.record", {
          form: form ? form.title : record.form,
          received: record.received_at ? formatMoment(language, record.received_at) : "",
        }),
      }),
      h(
        "dl",
        {},
        ordered(record.form, fields).map(([name, value]) => [
          h("dt", { text: itemLabel(record.form, name) }),
          h("dd", { "data-field": name, text: String(value) }),
        ]),
        status ? [h("dt", { text: t(language, "rights.status") }), h("dd", { "data-status": record.status, text: status.startsWith("rights.") ? record.status : status })] : null,
        record.relationship === "legal_representative"
          ? [h("dt", { text: t(language, "rights.relationship") }), h("dd", { text: t(language, "rights.relationship.child") })]
          : null,
        Array.isArray(record.purposes) && record.purposes.length
          ? [h("dt", { text: t(language, "receipt.purposes") }), h("dd", { text: record.purposes.map((p) => purposeText(record.form, p)).join(", ") })]
          : null,
        Array.isArray(record.items_dropped) && record.items_dropped.length
          ? [h("dt", { text: t(language, "receipt.dropped") }), h("dd", { text: record.items_dropped.map((n) => itemLabel(record.form, n)).join(", ") })]
          : null,
        record.retained_until
          ? [h("dt", { text: t(language, "rights.until") }), h("dd", { text: formatMoment(language, record.retained_until) })]
          : null,
        consent.policy_version
          ? [
              h("dt", { text: t(language, "rights.consent") }),
              h("dd", {}, [
                t(language, "rights.consent.value", {
                  version: consent.policy_version,
                  time: consent.consented_at ? formatMoment(language, consent.consented_at) : "",
                }),
                typeof consent.optional === "boolean"
                  ? ` · ${t(language, consent.optional ? "rights.consent.optional.yes" : "rights.consent.optional.no")}`
                  : "",
                consent.source_ip ? ` · ${t(language, "rights.consent.from", { ip: consent.source_ip })}` : "",
              ]),
            ]
          : null,
        h("dt", { text: t(language, "rights.provisions") }),
        h(
          "dd",
          {},
          provisions.length
            ? h("ul", {}, provisions.map((p) => h("li", { text: [p.recipient, p.legal_basis, p.provided_at].filter(Boolean).join(" · ") || JSON.stringify(p) })))
            : t(language, "rights.provisions.none"),
        ),
      ),
    );
    const actions = h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "button", "data-correct": id, text: t(language, "rights.correct"), onclick: () => correct(record, card, actions) }),
      h("button", { type: "button", class: "button danger", "data-delete": id, text: t(language, "rights.delete"), onclick: () => remove(record) }),
    );
    append(card, actions);
    return card;
  }

  function correct(record, card, actions) {
    const form = forms[record.form];
    // Only what the record holds can be corrected; the form's policy says how each item is checked.
    const items = form ? [...form.required_items, ...form.optional_items] : [];
    const editor = h(
      "form",
      { class: "correction", novalidate: true, "data-correction": record.submission_id },
      items
        .filter((item) => item.name in (record.fields || {}))
        .map((item) => {
          const id = `correct-${record.submission_id}-${item.name}`;
          return h(
            "div",
            { class: "field" },
            h("label", { for: id, text: item.label }),
            item.kind === "long_text"
              ? h("textarea", { id, name: item.name, rows: 4, maxlength: item.max_length }, String(record.fields[item.name]))
              : h("input", { id, name: item.name, type: item.kind === "email" ? "email" : "text", maxlength: item.max_length, value: String(record.fields[item.name]) }),
          );
        }),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "button primary", text: t(language, "rights.save") }),
        h("button", { type: "button", class: "button subtle", text: t(language, "rights.cancel"), onclick: () => { editor.remove(); actions.hidden = false; } }),
      ),
    );
    editor.addEventListener("submit", async (event) => {
      event.preventDefault();
      const changed = {};
      for (const element of editor.elements) {
        if (element.name && element.value.trim() !== String(record.fields[element.name])) changed[element.name] = element.value.trim();
      }
      try {
        await request("PATCH", `/v1/rights/records/${encodeURIComponent(record.submission_id)}`, {
          token: state.token,
          json: { fields: changed },
        });
        await load();
        announce(t(language, "rights.corrected"));
      } catch (error) {
        step3Error.failed(error);
      }
    });
    actions.hidden = true;
    append(card, editor);
    editor.querySelector("input, textarea").focus();
  }

  async function remove(record) {
    if (!window.confirm(t(language, "rights.confirm.delete"))) return;
    try {
      await request("DELETE", `/v1/rights/records/${encodeURIComponent(record.submission_id)}`, { token: state.token });
      await load();
      announce(t(language, "rights.deleted"));
    } catch (error) {
      step3Error.failed(error);
    }
  }

  async function deleteAll() {
    if (!window.confirm(t(language, "rights.confirm.delete.all"))) return;
    try {
      await request("DELETE", "/v1/rights/records", { token: state.token });
      await load();
      announce(t(language, "rights.deleted.all"));
    } catch (error) {
      step3Error.failed(error);
    }
  }

  append(main, 
    h("h1", { text: t(language, "rights.title") }),
    guardianSection(language),
    h("p", { class: "lead", text: t(language, "rights.lead") }),
    h("section", { id: "step-request", "aria-labelledby": "step-request-title" }, h("h2", { id: "step-request-title", text: t(language, "rights.step1") }), requestForm),
    step2,
    step3,
    // §7: a cookie consent holds no name or address, so it needs no verification: withdrawing it in the
    // cookie settings deletes every visit recorded under it at once.
    h(
      "section",
      { id: "cookie-withdrawal", "aria-labelledby": "cookie-withdrawal-title" },
      h("h2", { id: "cookie-withdrawal-title", text: t(language, "rights.cookies.title") }),
      h("p", { text: t(language, "rights.cookies.text") }),
      h("p", {}, h("button", { type: "button", class: "button", "data-cookie-settings": true, text: t(language, "rights.cookies.open") })),
    ),
    h(
      "p",
      { class: "hint" },
      t(language, "rights.other"),
      " ",
      contacts.map((c, i) => [i ? ", " : "", h("a", { href: `mailto:${c.email}`, text: c.email })]),
    ),
  );
}

/**
 * A legal representative's consent for a child under 14 (PIPA art. 22-2): the mail links here with
 * ?confirm=<submission number>; the representative enters the code from the same mail.
 */
function guardianSection(language) {
  const submission = new URLSearchParams(location.search).get("confirm");
  if (!submission) return null;
  const error = alertArea(language);
  const result = h("div", { role: "status", "data-guardian-result": true });
  const form = h(
    "form",
    { id: "guardian-confirmation", novalidate: true },
    h("p", { text: t(language, "guardian.lead") }),
    error.element,
    h(
      "div",
      { class: "field" },
      h("label", { for: "guardian-submission", text: t(language, "guardian.submission") }),
      h("input", { id: "guardian-submission", name: "submission_id", value: submission, maxlength: 64, autocomplete: "off" }),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "guardian-code", text: t(language, "guardian.code") }),
      h("input", { id: "guardian-code", name: "code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6 }),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary", text: t(language, "guardian.confirm") })),
  );
  whenSubmitted(form, error, async () => {
    const code = checked(form.code, CODE, error, t(language, "rights.code"));
    if (code === null) return;
    const { body } = await request("POST", "/v1/rights/guardian-confirmations", {
      json: { submission_id: form.submission_id.value.trim(), code },
    });
    form.remove();
    result.className = "alert success";
    result.textContent = t(language, "guardian.done", { until: formatMoment(language, body.retained_until, { time: false }) });
  });
  return h(
    "section",
    { id: "guardian", class: "card", "aria-labelledby": "guardian-title" },
    h("h2", { id: "guardian-title", text: t(language, "guardian.title") }),
    form,
    result,
  );
}

startPage({ title: "rights.title", active: "rights", render });
