// The engineer's outbox: every action the app takes (accept, set off, check in, a photo, the
// signature, the report) is first written to IndexedDB on the phone with an id and an
// Idempotency-Key made on the device, then sent in the order taken. Without a network it
// waits; failures that ask for a retry (no connection, 5xx, 429, 409 with Retry-After) are
// tried again with backoff (1 s doubling to 60 s) and at once when the browser is back
// online. A replay of an action the server already applied answers the first response, so
// an action is applied once however often it is sent. A refusal (4xx) stops the queue at
// that action and says why: the engineer discards it or the app refreshes and acts again.
//
// A report names its photos and signature by their device ids (refs); when the upload of
// one succeeds, its server id is kept, and the report is sent with the server ids.
import { type DBSchema, type IDBPDatabase, openDB } from 'idb'
import { reactive, toRaw } from 'vue'

import { idempotencyKey, tenantSelection } from '@/api/client'
import { Problem } from '@/api/problem'

export type ActionKind = 'answer' | 'move' | 'position' | 'photo' | 'signature' | 'complete' | 'quote'

export interface Action {
  id: string // made on the device; also the Idempotency-Key
  seq: number
  kind: ActionKind
  orderId: string
  orderNumber: string
  path: string
  tenant: string
  body?: unknown // JSON
  blob?: Blob // photo or signature
  refs?: { photos: string[]; signature?: string } // a report's photos and signature, by device id
  label?: string // e.g. the status moved to
  createdAt: string
  attempts: number
  error?: string
}

interface FieldDB extends DBSchema {
  outbox: { key: string; value: Action; indexes: { seq: number } }
  refs: { key: string; value: { ref: string; id: string } }
  cache: { key: string; value: { key: string; at: string; data: unknown } }
}

let dbp: Promise<IDBPDatabase<FieldDB>> | null = null
function db(): Promise<IDBPDatabase<FieldDB>> {
  dbp ??= openDB<FieldDB>('aftersales-field', 1, {
    upgrade(d) {
      d.createObjectStore('outbox', { keyPath: 'id' }).createIndex('seq', 'seq')
      d.createObjectStore('refs', { keyPath: 'ref' })
      d.createObjectStore('cache', { keyPath: 'key' })
    },
  })
  return dbp
}

/** What the screen shows about the outbox. */
export const outbox = reactive({
  items: [] as Action[],
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  sending: false,
  retryAt: 0, // epoch ms of the next try, 0 when none is planned
  progress: {} as Record<string, number>, // upload percent by action id
  sent: 0, // actions sent since the page loaded (views refresh on change)
})

async function reload(): Promise<void> {
  outbox.items = await (await db()).getAllFromIndex('outbox', 'seq')
}

type NewAction = Omit<Action, 'id' | 'seq' | 'createdAt' | 'attempts' | 'tenant'>

/** Writes an action to the outbox and starts sending. Returns its device id. */
export async function enqueue(a: NewAction): Promise<string> {
  const d = await db()
  const last = await d.getAllFromIndex('outbox', 'seq')
  const seq = last.length ? last[last.length - 1]!.seq + 1 : Date.now()
  const act: Action = { ...a, id: idempotencyKey(), seq, tenant: tenantSelection.get(), createdAt: new Date().toISOString(), attempts: 0 }
  await d.put('outbox', act)
  await reload()
  void flush()
  return act.id
}

/** Drops an action the server refused. */
export async function discard(id: string): Promise<void> {
  await (await db()).delete('outbox', id)
  await reload()
  void flush()
}

/** The server id of a photo or signature uploaded from this device, by its device id. */
export async function serverId(ref: string): Promise<string | undefined> {
  return (await (await db()).get('refs', ref))?.id
}

/** Keeps a copy of what the server said, for reading without a network. */
export async function remember(key: string, data: unknown): Promise<void> {
  await (await db()).put('cache', { key, at: new Date().toISOString(), data: JSON.parse(JSON.stringify(data)) })
}

/** The copy kept by remember, if any. */
export async function recall<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get('cache', key))?.data as T | undefined
}

class Retry extends Error {}

function headers(a: Action, type: string): Record<string, string> {
  const h: Record<string, string> = { 'Idempotency-Key': a.id, Accept: 'application/json, application/problem+json', 'Content-Type': type }
  if (a.tenant) h['X-Tenant-ID'] = a.tenant
  return h
}

