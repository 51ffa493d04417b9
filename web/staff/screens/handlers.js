// The PI handlers' screens: the inquiry inbox and an inquiry's page (the person's items, the reply,
// the handling state), the letter composer with the marketing audience's size, a preview and a
// confirmation, then the letter's delivery; and the resource catalogue. Personal information is read only
// for the purpose it was collected for (inquiry_response here), and only by id: the address bar holds the
// submission id, nothing else.

import { getPolicy } from "../../assets/api.js";
import { append, badge, button, cardForm, clear, errorText, facts, field, h, loadInto, messageArea, onSubmit, select, table, withQuery } from "../ui.js";

const HANDLING = ["open", "answered"];

function items(body) {
  if (Array.isArray(body)) return body;
  for (const name of ["items", "inquiries", "resources", "letters"]) if (body && Array.isArray(body[name])) return body[name];
  return [];
}

/** How long someone has waited (the API counts it: until the first answer, or until now). */
export function waited(ctx, seconds) {
  const minutes = Math.max(0, Math.floor(Number(seconds) / 60));
  if (!Number.isFinite(minutes)) return "—";
  if (minutes < 60) return ctx.t("wait.minutes", { minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return ctx.t("wait.hours", { hours });
  return ctx.t("wait.days", { days: Math.floor(hours / 24) });
}

function handlingBadge(ctx, handling) {
  const state = (handling && handling.state) || "open";
  const kind = state === "answered" ? "ok" : state === "in_progress" ? "" : "warn";
  return badge(ctx.t(`handling.${state}`), kind);
}

// --- Inquiry inbox -------------------------------------------------------------------------------

export async function inquiries(ctx, root, params) {
  if (params[0]) return inquiryPage(ctx, root, params[0]);
  const handling = select("handling", HANDLING.map((v) => [v, ctx.t(`handling.${v}`)]), "open");
  handling.id = "inbox-handling";
  const list = h("div", { id: "inbox" });
  const more = button(ctx.t("inbox.more"), () => load(false));
  let rows = [];
  let cursor = null;
  const render = () =>
    rows.length
      ? table(
          ctx.t("inbox.caption", { handling: ctx.t(`handling.${handling.value}`) }),
          [ctx.t("inbox.from"), ctx.t("inbox.organization"), ctx.t("inbox.received"), ctx.t("inbox.waiting"), ctx.t("inbox.handling")],
          rows.map((inquiry) => {
            const fields = inquiry.fields || {};
            return [
              h("a", { href: `#/inquiries/${encodeURIComponent(inquiry.submission_id)}`, text: fields.name || inquiry.submission_id }),
              fields.organization || "—",
              ctx.moment(inquiry.received_at),
              waited(ctx, inquiry.waiting_seconds),
              [handlingBadge(ctx, inquiry.handling), inquiry.handling.assignee ? ` · ${inquiry.handling.assignee}` : ""],
            ];
          }),
        )
      : h("p", { text: ctx.t("inbox.empty") });
  const load = async (fresh) => {
    if (fresh) {
      rows = [];
      cursor = null;
    }
    await loadInto(ctx, list, () => ctx.api("GET", withQuery("/v1/staff/inquiries", { handling: handling.value, cursor })), ({ body }) => {
      // Oldest first, as the API gives them: whoever has waited longest is answered first.
      rows = rows.concat(items(body));
      cursor = body.next_cursor || null;
      more.hidden = !cursor;
      return render();
    });
  };
  handling.addEventListener("change", () => load(true));
  append(root, [
    h("h1", { text: ctx.t("screen.inquiries") }),
    h("p", { class: "lead", text: ctx.t("inbox.lead") }),
    field(ctx.t("inbox.show"), handling),
    list,
    h("div", { class: "actions" }, more),
  ]);
  await load(true);
}

function itemLabel(policyForm, name) {
  const item = policyForm && [...policyForm.required_items, ...policyForm.optional_items].find((i) => i.name === name);
  return item ? item.label : name;
}

async function inquiryPage(ctx, root, submissionId) {
  const messages = messageArea();
  const where = h("div", { id: "inquiry" });
  append(root, [
    h("p", {}, h("a", { href: "#/inquiries", text: ctx.t("inquiry.back") })),
    h("h1", { text: ctx.t("inquiry.title") }),
    messages.element,
    where,
  ]);
  const path = `/v1/staff/inquiries/${encodeURIComponent(submissionId)}`;
  const policy = await getPolicy(ctx.language).catch(() => null);
  const form = policy ? policy.forms.find((f) => f.form === "contact-us") : null;
  const show = (inquiry) => {
    const fields = inquiry.fields || {};
    const replies = inquiry.replies || [];
    const answered = inquiry.handling.state === "answered";
    const replyMessages = messageArea();
    const replyBox = h("textarea", { id: "reply-body", name: "body", rows: 8, maxlength: 10000, required: true });
    const replyForm = cardForm(
      {
        title: ctx.t(answered ? "inquiry.reply.again" : "inquiry.reply"),
        labelledBy: "reply-title",
        messages: replyMessages,
        submit: ctx.t("inquiry.reply.send"),
      },
      field(ctx.t("inquiry.reply.body"), replyBox, ctx.t("inquiry.reply.hint")),
    );
    onSubmit(ctx, replyForm, replyMessages, async (data) => {
      const text = String(data.get("body") || "");
      if (!text.trim()) {
        replyMessages.show("error", ctx.t("inquiry.reply.empty"));
        return;
      }
      await ctx.api("POST", `${path}/replies`, { json: { body: text } });
      await reload();
      messages.show("success", ctx.t("inquiry.reply.sent"));
    });
    let handlingForm = null;
    if (!answered) {
      const handlingMessages = messageArea();
      const state = select("state", ["open", "in_progress"].map((v) => [v, ctx.t(`handling.${v}`)]), inquiry.handling.state);
      const assignee = h("input", { name: "assignee", maxlength: 128, value: inquiry.handling.assignee || ctx.me.username });
      handlingForm = cardForm(
        {
          title: ctx.t("inquiry.handling"),
          labelledBy: "handling-title",
          messages: handlingMessages,
          submit: ctx.t("inquiry.handling.save"),
          primary: false,
        },
        field(ctx.t("inquiry.handling.state"), state),
        field(ctx.t("inquiry.handling.assignee"), assignee, ctx.t("inquiry.handling.assignee.hint")),
      );
      onSubmit(ctx, handlingForm, handlingMessages, async (data) => {
        const who = String(data.get("assignee") || "").trim();
        await ctx.api("PATCH", path, { json: { state: data.get("state"), assignee: who || null } });
        await reload();
        messages.show("success", ctx.t("inquiry.handling.saved"));
      });
    }
    const order = form ? [...form.required_items, ...form.optional_items].map((i) => i.name) : Object.keys(fields);
    const names = [...order.filter((n) => n in fields), ...Object.keys(fields).filter((n) => !order.includes(n))];
    return h(
      "div",
      {},
      h(
        "p",
        { "data-handling": inquiry.handling.state },
        handlingBadge(ctx, inquiry.handling),
        " ",
        ctx.t(answered ? "inquiry.answered_after" : "inquiry.waited", { time: waited(ctx, inquiry.waiting_seconds) }),
        inquiry.handling.assignee ? ` · ${ctx.t("inquiry.handling.assignee")}: ${inquiry.handling.assignee}` : "",
      ),
      h(
        "section",
        { "aria-labelledby": "items-title" },
        h("h2", { id: "items-title", text: ctx.t("inquiry.items") }),
        facts([
          ...names.map((name) => [itemLabel(form, name), h("span", { class: name === "inquiry" ? "prewrap" : null, text: fields[name] })]),
          [ctx.t("inquiry.received"), ctx.moment(inquiry.received_at)],
          [ctx.t("inquiry.retained_until"), ctx.moment(inquiry.retained_until)],
        ]),
      ),
      replies.length
        ? h(
            "section",
            { "aria-labelledby": "replies-title" },
            h("h2", { id: "replies-title", text: ctx.t("inquiry.replies") }),
            h(
              "ol",
              { class: "replies" },
              replies.map((r) =>
                h(
                  "li",
                  { class: "card" },
                  h("p", { class: "hint", text: ctx.t("inquiry.replied", { at: ctx.moment(r.replied_at), by: r.replied_by }) }),
                  h("p", { class: "prewrap", text: r.body }),
                ),
              ),
            ),
          )
        : null,
      replyForm,
      handlingForm,
    );
  };
  const reload = () => loadInto(ctx, where, () => ctx.api("GET", path), ({ body }) => show(body));
  await reload();
}

// --- Letters -------------------------------------------------------------------------------------

function previewOf(ctx, subject, body) {
  return h(
    "article",
    { class: "mail-preview", "aria-label": ctx.t("letters.preview") },
    h("p", { class: "hint", text: ctx.t("letters.preview.to") }),
    h("h3", { text: subject || ctx.t("letters.preview.no_subject") }),
    h("p", { class: "prewrap", text: body }),
    h("hr"),
    h("p", { class: "hint", text: ctx.t("letters.preview.footer") }),
  );
}

// How often, and for how long, a letter's delivery counts are fetched again while it is being sent: the
// mails go out from a queue, paced for SES. Bounded, so an open screen does not keep the session alive.
const STATUS_EVERY_MS = 2000;
const STATUS_TIMES = 30;

function deliveryFacts(ctx, letter) {
  const d = letter.deliveries;
  return facts([
    [ctx.t("letters.id"), h("code", { text: letter.letter_id })],
    [ctx.t("letters.subject"), letter.subject],
    [ctx.t("letters.created"), `${ctx.moment(letter.created_at)} · ${letter.created_by}`],
    [ctx.t("letters.state"), badge(ctx.t(letter.complete ? "letters.state.complete" : "letters.state.sending"), letter.complete ? "ok" : "")],
    [ctx.t("letters.count.recipients"), String(letter.recipients)],
    ...["sent", "skipped", "failed", "pending"].map((k) => [ctx.t(`letters.count.${k}`), h("span", { "data-count": k, text: String(d[k]) })]),
  ]);
}

async function letterStatus(ctx, where, letterId) {
  const path = `/v1/staff/letters/${encodeURIComponent(letterId)}`;
  let times = 0;
  const show = ({ body }) => {
    const refresh = button(ctx.t("letters.refresh"), () => letterStatus(ctx, where, letterId));
    const section = h(
      "section",
      { "aria-labelledby": "letter-status-title", "data-letter": letterId, "data-complete": String(body.complete) },
      h("h2", { id: "letter-status-title", text: ctx.t("letters.status") }),
      deliveryFacts(ctx, body),
      body.complete ? null : h("div", { class: "actions" }, refresh),
    );
    if (!body.complete && times < STATUS_TIMES) {
      times += 1;
      setTimeout(async () => {
        if (!section.isConnected) return; // the screen was left
        try {
          append(clear(where), [show(await ctx.api("GET", path))]);
        } catch {
          // Shown by the next manual refresh; a refused session has already gone back to sign-in.
        }
      }, STATUS_EVERY_MS);
    }
    return section;
  };
  await loadInto(ctx, where, () => ctx.api("GET", path), show);
}

/** The marketing audience's size now (a count from the API: nobody is named). */
async function audienceSize(ctx) {
  const { body } = await ctx.api("GET", "/v1/staff/letters/audience");
  return Number(body.count);
}

function audienceLine(ctx, count) {
  return h("p", { "data-audience": String(count), text: ctx.t(count ? "letters.audience" : "letters.audience.none", { count }) });
}

export async function letters(ctx, root) {
  const messages = messageArea();
  const audience = h("div", { id: "letter-audience" });
  const preview = h("div", { id: "letter-preview" });
  const status = h("div", { id: "letter-status" });
  // The API's own limits decide the lengths (its 422 names the field and the limit): no copy of them here.
  const subject = h("input", { id: "letter-subject", name: "subject", required: true });
  const body = h("textarea", { id: "letter-body", name: "body", rows: 10, required: true });
  const confirmBox = h("div", { id: "letter-confirm" });
  const countAudience = () => loadInto(ctx, audience, () => audienceSize(ctx), (count) => audienceLine(ctx, count));
  const form = cardForm(
    { title: ctx.t("letters.compose"), labelledBy: "compose-title", submit: ctx.t("letters.preview.show") },
    field(ctx.t("letters.subject"), subject),
    field(ctx.t("letters.body"), body, ctx.t("letters.body.hint")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    messages.clear();
    if (!subject.value.trim() || !body.value.trim()) {
      messages.show("error", ctx.t("letters.missing"));
      return;
    }
    append(clear(preview), [h("h2", { text: ctx.t("letters.preview") }), previewOf(ctx, subject.value.trim(), body.value)]);
    // Counted again for the confirmation: it names how many the letter reaches if sent now.
    let count;
    try {
      count = await audienceSize(ctx);
    } catch (error) {
      if (!error.signedOut) messages.show("error", errorText(ctx, error));
      return;
    }
    append(clear(audience), [audienceLine(ctx, count)]);
    const edit = button(ctx.t("letters.edit"), () => { clear(confirmBox); subject.focus(); }, { kind: "subtle" });
    if (!count) {
      append(clear(confirmBox), [
        h("div", { class: "alert info", role: "group", "aria-labelledby": "confirm-text" },
          h("p", { id: "confirm-text", text: ctx.t("letters.confirm.nobody") }), h("div", { class: "actions" }, edit)),
      ]);
      edit.focus();
      return;
    }
    const send = button(ctx.t("letters.send"), async () => {
      send.disabled = true;
      try {
        const { body: sent } = await ctx.api("POST", "/v1/staff/letters", { json: { subject: subject.value.trim(), body: body.value } });
        clear(confirmBox);
        clear(preview);
        form.reset();
        messages.show("success", ctx.t("letters.sent", { count: sent.recipients }));
        await letterStatus(ctx, status, sent.letter_id);
        await countAudience();
      } catch (error) {
        send.disabled = false;
        if (!error.signedOut) messages.show("error", errorText(ctx, error));
      }
    }, { kind: "primary" });
    append(clear(confirmBox), [
      h(
        "div",
        { class: "alert info", role: "group", "aria-labelledby": "confirm-text" },
        h("p", { id: "confirm-text", "data-audience": String(count), text: ctx.t("letters.confirm", { count }) }),
        h("div", { class: "actions" }, send, edit),
      ),
    ]);
    send.focus();
  });
  append(root, [
    h("h1", { text: ctx.t("screen.letters") }),
    h("p", { class: "lead", text: ctx.t("letters.lead") }),
    audience,
    messages.element,
    form,
    preview,
    confirmBox,
    status,
  ]);
  await countAudience();
}

// --- Resources -----------------------------------------------------------------------------------

export async function resources(ctx, root) {
  const where = h("div", { id: "resources" });
  append(root, [h("h1", { text: ctx.t("screen.resources") }), h("p", { class: "lead", text: ctx.t("resources.lead") }), where]);
  await loadInto(ctx, where, () => ctx.api("GET", "/v1/resources"), ({ body }) => {
    const list = items(body);
    if (!list.length) return h("p", { text: ctx.t("resources.none") });
    const other = ctx.language === "ko" ? "en" : "ko";
    return table(
      ctx.t("resources.caption"),
      [ctx.t("resources.title"), ctx.t("resources.other_title"), ctx.t("resources.id")],
      list.map((r) => {
        const title = r.title && typeof r.title === "object" ? r.title : { ko: r.title, en: r.title };
        return [title[ctx.language] || title.en || r.resource_id, h("span", { lang: other, text: title[other] || "—" }), h("code", { text: r.resource_id })];
      }),
    );
  });
}
