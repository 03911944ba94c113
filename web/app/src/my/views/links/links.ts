// What the pages behind the links customers receive (tracking an order, answering a quote)
// share: the brand the link belongs to (the frame's header shows it; the link names no
// brand in its address), and the order's page in the portal for a consumer signed in.
import { ref } from 'vue'

import { publicApi } from '@/api/client'
import type { components } from '@/api/schema'

import { whoAmI } from '../../consumer'

export type TrackedOrder = components['schemas']['TrackedOrder']
export type LinkQuote = components['schemas']['LinkQuoteOutBody']

/** The brand's slug of the link on screen ('' until its page has loaded). */
export const linkTenant = ref('')

/** The order's page in the portal when a consumer is signed in, else '' (the link needs no sign-in). */
export async function portalOrderPage(tenant: string, orderId: string): Promise<string> {
  try {
    return (await whoAmI()) ? `/${tenant}/orders/${orderId}` : ''
  } catch {
    return ''
  }
}

/** Loads the order behind a tracking link. */
export async function loadTracked(token: string): Promise<TrackedOrder | null> {
  const { data } = await publicApi.GET('/v1/public/track/{token}', { params: { path: { token } } })
  return data ?? null
}
