// From an API problem to what the user reads: which form field an error belongs to, and
// the message key for it in the user's language. Pure functions (tested in problems.test.ts);
// components/ProblemAlert.vue and composables/useApiForm.ts put them on the screen.
import type { Problem, ProblemError } from '@/api/problem'

/** A message to show: an i18n key with its parameters. */
export interface Message {
  key: string
  params?: Record<string, string | number>
}

/**
 * The request field an error is about, as a path in the request body ("name",
 * "admin.email", "weekly_hours.mon[0].end"), or undefined when it is about a query, path or
 * header parameter, or the body as a whole. A missing required property is reported by the
 * API on its parent object (location "body", message naming the property): it belongs to
 * that property.
 */
export function errorField(e: ProblemError): string | undefined {
  const loc = e.location ?? ''
  const required = /^expected required property (\S+) to be present$/.exec(e.message ?? '')
  if (required && (loc === 'body' || loc.startsWith('body.'))) {
    const parent = loc === 'body' ? '' : loc.slice('body.'.length) + '.'
    return parent + required[1]
  }
  if (!loc.startsWith('body.')) return undefined
  return loc.slice('body.'.length)
}

/**
 * The form item an error belongs to: the prop equal to the error's field, or the longest
 * prop the field lies inside ("weekly_hours.mon" holds "weekly_hours.mon[0].end").
 */
export function matchProp(field: string, props: Iterable<string>): string | undefined {
  let best: string | undefined
  for (const p of props) {
    const inside = field === p || field.startsWith(p + '.') || field.startsWith(p + '[')
    if (inside && (best === undefined || p.length > best.length)) best = p
  }
  return best
}

