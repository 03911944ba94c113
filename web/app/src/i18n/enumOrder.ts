// The declared order of enum groups whose values JavaScript would reorder: an object keeps
// its string keys in the order written, except integer-like keys ('12315'), which always come
// first in ascending order. Such a group lists its values here, in the API's order (the
// generated schema's enum), and enumValues follows this list instead of the messages' keys.
import type { components } from '@/api/schema'

type ContactChannel = components['schemas']['NewComplaint']['channel']

/** Every value of T, each once, in the order given (a missing or unknown value fails vue-tsc). */
function inOrder<T extends string>() {
  return <const L extends readonly T[]>(...values: L & ([T] extends [L[number]] ? unknown : never)): readonly T[] => values
}

export const ENUM_ORDER: Readonly<Record<string, readonly string[]>> = {
  contactChannel: inOrder<ContactChannel>()(
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
  ),
}
