import { describe, expect, it } from 'vitest'

import { type Page, readAll, withCursor } from './pages'

/** A list of n numbers served in pages of size, with cursors as the API gives them. */
function server(n: number, size: number) {
  const asked: string[] = []
  const all = Array.from({ length: n }, (_, i) => i)
  const fetchPage = (cursor: string): Promise<Page<number>> => {
    asked.push(cursor)
    const from = cursor ? Number(cursor) : 0
    const items = all.slice(from, from + size)
    const next = from + size < n ? String(from + size) : undefined
    return Promise.resolve(next ? { items, next_cursor: next } : { items })
  }
  return { asked, fetchPage }
}

describe('readAll', () => {
  it('follows the cursors to the last page', async () => {
    const s = server(450, 200)
    const r = await readAll(s.fetchPage)
    expect(r.items).toHaveLength(450)
    expect(r.items[449]).toBe(449)
    expect(r.more).toBe(false)
    expect(s.asked).toEqual(['', '200', '400'])
  })

  it('stops at max and says more were left', async () => {
    const s = server(1000, 200)
    const r = await readAll(s.fetchPage, 300)
    expect(r.items).toHaveLength(300)
    expect(r.more).toBe(true)
    expect(s.asked).toEqual(['', '200'])
  })

  it('reads one empty page', async () => {
    const r = await readAll(() => Promise.resolve({ items: null }))
    expect(r).toEqual({ items: [], more: false })
  })
})

describe('withCursor', () => {
  it('leaves an empty cursor out', () => {
    expect(withCursor({ limit: 200 }, '')).toEqual({ limit: 200 })
    expect(withCursor({ limit: 200 }, 'abc')).toEqual({ limit: 200, cursor: 'abc' })
  })
})
