// What the portal's screens share: the signed-in consumer, the brand's slug from the route,
// the API paths of that brand, and a refusal turned into words.
import { ref } from 'vue'

import { publicApi } from '@/api/client'
import { asProblem, type Problem } from '@/api/problem'
import type { components } from '@/api/schema'
import { i18n } from '@/i18n'
import { fieldMessage, problemText, problemTitle } from '@/utils/problems'

export type ConsumerUnit = components['schemas']['ConsumerUnit']

/** The consumer signed in on this browser, once known (undefined: not asked yet). */
export const me = ref<{ id: string; label: string } | null | undefined>(undefined)

const LAST_TENANT = 'aftersales.my.tenant'

export const lastTenant = {
  get: (): string => localStorage.getItem(LAST_TENANT) ?? '',
  set: (slug: string): void => localStorage.setItem(LAST_TENANT, slug),
}

/** Who is signed in (null when nobody is); asked once, then remembered until sign-in. */
export async function whoAmI(): Promise<{ id: string; label: string } | null> {
  if (me.value !== undefined) return me.value
  try {
    const { data } = await publicApi.GET('/v1/consumer/me')
    me.value = data ? { id: data.id, label: data.label } : null
  } catch (err) {
    if (asProblem(err).status !== 401) throw err
    me.value = null
  }
  return me.value
}

/** A refusal in the user's words: the first field's message, else the problem's text or title. */
export function say(err: unknown): string {
  const p: Problem = asProblem(err)
  const t = i18n.global.t
  for (const e of p.errors) {
    const m = fieldMessage(e)
    if (m) return t(m.key, m.params ?? {})
  }
  const m = problemText(p) ?? problemTitle(p)
  return t(m.key, m.params ?? {})
}

/** Whether a unit's coverage makes repairs free (the warranty or a contract carries them). */
export function freeRepairs(coverageClass: string): boolean {
  return coverageClass === 'manufacturer' || coverageClass === 'contract' || coverageClass === 'repair_warranty'
}
