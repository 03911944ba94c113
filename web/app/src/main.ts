import { createPinia } from 'pinia'
import { createApp } from 'vue'

import { onUnauthorized } from '@/api/client'
import App from '@/App.vue'
import { i18n } from '@/i18n'
import { router } from '@/router'
import { useSessionStore } from '@/stores/session'
import '@/styles/index.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(router)

// A signed-in call answered 401: the session ended. Sign in again, then come back here.
onUnauthorized(() => {
  const session = useSessionStore(pinia)
  if (session.state !== 'ready') return
  session.ended()
  const here = router.currentRoute.value
  if (!here.meta.public) void router.push({ name: 'login', query: { redirect: here.fullPath, ended: '1' } })
})

// A new build replaced the files an open page still asks for (each build names its files by
// their content, and the server has only its own): load the page again, once.
window.addEventListener('vite:preloadError', (event) => {
  const key = 'aftersales.reloadedFor'
  if (sessionStorage.getItem(key) === location.pathname) return
  sessionStorage.setItem(key, location.pathname)
  event.preventDefault()
  location.reload()
})

app.mount('#app')
