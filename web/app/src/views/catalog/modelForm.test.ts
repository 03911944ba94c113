import { describe, expect, it } from 'vitest'

import { luhnIMEI, modelBody, modelModel, serialFits } from './modelForm'

describe('serialFits', () => {
  it('checks the whole serial against the pattern', () => {
    expect(serialFits('KF12345', 'KF[0-9]{5}', false)).toBe(true)
    expect(serialFits('XKF12345', 'KF[0-9]{5}', false)).toBe(false)
    expect(serialFits('KF123456', 'KF[0-9]{5}', false)).toBe(false)
  })
  it('checks an IMEI by its Luhn digit', () => {
    expect(luhnIMEI('490154203237518')).toBe(true)
    expect(luhnIMEI('490154203237519')).toBe(false)
    expect(serialFits('490154203237519', '', true)).toBe(false)
    expect(serialFits('490154203237518', '', true)).toBe(true)
  })
  it('cannot tell with a pattern the browser cannot read', () => {
    expect(serialFits('a', '(', false)).toBeUndefined()
  })
})

describe('modelBody', () => {
  it('trims, and leaves an empty serial pattern out', () => {
    const m = modelModel(undefined, 'c1')
    m.sku = ' KFR-35GW '
    m.name = ' 挂机 '
    m.components.push({ code: ' compressor ', name: '压缩机', main: true })
    expect(modelBody(m)).toEqual({
      category_id: 'c1',
      sku: 'KFR-35GW',
      name: '挂机',
      components: [{ code: 'compressor', name: '压缩机', main: true }],
      imei: false,
      needs_install: false,
    })
  })
})