// The validation messages of huma (the API's framework; github.com/danielgtaylor/huma/v2
// validation/messages.go) and the domain's field reasons, as message keys.
const fieldPatterns: [RegExp, (m: RegExpExecArray) => Message][] = [
  [/^expected required property \S+ to be present$/, () => ({ key: 'problem.field.required' })],
  [/^expected length >= 1$/, () => ({ key: 'problem.field.required' })],
  [/^expected length >= (\d+)$/, (m) => ({ key: 'problem.field.minLength', params: { n: Number(m[1]) } })],
  [/^expected length <= (\d+)$/, (m) => ({ key: 'problem.field.maxLength', params: { n: Number(m[1]) } })],
  [/^must be at least (\d+) characters$/, (m) => ({ key: 'problem.field.minLength', params: { n: Number(m[1]) } })],
  [/^expected string to match pattern /, () => ({ key: 'problem.field.pattern' })],
  [/^expected string to be RFC 5322 email/, () => ({ key: 'problem.field.email' })],
  [/^is not a valid email address$/, () => ({ key: 'problem.field.email' })],
  [/^expected string to be RFC 4122 uuid/, () => ({ key: 'problem.field.uuid' })],
  [/^expected string to be RFC 3339 date-time/, () => ({ key: 'problem.field.dateTime' })],
  [/^expected string to be RFC 3339 date/, () => ({ key: 'problem.field.date' })],
  [/^expected value to be one of /, () => ({ key: 'problem.field.oneOf' })],
  [/^expected number >= (.+)$/, (m) => ({ key: 'problem.field.min', params: { n: m[1]! } })],
  [/^expected number <= (.+)$/, (m) => ({ key: 'problem.field.max', params: { n: m[1]! } })],
  [/^expected number$/, () => ({ key: 'problem.field.number' })],
  [/^expected integer$/, () => ({ key: 'problem.field.integer' })],
  [/^unexpected property$/, () => ({ key: 'problem.field.unexpected' })],
  [/^is not a valid phone number/, () => ({ key: 'problem.field.phone' })],
  [/^is not an IANA time zone/, () => ({ key: 'problem.field.timezone' })],
  [/^does not exist$/, () => ({ key: 'problem.field.notExists' })],
  [/^intervals must be in order and not overlap$/, () => ({ key: 'problem.field.intervalsOrder' })],
  [/^start must be before end$/, () => ({ key: 'problem.field.intervalStartEnd' })],
  [/^is required for a new customer$/, () => ({ key: 'problem.field.nameForNew' })],
  [/^is required for outlet roles/, () => ({ key: 'problem.field.outletRequired' })],
  [/^is not a tenant role$/, () => ({ key: 'problem.field.notTenantRole' })],
  [/^is not a permission of the key's role$/, () => ({ key: 'problem.field.notPermission' })],
  [/^give a reason to /, () => ({ key: 'problem.field.reasonNeeded' })],
  // Found by the page before sending (views/calendars).
  [/^cannot read "(.*)": use HH:MM-HH:MM$/, (m) => ({ key: 'problem.field.hours', params: { text: m[1]! } })],
  [/^choose a date$/, () => ({ key: 'problem.field.chooseDate' })],
  [/^is not a valid regular expression$/, () => ({ key: 'problem.field.regex' })],
  [/^appears twice$/, () => ({ key: 'problem.field.twice' })],
  [/^must not be before the previous level's$/, () => ({ key: 'problem.field.levelOrder' })],
  [/^cannot merge a code into itself$/, () => ({ key: 'problem.field.mergeSelf' })],
  [/^give the serial of a registered unit$/, () => ({ key: 'problem.field.unitSerial' })],
  [/^was itself merged; merge into /, () => ({ key: 'problem.field.mergedTarget' })],
]

/**
 * The message key for a field error, or undefined when the reason is not one the app knows
 * (then the English text is shown in English, and a generic message in other languages).
 */
export function fieldMessage(e: ProblemError): Message | undefined {
  const text = e.message ?? ''
  for (const [re, msg] of fieldPatterns) {
    const m = re.exec(text)
    if (m) return msg(m)
  }
  return undefined
}

// Problem details the app knows (conflicts and sign-in), as message keys.
const detailPatterns: [RegExp, string][] = [
  [/^email or password is incorrect$/, 'problem.known.badLogin'],
  [/^a tenant with this slug exists$/, 'problem.known.slugTaken'],
  [/^a user with this email exists$/, 'problem.known.emailTaken'],
  [/^this outlet already has a calendar$/, 'problem.known.calendarExists'],
  [/^the record is still referenced$/, 'problem.known.stillReferenced'],
  [/^a concurrent change to the same records/, 'problem.known.concurrent'],
  [/^an? [a-z ]+ with this code exists/, 'problem.known.codeTaken'],
  [/^a model with this SKU exists$/, 'problem.known.skuTaken'],
  [/^the code was already merged$/, 'problem.known.alreadyMerged'],
  [/^the tenant must keep at least one active tenant admin$/, 'problem.known.lastAdmin'],
  [/^the loaner unit .+ is not back/, 'loaners.blocks'],
  [/^the bill of order \S+ is not settled/, 'counter.unsettled'],
  [/^order \S+ has an approved quote with a charge but no bill/, 'counter.unbilled'],
]

const titledStatuses = new Set([400, 401, 402, 403, 404, 409, 412, 413, 422, 428, 429, 500, 502, 503])
const explainedStatuses = new Set([401, 402, 403, 404, 409, 412, 422, 429, 500])

/** The headline of a problem. */
export function problemTitle(p: Problem): Message {
  if (p.status === 0) return { key: 'problem.title.network' }
  if (p.status < 0) return { key: 'problem.title.client' }
  if (titledStatuses.has(p.status)) return { key: `problem.title.${p.status}` }
  return { key: 'problem.title.other' }
}

/**
 * The explanation of a problem in the user's language: a known detail, else the status's
 * generic text. The English detail stays available as technical details.
 */
export function problemText(p: Problem): Message | undefined {
  if (p.status === 0) return { key: 'problem.text.network' }
  if (p.status < 0) return undefined
  for (const [re, key] of detailPatterns) if (re.test(p.detail)) return { key }
  if (explainedStatuses.has(p.status)) return { key: `problem.text.${p.status}` }
  if (p.status >= 500) return { key: 'problem.text.500' }
  return { key: 'problem.text.other' }
}
