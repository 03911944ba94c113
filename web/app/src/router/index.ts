// Routes are real URLs under /console/ (history mode): deep links and the back button work,
// and lists keep their filters in the query. The guard signs in, picks the tenant and checks
// the route's permission before any view loads.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'

import { i18n } from '@/i18n'
import { useSessionStore } from '@/stores/session'

import { allowed } from './access'
import './meta'
import admin from './modules/admin'
import finance from './modules/finance'
import network from './modules/network'
import people from './modules/people'
import platform from './modules/platform'
import service from './modules/service'
import stock from './modules/stock'

/** The screens inside the app layout, in menu order. */
export const appRoutes: RouteRecordRaw[] = [...service, ...stock, ...network, ...people, ...finance, ...admin, ...platform]

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/auth/LoginView.vue'),
    meta: { public: true, bare: true, title: 'auth.signIn' },
  },
  {
    // The invitation token travels in the fragment (#token), so it never reaches server logs.
    path: '/accept',
    name: 'accept',
    component: () => import('@/views/auth/AcceptInvitation.vue'),
    meta: { public: true, bare: true, title: 'auth.acceptTitle' },
  },
  {
    path: '/choose-tenant',
    name: 'choose-tenant',
    component: () => import('@/views/auth/ChooseTenant.vue'),
    meta: { bare: true, title: 'auth.chooseTitle' },
  },
  {
    path: '/unavailable',
    name: 'unavailable',
    component: () => import('@/views/auth/StartFailed.vue'),
    meta: { public: true, bare: true, title: 'auth.startFailed' },
  },
  {
    path: '/',
    component: () => import('@/layout/AppLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/views/home/HomeView.vue'), meta: { title: 'menu.home' } },
      { path: '/me/devices', name: 'my-devices', component: () => import('@/views/account/DevicesView.vue'), meta: { title: 'devices.title' } },
      ...appRoutes,
      {
        path: '/:pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/views/NotFound.vue'),
        meta: { title: 'shell.notFoundTitle' },
      },
      {
        // Reached by name from the guard, so the address stays the one asked for.
        path: '/:pathMatch(.*)*',
        name: 'no-access',
        component: () => import('@/views/NoAccess.vue'),
        meta: { title: 'shell.noAccessTitle' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

/** Startup failure (server unreachable), shown by /unavailable. */
export const startup = { problem: null as unknown }

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const session = useSessionStore()
  let state
  try {
    state = await session.restore()
  } catch (err) {
    startup.problem = err
    return { name: 'unavailable', query: { redirect: to.fullPath } }
  }
  const redirect = to.name === 'home' ? {} : { redirect: to.fullPath }
  if (state === 'signedOut') return to.name === 'login' ? true : { name: 'login', query: redirect }
  if (state === 'chooseTenant' || state === 'noTenant') {
    return to.name === 'choose-tenant' ? true : { name: 'choose-tenant', query: redirect }
  }
  // Engineers work in their phone app (/field), which has what they may do.
  if (session.me?.role === 'engineer' && !session.platformAdmin) {
    window.location.assign('/field/')
    return false
  }
  if (to.name === 'home' && !session.inTenant) return { name: 'tenants' }
  if (to.name === 'no-access' || allowed(to.meta, session)) return true
  return { name: 'no-access', params: { pathMatch: to.path.slice(1).split('/') }, query: to.query, hash: to.hash }
})

/** Sets the document title from the route (again when the language changes). */
export function updateTitle(): void {
  const { t } = i18n.global
  const key = router.currentRoute.value.meta.title
  document.title = key ? `${t(key)} · ${t('app.name')}` : t('app.name')
}

router.afterEach(() => updateTitle())
