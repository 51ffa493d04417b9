// The staff member's sign-in and session. The id token lives in sessionStorage only (this tab, until
// sign-out or the tab closes), never in localStorage, a cookie or the address. Nothing about data
// subjects is ever stored in the browser.
//
// Two ways in, chosen by window.POLICYBOUND_CONFIG.staffSignIn:
//   {mode: "local"}: local mode's sign-in form, checked by the local user pool and the real sign-in
//     triggers (lockout, password age) at POST /_local/staff-sign-in.
//   {mode: "cognito", domain, clientId, redirectUri}: Cognito managed login (TOTP MFA is the pool's),
//     authorization code flow with PKCE; the callback is the console's own address.

import { request } from "../assets/api.js";

const TOKENS = "policybound.staff.tokens";
const PENDING = "policybound.staff.pkce";
const ACTIVITY = "policybound.staff.active";

export function signInConfig() {
  const config = (globalThis.POLICYBOUND_CONFIG || {}).staffSignIn || { mode: "local" };
  return config.mode === "cognito" ? config : { mode: "local" };
}

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(size = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

/** The claims of a JWT, unverified: only for when it expires and when its session began. The API
 * verifies every token it is sent. */
export function claimsOf(token) {
  try {
    const part = String(token).split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      Array.from(atob(part), (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
    );
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

function store(key, value) {
  sessionStorage.setItem(key, JSON.stringify(value));
}

/** Forget everything this console kept in the browser. */
export function forget() {
  for (const key of [TOKENS, PENDING, ACTIVITY]) sessionStorage.removeItem(key);
}

export function currentToken() {
  const tokens = read(TOKENS);
  return tokens && tokens.id_token ? tokens.id_token : null;
}

export function markActive(now = Date.now()) {
  if (currentToken()) store(ACTIVITY, now);
}

export function lastActive() {
  const value = read(ACTIVITY);
  return typeof value === "number" ? value : null;
}

function keep(tokens) {
  store(TOKENS, {
    id_token: tokens.id_token,
    refresh_token: tokens.refresh_token || (read(TOKENS) || {}).refresh_token || null,
  });
  markActive();
}

/** Local mode: the sign-in form's username and password, checked by the local pool and its triggers. */
export async function signInLocally(username, password) {
  const { body } = await request("POST", "/_local/staff-sign-in", { json: { username, password } });
  keep({ id_token: body.id_token });
}

async function sha256(text) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function consoleAddress(config) {
  return config.redirectUri || location.origin + location.pathname;
}

/** Cognito: off to managed login with a fresh PKCE verifier and state, kept for the callback. */
export async function startCognitoSignIn(config, language) {
  const verifier = randomText(48);
  const state = randomText(24);
  store(PENDING, { verifier, state, language });
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: consoleAddress(config),
    scope: "openid",
    state,
    code_challenge: base64url(await sha256(verifier)),
    code_challenge_method: "S256",
    lang: language,
  });
  location.assign(`https://${config.domain}/oauth2/authorize?${query}`);
}

/** Why a Cognito sign-in did not complete: `kind` names the console's message, `detail` Cognito's code. */
export class SignInError extends Error {
  constructor(kind, detail = "", language = null) {
    super(detail ? `${kind}: ${detail}` : kind);
    this.kind = kind;
    this.detail = detail;
    // The language the sign-in began in, so the console says why in it.
    this.language = language;
  }
}

async function tokenEndpoint(config, form) {
  let response;
  try {
    response = await fetch(`https://${config.domain}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: config.clientId, ...form }).toString(),
    });
  } catch {
    throw new SignInError("exchange", "network");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.id_token) throw new SignInError("exchange", String(body.error || `HTTP ${response.status}`));
  return body;
}

/**
 * Cognito's callback (?code=&state=): exchange the code with the stored verifier, then take the code
 * out of the address. Returns the language the sign-in began in, or null when this is no callback.
 */
export async function finishCognitoSignIn(config) {
  const query = new URLSearchParams(location.search);
  if (!query.has("code") && !query.has("error")) return null;
  const pending = read(PENDING);
  sessionStorage.removeItem(PENDING);
  const language = pending && pending.language;
  const clean = new URL(location.href);
  for (const name of ["code", "state", "error", "error_description"]) clean.searchParams.delete(name);
  if (language) clean.searchParams.set("lang", language);
  history.replaceState(null, "", clean.pathname + clean.search + clean.hash);
  // A callback this tab did not begin (no verifier kept, another state) is never exchanged: it may be an
  // attacker's code meant to sign this browser into their account.
  if (!pending || !pending.state || query.get("state") !== pending.state) throw new SignInError("mismatch", "", language);
  if (query.has("error") || !query.has("code")) {
    throw new SignInError("refused", String(query.get("error") || "no code"), language);
  }
  try {
    keep(
      await tokenEndpoint(config, {
        grant_type: "authorization_code",
        code: query.get("code"),
        redirect_uri: consoleAddress(config),
        code_verifier: pending.verifier,
      }),
    );
  } catch (error) {
    if (error instanceof SignInError) error.language = language;
    throw error;
  }
  return language;
}

/** A fresh id token from the refresh token when the current one is about to expire (Cognito only). */
export async function freshToken(config) {
  const tokens = read(TOKENS);
  if (!tokens) return null;
  const exp = Number(claimsOf(tokens.id_token).exp || 0) * 1000;
  if (config.mode === "cognito" && tokens.refresh_token && exp - Date.now() < 60_000) {
    keep(await tokenEndpoint(config, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }));
  }
  return currentToken();
}

/** Sign-out: the session ends at the API, then the browser forgets it; Cognito's session ends too. */
export async function signOut(config, { endAtApi = true } = {}) {
  const tokens = read(TOKENS);
  if (endAtApi && tokens) {
    try {
      await request("DELETE", "/v1/staff/session", { token: tokens.id_token });
    } catch {
      // Already ended or expired: nothing left to end.
    }
  }
  forget();
  if (config.mode === "cognito" && tokens) {
    if (tokens.refresh_token) {
      await fetch(`https://${config.domain}/oauth2/revoke`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: tokens.refresh_token, client_id: config.clientId }).toString(),
      }).catch(() => {});
    }
    const query = new URLSearchParams({ client_id: config.clientId, logout_uri: consoleAddress(config) });
    location.assign(`https://${config.domain}/logout?${query}`);
    return true;
  }
  return false;
}
