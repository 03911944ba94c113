// A list's state in the URL query: its filters, the page (a cursor), the page size and the
// sort. Pure functions, tested in listQuery.test.ts; useList binds them to the router.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'

/** Filter values by name; '' means "no filter". */
export type Filters = Record<string, string>

export interface ListState<F extends Filters> {
  filters: F
  cursor: string
  limit: number
  /** A column name, '-name' for descending, '' for the API's own order. */
  sort: string
}

export const PAGE_SIZES = [20, 50, 100] as const
export const DEFAULT_LIMIT = 20

function first(v: LocationQuery[string] | undefined): string {
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' ? s : ''
}

/** Reads a list's state from the query; unknown keys are ignored, missing ones take the defaults. */
export function parseListQuery<F extends Filters>(query: LocationQuery, defaults: F): ListState<F> {
  const filters = { ...defaults }
  for (const k of Object.keys(defaults) as (keyof F & string)[]) {
    if (k in query) filters[k] = first(query[k]) as F[typeof k]
  }
  const limit = Number(first(query.limit))
  return {
    filters,
    cursor: first(query.cursor),
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_LIMIT,
    sort: first(query.sort),
  }
}

/** Writes a list's state as a query: values equal to the defaults are left out, so URLs stay short. */
export function buildListQuery<F extends Filters>(state: ListState<F>, defaults: F): LocationQueryRaw {
  const q: LocationQueryRaw = {}
  for (const [k, v] of Object.entries(state.filters)) {
    if (v !== defaults[k]) q[k] = v
  }
  if (state.cursor) q.cursor = state.cursor
  if (state.limit !== DEFAULT_LIMIT) q.limit = String(state.limit)
  if (state.sort) q.sort = state.sort
  return q
}

/** What a list asks the API: the filters that are set (never ''), cursor, limit and sort. */
export type ApiQuery<F extends Filters> = { [K in keyof F]?: Exclude<F[K], ''> } & {
  cursor?: string
  limit: number
  sort?: string
}

/** The API query for a list's state. */
export function apiQuery<F extends Filters>(state: ListState<F>): ApiQuery<F> {
  const q: Record<string, string | number> = { limit: state.limit }
  for (const [k, v] of Object.entries(state.filters)) {
    if (v !== '') q[k] = v
  }
  if (state.cursor) q.cursor = state.cursor
  if (state.sort) q.sort = state.sort
  return q as ApiQuery<F>
}

/** Element Plus's sort-change, as the query's sort value. */
export function sortValue(prop: string | null | undefined, order: 'ascending' | 'descending' | null | undefined): string {
  if (!prop || !order) return ''
  return order === 'descending' ? `-${prop}` : prop
}
