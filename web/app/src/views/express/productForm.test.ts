import { describe, expect, it } from 'vitest'

import { productInput, productModel } from './productForm'

describe('productInput', () => {
  it('sends a plan with its term, coverage and targets', () => {
    const m = productModel()
    Object.assign(m, { code: ' care-2y ', name: '延保两年', kind: 'plan', term_months: 24, coverage_kind: 'extended' })
    m.targets.push({ target: 'arrival', minutes: 360, clock: 'clock' })
    const b = productInput(m)
    expect(b.code).toBe('care-2y')
    expect(b.term_months).toBe(24)
    expect(b.targets).toEqual({ arrival: { minutes: 360, clock: 'clock' } })
    expect(b.coverage?.kind).toBe('extended')
    expect(b.coverage?.covered.parts).toEqual({ mode: 'free' })
  })

  it('leaves plan fields out of a per-incident product, and the percent out of no compensation', () => {
    const m = productModel()
    Object.assign(m, { code: 'onsite-6h', name: '6 小时上门', coverage_kind: 'extended' })
    const b = productInput(m)
    expect(b.term_months).toBeUndefined()
    expect(b.coverage).toBeUndefined()
    expect(b.compensation).toEqual({ kind: 'none' })
  })

  it('keeps what the form does not show', () => {
    const m = productModel({
      id: 'p', code: 'x', name: 'x', kind: 'per_incident', prices: [], version: 1, created_at: '', updated_at: '',
      eligibility: { city_codes: ['310100'], model_ids: ['m1'] },
    })
    expect(productInput(m).eligibility).toMatchObject({ city_codes: ['310100'], model_ids: ['m1'] })
  })
})
