import { ChatDotRound, DataAnalysis, Grid, Histogram, Money, Phone, Position, RefreshLeft, Tickets, User, Wallet } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/dashboard',
    name: 'dashboard',
    component: () => import('@/views/reports/Dashboard.vue'),
    meta: { title: 'menu.dashboard', perm: 'orders:read', menu: { group: 'service', icon: DataAnalysis, order: 5 } },
  },
  {
    path: '/orders',
    name: 'orders',
    component: () => import('@/views/orders/OrderList.vue'),
    meta: { title: 'menu.orders', perm: 'orders:read', menu: { group: 'service', icon: Tickets, order: 10 } },
  },
  {
    path: '/orders/new',
    name: 'order-new',
    component: () => import('@/views/orders/OrderNew.vue'),
    meta: { title: 'orders.newTitle', perm: 'orders:write', activeMenu: '/orders' },
  },
  {
    path: '/orders/board',
    name: 'order-board',
    component: () => import('@/views/orders/OrderBoard.vue'),
    meta: { title: 'menu.board', perm: 'orders:read', menu: { group: 'service', icon: Grid, order: 12 } },
  },
  {
    path: '/dispatch',
    name: 'dispatch',
    component: () => import('@/views/dispatch/DispatchBoard.vue'),
    meta: { title: 'menu.dispatch', perm: 'orders:dispatch', menu: { group: 'service', icon: Position, order: 15 } },
  },
  {
    path: '/orders/:id',
    name: 'order',
    component: () => import('@/views/orders/OrderDetail.vue'),
    props: true,
    meta: { title: 'menu.orders', perm: 'orders:read', activeMenu: '/orders' },
  },
  {
    path: '/returns',
    name: 'returns',
    component: () => import('@/views/returns/ReturnList.vue'),
    meta: { title: 'menu.returns', perm: 'returns:read', menu: { group: 'service', icon: RefreshLeft, order: 18 } },
  },
  {
    path: '/returns/new',
    name: 'return-new',
    component: () => import('@/views/returns/ReturnNew.vue'),
    meta: { title: 'returns.newTitle', perm: 'returns:handle', activeMenu: '/returns' },
  },
  {
    path: '/returns/:id',
    name: 'return',
    component: () => import('@/views/returns/ReturnDetail.vue'),
    props: true,
    meta: { title: 'menu.returns', perm: 'returns:read', activeMenu: '/returns' },
  },
  {
    path: '/complaints',
    name: 'complaints',
    component: () => import('@/views/complaints/ComplaintList.vue'),
    meta: { title: 'menu.complaints', perm: 'complaints:read', menu: { group: 'service', icon: ChatDotRound, order: 19 } },
  },
  {
    path: '/complaints/reports',
    name: 'complaint-reports',
    component: () => import('@/views/complaints/ComplaintReports.vue'),
    meta: { title: 'menu.complaintReports', perm: 'complaints:read', menu: { group: 'service', icon: Histogram, order: 19.2 } },
  },
  {
    path: '/complaints/:id',
    name: 'complaint',
    component: () => import('@/views/complaints/ComplaintDetail.vue'),
    props: true,
    meta: { title: 'menu.complaints', perm: 'complaints:read', activeMenu: '/complaints' },
  },
  {
    path: '/contacts',
    name: 'contacts',
    component: () => import('@/views/complaints/ContactLog.vue'),
    meta: { title: 'menu.contacts', perm: 'complaints:read', menu: { group: 'service', icon: Phone, order: 19.1 } },
  },
  {
    path: '/customers',
    name: 'customers',
    component: () => import('@/views/customers/CustomerList.vue'),
    meta: { title: 'menu.customers', perm: 'customers:read', menu: { group: 'service', icon: User, order: 20 } },
  },
  {
    path: '/customers/new',
    name: 'customer-new',
    component: () => import('@/views/customers/CustomerNew.vue'),
    meta: { title: 'customers.newTitle', perm: 'customers:write', activeMenu: '/customers' },
  },
  {
    path: '/receivables',
    name: 'receivables',
    component: () => import('@/views/bills/ReceivablesList.vue'),
    meta: { title: 'menu.receivables', perm: 'bills:read', menu: { group: 'service', icon: Money, order: 25 } },
  },
  {
    path: '/cash-up',
    name: 'cash-up',
    component: () => import('@/views/bills/CashUp.vue'),
    meta: { title: 'menu.cashUp', perm: 'bills:read', menu: { group: 'service', icon: Wallet, order: 26 } },
  },
]

export default routes
