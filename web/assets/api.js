// The Policybound API as the pages call it: JSON in, JSON out, errors in API.md's one shape.

const config = globalThis.POLICYBOUND_CONFIG || {};

export const apiBase = String(config.apiBase || "").replace(/\/+$/, "");

/** An answer other than 2xx: `code`, `message` and `details` are the API's own. */
export class ApiError extends Error {
  constructor(status, body) {
    const error = body && typeof body === "object" && body.error ? body.error : null;
    super(error ? String(error.message) : `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = error ? String(error.code) : "http_" + status;
    this.details = error && Array.isArray(error.details) ? error.details : [];
    this.body = body;
    this.fromApi = Boolean(error);
  }
}

/** The request never got an answer (offline, refused connection, blocked by CORS). */
export class NetworkError extends Error {
  constructor(cause) {
    super("network error");
    this.name = "NetworkError";
    this.cause = cause;
  }
}

export async function request(method, path, { json, form, headers = {}, token, language } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.headers["Content-Type"] = "application/x-www-form-urlencoded";
    init.body = new URLSearchParams(form).toString();
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (language) init.headers["Accept-Language"] = language;
  let response;
  try {
    response = await fetch(apiBase + path, init);
  } catch (cause) {
    throw new NetworkError(cause);
  }
  const text = await response.text();
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return { status: response.status, body };
}

const policies = new Map();

/** GET /v1/policy in one language, fetched once per page unless `fresh`. */
export function getPolicy(language, { fresh = false } = {}) {
  if (fresh || !policies.has(language)) {
    const loading = request("GET", "/v1/policy", { language }).then((r) => r.body);
    loading.catch(() => policies.delete(language));
    policies.set(language, loading);
  }
  return policies.get(language);
}

let resources = null;

/** GET /v1/resources: the downloadable resources, fetched once per page. */
export function getResources() {
  if (!resources) {
    resources = request("GET", "/v1/resources").then((r) => r.body.resources);
    resources.catch(() => {
      resources = null;
    });
  }
  return resources;
}

/** A key that makes a retry of the same body return the first receipt (Idempotency-Key). */
export function newIdempotencyKey() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
