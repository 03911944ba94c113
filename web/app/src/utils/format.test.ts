import { describe, expect, it } from 'vitest'

import { durationParts, formatDateTimeIn, formatMoney, todayIn, toMajor, toMinor } from './format'

describe('todayIn', () => {
  it('is the date in the given time zone, not the browser’s', () => {
    const late = new Date('2026-12-06T16:45:00Z') // past midnight in Shanghai
    expect(todayIn('Asia/Shanghai', late)).toBe('2026-12-07')
    expect(todayIn('UTC', late)).toBe('2026-12-06')
  })
})

describe('formatDateTimeIn', () => {
  it('shows the moment in the given zone, naming the zone', () => {
    const s = formatDateTimeIn('2026-12-06T19:00:00Z', 'Asia/Shanghai')
    expect(s).toContain('03:00')
    expect(s).toMatch(/GMT\+8|CST/)
  })

  it('falls back to the local time for an unknown zone', () => {
    expect(formatDateTimeIn('2026-12-06T19:00:00Z', 'Nowhere/Else')).not.toBe('')
  })
})

describe('durationParts', () => {
  it('splits a span, overdue or not', () => {
    expect(durationParts(((26 * 60 + 3) * 60 + 4) * 1000)).toEqual({ d: 1, h: 2, m: 3, s: 4 })
    expect(durationParts(-61_000)).toEqual({ d: 0, h: 0, m: 1, s: 1 })
  })
})

describe('money', () => {
  it('shows minor units as the currency', () => {
    expect(formatMoney(9950, 'CNY')).toMatch(/99\.50/)
    expect(formatMoney(500, 'JPY')).toMatch(/500/)
  })
  it('turns typed amounts into minor units without float drift', () => {
    expect(toMinor(19.99, 'CNY')).toBe(1999)
    expect(toMinor(0.29, 'CNY')).toBe(29)
    expect(toMinor(500, 'JPY')).toBe(500)
  })
  it('turns minor units back into what a person types, by the currency', () => {
    expect(toMajor(9950, 'CNY')).toBe(99.5)
    expect(toMajor(500, 'JPY')).toBe(500)
    expect(toMajor(1234, 'KWD')).toBe(1.234)
    expect(toMinor(toMajor(123456, 'CNY'), 'CNY')).toBe(123456)
  })
})
