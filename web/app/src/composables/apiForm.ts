// The form helper: runs a submission, and puts the API's problem where it belongs: each
// field error on its form item (FormField, highlighted, in the user's language), the rest
// with the problem's title on top of the form (ProblemAlert).
import { computed, type ComputedRef, type InjectionKey, provide, reactive, type Ref, ref } from 'vue'
import { useI18n } from 'vue-i18n'

import { idempotencyKey } from '@/api/client'
import { asProblem, type Problem, type ProblemError } from '@/api/problem'
import { errorField, fieldMessage, matchProp } from '@/utils/problems'

export interface ApiFormContext {
  /** The message for a form item, '' when it has none. */
  errorFor(prop: string): string
  register(prop: string): void
  unregister(prop: string): void
}

export const apiFormKey: InjectionKey<ApiFormContext> = Symbol('apiForm')

export interface ApiForm {
  problem: Ref<Problem | null>
  submitting: Ref<boolean>
  /** Field errors no form item shows: ProblemAlert lists them. */
  unmatched: ComputedRef<ProblemError[]>
  /**
   * What the form's FormFields talk to. useApiForm provides it to the page; a page with two
   * forms hands the other one's to the component framing it (FormDrawer's form), since a
   * component provides one value per key.
   */
  context: ApiFormContext
  /**
   * Runs fn (the API call) with the form's Idempotency-Key. Resolves to fn's result, or
   * undefined after a problem, which the form then shows. The key stays the same while a
   * request got no answer (a retry is then safe) and is renewed after any answer.
   */
  submit<R>(fn: (idempotencyKey: string) => Promise<R>): Promise<R | undefined>
  /** Shows a problem found before sending (a value the page could not read). */
  show(p: Problem): void
  clear(): void
}

/** Translates one field error: a known reason in the user's language, else the server's words in English and a generic message otherwise. */
export function useFieldErrorText(): (e: ProblemError) => string {
  const { t, locale } = useI18n()
  return (e) => {
    const m = fieldMessage(e)
    if (m) return t(m.key, m.params ?? {})
    return locale.value === 'en' && e.message ? e.message : t('problem.field.invalid')
  }
}

export function useApiForm(): ApiForm {
  const problem = ref<Problem | null>(null)
  const submitting = ref(false)
  const props = reactive(new Set<string>())
  const text = useFieldErrorText()
  let key = ''

  const placed = computed(() => {
    const byProp = new Map<string, string>()
    const rest: ProblemError[] = []
    for (const e of problem.value?.errors ?? []) {
      const field = errorField(e)
      const prop = field === undefined ? undefined : matchProp(field, props)
      if (prop === undefined) rest.push(e)
      else if (!byProp.has(prop)) byProp.set(prop, text(e))
    }
    return { byProp, rest }
  })

  const context: ApiFormContext = {
    errorFor: (prop) => placed.value.byProp.get(prop) ?? '',
    register: (prop) => props.add(prop),
    unregister: (prop) => props.delete(prop),
  }
  provide(apiFormKey, context)

  async function submit<R>(fn: (idempotencyKey: string) => Promise<R>): Promise<R | undefined> {
    if (submitting.value) return undefined
    submitting.value = true
    problem.value = null
    if (!key) key = idempotencyKey()
    try {
      const out = await fn(key)
      key = ''
      return out
    } catch (err) {
      const p = asProblem(err)
      if (p.status !== 0) key = ''
      problem.value = p
      return undefined
    } finally {
      submitting.value = false
    }
  }

  return {
    problem,
    submitting,
    unmatched: computed(() => placed.value.rest),
    context,
    submit,
    show: (p) => (problem.value = p),
    clear: () => (problem.value = null),
  }
}
