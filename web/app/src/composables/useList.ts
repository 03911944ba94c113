// A list page bound to the URL: filters, page and page size live in the query, so a list can
// be linked to, reloaded and left with the back button, and comes back as it was. The API
// pages with cursors: "next" goes forward with next_cursor; the cursors passed on the way
// are kept in the history entry's state, so "previous" works too (a pasted link starts a
// new trail, and "first page" is always there).
import { computed, reactive, ref, shallowRef, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'

import { asProblem, type Problem } from '@/api/problem'

import {
  type ApiQuery,
  apiQuery,
  buildListQuery,
  type Filters,
  type ListState,
  parseListQuery,
  sortValue,
} from './listQuery'

export interface Page<T> {
  items?: T[] | null
  next_cursor?: string
}

export interface ListOptions<F extends Filters, T> {
  /** The filters and their defaults ('' = no filter). */
  filters: F
  /** Fetches a page; query holds the filters that are set, cursor, limit and sort. */
  load: (query: ApiQuery<F>) => Promise<Page<T>>
}

const TRAIL = 'listTrail'

function trailOf(state: unknown): string[] {
  const t = (state as Record<string, unknown> | null)?.[TRAIL]
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : []
}

export function useList<F extends Filters, T>(opts: ListOptions<F, T>) {
  const route = useRoute()
  const router = useRouter()
  const routeName = route.name
  const defaults = { ...opts.filters }

  const current = computed<ListState<F>>(() => parseListQuery(route.query, defaults))
  /** The filter bar's values: edited by the inputs, applied to the URL by apply(). */
  const filters = reactive({ ...current.value.filters }) as F
  const items = shallowRef<T[]>([])
  const nextCursor = ref('')
  const loading = ref(false)
  const problem = ref<Problem | null>(null)
  const trail = ref<string[]>([])
  let generation = 0

  /**
   * Reads the page again. quiet keeps the rows on screen without the loading mask: after an
   * action on a row (the mask would otherwise cover the rows, and swallow the next click,
   * until it has faded out).
   */
  async function load(how: { quiet?: boolean } = {}): Promise<void> {
    const mine = ++generation
    const state = current.value
    loading.value = !how.quiet
    problem.value = null
    try {
      const page = await opts.load(apiQuery(state))
      if (mine !== generation) return
      items.value = page.items ?? []
      nextCursor.value = page.next_cursor ?? ''
    } catch (err) {
      if (mine !== generation) return
      items.value = []
      nextCursor.value = ''
      problem.value = asProblem(err)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  watch(
    () => route.query,
    () => {
      if (route.name !== routeName) return // leaving the list
      Object.assign(filters, current.value.filters)
      trail.value = trailOf(window.history.state)
      void load()
    },
    { immediate: true },
  )

  function go(state: ListState<F>, newTrail: string[]): void {
    void router.push({ query: buildListQuery(state, defaults), state: { [TRAIL]: newTrail } })
  }

  /** Applies the filter bar (back to the first page). */
  function apply(): void {
    go({ ...current.value, filters: { ...filters }, cursor: '' }, [])
  }

  function reset(): void {
    Object.assign(filters, defaults)
    apply()
  }

  function next(): void {
    if (!nextCursor.value) return
    go({ ...current.value, cursor: nextCursor.value }, [...trail.value, current.value.cursor])
  }

  function prev(): void {
    const t = [...trail.value]
    const cursor = t.pop() ?? ''
    go({ ...current.value, cursor }, t)
  }

  function firstPage(): void {
    go({ ...current.value, cursor: '' }, [])
  }

  function setLimit(limit: number): void {
    go({ ...current.value, limit, cursor: '' }, [])
  }

  function setSort(prop: string | null | undefined, order: 'ascending' | 'descending' | null | undefined): void {
    go({ ...current.value, sort: sortValue(prop, order), cursor: '' }, [])
  }

  const filtered = computed(() => Object.entries(current.value.filters).some(([k, v]) => v !== defaults[k]))

  return {
    filters,
    items,
    loading,
    problem,
    state: current,
    hasNext: computed(() => nextCursor.value !== ''),
    hasPrev: computed(() => current.value.cursor !== ''),
    canGoBack: computed(() => trail.value.length > 0),
    /** The page number, or 0 when unknown (a link to a later page starts without a trail). */
    page: computed(() => (!current.value.cursor ? 1 : trail.value.length ? trail.value.length + 1 : 0)),
    filtered,
    load,
    apply,
    reset,
    next,
    prev,
    firstPage,
    setLimit,
    setSort,
  }
}

export type List<T> = ReturnType<typeof useList<Filters, T>>
