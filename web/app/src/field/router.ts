// The engineers' app's routes, under /field/. Signed-out visitors go to sign-in; staff who
// are not engineers are sent to the staff console. The views are in the page's own files
// (no lazy chunks), so the service worker's shell holds the whole app.
import { createRouter, createWebHistory } from 'vue-router'

import { useSessionStore } from '@/stores/session'

import FieldLogin from './views/FieldLogin.vue'
import JobView from './views/JobView.vue'
import MyDay from './views/MyDay.vue'
import MyDevices from './views/MyDevices.vue'
import MyMonth from './views/MyMonth.vue'
import MyVan from './views/MyVan.vue'

export const fieldRouter = createRouter({
  history: createWebHistory('/field/'),
  routes: [
    { path: '/login', name: 'field-login', component: FieldLogin, meta: { public: true } },
    { path: '/', name: 'field-day', component: MyDay },
    { path: '/van', name: 'field-van', component: MyVan },
    { path: '/jobs/:id', name: 'field-job', component: JobView, props: true },
    { path: '/month', name: 'field-month', component: MyMonth },
    { path: '/devices', name: 'field-devices', component: MyDevices },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})

fieldRouter.beforeEach(async (to) => {
  if (to.meta.public) return true
  const session = useSessionStore()
  let state
  try {
    state = await session.restore()
  } catch {
    // No network: the app works from what this phone keeps.
    return true
  }
  if (state !== 'ready') return { name: 'field-login' }
  if (session.me?.role !== 'engineer') {
    window.location.assign('/console/')
    return false
  }
  return true
})
