// A year's national holidays and make-up working days read from a file, for the calendar's
// import: CSV (date,kind,name: one day a line, a header line allowed) or JSON (an array of
// { "date" or "day", "kind", "name" }). kind is holiday or workday (the Chinese 休 and 班
// are read too). Lines that cannot be read are reported by number, the rest imported.
import type { DayKind } from '@/api/models'

export interface ImportDay {
  day: string
  kind: DayKind
  name: string
}

export interface ImportLine {
  line: number
  text: string
}

const KINDS: Record<string, DayKind> = {
  holiday: 'holiday',
  workday: 'workday',
  休: 'holiday',
  假: 'holiday',
  班: 'workday',
  调休上班: 'workday',
}

function dayOf(v: unknown): string | null {
  const s = String(v ?? '').trim().replace(/\//g, '-')
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s)
  if (!m) return null
  const d = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`
  const t = new Date(`${d}T00:00:00Z`)
  return Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== d ? null : d
}

function one(date: unknown, kind: unknown, name: unknown): ImportDay | null {
  const day = dayOf(date)
  const k = KINDS[String(kind ?? '').trim().toLowerCase()] ?? KINDS[String(kind ?? '').trim()]
  if (!day || !k) return null
  return { day, kind: k, name: String(name ?? '').trim().slice(0, 100) }
}

/** Reads the file's text: the days found and the lines that could not be read. */
export function parseHolidays(text: string): { days: ImportDay[]; bad: ImportLine[] } {
  const days: ImportDay[] = []
  const bad: ImportLine[] = []
  const trimmed = text.replace(/^\uFEFF/, '').trim()
  if (trimmed.startsWith('[')) {
    let rows: unknown
    try {
      rows = JSON.parse(trimmed)
    } catch {
      return { days, bad: [{ line: 1, text: trimmed.slice(0, 80) }] }
    }
    ;(Array.isArray(rows) ? rows : []).forEach((r: Record<string, unknown>, i) => {
      const d = one(r?.date ?? r?.day, r?.kind, r?.name)
      if (d) days.push(d)
      else bad.push({ line: i + 1, text: JSON.stringify(r).slice(0, 80) })
    })
    return { days, bad }
  }
  trimmed.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    const [date, kind, ...name] = line.split(/[,\t]/)
    const d = one(date, kind, name.join(',').replace(/^"|"$/g, ''))
    if (d) days.push(d)
    else if (i > 0 || dayOf(date)) bad.push({ line: i + 1, text: line.slice(0, 80) }) // a header line is skipped
  })
  return { days, bad }
}
