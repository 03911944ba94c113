import { Document, Setting } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/audit',
    name: 'audit',
    component: () => import('@/views/audit/AuditLog.vue'),
    meta: { title: 'menu.audit', perm: 'audit:read', menu: { group: 'admin', icon: Document, order: 10 } },
  },
  {
    path: '/settings',
    name: 'settings',
    component: () => import('@/views/settings/TenantSettings.vue'),
    meta: { title: 'menu.settings', perm: 'tenant:settings', menu: { group: 'admin', icon: Setting, order: 20 } },
  },
]

export default routes
