import { CreditCard, Document, Medal, Setting, Stamp } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/policies',
    name: 'policies',
    component: () => import('@/views/warranty/PolicyList.vue'),
    meta: { title: 'menu.policies', perm: 'policies:read', menu: { group: 'admin', icon: Stamp, order: 4 } },
  },
  {
    path: '/policies/:id',
    name: 'policy',
    component: () => import('@/views/warranty/PolicyDetail.vue'),
    props: true,
    meta: { title: 'menu.policies', perm: 'policies:read', activeMenu: '/policies' },
  },
  {
    path: '/tiers',
    name: 'tiers',
    component: () => import('@/views/warranty/TierSettings.vue'),
    meta: { title: 'menu.tiers', perm: 'policies:read', menu: { group: 'admin', icon: Medal, order: 6 } },
  },
  {
    path: '/audit',
    name: 'audit',
    component: () => import('@/views/audit/AuditLog.vue'),
    meta: { title: 'menu.audit', perm: 'audit:read', menu: { group: 'admin', icon: Document, order: 10 } },
  },
  {
    path: '/finance/subscription',
    name: 'platform-subscription',
    component: () => import('@/views/finance/PlatformSubscription.vue'),
    meta: {
      title: 'menu.subscription',
      perm: 'platform_invoices:read',
      menu: { group: 'admin', icon: CreditCard, order: 15 },
    },
  },
  {
    path: '/settings',
    name: 'settings',
    component: () => import('@/views/settings/TenantSettings.vue'),
    meta: { title: 'menu.settings', perm: 'tenant:settings', menu: { group: 'admin', icon: Setting, order: 20 } },
  },
]

export default routes
