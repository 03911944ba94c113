// China's provinces, cities and districts (GET /v1/regions, GB/T 2260) for pickers by name:
// the cascader's options carry the code prefixes coverage areas match on (31, 3101, 310115),
// and a prefix reads back as its names.
import { computed, shallowRef } from 'vue'

import { api, body } from '@/api/client'
import type { Region } from '@/api/models'

export interface RegionOption {
  [key: string]: unknown
  value: string
  label: string
  children?: RegionOption[]
}

function options(rs: readonly Region[]): RegionOption[] {
  return rs.map((r) => ({ value: r.prefix, label: r.name, ...(r.children?.length ? { children: options(r.children) } : {}) }))
}

export function useRegions() {
  const tree = shallowRef<Region[]>([])
  void body(api.GET('/v1/regions')).then(
    (r) => (tree.value = r.items ?? []),
    () => {},
  )
  const names = computed(() => {
    const m = new Map<string, string[]>()
    const walk = (rs: readonly Region[], path: string[]) => {
      for (const r of rs) {
        const p = [...path, r.name]
        m.set(r.prefix, p)
        if (r.children) walk(r.children, p)
      }
    }
    walk(tree.value, [])
    return m
  })
  return {
    options: computed(() => options(tree.value)),
    /** The prefixes from the province down to prefix, as the cascader takes them. */
    pathOf: (prefix: string) => [2, 4, 6].filter((n) => n <= prefix.length).map((n) => prefix.slice(0, n)),
    /** A prefix's names, province first ("上海市 / 上海市 / 浦东新区"), or the prefix while unknown. */
    label: (prefix: string) => names.value.get(prefix)?.join(' / ') ?? prefix,
  }
}
