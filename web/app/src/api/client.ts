// The API client, generated from docs/openapi.json (schema.d.ts, `npm run openapi`) and
// wrapped once here: same-origin requests signed in by the HttpOnly session cookie (the page
// never sees the token), the tab's tenant in X-Tenant-ID, and every non-2xx answer turned
// into a Problem. No CSRF token is needed: the cookie is SameSite=Lax and every API call is
// a JSON or credentialed fetch that a cross-site page cannot make without CORS, which the
// API does not grant.
import createClient, { type Middleware } from 'openapi-fetch'

import { Problem } from './problem'
import type { paths } from './schema'

const TENANT_KEY = 'aftersales.tenant'

/** The tenant this tab acts in: sessionStorage, so each tab may work in another tenant. */
export const tenantSelection = {
  get: (): string => sessionStorage.getItem(TENANT_KEY) ?? '',
  set: (id: string): void => {
    if (id) sessionStorage.setItem(TENANT_KEY, id)
    else sessionStorage.removeItem(TENANT_KEY)
  },
}

let unauthorized: () => void = () => {}

/** Sets what happens when a signed-in call answers 401: the session ended. */
export function onUnauthorized(fn: () => void): void {
  unauthorized = fn
}

const problems: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await Problem.fromResponse(response)
    return undefined
  },
  onError({ error }) {
    return error instanceof Problem ? error : Problem.network(error)
  },
}

const tenantHeader: Middleware = {
  onRequest({ request }) {
    const id = tenantSelection.get()
    if (id && !request.headers.has('X-Tenant-ID')) request.headers.set('X-Tenant-ID', id)
    return request
  },
}

const sessionEnded: Middleware = {
  onResponse({ response }) {
    // The Problem itself is thrown by `problems`, which runs after this.
    if (response.status === 401) unauthorized()
    return undefined
  },
}

function client(...middleware: Middleware[]) {
  const c = createClient<paths>({
    baseUrl: '',
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'application/json, application/problem+json' },
  })
  // Middleware runs onResponse in reverse order: problems must come first to run last.
  c.use(problems, ...middleware)
  return c
}

/** Calls in the tab's tenant; a 401 ends the session. */
export const api = client(sessionEnded, tenantHeader)

/** Calls without a tenant (platform administration, who-am-I before a tenant is chosen). */
export const platformApi = client(sessionEnded)

/** Calls where a 401 is the answer itself: signing in, accepting an invitation, probing the session. */
export const publicApi = client()

type Answer<D> = { data?: D; response: Response }

/** The body of a successful call (the middleware has already thrown for any other). */
export async function body<D>(call: Promise<Answer<D>>): Promise<D> {
  const { data } = await call
  return data as D
}

/** The body and ETag of a successful read or write, for a later If-Match. */
export async function withETag<D>(call: Promise<Answer<D>>): Promise<{ data: D; etag: string }> {
  const { data, response } = await call
  return { data: data as D, etag: response.headers.get('ETag') ?? '' }
}

/** A fresh Idempotency-Key (a UUID; crypto.randomUUID needs a secure context, so fall back). */
export function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
}
