import { Connection } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/tenants',
    name: 'tenants',
    component: () => import('@/views/tenants/TenantList.vue'),
    meta: { title: 'menu.tenants', platform: true, menu: { group: 'platform', icon: Connection, order: 10 } },
  },
  {
    path: '/tenants/new',
    name: 'tenant-new',
    component: () => import('@/views/tenants/TenantNew.vue'),
    meta: { title: 'tenants.onboardTitle', platform: true, activeMenu: '/tenants' },
  },
]

export default routes
