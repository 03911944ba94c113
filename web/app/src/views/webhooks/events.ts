// The event types an endpoint can subscribe to: every event the notifications know (their
// labels in the user's language), plus "*" for all. An endpoint may hold other types the
// API accepts (typed in), shown as typed.
import type { WebhookEndpoint } from '@/api/models'
import { enumLabel, enumValues } from '@/i18n'

/** Subscribes to every event type. */
export const ALL_EVENTS = '*'

/** The event types offered in the picker, all-events first. */
export function eventOptions(): { value: string; label: string }[] {
  return [ALL_EVENTS, 'webhook.ping', ...enumValues('notifyEvent')].map((v) => ({ value: v, label: eventLabel(v) }))
}

/** An event type in the user's language ("*" reads as all events). */
export function eventLabel(v: string): string {
  if (v === ALL_EVENTS) return enumLabel('webhookEvent', 'all')
  if (v === 'webhook.ping') return enumLabel('webhookEvent', 'ping')
  return enumLabel('notifyEvent', v)
}

/** The drawer's fields: an endpoint's, or a new one's (all events, enabled). */
export function endpointModel(e?: WebhookEndpoint) {
  return e
    ? { url: e.url, description: e.description, events: [...(e.events ?? [])], enabled: e.enabled }
    : { url: '', description: '', events: [ALL_EVENTS], enabled: true }
}
