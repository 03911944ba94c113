/// <reference types="vitest/config" />
// Vite builds the staff app for /console/ (the Go binary embeds the output; see
// web/console/console.go). `make web` (scripts/web.sh) runs it with --outDir into a cache
// outside the repository, then copies the result to web/console/dist.
//
// Two pages share the one build, its API client and its messages: the staff app (index.html,
// Element Plus) and the engineers' phone app (field.html, Vant), which the server answers
// at /field/ (its files stay under /console/assets/, public/field/ holds its web manifest
// and service worker). The consumers' portal (my.html, Vant) is a third page, answered at
// /my/{tenant}/ (public/my/ holds its web manifest and icon).
import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { defineConfig } from 'vite'

export default defineConfig({
  base: '/console/',
  plugins: [
    vue(),
    // Vant's icon font names a copy on a CDN after its inline one; the page's CSP allows fonts
    // from its own origin and data: only, so the CDN copy is dropped (the app works offline).
    {
      name: 'vant-icon-font-inline-only',
      enforce: 'pre',
      transform(code, id) {
        if (!id.includes('/vant/') || !id.endsWith('.css') || !code.includes('at.alicdn.com')) return undefined
        return code.replace(/,\s*url\(["']?(?:https?:)?\/\/at\.alicdn\.com[^)]*\)\s*format\(["']?woff["']?\)/g, '')
      },
    },
    // Element Plus components (and v-loading) are imported where a template uses them, with
    // their CSS: no global registration, so each route chunk carries only what it shows.
    Components({
      dirs: [],
      dts: 'types/components.d.ts',
      resolvers: [ElementPlusResolver({ importStyle: 'css' }), VantResolver({ importStyle: 'css' })],
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    // vue-i18n: Composition API only, no devtools hooks in production.
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        field: fileURLToPath(new URL('./field.html', import.meta.url)),
        my: fileURLToPath(new URL('./my.html', import.meta.url)),
      },
    },
  },
  server: {
    // `npm run dev` against a server started by `make run` (127.0.0.1:8080).
    proxy: {
      '/v1': 'http://127.0.0.1:8080',
      '/docs': 'http://127.0.0.1:8080',
      '/openapi.json': 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
