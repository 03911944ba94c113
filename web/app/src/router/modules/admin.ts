import {
  AlarmClock,
  Bell,
  Box,
  ChatDotSquare,
  CreditCard,
  Document,
  Goods,
  Link,
  Medal,
  Setting,
  Stamp,
  Ticket,
  UploadFilled,
  Warning,
} from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/catalog/categories',
    name: 'categories',
    component: () => import('@/views/catalog/CategoryList.vue'),
    meta: { title: 'menu.categories', perm: 'catalog:read', menu: { group: 'admin', icon: Box, order: 1 } },
  },
  {
    path: '/catalog/models',
    name: 'models',
    component: () => import('@/views/catalog/ModelList.vue'),
    meta: { title: 'menu.models', perm: 'catalog:read', menu: { group: 'admin', icon: Goods, order: 2 } },
  },
  {
    path: '/fault-codes',
    name: 'fault-codes',
    component: () => import('@/views/catalog/FaultCodeList.vue'),
    meta: { title: 'menu.faultCodes', perm: 'catalog:read', menu: { group: 'admin', icon: Warning, order: 3 } },
  },
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
    path: '/sla-settings',
    name: 'sla-settings',
    component: () => import('@/views/sla/SlaSettings.vue'),
    meta: { title: 'menu.slaSettings', perm: 'sla:read', menu: { group: 'admin', icon: AlarmClock, order: 8 } },
  },
  {
    path: '/complaint-rules',
    name: 'complaint-rules',
    component: () => import('@/views/complaints/ComplaintRules.vue'),
    meta: { title: 'menu.complaintRules', perm: 'complaints:manage', menu: { group: 'admin', icon: ChatDotSquare, order: 8.5 } },
  },
  {
    path: '/notification-templates',
    name: 'notification-templates',
    component: () => import('@/views/notify/TemplateList.vue'),
    meta: { title: 'menu.templates', perm: 'notifications:manage', menu: { group: 'admin', icon: Bell, order: 9 } },
  },
  {
    path: '/express-products',
    name: 'express-products',
    component: () => import('@/views/express/ProductList.vue'),
    meta: { title: 'menu.expressProducts', perm: 'express_products:read', menu: { group: 'admin', icon: Ticket, order: 7 } },
  },
  {
    path: '/webhooks',
    name: 'webhooks',
    component: () => import('@/views/webhooks/WebhookList.vue'),
    meta: { title: 'menu.webhooks', perm: 'webhooks:manage', menu: { group: 'admin', icon: Link, order: 9.5 } },
  },
  {
    path: '/webhooks/:id',
    name: 'webhook',
    component: () => import('@/views/webhooks/WebhookDeliveries.vue'),
    props: true,
    meta: { title: 'menu.webhooks', perm: 'webhooks:manage', activeMenu: '/webhooks' },
  },
  {
    path: '/imports',
    name: 'imports',
    component: () => import('@/views/imports/ImportList.vue'),
    meta: { title: 'menu.imports', perm: 'registrations:read', menu: { group: 'admin', icon: UploadFilled, order: 9.8 } },
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
