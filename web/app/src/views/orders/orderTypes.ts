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

/**
 * The type an order taken on a channel most likely is: a visit (inspection) when the
 * engineer goes on site, a minor carry-in repair otherwise; failing those, the first active
 * type of the channel's flow, then any active type.
 */
export function defaultTypeFor(channel: string, types: OrderType[]): string | undefined {
  const flow = channel === 'on_site' ? 'on_site' : 'carry_in'
  const preferred = flow === 'on_site' ? 'inspection' : 'repair_minor'
  return (
    types.find((x) => x.code === preferred)?.code ??
    types.find((x) => x.flow === flow)?.code ??
    types[0]?.code
  )
}
