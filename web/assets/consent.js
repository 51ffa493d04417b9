// The cookie banner (§7): allow all, choose categories, or block all.
//
// Before a choice, and after a policy change until the visitor chooses again, only the strictly
// necessary consent cookie may exist: every other cookie of this site is deleted. The choice is
// recorded with POST /v1/cookie-consents, and its consent_id kept in the consent cookie, so that
// POST /v1/visits can prove analytics was allowed. Works on any page that loads this module:
//
//   import { startCookieConsent } from "./consent.js";
//   startCookieConsent({ language: "ko" });          // any [data-cookie-settings] opens the settings

import { getPolicy, request } from "./api.js";
import { append, h, insertAfter, prepend, uniqueId } from "./dom.js";
import { t } from "./i18n.js";

export const CONSENT_COOKIE = "pb_cookie_consent";
const CONSENT_DAYS = 365;

// The site's own cookies by consent category. Withdrawing a category deletes these at once.
export const SITE_COOKIES = {
  analytics: ["pb_visit_count"],
  marketing: ["pb_interests"],
};

function readCookie(name) {
  for (const part of document.cookie ? document.cookie.split("; ") : []) {
    const index = part.indexOf("=");
    if (part.slice(0, index) === name) return decodeURIComponent(part.slice(index + 1));
  }
  return null;
}

