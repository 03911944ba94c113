// The consumers' portal (/my/{tenant}): a third page of the web app, with its own router and
// Vant components, sharing the API client and the messages with the staff app. Consumers sign
// in with a one-time code; everything they see is theirs with the brand named by the slug.
import { createApp } from 'vue'

import { i18n } from '@/i18n'

import MyApp from './MyApp.vue'
import { myRouter } from './router'
import './my.css'

createApp(MyApp).use(i18n).use(myRouter).mount('#app')
