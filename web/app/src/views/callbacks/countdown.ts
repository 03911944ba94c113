// The time left to a callback's or a rectification's due time, ticking: "2h 5m left" or
// "1h 3m overdue" in the user's language (the SLA clocks' words).
import { onBeforeUnmount, ref } from 'vue'
import { useI18n } from 'vue-i18n'

import { spanText } from '@/utils/format'

export function useCountdown() {
  const { t } = useI18n()
  const now = ref(Date.now())
  const timer = setInterval(() => (now.value = Date.now()), 1000)
  onBeforeUnmount(() => clearInterval(timer))

  const span = (ms: number) => spanText(ms, t)

  /** The countdown to due: its text and whether it is past. */
  function countdown(due: string): { text: string; over: boolean } {
    const left = new Date(due).getTime() - now.value
    return left >= 0 ? { text: t('sla.left', { span: span(left) }), over: false } : { text: t('sla.over', { span: span(left) }), over: true }
  }
  return { now, countdown }
}
