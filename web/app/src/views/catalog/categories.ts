// The tenant's product categories for a page: all of them (every page), by id, for names in
// lists and choices in forms.
import { ref } from 'vue'

import { api, body } from '@/api/client'
import type { Category } from '@/api/models'
import { MAX_PAGE, readAll, withCursor } from '@/api/pages'

export function useCategories() {
  const items = ref<Category[]>([])
  const load = async () => {
    const r = await readAll((cursor) =>
      body(api.GET('/v1/categories', { params: { query: withCursor({ limit: MAX_PAGE }, cursor) } })),
    )
    items.value = r.items
  }
  void load().catch(() => {})
  return {
    items,
    load,
    /** The category's name, or its id while the names are not known. */
    name: (id: string | undefined) => (id ? (items.value.find((c) => c.id === id)?.name ?? id) : ''),
  }
}
