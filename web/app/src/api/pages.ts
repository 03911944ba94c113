// Reading every page of a list: boards show all the orders their filters match, not the first
// page. The API pages with cursors; readAll follows next_cursor until the last page or until
// max items, and says whether it stopped early (the page then tells the user to filter).

/** One page of a list answer. */
export interface Page<T> {
  items?: T[] | null
  next_cursor?: string
}

/** What readAll found: the items, and whether more pages were left unread (max reached). */
export interface AllPages<T> {
  items: T[]
  more: boolean
}

/** The API's largest page. */
export const MAX_PAGE = 200

/**
 * Reads the pages of a list one after another (each needs the previous one's cursor), at
 * most max items; fetchPage gets '' for the first page.
 */
export async function readAll<T>(fetchPage: (cursor: string) => Promise<Page<T>>, max = 1000): Promise<AllPages<T>> {
  const items: T[] = []
  let cursor = ''
  for (;;) {
    const page = await fetchPage(cursor)
    items.push(...(page.items ?? []))
    cursor = page.next_cursor ?? ''
    if (!cursor) return { items, more: false }
    if (items.length >= max) return { items: items.slice(0, max), more: true }
  }
}

/** The query of a page: the cursor only when there is one (the API refuses an empty cursor). */
export function withCursor<Q extends object>(query: Q, cursor: string): Q & { cursor?: string } {
  return cursor ? { ...query, cursor } : query
}
