import { describe, expect, it } from 'vitest'

import { Problem } from '@/api/problem'

import { errorField, fieldMessage, matchProp, problemText, problemTitle } from './problems'

// Problems as the API sends them (internal/api/problems.go and huma's validation messages).
describe('errorField', () => {
  it('takes the body path of a field error', () => {
    expect(errorField({ location: 'body.name', message: 'expected length >= 1' })).toBe('name')
    expect(errorField({ location: 'body.admin.email', message: 'x' })).toBe('admin.email')
    expect(errorField({ location: 'body.weekly_hours.mon[0].end', message: 'x' })).toBe('weekly_hours.mon[0].end')
  })

  it('puts a missing required property on the property, not on its parent', () => {
    expect(errorField({ location: 'body', message: 'expected required property name to be present' })).toBe('name')
    expect(errorField({ location: 'body.admin', message: 'expected required property password to be present' })).toBe(
      'admin.password',
    )
  })

  it('leaves query, path and header errors to the form-level alert', () => {
    expect(errorField({ location: 'query.cursor', message: 'is not a cursor returned by this API' })).toBeUndefined()
    expect(errorField({ location: 'path.id', message: 'x' })).toBeUndefined()
    expect(errorField({ location: 'body', message: 'is empty' })).toBeUndefined()
    expect(errorField({ message: 'no location' })).toBeUndefined()
  })
})

describe('matchProp', () => {
  const props = ['name', 'customer.name', 'customer.phone', 'weekly_hours.mon', 'scopes']

  it('finds the form item of a field, or the one holding it', () => {
    expect(matchProp('name', props)).toBe('name')
    expect(matchProp('customer.phone', props)).toBe('customer.phone')
    expect(matchProp('weekly_hours.mon[0].end', props)).toBe('weekly_hours.mon')
    expect(matchProp('scopes[2]', props)).toBe('scopes')
  })

  it('does not match on a mere prefix of a name', () => {
    expect(matchProp('names', props)).toBeUndefined()
    expect(matchProp('customer', props)).toBeUndefined()
    expect(matchProp('weekly_hours.monday', props)).toBeUndefined()
  })
})

describe('fieldMessage', () => {
  it('translates the validation messages of the API by their form', () => {
    expect(fieldMessage({ message: 'expected required property name to be present' })).toEqual({ key: 'problem.field.required' })
    expect(fieldMessage({ message: 'expected length >= 1' })).toEqual({ key: 'problem.field.required' })
    expect(fieldMessage({ message: 'expected length >= 10' })).toEqual({ key: 'problem.field.minLength', params: { n: 10 } })
    expect(fieldMessage({ message: 'expected length <= 200' })).toEqual({ key: 'problem.field.maxLength', params: { n: 200 } })
    expect(fieldMessage({ message: 'give the serial of a registered unit' })).toEqual({ key: 'problem.field.unitSerial' })
    expect(fieldMessage({ message: 'expected string to be RFC 5322 email: mail: missing @ in addr-spec' })).toEqual({
      key: 'problem.field.email',
    })
    expect(fieldMessage({ message: 'expected string to match pattern ^[a-z0-9][a-z0-9-]{1,62}$' })).toEqual({
      key: 'problem.field.pattern',
    })
    expect(fieldMessage({ message: 'is not a valid phone number' })).toEqual({ key: 'problem.field.phone' })
    expect(fieldMessage({ message: 'is not an IANA time zone (e.g. Asia/Shanghai)' })).toEqual({ key: 'problem.field.timezone' })
    expect(fieldMessage({ message: 'give a reason to cancel the order' })).toEqual({ key: 'problem.field.reasonNeeded' })
  })

  it('knows nothing of a reason it was not taught (the form shows a generic message)', () => {
    expect(fieldMessage({ message: 'the unit is older than 365 days' })).toBeUndefined()
    expect(fieldMessage({})).toBeUndefined()
  })
})

describe('problemTitle and problemText', () => {
  it('name the status, and explain known details', () => {
    const bad = new Problem(401, { detail: 'email or password is incorrect' })
    expect(problemTitle(bad)).toEqual({ key: 'problem.title.401' })
    expect(problemText(bad)).toEqual({ key: 'problem.known.badLogin' })

    const slug = new Problem(409, { detail: 'a tenant with this slug exists' })
    expect(problemText(slug)).toEqual({ key: 'problem.known.slugTaken' })

    const code = new Problem(409, { detail: 'an outlet with this code exists in the tenant' })
    expect(problemText(code)).toEqual({ key: 'problem.known.codeTaken' })

    const owed = new Problem(409, { detail: 'the bill of order SO-2026-000001 is not settled (76800 minor units owed): take payment, ...' })
    expect(problemText(owed)).toEqual({ key: 'counter.unsettled' })
    const unbilled = new Problem(409, { detail: 'order SO-2026-000001 has an approved quote with a charge but no bill: bill the customer' })
    expect(problemText(unbilled)).toEqual({ key: 'counter.unbilled' })
  })

  it('fall back to the status, and to the network when there is none', () => {
    expect(problemText(new Problem(412, { detail: 'the resource changed since you read it' }))).toEqual({ key: 'problem.text.412' })
    expect(problemTitle(new Problem(418))).toEqual({ key: 'problem.title.other' })
    expect(problemText(new Problem(503))).toEqual({ key: 'problem.text.500' })
    expect(problemTitle(Problem.network())).toEqual({ key: 'problem.title.network' })
  })
})

describe('Problem', () => {
  it('names the moves a refused transition allows', () => {
    const p = new Problem(409, {
      detail: 'a carry_in order cannot go from repairing to waiting; allowed: waiting_parts, cancelled',
      errors: [{ location: 'body.to', message: 'allowed: waiting_parts, cancelled', value: ['waiting_parts', 'cancelled'] }],
    })
    expect(p.allowedMoves).toEqual(['waiting_parts', 'cancelled'])
    expect(new Problem(409, { detail: 'an outlet with this code exists in the tenant' }).allowedMoves).toBeUndefined()
    expect(new Problem(412).stale).toBe(true)
  })
})
