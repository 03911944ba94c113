// The intake's default order type per channel.
import { describe, expect, it } from 'vitest'

import type { OrderType } from '@/api/models'

import { defaultTypeFor } from './orderTypes'

const t = (code: string, flow: 'carry_in' | 'on_site'): OrderType => ({ code, name: code, flow, active: true, min_level: 0, skill: '' })

describe('defaultTypeFor', () => {
  const all = [t('installation', 'on_site'), t('repair_major', 'carry_in'), t('repair_minor', 'carry_in'), t('inspection', 'on_site')]

  it('is a visit on site and a minor repair otherwise', () => {
    expect(defaultTypeFor('on_site', all)).toBe('inspection')
    for (const ch of ['phone', 'carry_in', 'mail_in', 'web']) expect(defaultTypeFor(ch, all)).toBe('repair_minor')
  })

  it("falls back to the flow's first type, then any type", () => {
    const own = [t('aircon_visit', 'on_site'), t('bench', 'carry_in')]
    expect(defaultTypeFor('on_site', own)).toBe('aircon_visit')
    expect(defaultTypeFor('carry_in', own)).toBe('bench')
    expect(defaultTypeFor('carry_in', [t('aircon_visit', 'on_site')])).toBe('aircon_visit')
    expect(defaultTypeFor('phone', [])).toBeUndefined()
  })
})
