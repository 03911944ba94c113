import { describe, expect, it } from 'vitest'

import { Problem } from '@/api/problem'
import { i18n } from '@/i18n'

import { useLinkPage } from './useLinkPage'
import { linkTenant } from './views/links/links'

type Page = { tenant: string; number: string }

describe('useLinkPage', () => {
  it('loads what the token opens, sets the link brand and reads what the page needs besides', async () => {
    linkTenant.value = ''
    const seen: string[] = []
    const page = useLinkPage<Page>(async () => ({ tenant: 'acme', number: 'SO-1' }), {
      then: (p) => void seen.push(p.number),
    })
    expect(page.loading.value).toBe(true)
    await page.load()
    expect(page.item.value).toEqual({ tenant: 'acme', number: 'SO-1' })
    expect(page.loading.value).toBe(false)
    expect(page.problem.value).toBe('')
    expect(linkTenant.value).toBe('acme')
    expect(seen).toEqual(['SO-1'])
  })

  it("says what went wrong in the consumer's words and shows nothing", async () => {
    i18n.global.locale.value = 'en'
    linkTenant.value = ''
    let after = 0
    const page = useLinkPage<Page>(
      async () => {
        throw new Problem(404, { title: 'Not Found', status: 404, detail: 'the link is not known' })
      },
      { after: () => void after++ },
    )
    await page.load()
    expect(page.item.value).toBeNull()
    expect(page.loading.value).toBe(false)
    expect(page.problem.value).not.toBe('')
    expect(page.problem.value).not.toMatch(/^[a-z]+\.[a-zA-Z.]+$/) // words, not a locale key
    expect(linkTenant.value).toBe('')
    expect(after).toBe(1)
  })

  it('retries: a second load after a failure clears the problem and shows the page', async () => {
    let calls = 0
    const page = useLinkPage<Page>(async () => {
      if (calls++ === 0) throw new Problem(0)
      return { tenant: 'acme', number: 'SO-2' }
    })
    await page.load()
    expect(page.problem.value).not.toBe('')
    expect(page.item.value).toBeNull()
    const retry = page.load()
    expect(page.loading.value).toBe(true)
    expect(page.problem.value).toBe('')
    await retry
    expect(page.item.value?.number).toBe('SO-2')
    expect(page.problem.value).toBe('')
    expect(page.loading.value).toBe(false)
    expect(calls).toBe(2)
  })

  it('reads quietly (no spinner) when asked, as the pay page polls', async () => {
    const page = useLinkPage<Page>(async () => ({ tenant: 'acme', number: 'SO-3' }))
    await page.load()
    const again = page.load({ quiet: true })
    expect(page.loading.value).toBe(false)
    await again
    expect(page.item.value?.number).toBe('SO-3')
  })
})
