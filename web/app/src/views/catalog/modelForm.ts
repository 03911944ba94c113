// A model's form values and the request body made of them.
import type { Model, ModelFields } from '@/api/models'

export interface ComponentRow {
  code: string
  name: string
  main: boolean
}

export interface ModelModel {
  category_id: string
  sku: string
  name: string
  serial_pattern: string
  imei: boolean
  needs_install: boolean
  components: ComponentRow[]
}

export function modelModel(m?: Model, category = ''): ModelModel {
  return {
    category_id: m?.category_id ?? category,
    sku: m?.sku ?? '',
    name: m?.name ?? '',
    serial_pattern: m?.serial_pattern ?? '',
    imei: m?.imei ?? false,
    needs_install: m?.needs_install ?? false,
    components: (m?.components ?? []).map((c) => ({ code: c.code, name: c.name, main: c.main ?? false })),
  }
}

export function modelBody(m: ModelModel): ModelFields {
  return {
    category_id: m.category_id,
    sku: m.sku.trim(),
    name: m.name.trim(),
    components: m.components.map((c) => ({ code: c.code.trim(), name: c.name.trim(), main: c.main })),
    ...(m.serial_pattern.trim() ? { serial_pattern: m.serial_pattern.trim() } : {}),
    imei: m.imei,
    needs_install: m.needs_install,
  }
}

/**
 * Whether a serial matches the model's format as the API checks it (the whole serial, and
 * an IMEI's Luhn digit); undefined when the pattern is not one the browser can read.
 */
export function serialFits(serial: string, pattern: string, imei: boolean): boolean | undefined {
  if (imei && !luhnIMEI(serial)) return false
  if (!pattern) return true
  try {
    return new RegExp(`^(?:${pattern})$`).test(serial)
  } catch {
    return undefined
  }
}

/** 15 digits whose last is the Luhn check digit of the first 14. */
export function luhnIMEI(s: string): boolean {
  if (!/^\d{15}$/.test(s)) return false
  let sum = 0
  for (let i = 0; i < 15; i++) {
    let d = Number(s[i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}
