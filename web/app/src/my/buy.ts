// What the portal's buying screens share: the brand (its name for the header, its
// currency for prices), the products' prices, and the pages Stripe Checkout returns to.
import { ref } from 'vue'

import { publicApi } from '@/api/client'
import type { components } from '@/api/schema'

export type Product = components['schemas']['Product']
export type Purchase = components['schemas']['Purchase']
export type PublicTenant = components['schemas']['PublicTenant']

/** The brand of the portal's slug, once known (null: unknown or suspended). */
export const brand = ref<PublicTenant | null>(null)

let asked = ''

/** Loads the brand named by slug, once per slug; a brand that is gone leaves null. */
export async function loadBrand(slug: string): Promise<void> {
  if (!slug || asked === slug) return
  asked = slug
  try {
    const { data } = await publicApi.GET('/v1/public/tenants/{tenant}', { params: { path: { tenant: slug } } })
    brand.value = data ?? null
  } catch {
    brand.value = null
  }
}

/** The product's current price in currency (the brand's), if it has one. */
export function priceOf(p: Product, currency: string): components['schemas']['Price'] | undefined {
  return p.prices.find((pr) => pr.active && pr.currency === currency) ?? p.prices.find((pr) => pr.active)
}

/** The receipt page Checkout returns to; the API puts the purchase's id in place of {PURCHASE_ID}. */
export function returnPage(tenant: string, outcome: 'paid' | 'cancelled'): string {
  return `${window.location.origin}/my/${tenant}/purchases/{PURCHASE_ID}?${outcome}=1`
}

/** Whether cancelling now refunds everything (the receipt's cooling-off end is ahead). */
export function inCoolingOff(p: Purchase, now = new Date()): boolean {
  return !!p.cooling_off_until && new Date(p.cooling_off_until) > now
}

/** The kinds of messages a consumer may opt out of (the event's first part). */
export const messageKinds = ['order', 'appointment', 'quote', 'parts', 'compensation', 'callback'] as const

/** The channels a consumer may opt out of. */
export const messageChannels = ['sms', 'email', 'in_app'] as const
