import { Coin, DocumentChecked, Notebook, RefreshLeft, ShoppingCart, Warning } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'

// Finance: the money records (the platform subscription stays with the administration).
const routes: RouteRecordRaw[] = [
  {
    path: '/finance/ledger',
    name: 'ledger',
    component: () => import('@/views/finance/LedgerList.vue'),
    meta: { title: 'menu.ledger', perm: 'ledger:read', menu: { group: 'finance', icon: Notebook, order: 10 } },
  },
  {
    path: '/finance/purchases',
    name: 'purchases',
    component: () => import('@/views/finance/PurchaseList.vue'),
    meta: { title: 'menu.purchases', perm: 'purchases:read', menu: { group: 'finance', icon: ShoppingCart, order: 20 } },
  },
  {
    path: '/finance/refunds',
    name: 'refunds',
    component: () => import('@/views/finance/RefundList.vue'),
    meta: { title: 'menu.refunds', perm: 'purchases:read', menu: { group: 'finance', icon: RefreshLeft, order: 30 } },
  },
  {
    path: '/finance/compensations',
    name: 'compensations',
    component: () => import('@/views/finance/CompensationList.vue'),
    meta: { title: 'menu.compensations', perm: 'purchases:read', menu: { group: 'finance', icon: Coin, order: 40 } },
  },
  {
    path: '/finance/payment-flags',
    name: 'payment-flags',
    component: () => import('@/views/finance/PaymentFlagList.vue'),
    meta: { title: 'menu.paymentFlags', perm: 'ledger:read', menu: { group: 'finance', icon: Warning, order: 50 } },
  },
  {
    path: '/finance/reconciliations',
    name: 'reconciliations',
    component: () => import('@/views/finance/Reconciliations.vue'),
    meta: { title: 'menu.reconciliations', perm: 'ledger:read', menu: { group: 'finance', icon: DocumentChecked, order: 60 } },
  },
]

export default routes
