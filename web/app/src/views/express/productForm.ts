// An express product's form values (a per-incident promise or a plan), and the request
// bodies made of them. Fields the form does not edit travel back as they were read.
import type { ExpressProduct, ExpressProductInput } from '@/api/models'

export const SLA_TARGETS = ['accept', 'dispatch', 'appointment', 'arrival', 'completion', 'return', 'callback'] as const
export const LINES = ['parts', 'labour', 'visit', 'shipping'] as const

export interface TargetRow {
  target: string
  minutes: number
  clock: 'business' | 'clock'
}

export interface ProductModel {
  code: string
  name: string
  kind: 'per_incident' | 'plan'
  status: 'active' | 'archived'
  description: string
  tier_code: string
  term_months: number
  cooling_off_days: number
  after_cooling_off: 'pro_rata' | 'none'
  compensation_kind: 'none' | 'refund_full' | 'refund_partial' | 'credit'
  compensation_percent: number
  targets: TargetRow[]
  category_ids: string[]
  province_codes: string[]
  max_unit_age_days: number
  coverage_kind: '' | 'extended' | 'accidental'
  coverage_component: string
  coverage_lines: Record<(typeof LINES)[number], 'free' | 'shared' | 'charged'>
  /** The first price of a new product, in major units. */
  price: number | undefined
  currency: string
  /** What the form does not show, sent back unchanged. */
  rest: Pick<ExpressProductInput, 'eligibility' | 'coverage'>
}

export function productModel(p?: ExpressProduct): ProductModel {
  const cov = p?.coverage
  return {
    code: p?.code ?? '',
    name: p?.name ?? '',
    kind: p?.kind ?? 'per_incident',
    status: p?.status ?? 'active',
    description: p?.description ?? '',
    tier_code: p?.tier_code ?? '',
    term_months: p?.term_months ?? 12,
    cooling_off_days: p?.cooling_off_days ?? 7,
    after_cooling_off: p?.after_cooling_off ?? 'pro_rata',
    compensation_kind: p?.compensation?.kind ?? 'none',
    compensation_percent: p?.compensation?.percent ?? 0,
    targets: Object.entries(p?.targets ?? {}).map(([target, v]) => ({ target, minutes: v.minutes, clock: v.clock })),
    category_ids: [...(p?.eligibility?.category_ids ?? [])],
    province_codes: [...(p?.eligibility?.province_codes ?? [])],
    max_unit_age_days: p?.eligibility?.max_unit_age_days ?? 0,
    coverage_kind: cov?.kind ?? '',
    coverage_component: cov?.component ?? '',
    coverage_lines: {
      parts: cov?.covered.parts.mode ?? 'free',
      labour: cov?.covered.labour.mode ?? 'free',
      visit: cov?.covered.visit.mode ?? 'free',
      shipping: cov?.covered.shipping.mode ?? 'free',
    },
    price: undefined,
    currency: 'CNY',
    rest: { eligibility: p?.eligibility, coverage: p?.coverage },
  }
}

/** The product's fields as the API takes them (create adds prices, update adds status). */
export function productInput(m: ProductModel): ExpressProductInput {
  const plan = m.kind === 'plan'
  const targets = Object.fromEntries(m.targets.filter((x) => x.target).map((x) => [x.target, { minutes: x.minutes, clock: x.clock }]))
  const eligibility = {
    ...m.rest.eligibility,
    category_ids: m.category_ids,
    province_codes: m.province_codes,
    max_unit_age_days: m.max_unit_age_days,
  }
  const covered = Object.fromEntries(LINES.map((l) => [l, { ...m.rest.coverage?.covered[l], mode: m.coverage_lines[l] }])) as NonNullable<
    ExpressProductInput['coverage']
  >['covered']
  return {
    code: m.code.trim(),
    name: m.name.trim(),
    kind: m.kind,
    ...(m.description.trim() ? { description: m.description.trim() } : {}),
    ...(m.tier_code ? { tier_code: m.tier_code } : {}),
    ...(plan ? { term_months: m.term_months } : {}),
    cooling_off_days: m.cooling_off_days,
    after_cooling_off: m.after_cooling_off,
    compensation: {
      kind: m.compensation_kind,
      ...(m.compensation_kind === 'refund_partial' || m.compensation_kind === 'credit' ? { percent: m.compensation_percent } : {}),
    },
    targets,
    eligibility,
    ...(plan && m.coverage_kind
      ? { coverage: { kind: m.coverage_kind, ...(m.coverage_component.trim() ? { component: m.coverage_component.trim() } : {}), covered } }
      : {}),
  }
}
