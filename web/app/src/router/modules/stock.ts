import { Box, Coin, Files, Iphone, List, Promotion, Sell, ShoppingCart, Tickets, Van } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'

// Parts and stock: everyone who reads stock (agents, engineers, outlet managers, finance,
// auditors, admins) sees these entries; what they may change the pages ask the session, and
// row-level security keeps outlet staff to their outlet's warehouses.
const routes: RouteRecordRaw[] = [
  {
    path: '/stock',
    name: 'stock',
    component: () => import('@/views/stock/StockList.vue'),
    meta: { title: 'menu.stock', perm: 'stock:read', menu: { group: 'stock', icon: Coin, order: 1 } },
  },
  {
    path: '/stock/movements',
    name: 'stock-movements',
    component: () => import('@/views/stock/MovementList.vue'),
    meta: { title: 'menu.stockMovements', perm: 'stock:read', menu: { group: 'stock', icon: List, order: 2 } },
  },
  {
    path: '/stock/transfers',
    name: 'transfers',
    component: () => import('@/views/stock/TransferList.vue'),
    meta: { title: 'menu.transfers', perm: 'stock:read', menu: { group: 'stock', icon: Van, order: 3 } },
  },
  {
    path: '/stock/requests',
    name: 'part-requests',
    component: () => import('@/views/stock/RequestList.vue'),
    meta: { title: 'menu.partRequests', perm: 'stock:read', menu: { group: 'stock', icon: Tickets, order: 3.5 } },
  },
  {
    path: '/stock/returns',
    name: 'rma-shipments',
    component: () => import('@/views/stock/RmaShipmentList.vue'),
    meta: { title: 'menu.rmaShipments', perm: 'stock:read', menu: { group: 'stock', icon: Promotion, order: 3.6 } },
  },
  {
    path: '/stock/loaners',
    name: 'loans',
    component: () => import('@/views/loaners/LoanList.vue'),
    meta: { title: 'loaners.menu', perm: 'stock:read', menu: { group: 'stock', icon: Iphone, order: 3.65 } },
  },
  // Parts ordered by customers at the counter (预订购件): a sale, so the bills' permissions.
  {
    path: '/stock/part-orders',
    name: 'part-orders',
    component: () => import('@/views/partorders/PartOrderList.vue'),
    meta: { title: 'partOrders.menu', perm: 'bills:read', menu: { group: 'stock', icon: Sell, order: 3.66 } },
  },
  {
    path: '/stock/part-orders/:id',
    name: 'part-order',
    component: () => import('@/views/partorders/PartOrderPage.vue'),
    props: true,
    meta: { title: 'partOrders.menu', perm: 'bills:read', activeMenu: '/stock/part-orders' },
  },
  {
    path: '/stock/suggestions',
    name: 'stock-suggestions',
    component: () => import('@/views/stock/SuggestionList.vue'),
    meta: { title: 'menu.stockSuggestions', perm: 'stock:read', menu: { group: 'stock', icon: ShoppingCart, order: 3.7 } },
  },
  {
    path: '/stock/warehouses',
    name: 'warehouses',
    component: () => import('@/views/stock/WarehouseList.vue'),
    meta: { title: 'menu.warehouses', perm: 'stock:read', menu: { group: 'stock', icon: Box, order: 4 } },
  },
  {
    path: '/parts',
    name: 'parts',
    component: () => import('@/views/stock/PartList.vue'),
    meta: { title: 'menu.parts', perm: 'parts:read', menu: { group: 'stock', icon: Files, order: 5 } },
  },
]

export default routes
