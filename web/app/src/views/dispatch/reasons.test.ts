// Dispatch's English reasons read in Chinese: every sentence internal/dispatch writes has a
// translation with its numbers, and an unknown one never shows English in Chinese.
import { afterEach, describe, expect, it } from 'vitest'

import { i18n } from '@/i18n'

import { dispatchReason } from './reasons'

describe('dispatchReason', () => {
  afterEach(() => {
    i18n.global.locale.value = 'en'
  })

  it('translates the known sentences with their numbers', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(dispatchReason('full today (3 of 5)')).toBe('今日已满（3/5）')
    expect(dispatchReason('covers region 310115')).toBe('覆盖区域 310115')
    expect(dispatchReason("the outlet's default engineer")).toBe('网点默认工程师')
    expect(dispatchReason('eligible, 2 open orders')).toBe('符合条件，未完成 2 单')
    expect(dispatchReason("serves the order's area")).toBe('负责该工单所在区域')
  })

  it('keeps English in English and hides an unknown sentence in Chinese', () => {
    expect(dispatchReason('full today (3 of 5)')).toBe('full today (3 of 5)')
    expect(dispatchReason('a brand new rule')).toBe('a brand new rule')
    i18n.global.locale.value = 'zh-CN'
    expect(dispatchReason('a brand new rule')).toBe('其他原因')
  })
})
