// What the "get service" screens share: the types of the API's answers, the status of an
// order in the consumer's words, and windows shown in the brand's time zone.
import type { components } from '@/api/schema'
import { i18n } from '@/i18n'
import { formatDateTimeIn } from '@/utils/format'

export type CustomerOrder = components['schemas']['CustomerView']
export type OrderService = components['schemas']['ConsumerServiceOutBody']
export type Quote = components['schemas']['Quote']
export type Slot = components['schemas']['Slot']

/** An order's status in the consumer's words (a status the portal does not know shows as the staff label). */
export function statusWords(status: string): string {
  const key = `my.service.status.${status}`
  return i18n.global.te(key) ? i18n.global.t(key) : status
}

/** A window in the brand's zone: "Tue, 8 Dec, 09:00 – 11:00" (the page names the zone once). */
export function windowText(start: string, end: string, zone: string | undefined): string {
  const lang = i18n.global.locale.value === 'en' ? 'en-GB' : 'zh-CN'
  try {
    const from = new Date(start).toLocaleString(lang, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: zone })
    const to = new Date(end).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', timeZone: zone })
    return `${from} – ${to}`
  } catch {
    return formatDateTimeIn(start, zone)
  }
}
