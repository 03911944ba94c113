import { ChatDotRound, DataAnalysis, Document, Grid, Money, PhoneFilled, Position, RefreshLeft, Star, Tickets, User, Wallet } from '@element-plus/icons-vue'
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
    path: '/callbacks',
    name: 'callbacks',
    component: () => import('@/views/callbacks/CallbackList.vue'),
    meta: { title: 'menu.callbacks', perm: 'callbacks:read', menu: { group: 'service', icon: PhoneFilled, order: 19 } },
  },
  {
    path: '/callbacks/:id',
    name: 'callback',
    component: () => import('@/views/callbacks/CallbackDetail.vue'),
    props: true,
    meta: { title: 'menu.callbacks', perm: 'callbacks:read', activeMenu: '/callbacks' },
  },
  {
    path: '/rectifications',
    name: 'rectifications',
    component: () => import('@/views/callbacks/RectificationList.vue'),
    meta: { title: 'menu.rectifications', perm: 'callbacks:read', menu: { group: 'service', icon: ChatDotRound, order: 19.2 } },
  },
  {
    path: '/rectifications/:id',
    name: 'rectification',
    component: () => import('@/views/callbacks/RectificationDetail.vue'),
    props: true,
    meta: { title: 'menu.rectifications', perm: 'callbacks:handle', activeMenu: '/rectifications' },
  },
  {
    path: '/survey-templates',
    name: 'survey-templates',
    component: () => import('@/views/callbacks/SurveyTemplates.vue'),
    meta: { title: 'menu.surveyTemplates', perm: 'surveys:manage', menu: { group: 'service', icon: Document, order: 19.4 } },
  },
  {
    path: '/satisfaction',
    name: 'satisfaction',
    component: () => import('@/views/callbacks/SatisfactionReport.vue'),
    meta: { title: 'menu.satisfaction', perm: 'callbacks:read', menu: { group: 'service', icon: Star, order: 19.6 } },
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