function retryable(status: number, retryAfter: string | null): boolean {
  return status >= 500 || status === 429 || status === 408 || (status === 409 && retryAfter !== null)
}

/** Uploads a blob with progress (fetch cannot report an upload's progress). */
function upload(a: Action): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest()
    x.open('POST', a.path)
    for (const [k, v] of Object.entries(headers(a, a.blob!.type || 'image/jpeg'))) x.setRequestHeader(k, v)
    x.upload.onprogress = (e) => {
      if (e.lengthComputable) outbox.progress[a.id] = Math.round((100 * e.loaded) / e.total)
    }
    x.onerror = () => reject(new Retry('network'))
    x.ontimeout = () => reject(new Retry('timeout'))
    x.onload = () => {
      const text = x.responseText
      if (x.status >= 200 && x.status < 300) {
        outbox.progress[a.id] = 100
        resolve(text ? JSON.parse(text) : null)
      } else if (retryable(x.status, x.getResponseHeader('Retry-After'))) reject(new Retry(String(x.status)))
      else
        void Problem.fromResponse(new Response(text, { status: x.status, headers: { 'Content-Type': 'application/problem+json' } })).then(reject)
    }
    x.send(a.blob!)
  })
}

async function send(a: Action): Promise<void> {
  if (a.blob) {
    const res = (await upload(a)) as { id: string }
    await (await db()).put('refs', { ref: a.id, id: res.id })
    return
  }
  let body = a.body
  if (a.refs) {
    const photos: string[] = []
    for (const r of a.refs.photos) {
      const id = await serverId(r)
      if (!id) throw new Retry('photo not uploaded yet')
      photos.push(id)
    }
    const sig = a.refs.signature ? await serverId(a.refs.signature) : undefined
    if (a.refs.signature && !sig) throw new Retry('signature not uploaded yet')
    body = { ...(body as object), photo_ids: photos, ...(sig ? { signature_id: sig } : {}) }
  }
  let res: Response
  try {
    res = await fetch(a.path, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: headers(a, 'application/json'),
      body: JSON.stringify(body ?? {}),
    })
  } catch {
    throw new Retry('network')
  }
  if (res.ok) return
  if (retryable(res.status, res.headers.get('Retry-After'))) throw new Retry(String(res.status))
  throw await Problem.fromResponse(res)
}

let timer: ReturnType<typeof setTimeout> | undefined
let backoff = 1000
let running: Promise<void> | null = null

/** Sends the waiting actions in order; one run at a time. */
export function flush(): Promise<void> {
  running ??= run().finally(() => {
    running = null
  })
  return running
}

async function run(): Promise<void> {
  clearTimeout(timer)
  outbox.retryAt = 0
  await reload()
  outbox.sending = true
  try {
    for (;;) {
      // The stored action, not the screen's reactive copy of it: IndexedDB cannot clone a
      // proxy (a retry writes it back with its attempts counted).
      const a = toRaw(outbox.items[0])
      if (!a || a.error) return
      try {
        await send(a)
      } catch (err) {
        const d = await db()
        if (err instanceof Retry) {
          await d.put('outbox', { ...a, attempts: a.attempts + 1 })
          await reload()
          outbox.retryAt = Date.now() + backoff
          timer = setTimeout(() => void flush(), backoff)
          backoff = Math.min(backoff * 2, 60_000)
          return
        }
        const p = err instanceof Problem ? err : null
        await d.put('outbox', { ...a, attempts: a.attempts + 1, error: p?.detail || p?.title || String(err) })
        await reload()
        return
      }
      backoff = 1000
      await (await db()).delete('outbox', a.id)
      delete outbox.progress[a.id]
      outbox.sent++
      await reload()
    }
  } finally {
    outbox.sending = false
  }
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => {
    outbox.online = true
    backoff = 1000
    void flush()
  })
  window.addEventListener('offline', () => {
    outbox.online = false
  })
  // Not every way of losing the network fires the events: look every second too.
  setInterval(() => {
    if (navigator.onLine === outbox.online) return
    outbox.online = navigator.onLine
    if (outbox.online) {
      backoff = 1000
      void flush()
    }
  }, 1000)
  void reload().then(() => flush())
}
