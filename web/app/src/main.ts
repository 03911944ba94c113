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

app.mount('#app')
