// The detail page pattern: a record read with its ETag, shown, edited and written back with
// If-Match. A write that finds the record changed gets a 412; the page's ProblemAlert then
// offers reload(), which reads the record again (the edits are dropped: the form shows the
// latest version).
import { ref, shallowRef, type Ref, watch, type WatchSource } from 'vue'

import { asProblem, type Problem } from '@/api/problem'

export interface Resource<D> {
  data: Ref<D | undefined>
  /** The ETag of data, for If-Match. */
  etag: Ref<string>
  loading: Ref<boolean>
  /** Why the record could not be read (the page shows it instead of the record). */
  problem: Ref<Problem | null>
  /** Bumped on every load: a form keyed on it starts again from the record. */
  revision: Ref<number>
  reload: () => Promise<void>
  /** Takes the answer of a write (the record as saved, and its new ETag). */
  accept: (answer: { data: D; etag: string }) => void
}

/** Reads the record now and whenever source (typically the route's id) changes. */
export function useResource<D>(
  read: () => Promise<{ data: D; etag: string }>,
  source?: WatchSource<unknown>,
): Resource<D> {
  const data = shallowRef<D>()
  const etag = ref('')
  const loading = ref(false)
  const problem = ref<Problem | null>(null)
  const revision = ref(0)
  let generation = 0

  async function reload(): Promise<void> {
    const mine = ++generation
    loading.value = true
    problem.value = null
    try {
      const r = await read()
      if (mine !== generation) return
      data.value = r.data
      etag.value = r.etag
      revision.value++
    } catch (err) {
      if (mine === generation) problem.value = asProblem(err)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  function accept(answer: { data: D; etag: string }): void {
    data.value = answer.data
    etag.value = answer.etag
    revision.value++
  }

  if (source) watch(source, () => void reload(), { immediate: true })
  else void reload()

  return { data, etag, loading, problem, revision, reload, accept }
}
