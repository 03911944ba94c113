import { ref } from 'vue'

import { api, body } from '@/api/client'
import { asProblem, type Problem } from '@/api/problem'
import type { components } from '@/api/schema'

// A signed-in device in a few words from its user agent: the browser and the system
// ("Chrome · Windows"), or '' when the agent says neither (the page shows it raw then).
const browsers: [RegExp, string][] = [
  [/MicroMessenger/i, 'WeChat'],
  [/Edg\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\//, 'Firefox'],
  [/Chrom(e|ium)\//, 'Chrome'],
  [/Safari\//, 'Safari'],
]
const systems: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/HarmonyOS/, 'HarmonyOS'],
  [/Linux|X11/, 'Linux'],
]

export function deviceWords(userAgent: string): string {
  const browser = browsers.find(([re]) => re.test(userAgent))?.[1]
  const system = systems.find(([re]) => re.test(userAgent))?.[1]
  return [browser, system].filter(Boolean).join(' · ')
}

type Device = components['schemas']['Device']

/**
 * My devices signed in (GET /v1/me/sessions) and the two ways to sign them out: one, or every
 * other one. The staff app's page and the engineers' app's page both use it and say what
 * happened in their own way.
 */
export function useDevices() {
  const devices = ref<Device[]>([])
  const loading = ref(true)
  const problem = ref<Problem | null>(null)

  async function load() {
    loading.value = true
    problem.value = null
    try {
      devices.value = (await body(api.GET('/v1/me/sessions'))).items ?? []
    } catch (err) {
      problem.value = asProblem(err)
    } finally {
      loading.value = false
    }
  }

  /** Signs a device out; one signed out elsewhere already (404) is no problem. */
  async function signOut(id: string) {
    try {
      await body(api.DELETE('/v1/me/sessions/{id}', { params: { path: { id } } }))
    } catch (err) {
      const p = asProblem(err)
      if (p.status !== 404) throw p
    }
  }

  /** Signs every other device out; the answer is how many were. */
  async function signOutOthers(): Promise<number> {
    return (await body(api.POST('/v1/me/sessions/sign-out-others'))).signed_out
  }

  return { devices, loading, problem, load, signOut, signOutOthers }
}
