// The API client: same-origin requests signed in by the HttpOnly session cookie
// (the token is never stored by the page), the chosen tenant, and RFC 9457 problems.

const TENANT_KEY = "aftersales.tenant";

/** A failed request: an RFC 9457 problem, or status 0 when the network failed. */
export class Problem extends Error {
  constructor(status, body) {
    const b = body && typeof body === "object" ? body : {};
    super(b.detail || b.title || `HTTP ${status}`);
    this.status = status;
    this.type = b.type || "";
    this.title = b.title || "";
    this.detail = b.detail || "";
    this.errors = Array.isArray(b.errors) ? b.errors : [];
  }
}

/** The tenant this tab acts in, kept in sessionStorage (per tab, gone when it closes). */
export const tenant = {
  get: () => sessionStorage.getItem(TENANT_KEY) || "",
  set: (id) => (id ? sessionStorage.setItem(TENANT_KEY, id) : sessionStorage.removeItem(TENANT_KEY)),
};

let unauthorized = () => {};

/** Sets what happens when a signed-in request answers 401 (the session ended). */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

/**
 * Sends a request. Options: query (object; empty values are left out), body (sent as
 * JSON), etag (sent as If-Match), idem (Idempotency-Key), noTenant (no X-Tenant-ID),
 * public (a 401 is the answer itself, not an ended session).
 * Resolves to {data, etag, status}; rejects with a Problem.
 */
export async function request(method, path, opts = {}) {
  let url = path;
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) {
      if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
    }
    if ([...q].length) url += "?" + q;
  }
  const headers = { Accept: "application/json, application/problem+json" };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  if (!opts.noTenant && tenant.get()) headers["X-Tenant-ID"] = tenant.get();
  if (opts.etag) headers["If-Match"] = opts.etag;
  if (opts.idem) headers["Idempotency-Key"] = opts.idem;

  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new Problem(0, { title: "Network error", detail: "The server could not be reached. Check the connection and retry." });
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const p = new Problem(res.status, data || { title: res.statusText });
    if (res.status === 401 && !opts.public) {
      p.handled = true; // the sign-in form replaces the page
      unauthorized(p);
    }
    throw p;
  }
  return { data, etag: res.headers.get("ETag") || "", status: res.status };
}

export const get = (path, opts) => request("GET", path, opts);
export const post = (path, body, opts = {}) => request("POST", path, { ...opts, body });
export const put = (path, body, opts = {}) => request("PUT", path, { ...opts, body });
export const del = (path, opts) => request("DELETE", path, opts);

/** A new Idempotency-Key (a UUID; crypto.randomUUID needs a secure context, so fall back). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Path segment escaping for ids and dates taken from data. */
export const seg = (s) => encodeURIComponent(String(s));
