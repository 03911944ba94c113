// A page behind a link customers receive (tracking, quote, survey, pay): what the token in the
// address opens, whether it is loading, what went wrong in the consumer's words (say), and
// load to read it again (the page's retry button). The link's brand (linkTenant) is set from
// what was read, for the frame's header; then (optional) reads what the page needs besides,
// such as the order's page in the portal. Read once when the page mounts.
import { getCurrentInstance, onMounted, type Ref, ref } from 'vue'

import { say } from './consumer'
import { linkTenant } from './views/links/links'

export interface LinkLoad {
  /** Read again without showing the spinner (a page polling what it already shows). */
  quiet?: boolean
}

export function useLinkPage<T extends { tenant: string }>(
  read: () => Promise<T | null | undefined>,
  options: { then?: (item: T) => Promise<void> | void; after?: () => void } = {},
) {
  const item = ref(null) as Ref<T | null>
  const loading = ref(true)
  const problem = ref('')

  async function load(how: LinkLoad = {}) {
    if (!how.quiet) loading.value = true
    problem.value = ''
    try {
      item.value = (await read()) ?? null
      if (item.value) {
        linkTenant.value = item.value.tenant
        await options.then?.(item.value)
      }
    } catch (err) {
      problem.value = say(err)
    } finally {
      loading.value = false
    }
    options.after?.()
  }

  if (getCurrentInstance()) onMounted(() => load())
  return { item, loading, problem, load }
}
