import { Coin, DataAnalysis, DocumentChecked, Files, Finished, Notebook, RefreshLeft, ShoppingCart, Stamp, Warning } from '@element-plus/icons-vue'
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
  // Warranty claims between the network's parties (claims:read: not agents or engineers).
  {
    path: '/claims',
    name: 'claims',
    component: () => import('@/views/claims/ClaimList.vue'),
    meta: { title: 'menu.claims', perm: 'claims:read', menu: { group: 'finance', icon: Stamp, order: 70 } },
  },
  {
    path: '/claims/:id',
    name: 'claim',
    component: () => import('@/views/claims/ClaimDetail.vue'),
    props: true,
    meta: { title: 'menu.claims', perm: 'claims:read', activeMenu: '/claims' },
  },
  {
    path: '/claim-statements',
    name: 'claim-statements',
    component: () => import('@/views/claims/StatementList.vue'),
    meta: { title: 'menu.claimStatements', perm: 'claims:read', menu: { group: 'finance', icon: Files, order: 80 } },
  },
  {
    path: '/claim-statements/:id',
    name: 'claim-statement',
    component: () => import('@/views/claims/StatementDetail.vue'),
    props: true,
    meta: { title: 'menu.claimStatements', perm: 'claims:read', activeMenu: '/claim-statements' },
  },
  {
    path: '/claim-checks',
    name: 'claim-checks',
    component: () => import('@/views/claims/ClaimChecks.vue'),
    meta: { title: 'menu.claimChecks', perm: 'claims:read', menu: { group: 'finance', icon: Finished, order: 90 } },
  },
  {
    path: '/claim-signals',
    name: 'claim-signals',
    component: () => import('@/views/claims/ClaimSignals.vue'),
    meta: { title: 'menu.claimSignals', perm: 'claims:read', menu: { group: 'finance', icon: DataAnalysis, order: 100 } },
  },
]

export default routes
