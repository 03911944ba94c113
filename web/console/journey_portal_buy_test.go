package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// blockStripe keeps the tab from loading Stripe's Checkout page (stripe-mock answers with a
// real Stripe address): the journey plays Stripe's part itself.
func (b *browser) blockStripe() {
	b.t.Helper()
	err := b.call(func(ctx context.Context, s cdp.Session) error {
		if _, err := cdp.Call(ctx, s, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, s, network.SetBlockedURLs, network.SetBlockedURLsParams{
			URLPatterns: []*network.BlockPattern{{URLPattern: "https://*.stripe.com/*", Block: true}}})
		return err
	})
	if err != nil {
		b.t.Fatalf("blocking Stripe: %v", err)
	}
}

// toCheckout taps a plan's buy button and waits until the tab leaves for Stripe's page;
// the blocked page's errors are Stripe's part, not the portal's.
func (b *browser) toCheckout(css string) {
	b.t.Helper()
	b.click(css)
	for deadline := time.Now().Add(15 * time.Second); strings.Contains(b.location(), "/my/"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.t.Fatalf("buying did not go to Stripe Checkout: still at %s", b.location())
		}
	}
	b.do(chromedp.Sleep(300 * time.Millisecond))
	b.mu.Lock()
	kept := b.problems[:0]
	for _, p := range b.problems {
		if !strings.Contains(p, "stripe.com") && !strings.Contains(p, "ERR_BLOCKED") {
			kept = append(kept, p)
		}
	}
	b.problems = kept
	b.mu.Unlock()
}

