// A search that follows typing: run waits until the input has been still for a moment, and
// only the answer to the latest input is kept (an older, slower answer never overwrites it).
import { onBeforeUnmount, ref, type Ref, watch, type WatchSource } from 'vue'

import { asProblem, type Problem } from '@/api/problem'

export interface Debounced<R> {
  result: Ref<R | undefined>
  loading: Ref<boolean>
  problem: Ref<Problem | null>
  /** Runs the search now (e.g. after the page changed what it depends on). */
  flush: () => void
}

/**
 * Watches source; after delay ms of quiet calls run(value), or clears the result when
 * run returns undefined instead of a promise (the input is too short to search).
 */
export function useDebounced<S, R>(
  source: WatchSource<S>,
  run: (value: S) => Promise<R> | undefined,
  delay = 300,
): Debounced<R> {
  const result = ref<R>() as Ref<R | undefined>
  const loading = ref(false)
  const problem = ref<Problem | null>(null)
  let timer: ReturnType<typeof setTimeout> | undefined
  let generation = 0
  let latest: S

  async function go(value: S) {
    const mine = ++generation
    const call = run(value)
    if (!call) {
      result.value = undefined
      problem.value = null
      loading.value = false
      return
    }
    loading.value = true
    try {
      const r = await call
      if (mine === generation) {
        result.value = r
        problem.value = null
      }
    } catch (err) {
      if (mine === generation) {
        result.value = undefined
        problem.value = asProblem(err)
      }
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  watch(
    source,
    (value) => {
      latest = value
      clearTimeout(timer)
      timer = setTimeout(() => void go(value), delay)
    },
    { deep: true },
  )
  onBeforeUnmount(() => clearTimeout(timer))

  return {
    result,
    loading,
    problem,
    flush: () => {
      clearTimeout(timer)
      void go(latest)
    },
  }
}
