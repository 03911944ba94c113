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

/** A moment in a given time zone (a calendar's), with the zone's short name. */
export function formatDateTimeIn(s: string | null | undefined, timeZone: string | undefined): string {
  if (!s) return ''
  try {
    // dateStyle cannot be combined with timeZoneName: name the parts.
    return new Date(s).toLocaleString(intlLocale(), {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    })
  } catch {
    return formatDateTime(s) // an unknown zone name
  }
}

/** A span of time as days, hours, minutes and seconds (the parts a countdown shows). */
export function durationParts(ms: number): { d: number; h: number; m: number; s: number } {
  const total = Math.max(0, Math.floor(Math.abs(ms) / 1000))
  return { d: Math.floor(total / 86400), h: Math.floor((total % 86400) / 3600), m: Math.floor((total % 3600) / 60), s: total % 60 }
}

/** A span of time in the user's language, in the SLA clocks' words: days, hours and minutes
 * ("2天3小时5分"), hours, minutes and seconds, or minutes and seconds. t is vue-i18n's. */
export function spanText(ms: number, t: (key: string, values: Record<string, unknown>) => string): string {
  const p = durationParts(ms)
  return p.d > 0 ? t('sla.dhm', p) : p.h > 0 ? t('sla.hms', p) : t('sla.ms', p)
}

/** The minor-unit digits of a currency (fen for CNY: 2; yen: 0). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}

/** An amount in minor units (the API's money) as the currency's major units, e.g. 9900 CNY: ¥99.00. */
export function formatMoney(minor: number, currency: string): string {
  const major = minor / 10 ** currencyDigits(currency)
  try {
    return new Intl.NumberFormat(intlLocale(), { style: 'currency', currency }).format(major)
  } catch {
    return `${major} ${currency}`
  }
}

/** Minor units (the API's money, 9950) as the major units a person types (99.5). */
export function toMajor(minor: number, currency: string): number {
  return minor / 10 ** currencyDigits(currency)
}

/** Major units typed by a person (99.5) as minor units (9950), rounded to the currency's digits. */
export function toMinor(major: number, currency: string): number {
  return Math.round(major * 10 ** currencyDigits(currency))
}