// TestJourneyConsumerBuysAnExpressPlanOnAPhone: on a 390x844 phone a consumer signs in with a
// code, sees the brand's name, finds a two-year plan for their unit with its price, goes to
// Stripe Checkout (a session created against stripe-mock), gives up (the page says nothing
// was charged), buys again and pays (the journey posts the signed checkout.session.completed
// Stripe would send): the receipt waits for the confirmation, then shows it paid with the
// cooling-off end; the plan shows on the unit; cancelled within the cooling-off period, the
// whole amount comes back. Notification preferences saved. Then the same pages in Chinese.
func TestJourneyConsumerBuysAnExpressPlanOnAPhone(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := strings.ToUpper(env.Unique())
	var tn struct{ Slug, Name string }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tenant", Token: j.admin}).JSON(t, &tn)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: j.admin, Body: map[string]any{
		"code": "plan-" + strings.ToLower(u), "name": "延保两年", "description": "两年内免费维修，工程师 8 小时内上门", "kind": "plan",
		"term_months": 24, "cooling_off_days": 14,
		"targets":      map[string]any{"arrival": map[string]any{"minutes": 480, "clock": "business"}},
		"compensation": map[string]any{"kind": "none"}, "prices": []map[string]any{{"currency": "CNY", "unit_amount": 39900}}}})
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: j.admin, Body: map[string]any{"code": "ac-" + strings.ToLower(u), "name": "空调"}})
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: j.admin, Body: map[string]any{
		"category_id": cat.Map(t)["id"], "sku": "KFR-" + u, "name": "分体空调", "components": []any{}}})
	e164 := env.Phone()
	serial := "SN" + u
	unit := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: j.admin, Body: map[string]any{
		"model_id": model.Map(t)["id"], "serial": serial, "purchase_date": time.Now().AddDate(0, 0, -20).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "buyer": map[string]any{"name": "李女士", "phone": e164}}}).Map(t)["id"].(string)
	pendingPurchase := func() string {
		t.Helper()
		var list struct{ Items []struct{ ID, Status string } }
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/purchases?status=pending&registration_id=" + unit, Token: j.admin}).JSON(t, &list)
		if len(list.Items) == 0 {
			t.Fatal("buying left no pending purchase")
		}
		return list.Items[0].ID
	}

	b := newBrowser(t, env.Server.URL)
	b.viewport(390, 844, true)
	b.blockStripe()
	b.portalSignIn(env, tn.Slug, e164)
	b.waitJS(`document.querySelector('.my-brand-name').innerText === '` + tn.Name + `'`)
	if title := b.js(`document.title`); !strings.Contains(title, tn.Name) {
		t.Errorf("the page title %q does not name the brand %q", title, tn.Name)
	}
	card := `.unit-card[data-serial="` + serial + `"]`
	b.waitVisible(card + ` .unit-buy`)
	b.tapTargets("my units with the plans link")

	// The plans for the unit, with their price.
	b.click(card + ` .unit-buy`)
	b.waitVisible(`.my-buy .offer-card .offer-buy`)
	if txt := b.js(`document.querySelector('.my-buy').innerText`); !strings.Contains(txt, "延保两年") || !strings.Contains(txt, "399.00") ||
		!strings.Contains(txt, "24 months") || !strings.Contains(txt, "within 14 days") || !strings.Contains(txt, serial) {
		t.Errorf("the plans for the unit: %q", txt)
	}
	b.tapTargets("the plans for a unit")
	b.noSidewaysScroll("the plans for a unit")
	b.shot("portal-buy-offers")
	b.noConsoleProblems("the plans for a unit")

	// To Checkout, and back without paying: nothing was charged, and the Checkout session
	// ends at once (no plan stays awaiting payment).
	b.toCheckout(`.offer-buy`)
	first := pendingPurchase()
	b.openPortal("/" + tn.Slug + "/purchases/" + first + "?cancelled=1")
	b.waitVisible(`.purchase-not-charged`)
	if txt := b.js(`document.querySelector('.my-purchase').innerText`); !strings.Contains(txt, "Nothing was charged") || !strings.Contains(txt, "Expired") {
		t.Errorf("back from Checkout without paying: %q", txt)
	}
	b.shot("portal-buy-not-charged")

	// Bought again and paid: the receipt waits for Stripe's word, then shows it paid.
	b.openPortal("/" + tn.Slug + "/units/" + unit + "/buy")
	b.waitVisible(`.offer-buy`)
	b.toCheckout(`.offer-buy`)
	var list struct{ Items []struct{ ID string } }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/purchases?status=pending&registration_id=" + unit, Token: j.admin}).JSON(t, &list)
	paid := ""
	for _, p := range list.Items {
		if p.ID != first {
			paid = p.ID
		}
	}
	if paid == "" {
		t.Fatalf("the second purchase is not pending: %+v", list)
	}
	b.openPortal("/" + tn.Slug + "/purchases/" + paid + "?paid=1")
	b.waitVisible(`.purchase-waiting`)
	b.shot("portal-buy-waiting")
	pi := "pi_" + strings.ReplaceAll(paid, "-", "")[:20]
	j.stripeDelivers(t, "evt_portal_paid_"+strings.ToLower(u), "checkout.session.completed", map[string]any{"id": "cs_" + pi,
		"object": "checkout.session", "mode": "payment", "status": "complete", "payment_status": "paid", "amount_total": 39900,
		"currency": "cny", "client_reference_id": paid, "payment_intent": pi,
		"metadata": map[string]string{"tenant_id": j.tenantID, "purchase_id": paid}})
	b.waitVisible(`.purchase-paid`)
	receipt := b.js(`document.querySelector('.my-purchase').innerText`)
	for _, want := range []string{"Paid: thank you", "延保两年", "Active", "399.00", "KFR-" + u, "Full refund until", "Paid at", "Valid"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("the receipt after paying shows %q, want %q in it", receipt, want)
		}
	}
	b.tapTargets("the receipt")
	b.noSidewaysScroll("the receipt")
	b.shot("portal-buy-paid")
	b.noConsoleProblems("buying a plan")

	// The plan shows on the unit.
	b.click(`.my-tab-units`)
	b.waitVisible(card + ` .unit-plan[data-status=active]`)
	if txt := b.js(`document.querySelector('` + card + ` .unit-plan[data-status=active]').innerText`); !strings.Contains(txt, "延保两年") || !strings.Contains(txt, "valid until") {
		t.Errorf("the plan on the unit: %q", txt)
	}
	b.shot("portal-buy-unit")

	// My purchases; cancelled within the cooling-off period: all of it comes back.
	b.click(`.my-tab-purchases`)
	b.waitVisible(`.purchase-item[data-status=active]`)
	b.tapTargets("my purchases")
	b.shot("portal-purchases")
	b.click(`.purchase-item[data-status=active]`)
	b.waitVisible(`.purchase-cancel`)
	if txt := b.js(`document.querySelector('.my-purchase').innerText`); !strings.Contains(txt, "everything you paid is refunded") {
		t.Errorf("before cancelling: %q", txt)
	}
	b.click(`.purchase-cancel`)
	b.waitVisible(`.purchase-cancel-dialog .van-dialog__confirm`)
	b.do(chromedp.Sleep(500 * time.Millisecond)) // the dialog zooms in: measured once it stands at its size
	b.tapTargets("the cancel question")
	b.click(`.purchase-cancel-dialog .van-dialog__confirm`)
	b.waitVisible(`.purchase-refund`)
	if txt := b.js(`document.querySelector('.purchase-refund').innerText`); !strings.Contains(txt, "Refund: ") || !strings.Contains(txt, "399.00") {
		t.Errorf("the refund after cancelling: %q", txt)
	}
	b.shot("portal-purchase-cancelled")
	b.noConsoleProblems("cancelling")

	// Notification preferences: no SMS, no quotes; kept after a reload. (The dialog's overlay
	// fades out first.)
	b.waitJS(`![...document.querySelectorAll('.van-overlay')].some((e) => getComputedStyle(e).display !== 'none')`)
	b.onTop(`.my-tab-account`)
	b.clickOpens(`.my-tab-account`, `.account-prefs .prefs-save`)
	b.click(`.pref-row[data-channel=sms] .van-switch`)
	b.click(`.pref-row[data-kind=quote] .van-switch`)
	b.click(`.prefs-save`)
	b.waitVisible(`.prefs-saved`)
	b.tapTargets("messages and preferences")
	b.shot("portal-account")
	b.openPortal("/" + tn.Slug + "/account")
	b.waitVisible(`.account-prefs .prefs-save`)
	on := func(css string) string {
		return b.js(`String(document.querySelector('` + css + ` .van-switch').classList.contains('van-switch--on'))`)
	}
	if on(`.pref-row[data-channel=sms]`) != "false" || on(`.pref-row[data-kind=quote]`) != "false" || on(`.pref-row[data-channel=email]`) != "true" ||
		on(`.pref-row[data-kind=order]`) != "true" {
		t.Errorf("after a reload the preferences are sms=%s quote=%s email=%s order=%s", on(`.pref-row[data-channel=sms]`),
			on(`.pref-row[data-kind=quote]`), on(`.pref-row[data-channel=email]`), on(`.pref-row[data-kind=order]`))
	}
	b.noConsoleProblems("preferences")

	// 中文.
	b.js(`(() => { localStorage.setItem('aftersales.lang', 'zh-CN'); return '' })()`)
	for _, p := range []struct{ route, ready, name string }{
		{"/" + tn.Slug, card + ` .unit-buy`, "units"},
		{"/" + tn.Slug + "/units/" + unit + "/buy", `.offer-buy`, "buy"},
		{"/" + tn.Slug + "/purchases/" + paid + "?paid=1", `.purchase-refund, .purchase-cancel-asked`, "receipt"},
		{"/" + tn.Slug + "/purchases/" + first + "?cancelled=1", `.purchase-not-charged`, "not-charged"},
		{"/" + tn.Slug + "/purchases", `.purchase-item`, "purchases"},
		{"/" + tn.Slug + "/account", `.prefs-save`, "account"},
	} {
		b.openPortal(p.route)
		b.waitJS(`document.documentElement.lang === 'zh-CN'`)
		b.waitVisible(p.ready)
		b.portalUntranslated(p.name)
		b.tapTargets(p.name + " in Chinese")
		b.noSidewaysScroll(p.name + " in Chinese")
		b.shot("portal-zh-" + p.name)
	}
	if txt := b.js(`document.body.innerText`); !strings.Contains(txt, "通知方式") || !strings.Contains(txt, "退出登录") {
		t.Errorf("the preferences in Chinese: %q", txt)
	}
	b.noConsoleProblems("the buying pages in Chinese")

	// On a desktop the receipt keeps the portal's one column, centred, under the brand's header.
	b.viewport(1400, 900, false)
	b.openPortal("/" + tn.Slug + "/purchases/" + paid)
	b.waitVisible(`.purchase-receipt`)
	for _, css := range []string{".my-purchase", ".my-brand"} {
		if w := b.js(`String(Math.round(document.querySelector('` + css + `').getBoundingClientRect().width))`); atoi(w) > 720 {
			t.Errorf("on a desktop %s is %s px wide, want at most 720", css, w)
		}
	}
	b.shot("portal-zh-receipt-desktop")
	b.viewport(390, 844, true)

	// Signing out ends the session: the portal asks for a code again.
	b.click(`.my-signout`)
	b.waitVisible(`.my-login input[name=destination]`)
	b.openPortal("/" + tn.Slug + "/purchases")
	b.waitVisible(`.my-login input[name=destination]`)
	b.noConsoleProblems("signing out")
}
