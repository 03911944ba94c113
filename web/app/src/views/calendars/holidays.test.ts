import { describe, expect, it } from 'vitest'

import { parseHolidays } from './holidays'

describe('parseHolidays', () => {
  it('reads CSV with a header, Chinese kinds and slashes, and reports the lines it cannot read', () => {
    const r = parseHolidays('date,kind,name\n2027-01-01,holiday,元旦\n2027/2/7,班,春节调休\n2027-02-30,holiday,不存在\n2027-03-01,rest,x\n')
    expect(r.days).toEqual([
      { day: '2027-01-01', kind: 'holiday', name: '元旦' },
      { day: '2027-02-07', kind: 'workday', name: '春节调休' },
    ])
    expect(r.bad.map((b) => b.line)).toEqual([4, 5])
  })

  it('reads JSON arrays with date or day', () => {
    const r = parseHolidays('[{"date":"2027-10-01","kind":"holiday","name":"国庆节"},{"day":"2027-09-26","kind":"workday"},{"kind":"holiday"}]')
    expect(r.days).toEqual([
      { day: '2027-10-01', kind: 'holiday', name: '国庆节' },
      { day: '2027-09-26', kind: 'workday', name: '' },
    ])
    expect(r.bad.map((b) => b.line)).toEqual([3])
  })

  it('says a file that is not JSON is unreadable', () => {
    expect(parseHolidays('[{"date":').bad).toHaveLength(1)
  })
})
