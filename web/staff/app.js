// The staff console: sign-in, then the screens the member's groups open, one at a time. The screens
// are chosen by what GET /v1/staff/me says the member may call (the API's own route × role table),
// and every screen's data comes from the staff API, which writes the access records.
//
// Addresses carry only the screen and ids (#/inquiries/<submission id>), never a name or an address.

import { ApiError, request } from "../assets/api.js";
import { append, clear, h, prepend } from "../assets/dom.js";
import { companyName, currentLanguage, urlInLanguage } from "../assets/i18n.js";
import { SCREENS } from "./screens/index.js";
import {
  currentToken,
  finishCognitoSignIn,
  forget,
  freshToken,
  lastActive,
  markActive,
  signInConfig,
  signInLocally,
  SignInError,
  signOut,
  startCognitoSignIn,
} from "./session.js";
import { t } from "./strings.js";
import { ConsoleContext, errorText, field, messageArea } from "./ui.js";

const config = signInConfig();
let language = currentLanguage();
let watch = null;

class SignedOut extends Error {
  constructor(reason) {
    super(reason);
    this.signedOut = true;
  }
}

function main() {
  return document.getElementById("main");
}

function setTitle(key) {
  document.title = `${t(language, key)} | ${t(language, "console.name")}`;
}

function languageSwitch() {
  const other = language === "ko" ? "en" : "ko";
  return h("a", {
    class: "lang-switch",
    href: urlInLanguage(other),
    lang: other,
    hreflang: other,
    text: t(language, "switch.to"),
  });
}

function frame(header, content) {
  document.body.querySelectorAll(".site-header, .skip-link").forEach((node) => node.remove());
  const skip = h("a", { class: "skip-link", href: "#main", text: t(language, "skip") });
  skip.addEventListener("click", (event) => {
    event.preventDefault();
    main().focus();
  });
  prepend(document.body, skip, header);
  append(clear(main()), [content]);
}

function brand() {
  return h(
    "span",
    { class: "brand" },
    h("span", { class: "brand-mark", "aria-hidden": "true" }),
    h("span", { class: "brand-name", text: companyName(language) }),
    h("span", { class: "brand-tagline", text: t(language, "console.name") }),
  );
}

// --- Sign-in -------------------------------------------------------------------------------------

function showSignIn(reason) {
  stopWatching();
  setTitle("signin.title");
  const messages = messageArea();
  const header = h("header", { class: "site-header" }, h("div", { class: "bar" }, brand(), languageSwitch()));
  let body;
  if (config.mode === "cognito") {
    body = h(
      "div",
      {},
      h("p", { text: t(language, "signin.cognito.lead") }),
      h("button", {
        type: "button",
        class: "button primary",
        text: t(language, "signin.submit"),
        onclick: () => startCognitoSignIn(config, language),
      }),
    );
  } else {
    const username = h("input", { id: "signin-username", name: "username", autocomplete: "username", required: true });
    const password = h("input", {
      id: "signin-password",
      name: "password",
      type: "password",
      autocomplete: "current-password",
      required: true,
    });
    body = h(
      "form",
      { id: "signin", novalidate: true },
      field(t(language, "signin.username"), username),
      field(t(language, "signin.password"), password),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary", text: t(language, "signin.submit") })),
    );
    body.addEventListener("submit", async (event) => {
      event.preventDefault();
      messages.clear();
      if (!username.value.trim() || !password.value) {
        messages.show("error", t(language, "signin.missing"));
        return;
      }
      const submit = body.querySelector("button");
      submit.disabled = true;
      try {
        await signInLocally(username.value.trim(), password.value);
        password.value = "";
        await start();
      } catch (error) {
        password.value = "";
        messages.show("error", error instanceof ApiError && error.fromApi ? error.message : errorText(context(), error));
        password.focus();
      } finally {
        submit.disabled = false;
      }
    });
  }
  frame(
    header,
    h(
      "section",
      { class: "signin card", "aria-labelledby": "signin-title" },
      h("h1", { id: "signin-title", text: t(language, "signin.title") }),
      h("p", { class: "hint", text: t(language, "signin.lead") }),
      messages.element,
      body,
    ),
  );
  if (reason) messages.show("error", reason);
  document.body.dataset.ready = "true";
  document.body.dataset.screen = "signin";
}

// --- The signed-in console -----------------------------------------------------------------------

let me = null;

function context() {
  return new ConsoleContext({ language, me: me || { groups: [], routes: [] }, api, navigate });
}

async function api(method, path, options = {}) {
  const token = await freshToken(config).catch(() => null);
  if (!token) throw endSession(t(language, "session.ended"));
  try {
    const answer = await request(method, path, { ...options, token, language });
    markActive();
    return answer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw endSession(error.fromApi ? error.message : t(language, "session.ended"));
    }
    throw error;
  }
}

