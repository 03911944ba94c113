// Weekly hours as people type them ("09:00-12:00, 13:00-18:00") and as the API has them.
import type { Interval, WeeklyHours } from '@/api/models'
import { enumLabel, i18n } from '@/i18n'

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/** Reads typed intervals; throws the part it cannot read. Empty (or "closed") is a closed day. */
export function parseHours(text: string): Interval[] {
  const s = text.trim()
  if (s === '' || /^(closed|休息|关闭)$/i.test(s)) return []
  return s.split(/[,，;；]/).map((part) => {
    const m = /^\s*(\d{1,2}:\d{2})\s*[-–~至]\s*(\d{1,2}:\d{2})\s*$/.exec(part)
    if (!m) throw new HoursError(part.trim())
    const pad = (x: string) => x.padStart(5, '0')
    return { start: pad(m[1]!), end: pad(m[2]!) }
  })
}

export class HoursError extends Error {
  constructor(readonly text: string) {
    super(`cannot read hours "${text}"`)
  }
}

export function formatHours(list: Interval[] | null | undefined): string {
  return (list ?? []).map((i) => `${i.start}–${i.end}`).join(', ')
}

/** "Mon–Fri 09:00–18:00 · Sat–Sun closed" in the current language. */
export function hoursSummary(w: WeeklyHours | null | undefined): string {
  if (!w) return ''
  const closed = i18n.global.t('calendars.closed')
  const groups: { from: string; to: string; text: string }[] = []
  for (const d of WEEKDAYS) {
    const text = formatHours(w[d]) || closed
    const name = enumLabel('weekdayShort', d)
    const last = groups[groups.length - 1]
    if (last && last.text === text) last.to = name
    else groups.push({ from: name, to: '', text })
  }
  return groups.map((g) => `${g.from}${g.to ? '–' + g.to : ''} ${g.text}`).join(' · ')
}
