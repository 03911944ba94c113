// The portal's routes, under /my/: /my/{tenant} is the brand's portal. The warranty check
// and sign-in are public; the rest needs a consumer signed in with a one-time code.
import { createRouter, createWebHistory } from 'vue-router'

import { lastTenant, whoAmI } from './consumer'
import CheckView from './views/CheckView.vue'
import NoBrand from './views/NoBrand.vue'
import RegisterUnit from './views/RegisterUnit.vue'
import SignIn from './views/SignIn.vue'
import UnitsView from './views/UnitsView.vue'
import BookService from './views/service/BookService.vue'
import OrdersView from './views/service/OrdersView.vue'
import OrderView from './views/service/OrderView.vue'
import AccountView from './views/account/AccountView.vue'
import BuyView from './views/buy/BuyView.vue'
import AskReturn from './views/returns/AskReturn.vue'
import DisputeView from './views/returns/DisputeView.vue'
import ReturnsView from './views/returns/ReturnsView.vue'
import ReturnView from './views/returns/ReturnView.vue'
import PurchasesView from './views/buy/PurchasesView.vue'
import PurchaseView from './views/buy/PurchaseView.vue'
import PayView from './views/links/PayView.vue'
import QuoteView from './views/links/QuoteView.vue'
import SurveyView from './views/links/SurveyView.vue'
import TrackView from './views/links/TrackView.vue'

export const myRouter = createRouter({
  history: createWebHistory('/my/'),
  routes: [
    { path: '/', name: 'my-none', component: NoBrand, meta: { public: true } },
    { path: '/:tenant/check', name: 'my-check', component: CheckView, props: true, meta: { public: true } },
    { path: '/:tenant/login', name: 'my-login', component: SignIn, props: true, meta: { public: true } },
    { path: '/:tenant', name: 'my-units', component: UnitsView, props: true },
    { path: '/:tenant/units/new', name: 'my-register', component: RegisterUnit, props: true },
    // Getting service: asking for it on a unit, my orders, one order.
    { path: '/:tenant/units/:unit/service', name: 'my-book', component: BookService, props: true },
    { path: '/:tenant/orders', name: 'my-orders', component: OrdersView, props: true },
    { path: '/:tenant/orders/:id', name: 'my-order', component: OrderView, props: true },
    // Buying plans for a unit, receipts (Stripe Checkout returns to one), messages and preferences.
    { path: '/:tenant/units/:unit/buy', name: 'my-buy', component: BuyView, props: true },
    { path: '/:tenant/purchases', name: 'my-purchases', component: PurchasesView, props: true },
    { path: '/:tenant/purchases/:id', name: 'my-purchase', component: PurchaseView, props: true },
    { path: '/:tenant/account', name: 'my-account', component: AccountView, props: true },
    // Disputing an order's decision, asking for a return or an exchange, my cases.
    { path: '/:tenant/orders/:id/dispute', name: 'my-dispute', component: DisputeView, props: true },
    { path: '/:tenant/orders/:id/return', name: 'my-return-ask', component: AskReturn, props: true },
    { path: '/:tenant/returns', name: 'my-returns', component: ReturnsView, props: true },
    { path: '/:tenant/returns/:id', name: 'my-return', component: ReturnView, props: true },
    // The pages behind the links sent by SMS (/track/{token}, /quote/{token} redirect here):
    // the token is the key, no sign-in; the brand comes from the link's answer.
    { path: '/track/:token', name: 'my-track', component: TrackView, props: true, meta: { public: true, link: true } },
    { path: '/quote/:token', name: 'my-quote', component: QuoteView, props: true, meta: { public: true, link: true } },
    { path: '/survey/:token', name: 'my-survey', component: SurveyView, props: true, meta: { public: true, link: true } },
    { path: '/pay/:token', name: 'my-pay', component: PayView, props: true, meta: { public: true, link: true } },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})

myRouter.beforeEach(async (to) => {
  const tenant = typeof to.params.tenant === 'string' ? to.params.tenant : ''
  if (to.name === 'my-none' && lastTenant.get()) return { name: 'my-units', params: { tenant: lastTenant.get() } }
  if (tenant) lastTenant.set(tenant)
  if (to.meta.public) return true
  if (!(await whoAmI())) return { name: 'my-login', params: { tenant }, query: { next: to.fullPath } }
  return true
})