/** The API refused the session (idle, too long, revoked, signed out elsewhere): back to sign-in. */
function endSession(reason) {
  forget();
  me = null;
  showSignIn(reason);
  return new SignedOut(reason);
}

function stopWatching() {
  if (watch) clearInterval(watch);
  watch = null;
}

/** The API's session limits, enforced here too so an idle console does not sit open with data on it. */
function watchSession() {
  stopWatching();
  const idleMs = Number(me.idle_limit_seconds || 0) * 1000;
  const endsAt = me.session_ends_at ? Date.parse(me.session_ends_at) : NaN;
  watch = setInterval(() => {
    const now = Date.now();
    if (!Number.isNaN(endsAt) && now >= endsAt) {
      endSession(t(language, "session.too_long"));
    } else if (idleMs && lastActive() !== null && now - lastActive() > idleMs) {
      endSession(t(language, "session.idle", { minutes: Math.round(idleMs / 60000) }));
    }
  }, 5000);
}

function allowed(screen) {
  return screen.needs.every((route) => me.routes.includes(route));
}

function visibleScreens() {
  return SCREENS.filter(allowed);
}

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || "", params: parts.slice(1) };
}

function navigate(name, ...params) {
  location.hash = "#/" + [name, ...params].map(encodeURIComponent).join("/");
}

function consoleHeader(screens, active) {
  const groups = me.groups.map((g) => t(language, `role.${g}`)).join(", ");
  return h(
    "header",
    { class: "site-header" },
    h(
      "div",
      { class: "bar" },
      brand(),
      h(
        "div",
        { class: "who" },
        h("span", { "data-signed-in": true, text: t(language, "console.signed_in", { username: me.username, groups }) }),
        languageSwitch(),
        h("button", {
          type: "button",
          class: "button subtle signout",
          text: t(language, "signout"),
          onclick: async () => {
            stopWatching();
            const leaving = await signOut(config);
            me = null;
            if (!leaving) showSignIn(null);
            if (!leaving) messageAfterSignOut();
          },
        }),
      ),
    ),
    h(
      "nav",
      { "aria-label": t(language, "console.nav") },
      h(
        "ul",
        {},
        screens.map((screen) =>
          h(
            "li",
            {},
            h("a", {
              href: `#/${screen.name}`,
              "aria-current": screen.name === active ? "page" : null,
              text: t(language, screen.title),
            }),
          ),
        ),
      ),
    ),
  );
}

function messageAfterSignOut() {
  const area = document.querySelector("#main .message-area");
  if (area) append(clear(area), [h("p", { class: "alert success", role: "status", text: t(language, "signout.done") })]);
}

async function route() {
  if (!me) return;
  const screens = visibleScreens();
  const { name, params } = parseHash();
  const screen = screens.find((s) => s.name === name) || screens[0];
  if (!screen) {
    frame(consoleHeader([], ""), h("p", { class: "alert error", role: "alert", text: t(language, "console.no_screens") }));
    document.body.dataset.screen = "none";
    document.body.dataset.ready = "true";
    return;
  }
  if (screen.name !== name) {
    history.replaceState(null, "", `${location.pathname}${location.search}#/${screen.name}`);
  }
  document.body.dataset.ready = "false";
  document.body.dataset.screen = screen.name;
  setTitle(screen.title);
  const content = h("div", { class: "screen" });
  frame(consoleHeader(screens, screen.name), content);
  const ctx = context();
  try {
    await screen.render(ctx, content, params);
  } catch (error) {
    if (error && error.signedOut) return;
    append(content, [h("p", { class: "alert error", role: "alert", text: errorText(ctx, error) })]);
  }
  main().focus({ preventScroll: true });
  document.body.dataset.ready = "true";
}

async function start() {
  try {
    const { body } = await api("GET", "/v1/staff/me");
    me = body;
  } catch (error) {
    if (!(error && error.signedOut)) showSignIn(errorText(context(), error));
    return;
  }
  watchSession();
  await route();
}

async function boot() {
  document.documentElement.lang = language;
  window.addEventListener("hashchange", () => route());
  if (config.mode === "cognito") {
    try {
      const began = await finishCognitoSignIn(config);
      if (began) language = began;
      document.documentElement.lang = language;
    } catch (error) {
      forget();
      if (error instanceof SignInError && error.language) language = error.language;
      document.documentElement.lang = language;
      showSignIn(
        error instanceof SignInError
          ? t(language, `signin.cognito.${error.kind}`, { detail: error.detail })
          : t(language, "error.unexpected"),
      );
      return;
    }
  }
  if (!currentToken()) {
    showSignIn(null);
    return;
  }
  await start();
}

boot();
