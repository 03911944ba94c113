// What the consumer's dispute and return screens share: the API's answers, uploading a photo
// to an order (shrunk on the phone first, as the engineers' app does), and the words for a
// case's status, steps, reasons and outcomes (never the raw codes).
import { Problem } from '@/api/problem'
import type { components } from '@/api/schema'
import { compress } from '@/field/photo'
import { i18n } from '@/i18n'

export type AfterSales = components['schemas']['ConsumerAfterSales']
export type ReturnCase = components['schemas']['CaseForCustomer']
export type Dispute = components['schemas']['Dispute']

/** The words of a code in one of the block's groups (an unknown code shows as a generic word, never raw). */
function words(group: string, code: string | undefined, fallback: string): string {
  const key = `my.returns.${group}.${code ?? ''}`
  return code && i18n.global.te(key) ? i18n.global.t(key) : i18n.global.t(`my.returns.${fallback}`)
}

export const statusWords = (s: string) => words('status', s, 'unknownStatus')
/** A step of the case ("return.approved": the event's name after "return."). */
export const stepWords = (s: string) => words('step', s.replace(/^return\./, ''), 'unknownStep')
export const reasonWords = (s: string) => words('reason', s, 'unknownReason')
export const kindWords = (s: string) => words('kind', s, 'unknownKind')
export const outcomeWords = (s: string) => words('outcome', s, 'unknownOutcome')
export const exclusionWords = (s: string) => words('exclusion', s, 'unknownExclusion')
export const disputeWords = (s: string) => words('disputeStatus', s, 'unknownStatus')

/** The reasons a consumer may give, in the order the API documents them. */
export const reasons = ['quality_fault', 'not_as_described', 'transport_damage', 'personal'] as const

/** A photo uploaded to the order, with its preview. */
export interface UploadedPhoto {
  id: string
  preview: string
}

/** Shrinks a photo taken on the phone and uploads it to my order. */
export async function uploadPhoto(tenant: string, order: string, file: File): Promise<UploadedPhoto> {
  const { blob, preview } = await compress(file)
  const res = await fetch(`/v1/consumer/tenants/${encodeURIComponent(tenant)}/orders/${encodeURIComponent(order)}/attachments`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'image/jpeg', Accept: 'application/json, application/problem+json' },
    body: blob,
  })
  if (!res.ok) throw await Problem.fromResponse(res)
  const a = (await res.json()) as { id: string }
  return { id: a.id, preview }
}
