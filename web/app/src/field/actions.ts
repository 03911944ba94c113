// What an engineer does to a job, as outbox actions (queue.ts), and how a job looks with
// the actions still waiting on the phone applied (so the screen follows the engineer offline).
import type { Order } from '@/api/models'

import { enqueue, outbox } from './queue'

type Job = Pick<Order, 'id' | 'number' | 'status'>

/** Accepts or declines an order offered to me. */
export function answer(o: Job, accept: boolean, reason = ''): Promise<string> {
  return enqueue({ kind: 'answer', orderId: o.id, orderNumber: o.number, path: `/v1/orders/${o.id}/answer`,
    body: accept ? { accept } : { accept, reason }, label: accept ? 'accepted' : 'declined' })
}

/** Moves the order (set off: en_route). */
export function move(o: Job, to: string): Promise<string> {
  return enqueue({ kind: 'move', orderId: o.id, orderNumber: o.number, path: `/v1/orders/${o.id}/transitions`, body: { to }, label: to })
}

/** The phone's position, or null when it cannot tell within a few seconds. */
export function position(): Promise<GeolocationCoordinates | null> {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) return resolve(null)
    navigator.geolocation.getCurrentPosition(
      (p) => resolve(p.coords),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60_000 },
    )
  })
}

/** Checks in on arrival: the position (when the phone has one), then on site. */
export async function checkIn(o: Job): Promise<boolean> {
  const at = await position()
  if (at) {
    await enqueue({ kind: 'position', orderId: o.id, orderNumber: o.number, path: '/v1/me/position',
      body: { latitude: at.latitude, longitude: at.longitude } })
  }
  await move(o, 'on_site')
  return at !== null
}

/** The order's status once the moves waiting on the phone are applied (a waiting report is shown as waiting, not as done). */
export function statusAfterQueue(o: Job): string {
  let s = o.status
  for (const a of outbox.items) {
    if (a.orderId !== o.id) continue
    if (a.kind === 'move' && a.label) s = a.label
  }
  return s
}

/** My answer waiting on the phone, if any ('accepted' or 'declined'). */
export function answerQueued(orderId: string): string | undefined {
  return outbox.items.find((a) => a.orderId === orderId && a.kind === 'answer')?.label
}

/** Whether the report waits on the phone. */
export function reportQueued(orderId: string): boolean {
  return outbox.items.some((a) => a.orderId === orderId && a.kind === 'complete')
}

/** A map app's link to the address (Amap's URI API opens the app on a phone, a page elsewhere). */
export function mapLink(l: Order['location']): string {
  if (l.latitude !== undefined && l.longitude !== undefined) {
    return `https://uri.amap.com/marker?position=${l.longitude},${l.latitude}&name=${encodeURIComponent(l.address ?? '')}`
  }
  return `https://uri.amap.com/search?keyword=${encodeURIComponent(l.address ?? '')}`
}

/** A tel: link, only for a number the caller may see in full (a masked one has asterisks). */
export function telLink(phone: string | undefined): string {
  if (!phone || phone.includes('*')) return ''
  return `tel:${phone.replace(/[^\d+]/g, '')}`
}

