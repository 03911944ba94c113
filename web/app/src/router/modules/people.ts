import { Coin, Key, Message, UserFilled } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/people',
    name: 'members',
    component: () => import('@/views/people/MemberList.vue'),
    meta: { title: 'menu.members', perm: 'members:read', menu: { group: 'people', icon: UserFilled, order: 10 } },
  },
  {
    path: '/people/invitations',
    name: 'invitations',
    component: () => import('@/views/people/InvitationList.vue'),
    meta: { title: 'menu.invitations', perm: 'members:write', menu: { group: 'people', icon: Message, order: 20 } },
  },
  {
    path: '/people/invite',
    name: 'invite',
    component: () => import('@/views/people/InviteView.vue'),
    meta: { title: 'people.inviteTitle', perm: 'members:write', activeMenu: '/people/invitations' },
  },
  {
    path: '/people/:id',
    name: 'member',
    component: () => import('@/views/people/MemberDetail.vue'),
    props: true,
    meta: { title: 'menu.members', perm: 'members:read', activeMenu: '/people' },
  },
  {
    path: '/api-keys',
    name: 'api-keys',
    component: () => import('@/views/api-keys/ApiKeyList.vue'),
    meta: { title: 'menu.apiKeys', perm: 'api_keys:manage', menu: { group: 'people', icon: Key, order: 30 } },
  },
  {
    path: '/api-keys/new',
    name: 'api-key-new',
    component: () => import('@/views/api-keys/ApiKeyNew.vue'),
    meta: { title: 'apiKeys.newTitle', perm: 'api_keys:manage', activeMenu: '/api-keys' },
  },
  {
    path: '/commission/rules',
    name: 'commission-rules',
    component: () => import('@/views/commission/CommissionRules.vue'),
    meta: { title: 'menu.commissionRules', perm: 'commission:read', menu: { group: 'people', icon: Coin, order: 40 } },
  },
  {
    path: '/pay/statements',
    name: 'pay-statements',
    component: () => import('@/views/pay/PayStatements.vue'),
    meta: { title: 'menu.payStatements', perm: 'commission:read', menu: { group: 'people', icon: Coin, order: 41 } },
  },
  {
    path: '/pay/penalties',
    name: 'outlet-penalties',
    component: () => import('@/views/pay/OutletPenalties.vue'),
    meta: { title: 'menu.outletPenalties', perm: 'commission:read', menu: { group: 'people', icon: Coin, order: 42 } },
  },
]

export default routes
