import { describe, expect, it } from 'vitest'

import { todayIn } from './format'

describe('todayIn', () => {
  it('is the date in the given time zone, not the browser’s', () => {
    const late = new Date('2026-12-06T16:45:00Z') // past midnight in Shanghai
    expect(todayIn('Asia/Shanghai', late)).toBe('2026-12-07')
    expect(todayIn('UTC', late)).toBe('2026-12-06')
  })
})
