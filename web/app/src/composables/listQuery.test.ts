import { describe, expect, it } from 'vitest'

import { apiQuery, buildListQuery, DEFAULT_LIMIT, parseListQuery, sortValue } from './listQuery'

const defaults = { status: '', kind: '', overdue: '' }

describe('list state in the URL', () => {
  it('reads filters, cursor, page size and sort, ignoring the rest', () => {
    const s = parseListQuery({ status: 'active', cursor: 'abc', limit: '50', sort: '-code', other: 'x' }, defaults)
    expect(s).toEqual({ filters: { status: 'active', kind: '', overdue: '' }, cursor: 'abc', limit: 50, sort: '-code' })
  })

  it('falls back to the defaults for missing or odd values', () => {
    const s = parseListQuery({ limit: '7', status: ['a', 'b'] }, defaults)
    expect(s.limit).toBe(DEFAULT_LIMIT)
    expect(s.filters.status).toBe('a')
    expect(s.cursor).toBe('')
  })

  it('writes only what differs from the defaults, and reads back the same', () => {
    const state = { filters: { status: 'closed', kind: '', overdue: 'true' }, cursor: '', limit: DEFAULT_LIMIT, sort: '' }
    const q = buildListQuery(state, defaults)
    expect(q).toEqual({ status: 'closed', overdue: 'true' })
    expect(parseListQuery(q as Record<string, string>, defaults)).toEqual(state)
  })

  it('asks the API for the filters that are set', () => {
    const q = apiQuery({ filters: { status: 'active', kind: '', overdue: '' }, cursor: 'c1', limit: 20, sort: '' })
    expect(q).toEqual({ status: 'active', cursor: 'c1', limit: 20 })
  })

  it('turns a table sort into the query and back to none', () => {
    expect(sortValue('code', 'ascending')).toBe('code')
    expect(sortValue('code', 'descending')).toBe('-code')
    expect(sortValue('code', null)).toBe('')
  })
})
