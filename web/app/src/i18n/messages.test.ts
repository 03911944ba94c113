// The languages are complete: the same keys in both, nothing empty, the same placeholders,
// every key the source names exists, and every value of the API's enums has a label.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { Problem } from '@/api/problem'
import { MENU_GROUPS } from '@/router/meta'
import { problemText, problemTitle } from '@/utils/problems'

import { i18n } from '.'
import en from './locales/en'
import zhCN from './locales/zh-CN'

type Tree = { [k: string]: string | Tree }

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
  }
  return out
}

const enKeys = flatten(en as unknown as Tree)
const zhKeys = flatten(zhCN as unknown as Tree)
const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort()

describe('messages', () => {
  it('have the same keys in every language', () => {
    expect([...zhKeys.keys()].filter((k) => !enKeys.has(k))).toEqual([])
    expect([...enKeys.keys()].filter((k) => !zhKeys.has(k))).toEqual([])
  })

  it('are never empty and keep their placeholders', () => {
    for (const [k, v] of enKeys) {
      const zh = zhKeys.get(k) ?? ''
      expect(v.trim(), `en ${k}`).not.toBe('')
      expect(zh.trim(), `zh-CN ${k}`).not.toBe('')
      expect(placeholders(zh), `placeholders of ${k}`).toEqual(placeholders(v))
    }
  })

  it('avoid the characters vue-i18n reads as syntax, but for English plurals', () => {
    // An English count says "1 answer | {n} answers": two forms, each with the same
    // placeholders, called as t(key, { n }, n). Chinese has one form.
    for (const [k, v] of enKeys) {
      expect(v, k).not.toMatch(/@/)
      if (!v.includes('|')) continue
      const forms = v.split(' | ')
      expect(forms.length, `plural forms of en ${k}`).toBe(2)
      for (const f of forms) {
        expect(f, k).not.toMatch(/\|/)
        expect(placeholders(f), `placeholders of each form of ${k}`).toEqual(placeholders(v))
      }
    }
    for (const [k, v] of zhKeys) expect(v, k).not.toMatch(/[@|]/)
  })

  it('count in English and in Chinese', () => {
    i18n.global.locale.value = 'en'
    expect(i18n.global.t('satisfaction.answers', { n: 1 }, 1)).toBe('1 answer')
    expect(i18n.global.t('satisfaction.answers', { n: 3 }, 3)).toBe('3 answers')
    expect(i18n.global.t('satisfaction.answers', { n: 0 }, 0)).toBe('0 answers')
    i18n.global.locale.value = 'zh-CN'
    expect(i18n.global.t('satisfaction.answers', { n: 1 }, 1)).toBe('1 份答卷')
    expect(i18n.global.t('satisfaction.answers', { n: 3 }, 3)).toBe('3 份答卷')
  })

  it('say something in Chinese where the English says something', () => {
    // A zh-CN message equal to its English text is an untranslated copy, unless it is a
    // name, a code or a format that reads the same in both.
    const same = new Set(['lang.en', 'lang.zh-CN', 'enums.locale.zh-CN', 'audit.ip'])
    for (const [k, v] of enKeys) {
      if (same.has(k) || !/[a-z]{3}/.test(v)) continue
      expect(zhKeys.get(k), k).not.toBe(v)
    }
  })
})

// ---- Keys named in the source ---------------------------------------------------------

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return sources(p)
    return /\.(ts|vue)$/.test(name) && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [p] : []
  })
}

describe('the source', () => {
  const src = join(__dirname, '..')
  const keyPatterns = [
    /\bt\(\s*'([a-z][\w-]*(?:\.[\w:-]+)+)'/g, // t('orders.title')
    /\btitle: '([a-z][\w-]*(?:\.[\w-]+)+)'/g, // route meta titles
    /\bkey: '([a-z][\w-]*(?:\.[\w-]+)+)'/g, // message keys in utils/problems.ts
    /, '(problem\.known\.\w+)'\]/g, // known problem details
  ]

  it('names only keys that exist', () => {
    const missing: string[] = []
    let found = 0
    for (const file of sources(src)) {
      const text = readFileSync(file, 'utf8')
      for (const re of keyPatterns) {
        for (const m of text.matchAll(re)) {
          found++
          if (!enKeys.has(m[1]!)) missing.push(`${file.slice(src.length)}: ${m[1]}`)
        }
      }
    }
    expect(found).toBeGreaterThan(300)
    expect(missing).toEqual([])
  })

  it('has a title and an explanation for every problem status', () => {
    for (let status = -1; status < 600; status++) {
      const p = new Problem(status)
      expect(enKeys.has(problemTitle(p).key), `title of ${status}`).toBe(true)
      const text = problemText(p)
      if (text) expect(enKeys.has(text.key), `text of ${status}`).toBe(true)
    }
  })

  it('labels every menu group', () => {
    for (const g of MENU_GROUPS) expect(enKeys.has(`menu.groups.${g}`), g).toBe(true)
  })
})

