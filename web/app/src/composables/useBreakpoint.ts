import { onBeforeUnmount, ref } from 'vue'

/** Whether the screen is phone-sized (the menu becomes a drawer, forms a single column). */
export function useIsMobile(query = '(max-width: 768px)') {
  const mq = window.matchMedia(query)
  const mobile = ref(mq.matches)
  const update = (e: MediaQueryListEvent) => (mobile.value = e.matches)
  mq.addEventListener('change', update)
  onBeforeUnmount(() => mq.removeEventListener('change', update))
  return mobile
}
