// The auditor's screens: the ledger chains with their verification, the reconciliation of everything
// collected, and the monthly destruction report (printable). They show ids, hashes, times and counts:
// the API gives auditors no personal information, and the console drops the one item of a member of
// staff's that the chains hold (the source address of an access).

import { append, badge, button, facts, field, h, loadInto, select, seoulMonth, table, withQuery } from "../ui.js";
import { ledgerPage } from "./ledger-data.js";

const KINDS = ["access", "destruction", "consent", "disclosure", "access_rights", "legal_hold", "rights_request", "incident"];
// Payload items a screen never shows: where a member of staff worked from is theirs, not the audit's.
const HIDDEN = new Set(["source_ip", "source_ips"]);

function hash(value) {
  return value ? h("code", { class: "hash", title: value, text: String(value).slice(0, 12) + "…" }) : "—";
}

function payloadText(payload) {
  return Object.keys(payload)
    .filter((key) => !HIDDEN.has(key))
    .sort()
    .map((key) => {
      const value = payload[key];
      const text = value === null || value === undefined
        ? "—"
        : Array.isArray(value)
        ? value.length > 3
          ? `${value.length} × [${value.slice(0, 3).join(", ")}, …]`
          : `[${value.join(", ")}]`
        : value !== null && typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
      return h("span", { class: "kv" }, h("span", { class: "k", text: key }), " ", text);
    });
}

function verification(ctx) {
  const where = h("div", { id: "verification" });
  const run = () =>
    loadInto(ctx, where, () => ctx.api("GET", "/v1/staff/ledger/verify"), ({ body }) =>
      h(
        "div",
        { "data-verified": String(body.verified) },
        h("p", {
          class: `alert ${body.verified ? "success" : "error"}`,
          role: "status",
          text: ctx.t(body.verified ? "ledger.verified" : "ledger.broken", { chains: body.chains.length }),
        }),
        table(
          ctx.t("ledger.chains"),
          [ctx.t("ledger.kind"), ctx.t("ledger.entries"), ctx.t("ledger.head"), ctx.t("ledger.verdict")],
          body.chains.map((chain) => [
            ctx.t(`chain.${chain.kind}`),
            String(chain.entries),
            hash(chain.head_hash),
            chain.verified
              ? badge(ctx.t("ledger.chain_ok"), "ok")
              : badge(ctx.t("ledger.chain_broken", { seq: chain.first_break.seq, problem: chain.first_break.problem }), "danger"),
          ]),
        ),
      ),
    );
  return {
    element: h(
      "section",
      { "aria-labelledby": "verify-title" },
      h("h2", { id: "verify-title", text: ctx.t("ledger.verify.title") }),
      where,
      h("div", { class: "actions" }, button(ctx.t("ledger.verify.again"), () => run())),
    ),
    run,
  };
}

function chainViewer(ctx) {
  const kind = select("kind", KINDS.map((k) => [k, ctx.t(`chain.${k}`)]), "access");
  kind.id = "chain-kind";
  const where = h("div", { id: "chain" });
  let rows = [];
  let cursor = 0;
  const more = button(ctx.t("ledger.more"), () => load(false));
  const render = () =>
    rows.length
      ? table(
          ctx.t("ledger.entries.caption", { kind: ctx.t(`chain.${kind.value}`) }),
          [ctx.t("ledger.seq"), ctx.t("ledger.at"), ctx.t("ledger.payload"), ctx.t("ledger.hash"), ctx.t("ledger.prev")],
          rows.map((e) => [String(e.seq), ctx.moment(e.at), h("div", { class: "payload" }, payloadText(e.payload)), hash(e.hash), hash(e.prev_hash)]),
        )
      : h("p", { text: ctx.t("ledger.empty") });
  const load = async (fresh) => {
    if (fresh) {
      rows = [];
      cursor = 0;
    }
    await loadInto(ctx, where, () => ledgerPage(ctx, kind.value, cursor, 100), (body) => {
      rows = rows.concat(body.items);
      more.hidden = body.next_cursor === null || body.next_cursor === undefined;
      if (!more.hidden) cursor = body.next_cursor;
      return render();
    });
  };
  kind.addEventListener("change", () => load(true));
  return {
    element: h(
      "section",
      { "aria-labelledby": "chain-title" },
      h("h2", { id: "chain-title", text: ctx.t("ledger.chain.title") }),
      field(ctx.t("ledger.kind"), kind),
      where,
      h("div", { class: "actions" }, more),
    ),
    load: () => load(true),
  };
}

export async function ledger(ctx, root) {
  append(root, [h("h1", { text: ctx.t("screen.ledger") }), h("p", { class: "lead", text: ctx.t("ledger.lead") })]);
  const work = [];
  if (ctx.me.routes.includes("GET /v1/staff/ledger/verify")) {
    const verify = verification(ctx);
    append(root, verify.element);
    work.push(verify.run());
  }
  const chains = chainViewer(ctx);
  append(root, chains.element);
  work.push(chains.load());
  await Promise.all(work);
}

/** One item of the API's answer, marked with its name: the browser test holds the screen to the schema. */
function shown(name, content) {
  return h("span", { "data-field": name }, content);
}

function idTable(ctx, name, ids) {
  return ids.length
    ? h("div", { "data-field": name }, table(ctx.t(`recon.${name}.caption`), [ctx.t("recon.submission")], ids.map((id) => [h("code", { text: id })])))
    : null;
}

