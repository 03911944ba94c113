// The warranty decision, as the entitlement check answers it and as an order keeps it (the
// order's snapshot is the same document, typed loosely by the API).
import type { EntitlementReason, EntitlementResult } from '@/api/models'
import { currentLocale } from '@/i18n'

/** The order's snapshot as a check result, when it holds a decision. */
export function snapshotResult(entitlement: unknown): EntitlementResult | undefined {
  if (!entitlement || typeof entitlement !== 'object') return undefined
  const d = (entitlement as { decision?: unknown }).decision
  if (!d || typeof d !== 'object' || typeof (d as { class?: unknown }).class !== 'string') return undefined
  return entitlement as EntitlementResult
}

/** A reason in the user's language (the engine writes both). */
export function reasonText(r: EntitlementReason): string {
  const texts = r.texts as Record<string, string> | undefined
  return texts?.[currentLocale()] || texts?.en || r.detail
}
