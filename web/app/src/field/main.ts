// The engineers' phone app (/field): a second page of the web app, with its own router and
// Vant components, sharing the API client, the session store and the messages with the staff
// app. A service worker keeps the app shell on the phone; what the engineer does offline is
// queued on the device (queue.ts) and sent when the network returns.
import { createPinia } from 'pinia'
import { createApp } from 'vue'

import { onUnauthorized } from '@/api/client'
import { i18n } from '@/i18n'
import { useSessionStore } from '@/stores/session'

import FieldApp from './FieldApp.vue'
import { fieldRouter } from './router'
import './field.css'

const app = createApp(FieldApp)
const pinia = createPinia()
app.use(pinia).use(i18n).use(fieldRouter)

onUnauthorized(() => {
  const session = useSessionStore(pinia)
  if (session.state !== 'ready') return
  session.ended()
  void fieldRouter.push({ name: 'field-login' })
})

if ('serviceWorker' in navigator && window.isSecureContext) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/field/sw.js', { scope: '/field/' }).catch(() => {
      // Without a service worker the app still works online.
    })
  })
}

app.mount('#app')
