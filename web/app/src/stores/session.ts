// Who is signed in and in which tenant this tab works. The session itself is the API's
// HttpOnly cookie; the tenant choice is per tab (sessionStorage).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { api, body, publicApi, tenantSelection } from '@/api/client'
import type { Me, Tenant } from '@/api/models'
import type { Permission } from '@/api/permissions'
import { type Problem, asProblem } from '@/api/problem'

/**
 * Where the session stands: no one signed in; signed in but a tenant must be chosen; signed
 * in without any tenant to work in; or ready (in a tenant, or a platform administrator
 * working without one).
 */
export type SessionState = 'signedOut' | 'chooseTenant' | 'noTenant' | 'ready'

export const useSessionStore = defineStore('session', () => {
  /** The caller without a tenant: identity and memberships. */
  const identity = ref<Me | null>(null)
  /** The caller in the chosen tenant: role, outlet, permissions. */
  const me = ref<Me | null>(null)
  const tenant = ref<Tenant | null>(null)
  const state = ref<SessionState | null>(null)
  /** Why the tenant could not be entered (shown on the tenant picker). */
  const tenantProblem = ref<Problem | null>(null)
  let restoring: Promise<SessionState> | null = null

  const tenantId = computed(() => me.value?.tenant_id ?? '')
  const inTenant = computed(() => tenantId.value !== '')
  const platformAdmin = computed(() => identity.value?.platform_admin === true)
  const memberships = computed(() => identity.value?.memberships ?? [])
  /** Whether a tenant picker makes sense: several tenants, or the platform. */
  const canSwitch = computed(() => memberships.value.length > 1 || platformAdmin.value)
  const permissions = computed(() => new Set(me.value?.permissions ?? []))
  /** The tenant's currency: of its prices, bills and deposits (CNY until the tenant is loaded). */
  const currency = computed(() => tenant.value?.currency ?? 'CNY')

  function can(perm: Permission): boolean {
    return inTenant.value && permissions.value.has(perm)
  }

  function clear(): void {
    identity.value = null
    me.value = null
    tenant.value = null
    state.value = null
    restoring = null
  }

  async function load(): Promise<SessionState> {
    let who: Me
    try {
      who = await body(publicApi.GET('/v1/me'))
    } catch (err) {
      const p = asProblem(err)
      if (p.status === 401) return 'signedOut'
      throw p
    }
    if (who.kind !== 'user') return 'signedOut'
    identity.value = who
    const list = who.memberships ?? []
    let id = tenantSelection.get()
    if (id && !who.platform_admin && !list.some((m) => m.tenant_id === id)) id = ''
    if (!id && list.length === 1) id = list[0]!.tenant_id
    if (!id) {
      if (list.length > 1) return 'chooseTenant'
      if (who.platform_admin) {
        me.value = who
        return 'ready'
      }
      return 'noTenant'
    }
    tenantSelection.set(id)
    try {
      const [inTenantMe, t] = await Promise.all([body(api.GET('/v1/me')), body(api.GET('/v1/tenant'))])
      me.value = inTenantMe
      tenant.value = t
      tenantProblem.value = null
      return 'ready'
    } catch (err) {
      const p = asProblem(err)
      if (p.status === 401) return 'signedOut'
      tenantSelection.set('')
      tenantProblem.value = p
      return 'chooseTenant'
    }
  }

  /** Loads the session once (again after sign-in, sign-out or a tenant switch). */
  function restore(): Promise<SessionState> {
    if (state.value) return Promise.resolve(state.value)
    if (!restoring) {
      restoring = load()
        .then((s) => {
          state.value = s
          return s
        })
        .finally(() => {
          restoring = null
        })
    }
    return restoring
  }

  /** Signs in; device keeps this device signed in for weeks (the engineers' phone app). */
  async function signIn(email: string, password: string, device = false): Promise<SessionState> {
    await publicApi.POST('/v1/auth/login', { body: device ? { email, password, remember_device: true } : { email, password } })
    clear()
    return restore()
  }

  async function signOut(): Promise<void> {
    try {
      await publicApi.POST('/v1/auth/logout')
    } catch {
      // The session may be gone already: signed out either way.
    }
    tenantSelection.set('')
    clear()
  }

  /** Works in another tenant from now on ('' = platform administration). */
  function chooseTenant(id: string): void {
    tenantSelection.set(id)
    tenantProblem.value = null
    clear()
  }

  /** The API said 401 to a signed-in call: the session expired or was revoked. */
  function ended(): void {
    clear()
    state.value = 'signedOut'
  }

  /** Replaces the tenant after its settings were saved. */
  function setTenant(t: Tenant): void {
    tenant.value = t
  }

  return {
    identity,
    me,
    tenant,
    state,
    tenantProblem,
    tenantId,
    currency,
    inTenant,
    platformAdmin,
    memberships,
    canSwitch,
    can,
    restore,
    signIn,
    signOut,
    chooseTenant,
    ended,
    setTenant,
  }
})
