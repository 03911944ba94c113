// The tenant's outlets by id, for showing names in lists and choosing one in forms. Loaded
// once per tenant (up to the API's page limit) and dropped when an outlet changes.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

import { api, body } from '@/api/client'
import type { Outlet } from '@/api/models'
import { shortId } from '@/utils/format'

import { useSessionStore } from './session'

export const useOutletsStore = defineStore('outlets', () => {
  const session = useSessionStore()
  const byId = ref(new Map<string, Outlet>())
  let loaded: Promise<void> | null = null

  function forget(): void {
    loaded = null
    byId.value = new Map()
  }
  watch(() => session.tenantId, forget)

  /** Loads the outlets if not loaded yet; an error leaves the map empty (names fall back to ids). */
  function ensure(): Promise<void> {
    if (!session.can('outlets:read')) return Promise.resolve()
    if (!loaded) {
      loaded = body(api.GET('/v1/outlets', { params: { query: { limit: 200 } } }))
        .then((page) => {
          byId.value = new Map(page.items?.map((o) => [o.id, o]) ?? [])
        })
        .catch(() => {
          loaded = null
        })
    }
    return loaded
  }

  function name(id: string | null | undefined): string {
    if (!id) return ''
    return byId.value.get(id)?.name ?? shortId(id)
  }

  return { byId, ensure, name, forget }
})
