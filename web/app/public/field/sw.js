// The engineers' app shell, kept on the phone so that the app opens without a network.
// Hand-written (no build step): on install it caches the page /field/ and the files the page
// names (the build's hashed files under /console/assets/, which never change); afterwards a
// page is fetched from the network first and falls back to the cached one, the hashed files
// come from the cache first. API calls (/v1/) never touch the cache: the app queues what the
// engineer does offline itself (IndexedDB, src/field/queue.ts).
const CACHE = 'field-shell-v1'
const PAGE = '/field/'

async function cacheShell() {
  const cache = await caches.open(CACHE)
  const res = await fetch(PAGE, { cache: 'no-store', credentials: 'same-origin' })
  if (!res.ok) return
  const html = await res.clone().text()
  await cache.put(PAGE, res)
  const files = [...html.matchAll(/(?:src|href)="(\/(?:console\/assets|field)\/[^"]+)"/g)].map((m) => m[1])
  await cache.addAll([...new Set(files)])
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin || url.pathname.startsWith('/v1/')) return
  if (req.mode === 'navigate' && url.pathname.startsWith('/field')) {
    event.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) {
            const copy = res.clone()
            void caches.open(CACHE).then((c) => c.put(PAGE, copy))
          }
          return res
        })
        .catch(() => caches.match(PAGE).then((hit) => hit || Response.error())),
    )
    return
  }
  if (url.pathname.startsWith('/console/assets/') || url.pathname.startsWith('/field/')) {
    event.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ||
          fetch(req).then((res) => {
            if (res.ok) {
              const copy = res.clone()
              void caches.open(CACHE).then((c) => c.put(req, copy))
            }
            return res
          }),
      ),
    )
  }
})