function writeCookie(name, value, days) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${name}=${encodeURIComponent(value)}; Max-Age=${days * 86400}; Path=/; SameSite=Lax${secure}`;
}

function deleteCookie(name) {
  document.cookie = `${name}=; Max-Age=0; Path=/; SameSite=Lax`;
}

/** The stored choice, or null: {id, version, choice, categories}. */
export function storedConsent() {
  const raw = readCookie(CONSENT_COOKIE);
  if (!raw) return null;
  const values = new URLSearchParams(raw);
  const id = values.get("id");
  const version = values.get("v");
  if (!id || !version) return null;
  const categories = (values.get("c") || "").split(",").filter(Boolean);
  return { id, version, choice: values.get("choice") || "selected", categories };
}

function storeConsent(consent) {
  const value = new URLSearchParams({
    id: consent.consent_id,
    v: consent.policy_version,
    choice: consent.choice,
    c: consent.categories.join(","),
  });
  writeCookie(CONSENT_COOKIE, value.toString(), CONSENT_DAYS);
}

/** Delete the cookies of every category that is not allowed. */
function enforce(allowed) {
  for (const [category, names] of Object.entries(SITE_COOKIES)) {
    if (!allowed.includes(category)) names.forEach(deleteCookie);
  }
}

/** What the allowed categories are for on this sample site. */
function useAllowed(consent) {
  if (consent.categories.includes("analytics")) {
    // §7: the number of visits. The server keeps the visit only because this consent allows it.
    const count = Number(readCookie("pb_visit_count") || "0") + 1;
    writeCookie("pb_visit_count", String(count), CONSENT_DAYS);
    request("POST", "/v1/visits", { json: { page: location.pathname, consent_id: consent.id } }).catch(() => {});
  }
  if (consent.categories.includes("marketing")) {
    // §7: areas of interest, from the pages (and forms) the visitor looked at.
    const topic = document.body.dataset.form || location.pathname.split("/").pop().replace(/\.html$/, "") || "index";
    const interests = new Set((readCookie("pb_interests") || "").split(",").filter(Boolean));
    interests.add(topic);
    writeCookie("pb_interests", [...interests].slice(-20).join(","), CONSENT_DAYS);
  }
}

function announce(text) {
  const status = document.querySelector("[data-cookie-status]");
  if (status) {
    status.textContent = "";
    // A fresh text node, so screen readers announce the same message twice in a row too.
    setTimeout(() => (status.textContent = text), 50);
  }
}

function browserHelp(language) {
  return h(
    "details",
    { class: "browser-help" },
    h("summary", { text: t(language, "cookie.browser.title") }),
    h("p", { text: t(language, "cookie.browser.lead") }),
    h(
      "ul",
      {},
      ["chrome", "edge", "firefox", "safari", "ie"].map((browser) =>
        h("li", { text: t(language, `cookie.browser.${browser}`) }),
      ),
    ),
  );
}

/** A category's name for people; the key itself for a category this page has no words for. */
export function categoryLabel(language, name) {
  const key = `cookie.category.${name}`;
  const text = t(language, key);
  return text === key ? name : text;
}

export async function startCookieConsent({ language, policy } = {}) {
  const lang = language || document.documentElement.lang || "ko";
  let current = policy || (await getPolicy(lang));
  let banner = null;
  let dialog = null;

  const consentable = () => current.cookie_categories.filter((c) => c.requires_consent);
  const label = (name) => categoryLabel(lang, name);

  // §7: withdrawing a consent deletes, on the server, every visit recorded under it.
  async function withdraw(consent) {
    try {
      await request("DELETE", `/v1/cookie-consents/${encodeURIComponent(consent.id)}`);
    } catch (error) {
      // Unknown (withdrawn already, or expired) is the outcome wanted; anything else is reported.
      if (error.status !== 404) throw error;
    }
  }

  async function withdrawAll(messageTarget) {
    const previous = storedConsent();
    try {
      if (previous) await withdraw(previous);
      deleteCookie(CONSENT_COOKIE);
      enforce([]);
      if (dialog && dialog.open) dialog.close();
      announce(t(lang, "cookie.withdrawn"));
      document.dispatchEvent(new CustomEvent("policybound:cookie-consent", { detail: null }));
      showBanner("");
    } catch (error) {
      const detail = error.fromApi ? ` ${t(lang, "error.server")} ${error.message}` : "";
      messageTarget.textContent = t(lang, "cookie.failed") + detail;
    }
  }

  async function choose(choice, categories, messageTarget) {
    const previous = storedConsent();
    // The dialog is modal: one open now is where this choice was made. One opened while the choice
    // is saving is a new question from the person, and saving must not close it under them.
    const origin = dialog && dialog.open ? dialog : null;
    try {
      const { body } = await request("POST", "/v1/cookie-consents", {
        json: { choice, categories, policy_version: current.version },
      });
      // A new choice without analytics withdraws the old consent, and with it the visits it allowed.
      if (previous && previous.id !== body.consent_id && !body.categories.includes("analytics")) {
        await withdraw(previous).catch(() => {});
      }
      storeConsent(body);
      const consent = storedConsent();
      enforce(consent.categories);
      useAllowed(consent);
      closeBanner();
      if (origin && origin.open) origin.close();
      announce(t(lang, "cookie.saved"));
      document.dispatchEvent(new CustomEvent("policybound:cookie-consent", { detail: consent }));
    } catch (error) {
      if (error.code === "policy_version_outdated") {
        current = await getPolicy(lang, { fresh: true });
        if (dialog && dialog.open) dialog.close();
        showBanner(t(lang, "cookie.changed"));
        return;
      }
      const detail = error.fromApi ? ` ${t(lang, "error.server")} ${error.message}` : "";
      messageTarget.textContent = t(lang, "cookie.failed") + detail;
    }
  }

  function choiceButtons(messageTarget) {
    const all = consentable().map((c) => c.name);
    return h(
      "div",
      { class: "cookie-actions" },
      h("button", {
        type: "button",
        class: "button",
        "data-cookie-choice": "all",
        text: t(lang, "cookie.allow"),
        onclick: () => choose("all", all, messageTarget),
      }),
      h("button", {
        type: "button",
        class: "button",
        "data-cookie-choice": "selected",
        text: t(lang, "cookie.choose"),
        onclick: () => openSettings(),
      }),
      h("button", {
        type: "button",
        class: "button",
        "data-cookie-choice": "none",
        text: t(lang, "cookie.block"),
        onclick: () => choose("none", [], messageTarget),
      }),
    );
  }

  function showBanner(reason) {
    closeBanner();
    const titleId = uniqueId("pb-cookie-title");
    const message = h("p", { class: "cookie-message", role: "status" }, reason || "");
    banner = h(
      "section",
      { id: "pb-cookie-banner", class: "cookie-banner", "aria-labelledby": titleId },
      h(
        "div",
        { class: "cookie-banner-inner" },
        h("h2", { id: titleId, text: t(lang, "cookie.title") }),
        h("p", { text: t(lang, "cookie.text") }),
        h(
          "ul",
          { class: "cookie-categories", "aria-label": t(lang, "cookie.categories") },
          consentable().map((c) => h("li", {}, h("strong", { text: label(c.name) }), " — ", c.description)),
        ),
        message,
        choiceButtons(message),
        browserHelp(lang),
      ),
    );
    const skip = document.querySelector(".skip-link");
    if (skip) insertAfter(skip, banner);
    else prepend(document.body, banner);
    // Keep the end of the page, and whatever has keyboard focus, out from under the fixed banner.
    const height = `${banner.offsetHeight}px`;
    document.body.style.paddingBottom = height;
    document.documentElement.style.scrollPaddingBottom = height;
  }

  function closeBanner() {
    if (banner) banner.remove();
    banner = null;
    document.body.style.paddingBottom = "";
    document.documentElement.style.scrollPaddingBottom = "";
  }

  function openSettings() {
    if (dialog) dialog.remove();
    const stored = storedConsent();
    const valid = stored && stored.version === current.version ? stored : null;
    const titleId = uniqueId("pb-cookie-settings-title");
    const message = h("p", { class: "cookie-message", role: "status" });
    const boxes = consentable().map((category) => {
      const id = uniqueId(`pb-cookie-${category.name}`);
      return h(
        "div",
        { class: "check" },
        h("input", {
          type: "checkbox",
          id,
          name: "cookie-category",
          value: category.name,
          checked: Boolean(valid && valid.categories.includes(category.name)),
        }),
        h(
          "label",
          { for: id },
          h("strong", { text: label(category.name) }),
          h("span", { class: "hint", text: category.description }),
        ),
      );
    });
    const necessary = current.cookie_categories
      .filter((c) => !c.requires_consent)
      .map((category) => {
        const id = uniqueId(`pb-cookie-${category.name}`);
        return h(
          "div",
          { class: "check" },
          h("input", { type: "checkbox", id, checked: true, disabled: true }),
          h(
            "label",
            { for: id },
            h("strong", { text: label(category.name) }),
            ` (${t(lang, "cookie.always")})`,
            h("span", { class: "hint", text: category.description }),
          ),
        );
      });
    const selected = () => [...dialog.querySelectorAll("input[name=cookie-category]:checked")].map((i) => i.value);
    dialog = h(
      "dialog",
      { id: "pb-cookie-settings", class: "cookie-dialog", "aria-labelledby": titleId },
      h(
        "form",
        {
          method: "dialog",
          onsubmit: (event) => {
            event.preventDefault();
            choose("selected", selected(), message);
          },
        },
        h("h2", { id: titleId, text: t(lang, "cookie.settings.title") }),
        h("p", { text: t(lang, "cookie.settings.lead") }),
        h(
          "p",
          { class: "hint" },
          valid
            ? t(lang, "cookie.current", { choice: t(lang, `cookie.choice.${valid.choice}`) })
            : t(lang, "cookie.current.none"),
        ),
        h("fieldset", {}, h("legend", { text: t(lang, "cookie.settings.legend") }), necessary, boxes),
        message,
        h(
          "div",
          { class: "cookie-actions" },
          h("button", { type: "submit", class: "button primary", text: t(lang, "cookie.save") }),
          h("button", {
            type: "button",
            class: "button",
            text: t(lang, "cookie.allow"),
            onclick: () => choose("all", consentable().map((c) => c.name), message),
          }),
          h("button", {
            type: "button",
            class: "button",
            text: t(lang, "cookie.block"),
            onclick: () => choose("none", [], message),
          }),
          valid
            ? h("button", {
                type: "button",
                class: "button",
                "data-cookie-withdraw": true,
                text: t(lang, "cookie.withdraw"),
                onclick: () => withdrawAll(message),
              })
            : null,
          h("button", { type: "button", class: "button subtle", text: t(lang, "cookie.cancel"), onclick: () => dialog.close() }),
        ),
        browserHelp(lang),
      ),
    );
    append(document.body, dialog);
    dialog.showModal();
  }

  for (const trigger of document.querySelectorAll("[data-cookie-settings]")) {
    trigger.addEventListener("click", (event) => {
      event.preventDefault();
      openSettings();
    });
  }

  const stored = storedConsent();
  if (!stored || stored.version !== current.version) {
    // No valid choice: nothing but strictly necessary cookies, and ask (again, if the policy changed).
    enforce([]);
    showBanner(stored ? t(lang, "cookie.changed") : "");
  } else {
    enforce(stored.categories);
    useAllowed(stored);
  }
  return { openSettings, consent: storedConsent };
}
