// enumValues keeps the declared order of a group's values, integer-like ones included.
import { describe, expect, it } from 'vitest'

import { ENUM_ORDER } from './enumOrder'
import { enumValues, type LabelGroup } from './index'
import en from './locales/en'

const groups = Object.keys(en.enums) as LabelGroup[]

describe('enumValues', () => {
  it('keeps the complaint channel 12315 in its declared place, after the maker', () => {
    expect(enumValues('contactChannel')).toEqual([
      'phone',
      'portal',
      'store',
      'wechat',
      'email',
      'maker',
      '12315',
      'carrier',
      'media',
      'government',
    ])
  })

  it('lists every labelled value of a group once, and nothing else', () => {
    for (const g of groups) {
      const values = enumValues(g)
      expect(new Set(values).size, g).toBe(values.length)
      expect([...values].sort(), g).toEqual(Object.keys(en.enums[g]).sort())
    }
  })

  it('has a declared order for every group that mixes integer-like values with others', () => {
    // (A group of codes only, such as the provinces, is written in ascending order.)
    const integerLike = (v: string) => /^(0|[1-9]\d*)$/.test(v)
    for (const g of groups) {
      const keys = Object.keys(en.enums[g])
      if (keys.some(integerLike) && !keys.every(integerLike)) expect(ENUM_ORDER[g], g).toBeDefined()
    }
    for (const g of Object.keys(ENUM_ORDER)) expect(groups, g).toContain(g)
  })

  it('keeps the messages order of other groups', () => {
    expect(enumValues('engineerRole')).toEqual(Object.keys(en.enums.engineerRole))
  })

  it('returns a copy that callers may change', () => {
    enumValues('contactChannel').reverse()
    expect(enumValues('contactChannel')[0]).toBe('phone')
  })
})
