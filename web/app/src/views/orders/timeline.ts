// An order's timeline entry as a sentence in the user's language. Staff-typed text (a
// status move's reason, a comment) is shown as typed; the server's own English notes are
// shown in English only, and otherwise kept in the entry's tooltip.
import type { TimelineEntry } from '@/api/models'
import { currentLocale, enumLabel, i18n } from '@/i18n'

export interface TimelineLine {
  title: string
  text: string
  /** The server's note, for the tooltip. */
  note: string
}

export function timelineLine(e: TimelineEntry): TimelineLine {
  const { t } = i18n.global
  const title = enumLabel('timeline', e.kind)
  const english = currentLocale() === 'en'
  const note = e.reason ?? ''
  switch (e.kind) {
    case 'status':
      return {
        title,
        text: `${enumLabel('orderStatus', e.from)} → ${enumLabel('orderStatus', e.to)}${e.reason ? ` · ${e.reason}` : ''}`,
        note: '',
      }
    case 'created':
      return { title, text: enumLabel('orderStatus', e.to), note }
    case 'comment': {
      const text = e.data && typeof e.data.text === 'string' ? e.data.text : ''
      return { title, text, note: '' }
    }
    case 'entitlement':
      return {
        title,
        text: [e.from, e.to].filter(Boolean).map((c) => enumLabel('coverage', c)).join(' → ') || t('orders.unregisteredUnit'),
        note,
      }
    case 'partner': {
      const partner = e.data && typeof e.data.partner === 'string' ? e.data.partner : ''
      const status = e.to ? enumLabel('orderStatus', e.to) : ''
      return { title, text: [partner, status].filter(Boolean).join(' · '), note }
    }
    case 'handoff': {
      const partner = e.data && typeof e.data.partner === 'string' ? e.data.partner : ''
      return { title, text: partner, note }
    }
    case 'loaner': {
      const serial = e.data && typeof e.data.serial === 'string' ? e.data.serial : ''
      return { title, text: [enumLabel('loanEvent', e.to), serial, e.reason ?? ''].filter(Boolean).join(' · '), note: '' }
    }
    case 'quote': {
      // An answer: the status in words, and the customer's reason for declining as typed.
      const status = e.data && typeof e.data.status === 'string' ? e.data.status : ''
      const reason = e.data && typeof e.data.reason === 'string' ? e.data.reason : ''
      if (!status || status === 'sent') return { title, text: english ? note : '', note }
      return { title, text: [enumLabel('quoteStatus', status), reason].filter(Boolean).join(' · '), note }
    }
    default:
      return { title, text: english ? note : '', note }
  }
}
