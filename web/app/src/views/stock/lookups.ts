// The tenant's warehouses and parts for the stock pages: all of them (every page, up to the
// readAll limit), by id, for names in lists and choices in filters and forms.
import { computed, ref } from 'vue'

import { api, body } from '@/api/client'
import type { SparePart, Warehouse } from '@/api/models'
import { MAX_PAGE, readAll, withCursor } from '@/api/pages'

export function useWarehouses() {
  const items = ref<Warehouse[]>([])
  const load = async () => {
    const r = await readAll((cursor) => body(api.GET('/v1/warehouses', { params: { query: withCursor({ limit: MAX_PAGE }, cursor) } })))
    items.value = r.items
  }
  void load().catch(() => {})
  const byId = computed(() => new Map(items.value.map((w) => [w.id, w])))
  return {
    items,
    load,
    /** The warehouse's name and code, or its id while the names are not known. */
    label: (id: string | null | undefined) => {
      if (!id) return ''
      const w = byId.value.get(id)
      return w ? `${w.name} (${w.code})` : id
    },
  }
}

export function useParts() {
  const items = ref<SparePart[]>([])
  const load = async () => {
    const r = await readAll((cursor) => body(api.GET('/v1/parts', { params: { query: withCursor({ limit: MAX_PAGE }, cursor) } })), 5000)
    items.value = r.items
  }
  void load().catch(() => {})
  const byId = computed(() => new Map(items.value.map((p) => [p.id, p])))
  return {
    items,
    load,
    get: (id: string) => byId.value.get(id),
    /** The part's number and name, or its id while the parts are not known. */
    label: (id: string | null | undefined) => {
      if (!id) return ''
      const p = byId.value.get(id)
      return p ? `${p.part_no} ${p.name_zh}` : id
    },
  }
}
