// Dates and ids for display, in the current language.
import { currentLocale } from '@/i18n'

const intlLocale = () => (currentLocale() === 'zh-CN' ? 'zh-CN' : 'en-GB')

export function formatDateTime(s: string | null | undefined): string {
  return s ? new Date(s).toLocaleString(intlLocale(), { dateStyle: 'medium', timeStyle: 'short' }) : ''
}

export function formatDate(s: string | null | undefined): string {
  return s ? new Date(s).toLocaleDateString(intlLocale(), { dateStyle: 'medium' }) : ''
}

/** A YYYY-MM-DD day's short weekday name. */
export function weekdayOf(day: string): string {
  return new Date(`${day}T00:00:00`).toLocaleDateString(intlLocale(), { weekday: 'short' })
}

/** The tail of a UUIDv7 (its head is a timestamp, so the tail tells records apart). */
export function shortId(id: string | null | undefined): string {
  return id ? `…${id.slice(-8)}` : ''
}

/** "a, b or c" in the current language (disjunction: one of them). */
export function formatOr(items: string[]): string {
  return new Intl.ListFormat(intlLocale(), { type: 'disjunction' }).format(items)
}

/** "a, b and c" in the current language. */
export function formatAnd(items: string[]): string {
  return new Intl.ListFormat(intlLocale(), { type: 'conjunction' }).format(items)
}

/** Today's date (YYYY-MM-DD) in a time zone: the API counts days in the tenant's. */
export function todayIn(timeZone: string | undefined, now = new Date()): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}
