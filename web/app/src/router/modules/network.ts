import { Calendar, Connection, OfficeBuilding, Tickets } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/outlets',
    name: 'outlets',
    component: () => import('@/views/outlets/OutletList.vue'),
    meta: { title: 'menu.outlets', perm: 'outlets:read', menu: { group: 'network', icon: OfficeBuilding, order: 10 } },
  },
  {
    path: '/outlets/new',
    name: 'outlet-new',
    component: () => import('@/views/outlets/OutletNew.vue'),
    meta: { title: 'outlets.newTitle', perm: 'outlets:create', activeMenu: '/outlets' },
  },
  {
    path: '/outlets/:id',
    name: 'outlet',
    component: () => import('@/views/outlets/OutletDetail.vue'),
    props: true,
    meta: { title: 'menu.outlets', perm: 'outlets:read', activeMenu: '/outlets' },
  },
  {
    path: '/partners',
    name: 'partners',
    component: () => import('@/views/network/AgreementList.vue'),
    meta: { title: 'menu.partners', perm: 'orders:read', menu: { group: 'network', icon: Connection, order: 30 } },
  },
  {
    path: '/network-jobs',
    name: 'network-jobs',
    component: () => import('@/views/network/JobBoard.vue'),
    meta: { title: 'menu.networkJobs', perm: 'orders:read', menu: { group: 'network', icon: Tickets, order: 40 } },
  },
  {
    path: '/calendars',
    name: 'calendars',
    component: () => import('@/views/calendars/CalendarList.vue'),
    meta: { title: 'menu.calendars', perm: 'calendars:read', menu: { group: 'network', icon: Calendar, order: 20 } },
  },
  {
    path: '/calendars/:id',
    name: 'calendar',
    component: () => import('@/views/calendars/CalendarDetail.vue'),
    props: true,
    meta: { title: 'menu.calendars', perm: 'calendars:read', activeMenu: '/calendars' },
  },
]

export default routes
