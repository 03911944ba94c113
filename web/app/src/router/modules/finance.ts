import { Notebook } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'

// Finance: the money records (the platform subscription stays with the administration).
const routes: RouteRecordRaw[] = [
  {
    path: '/finance/ledger',
    name: 'ledger',
    component: () => import('@/views/finance/LedgerList.vue'),
    meta: { title: 'menu.ledger', perm: 'ledger:read', menu: { group: 'finance', icon: Notebook, order: 10 } },
  },
]

export default routes