export async function reconciliation(ctx, root) {
  const where = h("div", { id: "reconciliation" });
  append(root, [h("h1", { text: ctx.t("screen.reconciliation") }), h("p", { class: "lead", text: ctx.t("recon.lead") }), where]);
  await loadInto(ctx, where, () => ctx.api("GET", "/v1/staff/evidence/reconciliation"), ({ body }) => {
    const unaccounted = body.unaccounted || [];
    const orphans = body.without_consent_entry || [];
    const problems = [
      unaccounted.length ? ctx.t("recon.unaccounted", { count: unaccounted.length }) : null,
      orphans.length ? ctx.t("recon.without_consent", { count: orphans.length }) : null,
    ].filter(Boolean);
    const head = (name) =>
      shown(name, body[name] ? [ctx.t("recon.seq", { seq: body[name].seq }), " · ", hash(body[name].hash)] : ctx.t("recon.no_head"));
    return h(
      "div",
      { "data-unaccounted": String(unaccounted.length), "data-without-consent-entry": String(orphans.length) },
      h("p", {
        class: `alert ${problems.length ? "error" : "success"}`,
        role: "status",
        text: problems.length ? problems.join(" · ") : ctx.t("recon.adds_up"),
      }),
      body.unsealed ? h("p", { class: "alert info", text: ctx.t("recon.unsealed.note", { count: body.unsealed }) }) : null,
      facts([
        [ctx.t("recon.collected"), shown("collected", String(body.collected))],
        [ctx.t("recon.live"), shown("live", String(body.live))],
        [ctx.t("recon.held"), shown("held", String(body.held))],
        [ctx.t("recon.destroyed"), shown("destroyed", String(body.destroyed))],
        [ctx.t("recon.unaccounted.count"), shown("unaccounted.count", String(unaccounted.length))],
        [ctx.t("recon.unsealed"), shown("unsealed", String(body.unsealed))],
        [ctx.t("recon.without_consent_entry.count"), shown("without_consent_entry.count", String(orphans.length))],
        [ctx.t("recon.consent_head"), head("consent_head")],
        [ctx.t("recon.destruction_head"), head("destruction_head")],
      ]),
      idTable(ctx, "unaccounted", unaccounted),
      idTable(ctx, "without_consent_entry", orphans),
    );
  });
}

function destructionRows(body) {
  if (Array.isArray(body)) return body;
  for (const name of ["destructions", "items", "entries"]) if (Array.isArray(body[name])) return body[name];
  return [];
}

export async function destructions(ctx, root) {
  const month = h("input", { id: "report-month", name: "month", type: "month", value: seoulMonth(), required: true });
  const where = h("div", { id: "destructions" });
  const reload = () =>
    loadInto(ctx, where, () => ctx.api("GET", withQuery("/v1/staff/evidence/destructions", { month: month.value })), ({ body }) => {
      const rows = destructionRows(body);
      // The destruction chain's head when the report was made: the report can be checked against it later.
      const anchor = body.chain_head || null;
      const byPath = Object.entries(body.by_path || {});
      return h(
        "div",
        { class: "report" },
        h("h2", { text: ctx.t("report.title", { month: body.month || month.value }) }),
        h("p", { text: ctx.t("report.count", { count: rows.length }) }),
        facts([
          [ctx.t("report.chain_head"), anchor ? [ctx.t("recon.seq", { seq: anchor.seq }), " · ", hash(anchor.hash)] : ctx.t("recon.no_head")],
          byPath.length ? [ctx.t("report.by_path"), byPath.map(([path, n]) => `${ctx.t(`path.${path}`)} ${n}`).join(" · ")] : null,
        ]),
        rows.length
          ? table(
              ctx.t("report.caption"),
              [ctx.t("report.submission"), ctx.t("report.form"), ctx.t("report.reason"), ctx.t("report.path"), ctx.t("report.due"), ctx.t("report.destroyed"), ctx.t("report.backups"), ctx.t("report.ledger")],
              rows.map((r) => [
                h("code", { text: r.submission_id }),
                r.form || "—",
                r.reason ? ctx.t(`reason.${r.reason}`) : "—",
                r.path ? ctx.t(`path.${r.path}`) : "—",
                ctx.moment(r.due_at),
                ctx.moment(r.destroyed_at),
                [ctx.t("report.key_deleted", { at: ctx.moment(r.key_deleted_at || r.backups_unreadable_at || r.destroyed_at) }),
                  r.last_backup_expires_at ? [h("br"), ctx.t("report.backup_expires", { at: ctx.moment(r.last_backup_expires_at) })] : null],
                r.ledger_seq !== undefined ? [ctx.t("recon.seq", { seq: r.ledger_seq }), " · ", hash(r.ledger_hash)] : "—",
              ]),
            )
          : h("p", { text: ctx.t("report.none") }),
      );
    });
  const form = h(
    "form",
    { class: "inline-form no-print" },
    field(ctx.t("review.month"), month),
    button(ctx.t("review.show"), null, { type: "submit" }),
    button(ctx.t("report.print"), () => window.print()),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    reload();
  });
  append(root, [h("h1", { text: ctx.t("screen.destructions") }), h("p", { class: "lead no-print", text: ctx.t("report.lead") }), form, where]);
  await reload();
}
