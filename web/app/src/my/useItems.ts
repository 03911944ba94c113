// A portal list page's one read: the items, whether they are loading, what went wrong in the
// consumer's words (say), and load to read them again (the page's retry button). Read once
// when the page mounts.
import { onMounted, type Ref, ref } from 'vue'

import { say } from './consumer'

export function useItems<T>(read: () => Promise<{ data?: { items?: T[] | null } }>) {
  const items = ref([]) as Ref<T[]>
  const loading = ref(true)
  const problem = ref('')

  async function load() {
    loading.value = true
    problem.value = ''
    try {
      const { data } = await read()
      items.value = data?.items ?? []
    } catch (err) {
      problem.value = say(err)
    } finally {
      loading.value = false
    }
  }

  onMounted(load)
  return { items, loading, problem, load }
}
