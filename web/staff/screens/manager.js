// The PI manager's screens: rights requests by due date, legal holds, third-party provisions,
// access rights, incidents with the 72-hour clock, and the monthly access review.

import {
  append,
  badge,
  button,
  cardForm,
  clear,
  errorText,
  facts,
  field,
  h,
  loadInto,
  messageArea,
  onSubmit,
  select,
  seoulMonth,
  table,
  withQuery,
} from "../ui.js";
import { ledgerEntries } from "./ledger-data.js";

const ROLES = ["pi_manager", "staff", "auditor"];
const CHANNELS = ["writing", "phone", "email"];
const KINDS = ["access", "rectification", "erasure"];
const IDENTITY_CHECKS = ["id_document", "registered_email", "phone_callback", "representative_document"];
const REFUSAL_BASES = ["identity_not_verified", "no_records", "required_by_law", "harm_to_others"];
const LEGAL_BASES = ["consent", "law_enforcement"];
const INCIDENT_CATEGORIES = ["loss", "theft", "leak", "falsification", "damage"];

function options(ctx, prefix, values) {
  return values.map((value) => [value, ctx.t(`${prefix}.${value}`)]);
}

function ids(text) {
  return String(text || "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A datetime-local value (Seoul wall time) as RFC 3339 with the Seoul offset. */
function seoulTime(value) {
  return value ? `${value.length === 16 ? value + ":00" : value}+09:00` : undefined;
}

function heading(ctx, key, leadKey) {
  return [h("h1", { text: ctx.t(key) }), leadKey ? h("p", { class: "lead", text: ctx.t(leadKey) }) : null];
}

function short(id) {
  return h("code", { title: id, text: String(id).slice(0, 8) });
}

// --- Rights requests -----------------------------------------------------------------------------

function completionForm(ctx, request, done) {
  const messages = messageArea();
  const outcome = select("outcome", options(ctx, "outcome", ["fulfilled", "refused"]), "fulfilled");
  const basis = select("refusal_basis", [["", "—"], ...options(ctx, "refusal", REFUSAL_BASES)], "");
  const corrections = h("div", { class: "corrections" });
  const addCorrection = () => {
    const row = h(
      "div",
      { class: "correction-row" },
      field(ctx.t("rr.correction.record"), select("c_record", request.submission_ids.map((id) => [id, id]))),
      field(ctx.t("rr.correction.item"), h("input", { name: "c_item", maxlength: 64 })),
      field(ctx.t("rr.correction.value"), h("input", { name: "c_value", maxlength: 1000 })),
    );
    append(corrections, row);
  };
  const form = h(
    "form",
    { class: "card", "aria-label": ctx.t("rr.complete.title", { id: request.request_id.slice(0, 8) }) },
    h("h3", { text: ctx.t("rr.complete.title", { id: request.request_id.slice(0, 8) }) }),
    messages.element,
    field(ctx.t("rr.outcome"), outcome),
    field(ctx.t("rr.refusal_basis"), basis, ctx.t("rr.refusal_basis.hint")),
    request.kind === "rectification" && request.submission_ids.length
      ? h(
          "fieldset",
          {},
          h("legend", { text: ctx.t("rr.corrections") }),
          corrections,
          button(ctx.t("rr.correction.add"), addCorrection),
        )
      : null,
    h("div", { class: "actions" }, button(ctx.t("rr.complete"), null, { kind: "primary", type: "submit" })),
  );
  if (request.kind === "rectification" && request.submission_ids.length) addCorrection();
  return onSubmit(ctx, form, messages, async (data) => {
    const body = { outcome: data.get("outcome") };
    if (body.outcome === "refused") body.refusal_basis = data.get("refusal_basis") || undefined;
    const records = data.getAll("c_record");
    const items = data.getAll("c_item");
    const values = data.getAll("c_value");
    const changes = {};
    records.forEach((record, i) => {
      const item = String(items[i] || "").trim();
      if (!item) return;
      changes[record] = { ...(changes[record] || {}), [item]: values[i] === "" ? null : values[i] };
    });
    if (body.outcome === "fulfilled" && Object.keys(changes).length) body.corrections = changes;
    await ctx.api("POST", `/v1/staff/rights-requests/${encodeURIComponent(request.request_id)}/complete`, { json: body });
    done(ctx.t("rr.completed"));
  });
}

function rightsRequestTable(ctx, requests, onComplete) {
  // Overdue first, then the nearest due date: the order in which they must be answered.
  const sorted = [...requests].sort((a, b) => (b.overdue - a.overdue) || a.days_left - b.days_left);
  return table(
    ctx.t("rr.list.caption"),
    [ctx.t("rr.id"), ctx.t("rr.kind"), ctx.t("rr.channel"), ctx.t("rr.received"), ctx.t("rr.due"), ctx.t("rr.records"), ctx.t("rr.status"), ctx.t("actions")],
    sorted.map((r) => [
      short(r.request_id),
      ctx.t(`kind.${r.kind}`),
      ctx.t(`channel.${r.channel}`),
      ctx.moment(r.received_at),
      [
        r.due_on,
        " ",
        r.status === "open"
          ? r.overdue
            ? badge(ctx.t("rr.overdue", { days: -r.days_left }), "danger")
            : badge(ctx.t("rr.days_left", { days: r.days_left }), r.days_left <= 2 ? "warn" : "")
          : null,
      ],
      String(r.submission_ids.length),
      r.status === "open"
        ? ctx.t("rr.status.open")
        : [ctx.t(`outcome.${r.outcome}`), r.refusal_basis ? ` (${ctx.t(`refusal.${r.refusal_basis}`)})` : "", " · ", ctx.moment(r.completed_at)],
      r.status === "open" ? button(ctx.t("rr.complete"), () => onComplete(r), { attrs: { "aria-label": ctx.t("rr.complete.title", { id: r.request_id.slice(0, 8) }) } }) : "",
    ]),
  );
}

function newRightsRequestForm(ctx, done) {
  const messages = messageArea();
  const form = cardForm(
    { title: ctx.t("rr.new.title"), lead: ctx.t("rr.new.lead"), messages, submit: ctx.t("rr.new.submit") },
    field(ctx.t("rr.channel"), select("channel", options(ctx, "channel", CHANNELS))),
    field(ctx.t("rr.kind"), select("kind", options(ctx, "kind", KINDS))),
    field(ctx.t("rr.identity"), select("identity_verification", options(ctx, "identity", IDENTITY_CHECKS))),
    field(ctx.t("rr.email"), h("input", { name: "email", type: "email", autocomplete: "off", maxlength: 254 }), ctx.t("rr.email.hint")),
    field(ctx.t("rr.received_at"), h("input", { name: "received_at", type: "datetime-local" }), ctx.t("rr.received_at.hint")),
  );
  return onSubmit(ctx, form, messages, async (data) => {
    const json = {
      channel: data.get("channel"),
      kind: data.get("kind"),
      identity_verification: data.get("identity_verification"),
      email: String(data.get("email") || "").trim(),
      received_at: seoulTime(String(data.get("received_at") || "")),
    };
    const { body } = await ctx.api("POST", "/v1/staff/rights-requests", { json });
    form.reset();
    done(ctx.t("rr.new.done", { id: body.request_id.slice(0, 8), due: body.due_on }));
  });
}

export async function rightsRequests(ctx, root) {
  const messages = messageArea();
  const status = select("status", options(ctx, "rr.status", ["open", "completed"]), "open");
  const list = h("div", { id: "rights-requests" });
  const completion = h("div");
  const reload = () =>
    loadInto(
      ctx,
      list,
      () => ctx.api("GET", withQuery("/v1/staff/rights-requests", { status: status.value })),
      ({ body }) =>
        body.requests.length
          ? rightsRequestTable(ctx, body.requests, (r) => {
              append(clear(completion), [
                completionForm(ctx, r, (text) => {
                  clear(completion);
                  messages.show("success", text);
                  reload();
                }),
              ]);
              completion.querySelector("select").focus();
            })
          : h("p", { text: ctx.t("rr.none") }),
    );
  status.addEventListener("change", reload);
  append(root, [
    heading(ctx, "screen.rights-requests", "rr.lead"),
    messages.element,
    field(ctx.t("rr.show"), status),
    list,
    completion,
    newRightsRequestForm(ctx, (text) => {
      messages.show("success", text);
      reload();
    }),
  ]);
  await reload();
}

// --- Legal holds ---------------------------------------------------------------------------------

/** Holds as the legal_hold ledger chain tells them: placed, and released or not. */
function holdsOf(entries) {
  const holds = new Map();
  for (const entry of entries) {
    const p = entry.payload;
    const hold = holds.get(p.hold_id) || { hold_id: p.hold_id, case_reference: p.case_reference, submission_ids: [] };
    if (p.event === "placed") Object.assign(hold, { placed_at: entry.at, submission_ids: p.submission_ids || [] });
    if (p.event === "released") hold.released_at = entry.at;
    holds.set(p.hold_id, hold);
  }
  return [...holds.values()].reverse();
}

export async function legalHolds(ctx, root) {
  const messages = messageArea();
  const list = h("div", { id: "legal-holds" });
  const reload = () =>
    loadInto(ctx, list, () => ledgerEntries(ctx, "legal_hold"), (entries) => {
      const holds = holdsOf(entries);
      if (!holds.length) return h("p", { text: ctx.t("holds.none") });
      return table(
        ctx.t("holds.caption"),
        [ctx.t("holds.case"), ctx.t("holds.id"), ctx.t("holds.records"), ctx.t("holds.placed"), ctx.t("holds.status"), ctx.t("actions")],
        holds.map((hold) => [
          hold.case_reference,
          short(hold.hold_id),
          String(hold.submission_ids.length),
          ctx.moment(hold.placed_at),
          hold.released_at ? [ctx.t("holds.released"), " · ", ctx.moment(hold.released_at)] : badge(ctx.t("holds.active"), "warn"),
          hold.released_at
            ? ""
            : button(ctx.t("holds.release"), async () => {
                if (!window.confirm(ctx.t("holds.release.confirm", { case: hold.case_reference }))) return;
                try {
                  await ctx.api("DELETE", `/v1/staff/legal-holds/${encodeURIComponent(hold.hold_id)}`);
                  messages.show("success", ctx.t("holds.release.done", { case: hold.case_reference }));
                  reload();
                } catch (error) {
                  if (!error.signedOut) messages.show("error", errorText(ctx, error));
                }
              }, { kind: "danger", attrs: { "aria-label": ctx.t("holds.release.label", { case: hold.case_reference }) } }),
        ]),
      );
    });
  const formMessages = messageArea();
  const form = cardForm(
    { title: ctx.t("holds.new.title"), messages: formMessages, submit: ctx.t("holds.new.submit") },
    field(ctx.t("holds.new.ids"), h("textarea", { name: "submission_ids", rows: 3 }), ctx.t("holds.new.ids.hint")),
    field(ctx.t("holds.new.email"), h("input", { name: "email", type: "email", autocomplete: "off", maxlength: 254 }), ctx.t("holds.new.email.hint")),
    field(ctx.t("holds.case"), h("input", { name: "case_reference", maxlength: 100, required: true })),
    field(ctx.t("holds.new.reason"), h("textarea", { name: "reason", rows: 3, maxlength: 1000, required: true }), ctx.t("holds.new.reason.hint")),
  );
  onSubmit(ctx, form, formMessages, async (data) => {
    const email = String(data.get("email") || "").trim();
    const json = { case_reference: data.get("case_reference"), reason: data.get("reason") };
    if (email) json.email = email;
    else json.submission_ids = ids(data.get("submission_ids"));
    const { body } = await ctx.api("POST", "/v1/staff/legal-holds", { json });
    form.reset();
    messages.show("success", ctx.t("holds.new.done", { case: body.case_reference, count: body.submission_ids.length }));
    reload();
  });
  append(root, [heading(ctx, "screen.legal-holds", "holds.lead"), messages.element, list, form]);
  await reload();
}

// --- Third-party provisions ----------------------------------------------------------------------

export async function provisions(ctx, root) {
  const messages = messageArea();
  const list = h("div", { id: "provisions" });
  const handedOver = h("div");
  const reload = () =>
    loadInto(ctx, list, () => ledgerEntries(ctx, "disclosure"), (entries) => {
      const provided = entries.filter((e) => e.payload.event === "provided").reverse();
      if (!provided.length) return h("p", { text: ctx.t("prov.none") });
      return table(
        ctx.t("prov.caption"),
        [ctx.t("prov.id"), ctx.t("prov.at"), ctx.t("prov.basis"), ctx.t("prov.records"), ctx.t("prov.items")],
        provided.map((e) => [
          short(e.payload.disclosure_id),
          ctx.moment(e.at),
          ctx.t(`basis.${e.payload.legal_basis}`),
          String((e.payload.submission_ids || []).length),
          (e.payload.items || []).join(", "),
        ]),
      );
    });
  const formMessages = messageArea();
  const basis = select("legal_basis", options(ctx, "basis", LEGAL_BASES), "consent");
  const consentPart = h(
    "div",
    { "data-basis": "consent" },
    field(ctx.t("prov.consent_reference"), h("input", { name: "consent_reference", maxlength: 800 }), ctx.t("prov.consent_reference.hint")),
  );
  const lawPart = h(
    "fieldset",
    { "data-basis": "law_enforcement", hidden: true },
    h("legend", { text: ctx.t("basis.law_enforcement") }),
    field(ctx.t("prov.agency"), h("input", { name: "agency", maxlength: 800 })),
    field(ctx.t("prov.legal_provision"), h("input", { name: "legal_provision", maxlength: 800 })),
    field(ctx.t("prov.case_number"), h("input", { name: "case_number", maxlength: 400 })),
  );
  basis.addEventListener("change", () => {
    consentPart.hidden = basis.value !== "consent";
    lawPart.hidden = basis.value !== "law_enforcement";
  });
  const form = cardForm(
    { title: ctx.t("prov.new.title"), lead: ctx.t("prov.new.lead"), messages: formMessages, submit: ctx.t("prov.new.submit") },
    field(ctx.t("prov.new.ids"), h("textarea", { name: "submission_ids", rows: 3 }), ctx.t("holds.new.ids.hint")),
    field(ctx.t("prov.recipient"), h("input", { name: "recipient_name", maxlength: 800 })),
    field(ctx.t("prov.recipient_email"), h("input", { name: "recipient_email", type: "email", maxlength: 254 }), ctx.t("prov.recipient_email.hint")),
    field(ctx.t("prov.items"), h("input", { name: "items", maxlength: 400 }), ctx.t("prov.items.hint")),
    field(ctx.t("prov.basis"), basis),
    consentPart,
    lawPart,
  );
  onSubmit(ctx, form, formMessages, async (data) => {
    const json = {
      submission_ids: ids(data.get("submission_ids")),
      recipient: { name: data.get("recipient_name"), email: data.get("recipient_email") },
      items: ids(data.get("items")),
      legal_basis: data.get("legal_basis"),
    };
    if (json.legal_basis === "consent") json.consent_reference = data.get("consent_reference") || undefined;
    else json.law_enforcement = { agency: data.get("agency"), legal_provision: data.get("legal_provision"), case_number: data.get("case_number") };
    const { body } = await ctx.api("POST", "/v1/staff/disclosures", { json });
    form.reset();
    consentPart.hidden = false;
    lawPart.hidden = true;
    messages.show("success", ctx.t("prov.new.done", { count: body.records.length }));
    // What was handed over, once, for the hand-over itself; it is not kept by the console.
    append(clear(handedOver), [
      h("h2", { text: ctx.t("prov.handed_over") }),
      table(
        null,
        [ctx.t("prov.record"), ctx.t("prov.items")],
        body.records.map((r) => [r.submission_id, Object.entries(r.items).map(([k, v]) => `${k}: ${v}`).join(" · ")]),
      ),
    ]);
    reload();
  });
  append(root, [heading(ctx, "screen.provisions", "prov.lead"), messages.element, handedOver, list, form]);
  await reload();
}

// --- Access rights -------------------------------------------------------------------------------

export async function accessRights(ctx, root) {
  const messages = messageArea();
  const list = h("div", { id: "access-rights" });
  const editor = h("div");
  const edit = (user) => {
    const formMessages = messageArea();
    const form = cardForm(
      {
        title: ctx.t("rights.edit.title", { username: user.username }),
        messages: formMessages,
        submit: ctx.t("rights.save"),
        more: [button(ctx.t("cancel"), () => clear(editor), { kind: "subtle" })],
      },
      h(
        "fieldset",
        {},
        h("legend", { text: ctx.t("rights.groups") }),
        ROLES.map((role) =>
          h(
            "div",
            { class: "check" },
            h("input", { type: "checkbox", id: `group-${role}`, name: "groups", value: role, checked: user.groups.includes(role) }),
            h("label", { for: `group-${role}`, text: ctx.t(`role.${role}`) }),
          ),
        ),
      ),
      field(ctx.t("rights.reference"), h("input", { name: "reference", maxlength: 64, required: true }), ctx.t("rights.reference.hint")),
    );
    onSubmit(ctx, form, formMessages, async (data) => {
      const json = { groups: data.getAll("groups"), reference: String(data.get("reference") || "").trim() };
      await ctx.api("PUT", `/v1/staff/users/${encodeURIComponent(user.username)}/groups`, { json });
      clear(editor);
      messages.show("success", ctx.t("rights.saved", { username: user.username }));
      reload();
    });
    append(clear(editor), [form]);
    form.querySelector("input").focus();
  };
  const reload = () =>
    loadInto(ctx, list, () => ctx.api("GET", "/v1/staff/users"), ({ body }) =>
      table(
        ctx.t("rights.caption"),
        [ctx.t("rights.username"), ctx.t("rights.groups"), ctx.t("rights.enabled"), ctx.t("actions")],
        body.items.map((user) => [
          user.username,
          user.groups.map((g) => ctx.t(`role.${g}`)).join(", ") || "—",
          user.enabled ? ctx.t("yes") : ctx.t("no"),
          user.user_id === ctx.me.user_id
            ? h("span", { class: "hint", text: ctx.t("rights.self") })
            : button(ctx.t("rights.edit"), () => edit(user), { attrs: { "aria-label": ctx.t("rights.edit.title", { username: user.username }) } }),
        ]),
      ),
    );
  append(root, [heading(ctx, "screen.access-rights", "rights.lead"), messages.element, list, editor]);
  await reload();
}

// --- Incidents -----------------------------------------------------------------------------------

function clockOf(ctx, clock) {
  if (clock.notices_sent_at) {
    return badge(
      ctx.t(clock.notified_in_time ? "inc.notified_in_time" : "inc.notified_late", { at: ctx.moment(clock.notices_sent_at) }),
      clock.notified_in_time ? "ok" : "danger",
    );
  }
  if (clock.overdue) return badge(ctx.t("inc.overdue", { at: ctx.moment(clock.notify_by) }), "danger");
  return badge(ctx.t("inc.hours_left", { hours: Math.floor(clock.hours_remaining), at: ctx.moment(clock.notify_by) }), "warn");
}

async function incidentPage(ctx, root, incidentId) {
  const messages = messageArea();
  const where = h("div", { id: "incident" });
  const show = (incident) => {
    const unnotified = incident.subjects.filter((s) => !s.notified).length;
    return h(
      "div",
      {},
      h("p", { "data-clock": true }, clockOf(ctx, incident.clock)),
      facts([
        [ctx.t("inc.reference"), incident.reference],
        [ctx.t("inc.category"), ctx.t(`category.${incident.category}`)],
        [ctx.t("inc.discovered"), ctx.moment(incident.clock.discovered_at)],
        [ctx.t("inc.notify_by"), ctx.moment(incident.clock.notify_by)],
        [ctx.t("inc.opened"), ctx.moment(incident.opened_at)],
        [ctx.t("inc.involved"), String(incident.involved_submissions)],
        [ctx.t("inc.summary"), incident.summary],
        [ctx.t("inc.measures"), incident.measures],
      ]),
      h("h2", { text: ctx.t("inc.subjects") }),
      incident.subjects.length
        ? table(
            null,
            [ctx.t("inc.subject"), ctx.t("inc.records"), ctx.t("inc.notice")],
            incident.subjects.map((s) => [short(s.subject_ref), String(s.submission_ids.length), s.notified ? ctx.t("inc.sent") : ctx.t("inc.not_sent")]),
          )
        : h("p", { text: ctx.t("inc.no_subjects") }),
      incident.no_longer_held.length ? h("p", { class: "hint", text: ctx.t("inc.gone", { count: incident.no_longer_held.length }) }) : null,
      unnotified
        ? h(
            "div",
            { class: "actions" },
            button(ctx.t("inc.send", { count: unnotified }), async (event) => {
              if (!window.confirm(ctx.t("inc.send.confirm", { count: unnotified }))) return;
              event.target.disabled = true;
              try {
                const { body } = await ctx.api("POST", `/v1/staff/incidents/${encodeURIComponent(incidentId)}/notices`);
                messages.show("success", ctx.t("inc.send.done", { sent: body.sent }));
                append(clear(where), [show(body.incident)]);
              } catch (error) {
                event.target.disabled = false;
                if (!error.signedOut) messages.show("error", errorText(ctx, error));
              }
            }, { kind: "primary" }),
          )
        : null,
    );
  };
  append(root, [
    h("p", {}, h("a", { href: "#/incidents", text: ctx.t("inc.back") })),
    h("h1", { text: ctx.t("inc.title") }),
    messages.element,
    where,
  ]);
  await loadInto(ctx, where, () => ctx.api("GET", `/v1/staff/incidents/${encodeURIComponent(incidentId)}`), ({ body }) => show(body));
}

export async function incidents(ctx, root, params) {
  if (params[0]) return incidentPage(ctx, root, params[0]);
  const list = h("div", { id: "incidents" });
  const messages = messageArea();
  const reload = () =>
    loadInto(ctx, list, () => ledgerEntries(ctx, "incident"), (entries) => {
      const notified = new Set(entries.filter((e) => e.payload.event === "notified").map((e) => e.payload.incident_id));
      const opened = entries.filter((e) => e.payload.event === "opened").reverse();
      if (!opened.length) return h("p", { text: ctx.t("inc.none") });
      return table(
        ctx.t("inc.caption"),
        [ctx.t("inc.reference"), ctx.t("inc.category"), ctx.t("inc.discovered"), ctx.t("inc.notify_by"), ctx.t("inc.involved"), ctx.t("inc.notice")],
        opened.map((e) => [
          h("a", { href: `#/incidents/${encodeURIComponent(e.payload.incident_id)}`, text: e.payload.reference }),
          ctx.t(`category.${e.payload.category}`),
          ctx.moment(e.payload.discovered_at),
          ctx.moment(e.payload.notify_by),
          String(e.payload.involved_submissions),
          notified.has(e.payload.incident_id)
            ? ctx.t("inc.sent")
            : Date.parse(e.payload.notify_by) < Date.now()
              ? badge(ctx.t("inc.overdue", { at: ctx.moment(e.payload.notify_by) }), "danger")
              : badge(ctx.t("inc.due"), "warn"),
        ]),
      );
    });
  const formMessages = messageArea();
  const form = cardForm(
    { title: ctx.t("inc.new.title"), lead: ctx.t("inc.new.lead"), messages: formMessages, submit: ctx.t("inc.new.submit") },
    field(ctx.t("inc.category"), select("category", options(ctx, "category", INCIDENT_CATEGORIES))),
    field(ctx.t("inc.discovered"), h("input", { name: "discovered_at", type: "datetime-local", required: true }), ctx.t("inc.discovered.hint")),
    field(ctx.t("inc.reference"), h("input", { name: "reference", maxlength: 64, required: true })),
    field(ctx.t("inc.summary"), h("textarea", { name: "summary", rows: 3, maxlength: 2000, required: true }), ctx.t("inc.summary.hint")),
    field(ctx.t("inc.measures"), h("textarea", { name: "measures", rows: 3, maxlength: 2000, required: true })),
    field(ctx.t("inc.new.ids"), h("textarea", { name: "submission_ids", rows: 2 }), ctx.t("holds.new.ids.hint")),
    h(
      "fieldset",
      {},
      h("legend", { text: ctx.t("inc.suspect") }),
      field(ctx.t("inc.suspect.users"), h("input", { name: "staff_user_ids", maxlength: 1000 }), ctx.t("inc.suspect.users.hint")),
      field(ctx.t("inc.suspect.since"), h("input", { name: "since", type: "datetime-local" })),
      field(ctx.t("inc.suspect.until"), h("input", { name: "until", type: "datetime-local" })),
    ),
  );
  onSubmit(ctx, form, formMessages, async (data) => {
    const json = {
      category: data.get("category"),
      discovered_at: seoulTime(String(data.get("discovered_at") || "")),
      reference: data.get("reference"),
      summary: data.get("summary"),
      measures: data.get("measures"),
      submission_ids: ids(data.get("submission_ids")),
    };
    const suspects = ids(data.get("staff_user_ids"));
    if (suspects.length) {
      json.suspect_access = {
        staff_user_ids: suspects,
        since: seoulTime(String(data.get("since") || "")),
        until: seoulTime(String(data.get("until") || "")),
      };
    }
    const { body } = await ctx.api("POST", "/v1/staff/incidents", { json });
    ctx.navigate("incidents", body.incident_id);
  });
  append(root, [heading(ctx, "screen.incidents", "inc.lead"), messages.element, list, form]);
  await reload();
}

// --- Access review -------------------------------------------------------------------------------

export function accessReviewTable(ctx, body) {
  return h(
    "div",
    {},
    h("p", { text: ctx.t("review.summary", { entries: body.entries, start: ctx.moment(body.start), end: ctx.moment(body.end) }) }),
    body.flags.length
      ? h(
          "div",
          { class: "alert error", role: "note" },
          h("h2", { text: ctx.t("review.flags") }),
          h("ul", {}, body.flags.map((f) => h("li", {}, h("strong", { text: f.username }), ` — ${ctx.t(`flag.${f.flag}`)}: ${f.detail}`))),
        )
      : h("p", { class: "alert success", role: "note", text: ctx.t("review.no_flags") }),
    body.actors.length
      ? table(
          ctx.t("review.caption"),
          [
            ctx.t("review.member"),
            ctx.t("review.accesses"),
            ctx.t("review.records"),
            ctx.t("review.exports"),
            ctx.t("review.lookups"),
            ctx.t("review.after_hours"),
            ctx.t("review.sources"),
          ],
          body.actors.map((a) => [
            a.username,
            String(a.accesses),
            `${a.records} (${ctx.t("review.distinct", { count: a.distinct_submissions })})`,
            `${a.exports} (${ctx.t("review.exported", { count: a.exported_records })})`,
            String(a.lookups),
            String(a.after_hours),
            String(a.source_ips),
          ]),
        )
      : h("p", { text: ctx.t("review.none") }),
  );
}

export async function accessReview(ctx, root) {
  const month = h("input", { id: "review-month", name: "month", type: "month", value: seoulMonth(), required: true });
  const where = h("div", { id: "access-review" });
  const reload = () =>
    loadInto(ctx, where, () => ctx.api("GET", withQuery("/v1/staff/access-review", { month: month.value })), ({ body }) =>
      accessReviewTable(ctx, body),
    );
  const form = h(
    "form",
    { class: "inline-form" },
    field(ctx.t("review.month"), month),
    button(ctx.t("review.show"), null, { type: "submit" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    reload();
  });
  append(root, [heading(ctx, "screen.access-review", "review.lead"), form, where]);
  await reload();
}
