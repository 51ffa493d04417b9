// One of the three forms (§1.1), built from GET /v1/policy: its required and optional items apart,
// and two separate consents, each naming the items, the purposes and the retention.
// The checks here mirror the API's, so most mistakes are caught before anything is sent; whatever
// the API still refuses is shown with the API's own message.

import { ApiError, getPolicy, getResources, newIdempotencyKey, request } from "./api.js";
import { append, clear, h, prepend, replaceChildren } from "./dom.js";
import { formatMoment, t } from "./i18n.js";
import { pageLink, startPage } from "./layout.js";

const AUTOCOMPLETE = {
  name: "name",
  email: "email",
  contact: "tel",
  organization: "organization",
  company: "organization",
  job_grade: "organization-title",
  job: "organization-title",
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// Unicode "C" categories (control, format, unassigned, private use, surrogates), as the API refuses them.
const CONTROL = /\p{C}/u;

/** The first problem with one value, as the API would state it, or null. */
export function checkItem(language, item, raw, required) {
  const label = item.label;
  let value = raw.normalize("NFC").trim();
  if (item.kind === "long_text") value = value.replace(/\r\n?/g, "\n");
  if (!value) return required ? t(language, "check.required", { label }) : null;
  const controls = item.kind === "long_text" ? value.replace(/[\n\t]/g, "") : value;
  if (CONTROL.test(controls)) return t(language, "check.control", { label });
  // Counted as the API counts it: code points of the value as sent (the page sends it trimmed).
  if ([...raw.trim()].length > item.max_length) return t(language, "check.too_long", { label, max: item.max_length });
  if (item.kind === "email" && !EMAIL.test(value)) return t(language, "check.email", { label });
  if (item.kind === "phone") {
    const digits = value.replace(/\D/g, "");
    if (!/^\+?[\d\s().-]+$/.test(value) || digits.length < 8 || digits.length > 15) {
      return t(language, "check.phone", { label });
    }
  }
  if (item.kind === "identifier" && !IDENTIFIER.test(value)) return t(language, "check.identifier", { label });
  return null;
}

function input(language, item, required, controlName = item.name) {
  const id = `field-${controlName}`;
  const hintId = `${id}-error`;
  const common = {
    id,
    name: controlName,
    "aria-describedby": hintId,
    "aria-required": required ? "true" : null,
    autocomplete: controlName === item.name ? AUTOCOMPLETE[item.name] || "off" : "off",
  };
  let control;
  if (item.kind === "long_text") {
    control = h("textarea", { ...common, rows: 6, maxlength: item.max_length });
  } else if (item.name === "resource_id") {
    // The catalogue is the API's (GET /v1/resources): the form offers exactly what it can deliver.
    control = h("select", common, h("option", { value: "", text: t(language, "form.resource.choose") }));
    const select = control;
    getResources().then(
      (resources) =>
        append(select, resources.map((r) => h("option", { value: r.resource_id, text: r.title[language] || r.title.en }))),
      () => append(select, h("option", { value: "", disabled: true, text: t(language, "error.network") })),
    );
  } else {
    const type = { email: "email", phone: "tel" }[item.kind] || "text";
    control = h("input", { ...common, type, maxlength: item.max_length });
  }
  const mark = required
    ? h("span", { class: "mark required" }, h("span", { "aria-hidden": "true", text: "*" }), h("span", { class: "visually-hidden", text: ` (${t(language, "form.required.mark")})` }))
    : h("span", { class: "mark optional", text: ` (${t(language, "form.optional.mark")})` });
  return h(
    "div",
    { class: "field", "data-item": controlName },
    h("label", { for: id }, item.label, mark),
    control,
    h("p", { class: "field-error", id: hintId }),
  );
}

function consentBlock(language, form, kind, items) {
  const id = `consent-${kind}`;
  // PIPA art. 22: marketing has its own consent; the other consents name the other purposes.
  const purposes = form.purposes.filter((p) => Boolean(p.separate_consent) === (kind === "marketing"));
  const summaryId = `${id}-summary`;
  const retention = [t(language, "form.consent.retention.value", { months: form.retention_months })];
  if (form.cancellable_subscription) retention.push(t(language, "form.consent.retention.cancel"));
  return h(
    "fieldset",
    { class: `consent consent-${kind}`, "data-consent": kind },
    h("legend", { text: t(language, `form.consent.${kind}.legend`) }),
    h(
      "dl",
      { id: summaryId, class: "consent-summary" },
      h("dt", { text: t(language, "form.consent.items") }),
      h("dd", { "data-consent-items": true, text: items.map((i) => i.label).join(", ") }),
      h("dt", { text: t(language, "form.consent.purposes") }),
      h("dd", { "data-consent-purposes": true, text: purposes.map((p) => p.description).join(", ") }),
      h("dt", { text: t(language, "form.consent.retention") }),
      h("dd", { "data-consent-retention": true, text: retention.join("; ") }),
    ),
    h("p", { class: "hint", text: t(language, `form.consent.refuse.${kind}`) }),
    h(
      "div",
      { class: "check" },
      h("input", { type: "checkbox", id, name: `consent_${kind}`, "aria-describedby": `${summaryId} ${id}-error` }),
      h("label", { for: id, text: t(language, `form.consent.${kind}.label`) }),
    ),
    h("p", { class: "field-error", id: `${id}-error` }),
  );
}

function receiptView(language, form, receipt, { onAgain }) {
  const label = (name) => {
    const item = [...form.required_items, ...form.optional_items].find((i) => i.name === name);
    return item ? item.label : name;
  };
  const purposes = receipt.purposes.map((p) => (form.purposes.find((fp) => fp.purpose === p) || {}).description || p);
  const list = (names) => (names.length ? names.map(label).join(", ") : t(language, "receipt.none"));
  const titleId = "receipt-title";
  return h(
    "section",
    { class: "receipt card", "aria-labelledby": titleId, tabindex: "-1", "data-receipt": true },
    h("h2", { id: titleId, text: t(language, "receipt.title") }),
    h("p", { text: t(language, "receipt.lead") }),
    h(
      "dl",
      {},
      h("dt", { text: t(language, "receipt.id") }),
      h("dd", { "data-receipt-id": true }, h("code", { text: receipt.submission_id })),
      h("dt", { text: t(language, "receipt.received") }),
      h("dd", { text: formatMoment(language, receipt.received_at) }),
      h("dt", { text: t(language, "receipt.kept") }),
      h("dd", { "data-receipt-kept": true, text: list(receipt.items_collected) }),
      h("dt", { text: t(language, "receipt.dropped") }),
      h(
        "dd",
        { "data-receipt-dropped": true },
        list(receipt.items_dropped),
        receipt.items_dropped.length ? h("span", { class: "hint", text: ` — ${t(language, "receipt.dropped.why")}` }) : null,
      ),
      h("dt", { text: t(language, "receipt.purposes") }),
      h("dd", { text: purposes.join(", ") }),
      h("dt", { text: t(language, "receipt.until") }),
      h("dd", {
        "data-receipt-until": true,
        text: t(language, "receipt.until.value", { until: formatMoment(language, receipt.retained_until) }),
      }),
      h("dt", { text: t(language, "receipt.version") }),
      h("dd", { text: receipt.policy_version }),
    ),
    receipt.status === "pending_guardian"
      ? h("p", { class: "alert info", "data-receipt-guardian": true, text: t(language, "receipt.guardian") })
      : null,
    form.cancellable_subscription ? h("p", { text: t(language, "receipt.mail") }) : null,
    h(
      "p",
      {},
      ...t(language, "receipt.rights", { link: "\u0000" })
        .split("\u0000")
        .flatMap((part, index) =>
          index === 0
            ? [part]
            : [h("a", { href: pageLink(language, "rights.html"), text: t(language, "receipt.rights.link") }), part],
        ),
    ),
    h("button", { type: "button", class: "button", text: t(language, "receipt.again"), onclick: onAgain }),
  );
}

// §6 and PIPA art. 22-2: a child under 14 names a legal representative, who must consent before the
// child's information is used. The representative's details follow the same rules as the items.
const REPRESENTATIVE = [
  { name: "name", kind: "text", max_length: 100, required: true },
  { name: "email", kind: "email", max_length: 254, required: true },
  { name: "contact", kind: "phone", max_length: 32, required: false },
];

function representativeBlock(language) {
  const details = h(
    "div",
    { class: "representative", id: "representative-details", hidden: true },
    h("p", { class: "hint", text: t(language, "form.child.explain") }),
    REPRESENTATIVE.map((item) =>
      input(language, { ...item, label: t(language, `form.child.${item.name}`) }, item.required, `rep_${item.name}`),
    ),
  );
  const box = h("input", {
    type: "checkbox",
    id: "under-14",
    name: "under_14",
    "aria-controls": "representative-details",
    "aria-expanded": "false",
    onchange: (event) => {
      details.hidden = !event.target.checked;
      event.target.setAttribute("aria-expanded", String(event.target.checked));
    },
  });
  return h(
    "fieldset",
    { class: "items items-child" },
    h("legend", { text: t(language, "form.child.legend") }),
    h("div", { class: "check" }, box, h("label", { for: "under-14", text: t(language, "form.child.label") })),
    details,
  );
}

function renderForm({ language, policy, main, formId }) {
  const form = policy.forms.find((f) => f.form === formId);
  let lastBody = null;
  let idempotencyKey = null;

  const errorSummary = h("div", { class: "error-summary", tabindex: "-1", hidden: true });
  const fields = h(
    "form",
    { id: "pb-form", novalidate: true, "data-form": form.form },
    errorSummary,
    h("p", { class: "hint", text: t(language, "form.intro") }),
    h(
      "fieldset",
      { class: "items items-required" },
      h("legend", { text: t(language, "form.required.legend") }),
      form.required_items.map((item) => input(language, item, true)),
    ),
    h(
      "fieldset",
      { class: "items items-optional" },
      h("legend", { text: t(language, "form.optional.legend") }),
      form.optional_items.length
        ? form.optional_items.map((item) => input(language, item, false))
        : h("p", { class: "hint", text: t(language, "form.optional.none") }),
    ),
    representativeBlock(language),
    h(
      "section",
      { class: "consents", "aria-labelledby": "consent-heading" },
      h("h2", { id: "consent-heading", text: t(language, "form.consent.heading") }),
      consentBlock(language, form, "required", form.required_items),
      // §1.1: a separate consent for optional items, offered only where the form has any.
      form.optional_items.length ? consentBlock(language, form, "optional", form.optional_items) : null,
      form.marketing_consent
        ? consentBlock(language, form, "marketing", [...form.required_items, ...form.optional_items].filter((i) => !i.request))
        : null,
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary", text: t(language, "form.submit") })),
  );

  const fieldFor = (name) => fields.querySelector(`[name="${CSS.escape(name)}"]`);

  function clearErrors() {
    errorSummary.hidden = true;
    clear(errorSummary);
    for (const element of fields.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
    for (const element of fields.querySelectorAll(".field-error")) element.textContent = "";
  }

  /** problems: [{name, text}] — name is an input's name, or null for the form as a whole. */
  function showErrors(title, problems, extra = null) {
    clear(errorSummary);
    const list = h("ul");
    for (const problem of problems) {
      const control = problem.name ? fieldFor(problem.name) : null;
      if (control) {
        control.setAttribute("aria-invalid", "true");
        const slot = document.getElementById(`${control.id}-error`);
        if (slot) slot.textContent = problem.text;
        append(list, h("li", {}, h("a", { href: `#${control.id}`, text: problem.text })));
      } else {
        append(list, h("li", { text: problem.text }));
      }
    }
    append(errorSummary, h("h2", { text: title }), list);
    if (extra) append(errorSummary, extra);
    errorSummary.hidden = false;
    errorSummary.setAttribute("role", "alert");
    errorSummary.focus();
  }

  function clientProblems() {
    const problems = [];
    for (const [items, required] of [
      [form.required_items, true],
      [form.optional_items, false],
    ]) {
      for (const item of items) {
        const text = checkItem(language, item, fieldFor(item.name).value, required);
        if (text) problems.push({ name: item.name, text });
      }
    }
    if (fieldFor("under_14").checked) {
      for (const item of REPRESENTATIVE) {
        const label = t(language, `form.child.${item.name}`);
        const text = checkItem(language, { ...item, label }, fieldFor(`rep_${item.name}`).value, item.required);
        if (text) problems.push({ name: `rep_${item.name}`, text });
      }
    }
    if (!fieldFor("consent_required").checked) problems.push({ name: "consent_required", text: t(language, "check.consent") });
    return problems;
  }

  function body() {
    const values = {};
    for (const item of [...form.required_items, ...form.optional_items]) {
      const value = fieldFor(item.name).value.trim();
      if (value) values[item.name] = value;
    }
    const optional = fieldFor("consent_optional");
    const marketing = fieldFor("consent_marketing");
    const child = fieldFor("under_14").checked;
    const payload = {
      fields: values,
      consent: {
        required: fieldFor("consent_required").checked,
        optional: Boolean(optional && optional.checked),
        policy_version: policy.version,
      },
    };
    if (marketing) payload.consent.marketing = marketing.checked;
    if (child) {
      payload.consent.under_14 = true;
      payload.legal_representative = {};
      for (const item of REPRESENTATIVE) {
        const value = fieldFor(`rep_${item.name}`).value.trim();
        if (value) payload.legal_representative[item.name] = value;
      }
    }
    return payload;
  }

  function apiProblems(error) {
    // The API names fields as "fields.email", "consent.required", ...; map them to this form's inputs.
    return error.details.map((detail) => {
      const path = String(detail.field || "");
      const name = path.startsWith("fields.")
        ? path.slice(7)
        : path.startsWith("consent.")
          ? `consent_${path.slice(8)}`
          : path.startsWith("legal_representative.")
            ? `rep_${path.slice(21)}`
            : null;
      const item = [...form.required_items, ...form.optional_items].find((i) => i.name === name);
      const control = name && name !== "consent_policy_version" ? fieldFor(name) : null;
      return { name: control ? name : null, text: `${item ? item.label : path}: ${detail.problem}` };
    });
  }

  async function reloadPolicy() {
    const fresh = await getPolicy(language, { fresh: true });
    policy = fresh;
    clear(main);
    renderForm({ language, policy: fresh, main, formId });
    const notice = h("p", { class: "alert info", role: "status", text: t(language, "form.policy.reloaded") });
    prepend(main, notice);
  }

  fields.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const problems = clientProblems();
    if (problems.length) {
      showErrors(t(language, "form.errors.title"), problems);
      return;
    }
    const payload = body();
    const serialized = JSON.stringify(payload);
    if (serialized !== lastBody) {
      // A retry of the same body reuses its key, so a lost answer never stores twice.
      lastBody = serialized;
      idempotencyKey = newIdempotencyKey();
    }
    const button = fields.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = t(language, "form.sending");
    try {
      const { body: receipt } = await request("POST", `/v1/forms/${form.form}`, {
        json: payload,
        headers: { "Idempotency-Key": idempotencyKey },
      });
      lastBody = null;
      const view = receiptView(language, form, receipt, {
        onAgain: () => {
          clear(main);
          renderForm({ language, policy, main, formId });
          main.querySelector("input, select, textarea").focus();
        },
      });
      replaceChildren(main, h("h1", { text: form.title }), view);
      view.focus();
    } catch (error) {
      if (error instanceof ApiError && error.fromApi) {
        const problems = apiProblems(error);
        const extra =
          error.code === "policy_version_outdated"
            ? h("button", { type: "button", class: "button", text: t(language, "form.reload.policy"), onclick: reloadPolicy })
            : null;
        showErrors(t(language, "form.errors.title"), [{ name: null, text: `${t(language, "error.server")} ${error.message}` }, ...problems], extra);
      } else {
        showErrors(t(language, "form.errors.title"), [{ name: null, text: t(language, "error.network") }]);
      }
    } finally {
      button.disabled = false;
      button.textContent = t(language, "form.submit");
    }
  });

  append(main, h("h1", { text: form.title }), fields);
}

const formId = document.body.dataset.form;
startPage({
  active: formId,
  title: (policy) => (policy.forms.find((f) => f.form === formId) || { title: formId }).title,
  render: (context) => renderForm({ ...context, formId }),
});