// ---- The API's enums --------------------------------------------------------------------

type Schema = { enum?: string[]; properties?: Record<string, Schema>; items?: Schema }
const openapi = JSON.parse(readFileSync(join(__dirname, '../../../../docs/openapi.json'), 'utf8')) as {
  components: { schemas: Record<string, Schema> }
}

function apiEnum(schema: string, prop: string): string[] {
  const p = openapi.components.schemas[schema]?.properties?.[prop]
  const values = p?.enum ?? p?.items?.enum
  if (!values) throw new Error(`${schema}.${prop} has no enum in docs/openapi.json`)
  return values
}

describe('labels of API values', () => {
  const cases: [keyof typeof en.enums, string, string][] = [
    ['outletKind', 'Outlet', 'kind'],
    ['outletStatus', 'Outlet', 'status'],
    ['tenantKind', 'Tenant', 'kind'],
    ['tenantStatus', 'Tenant', 'status'],
    ['dayKind', 'CalendarDay', 'kind'],
    ['channel', 'Intake', 'channel'],
    ['flow', 'Order', 'flow'],
    ['slaTarget', 'Clock', 'target'],
    ['slaStatus', 'Clock', 'status'],
    ['memberStatus', 'UpdateInBody', 'status'],
    ['role', 'InviteInBody', 'role'],
    ['locale', 'OnboardInBody', 'locale'],
    ['coverage', 'Decision', 'class'],
    ['reasonOutcome', 'Reason', 'outcome'],
    ['chargeMode', 'Charge', 'mode'],
    ['quoteStatus', 'Quote', 'status'],
    ['completionResult', 'Completion', 'result'],
    ['exclusion', 'Completion', 'exclusion'],
    ['engineerRole', 'OrderEngineer', 'role'],
    ['engineerState', 'OrderEngineer', 'state'],
    ['productKind', 'Product', 'kind'],
    ['productStatus', 'Product', 'status'],
    ['afterCoolingOff', 'Product', 'after_cooling_off'],
    ['clockKind', 'Target', 'clock'],
    ['coverageKind', 'PlanCoverage', 'kind'],
    ['compensationKind', 'Compensation', 'kind'],
    ['escalationRole', 'Level', 'role'],
    ['notifyChannel', 'Template', 'channel'],
    ['agreementStatus', 'Agreement', 'status'],
    ['agreementRole', 'Agreement', 'role'],
    ['proposalBy', 'Proposal', 'by'],
    ['partsBasis', 'PartsPricing', 'basis'],
    ['sharing', 'ContactSharing', 'phone'],
    ['jobDirection', 'PartnerJob', 'direction'],
    ['statementDirection', 'Statement', 'direction'],
    ['statementStatus', 'Statement', 'status'],
    ['signalKind', 'Signal', 'kind'],
    ['deliveryStatus', 'Delivery', 'status'],
    ['deliveryError', 'Delivery', 'error_class'],
    ['importKind', 'ImportBody', 'kind'],
    ['importStatus', 'ImportBody', 'status'],
    ['warehouseKind', 'Warehouse', 'kind'],
    ['stockOwner', 'Warehouse', 'owner'],
    ['movementType', 'Movement', 'type'],
    ['issueKind', 'Movement', 'issue_kind'],
    ['transferStatus', 'Transfer', 'status'],
    ['billStatus', 'Bill', 'status'],
    ['billLineKind', 'BillLine', 'kind'],
    ['billPayer', 'BillLine', 'payer'],
    ['discountStatus', 'Bill', 'discount_status'],
    ['paymentKind', 'BillPayment', 'kind'],
    ['paymentKind', 'CashUpLine', 'kind'],
    ['loanDeposit', 'Loan', 'deposit_status'],
    ['paymentMethod', 'Loan', 'deposit_method'],
    ['paymentMethod', 'BillPayment', 'method'],
    ['paymentStatus', 'BillPayment', 'status'],
    ['requestStatus', 'PartRequest', 'status'],
    ['returnReason', 'ApplyInput', 'reason'],
    ['returnCollection', 'ApplyInput', 'collection'],
    ['returnRemedy', 'LineInput', 'remedy'],
    ['returnPayment', 'LineInput', 'payment'],
    ['discrepancyReason', 'ReceiveLine', 'discrepancy_reason'],
    ['rmaShipmentStatus', 'RMAShipment', 'status'],
    ['inspectionResult', 'RMAShipmentLine', 'result'],
    ['callbackStatus', 'Task', 'status'],
    ['callbackReason', 'Task', 'reason'],
    ['rectificationStatus', 'Rectification', 'status'],
    ['questionKind', 'Question', 'kind'],
    ['surveyChannel', 'Response', 'channel'],
  ]
  it.each(cases)('%s covers %s.%s', (group, schema, prop) => {
    const labels = Object.keys(en.enums[group])
    expect(apiEnum(schema, prop).filter((v) => !labels.includes(v))).toEqual([])
  })
})
