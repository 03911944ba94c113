// The tenant's order types (the defaults plus its own), for labels and the intake form.
import { ref } from 'vue'

import { api, body } from '@/api/client'
import type { OrderType } from '@/api/models'
import { enumLabel, messages } from '@/i18n'

const known = new Set(Object.keys(messages.en.enums.orderType))

export function useOrderTypes() {
  const types = ref<OrderType[]>([])
  const loaded = body(api.GET('/v1/order-types')).then(
    (r) => (types.value = r.items ?? []),
    () => [],
  )
  /** A type's name: the app's translation of the default types, the tenant's own name for its own. */
  function label(code: string | null | undefined): string {
    if (!code) return ''
    if (known.has(code)) return enumLabel('orderType', code)
    return types.value.find((x) => x.code === code)?.name ?? code
  }
  return { types, loaded, label }
}

/** The warranty decision snapshotted on an order (the API leaves its shape open). */
export function decisionOf(entitlement: unknown): { class?: string; remedies?: string[] } | undefined {
  if (!entitlement || typeof entitlement !== 'object') return undefined
  const d = (entitlement as { decision?: unknown }).decision
  if (!d || typeof d !== 'object') return undefined
  const { class: cls, remedies } = d as { class?: unknown; remedies?: unknown }
  return {
    class: typeof cls === 'string' ? cls : undefined,
    remedies: Array.isArray(remedies) ? remedies.filter((x): x is string => typeof x === 'string') : undefined,
  }
}
