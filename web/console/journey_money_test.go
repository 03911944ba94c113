package console_test

// Finance's money screens on a fresh tenant: a plan sold at the counter and paid through
// Stripe (stripe-mock, the webhook delivered), found in the purchases by status, cancelled
// and refunded from its drawer; the refund listed, confirmed by Stripe; the ledger checked
// against Stripe; the same screens in Chinese (scanned for raw codes) and on a phone.

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/jobs"
)

// stripeDelivers posts a signed Stripe event to the webhook and applies it, as the billing
// worker would.
func (j *journey) stripeDelivers(t *testing.T, id, typ string, obj map[string]any) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": stripe.APIVersion, "created": time.Now().Unix(),
		"type": typ, "livemode": false, "data": map[string]any{"object": obj}})
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: apitest.WebhookSecret})
	j.env.Must(200, apitest.Req{Method: "POST", Path: "/v1/billing/stripe/webhook", Body: sp.Payload,
		Header: map[string]string{"Stripe-Signature": sp.Header}})
	inserter, err := jobs.NewClient(j.env.DB.App, j.env.Tenants, j.env.Log, false, j.env.Billing.Consumer())
	if err != nil {
		t.Fatal(err)
	}
	if err := j.env.Billing.Process(context.Background(), inserter, id); err != nil {
		t.Fatalf("applying %s: %v", typ, err)
	}
}

func TestJourneyFinanceRefundsAPurchaseAndReconciles(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := env.Unique()

	// A two-year plan sold at the counter for a registered unit, paid through Stripe.
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: j.admin, Body: map[string]any{
		"code": "plan-" + u, "name": "延保两年", "kind": "plan", "term_months": 24, "cooling_off_days": 14,
		"targets":      map[string]any{"arrival": map[string]any{"minutes": 480, "clock": "business"}},
		"compensation": map[string]any{"kind": "none"}, "prices": []map[string]any{{"currency": "CNY", "unit_amount": 39900}}}}).Map(t)["id"]
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: j.admin, Body: map[string]any{"code": "ac-" + u, "name": "空调"}})
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: j.admin, Body: map[string]any{
		"category_id": cat.Map(t)["id"], "sku": "AC-" + u, "name": "分体空调", "components": []any{}}})
	unit := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: j.admin, Body: map[string]any{
		"model_id": model.Map(t)["id"], "serial": "SN-" + u, "purchase_date": time.Now().AddDate(0, 0, -20).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "buyer": map[string]any{"name": "李女士", "phone": env.Phone()}}}).Map(t)["id"]
	p := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: j.admin, Body: map[string]any{
		"product_id": prod, "outlet_id": j.outletID, "registration_id": unit}}).Map(t)["purchase"].(map[string]any)
	id, pi := p["id"].(string), p["stripe_payment_intent_id"].(string)
	j.stripeDelivers(t, "evt_paid_"+u, "payment_intent.succeeded", map[string]any{"id": pi, "object": "payment_intent",
		"amount": 39900, "amount_received": 39900, "currency": "cny", "status": "succeeded",
		"metadata": map[string]string{"tenant_id": j.tenantID, "purchase_id": id}})

	// Finance, not the admin, cancels it: refunds are finance's to settle (purchases:refund).
	finEmail, _ := env.Person(&apitest.Tenant{ID: j.tenantID}, "finance", "")
	b := newBrowser(t, env.Server.URL)
	b.signIn(finEmail)

	// Finance finds it among the active purchases (the filter is in the URL) and opens it.
	b.open("/finance/purchases?status=active")
	b.waitJS(`document.querySelectorAll('.list-table tbody tr').length === 1 && document.querySelector('.list-table').innerText.includes('plan-` + u + `')`)
	if !strings.Contains(b.visibleText(), "Purchases") || !strings.Contains(b.visibleText(), "Refunds") {
		t.Error("the menu has no Purchases or Refunds entry")
	}
	b.shot("finance-purchases")
	b.click(`.list-table .purchase-open`)
	b.waitVisible(`.purchase-drawer .purchase-cancel`)
	if txt := b.js(`document.querySelector('.purchase-drawer').innerText`); !strings.Contains(txt, "Active") || !strings.Contains(txt, "Nothing has been refunded") {
		t.Errorf("the purchase's drawer before the refund: %q", txt)
	}
	// Cancelled for the customer: within the cooling-off period, all of it goes back.
	b.click(`.purchase-drawer .purchase-cancel`)
	b.waitVisible(`.el-message-box .el-button--danger`)
	b.js(`(() => { document.querySelector('.el-message-box .el-button--danger').click(); return '' })()`)
	b.waitJS(`document.querySelectorAll('.purchase-drawer .purchase-refunds tbody tr').length === 1`)
	if txt := b.js(`document.querySelector('.purchase-drawer').innerText`); !strings.Contains(txt, "399.00") || !strings.Contains(txt, "Requested") && !strings.Contains(txt, "Pending") ||
		!strings.Contains(txt, "waiting for Stripe") || b.js(`String(!!document.querySelector('.purchase-drawer .purchase-cancel'))`) != "false" {
		t.Errorf("the purchase's drawer after cancelling: %q", txt)
	}
	b.shot("finance-purchase-refunded")
	b.noConsoleProblems("purchases")

	// Stripe confirms the refund: the refund list shows it succeeded.
	j.stripeDelivers(t, "evt_refund_"+u, "charge.refunded", map[string]any{"id": "ch_" + u, "object": "charge", "amount": 39900,
		"amount_refunded": 39900, "refunded": true, "currency": "cny", "payment_intent": pi})
	b.open("/finance/refunds?status=succeeded")
	b.waitJS(`document.querySelectorAll('.list-table tbody tr').length === 1 && document.querySelector('.list-table').innerText.includes('Cancellation')`)
	b.shot("finance-refunds")
	var got struct{ Status string }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/purchases/" + id, Token: j.admin}).JSON(t, &got)
	if got.Status != "refunded" {
		t.Errorf("the purchase after Stripe confirmed the refund: %s", got.Status)
	}

	// The ledger's payment and refund checked against Stripe (stripe-mock knows neither).
	b.open("/finance/reconciliations")
	b.waitJS(`document.querySelector('.recon-runs .el-empty') !== null`)
	b.click(`.recon-run`)
	b.waitVisible(`.recon-form .recon-dates`)
	b.js(`(() => { document.querySelector('.drawer-submit').click(); return '' })()`)
	b.waitJS(`document.querySelectorAll('.recon-runs > .el-table__inner-wrapper > .el-table__body-wrapper tbody tr.el-table__row').length === 1`)
	if !strings.Contains(b.location(), "from=") {
		t.Errorf("the reconciled days are not in the URL: %s", b.location())
	}
	b.js(`(() => { document.querySelector('.recon-runs .el-table__expand-icon').click(); return '' })()`)
	b.waitJS(`!!document.querySelector('.recon-mismatches') && document.querySelector('.recon-mismatches').innerText.includes('Missing at Stripe')`)
	if txt := b.js(`document.querySelector('.recon-runs').innerText`); !strings.Contains(txt, "Missing at Stripe") {
		t.Errorf("the reconciliation: %q", txt)
	}
	b.shot("finance-reconciliation")
	// Finance resolves one mismatch with a note: the run then counts one of two open, and the
	// resolution stays beside the entry.
	b.clickOpens(`.recon-mismatches .recon-resolve`, `.recon-resolve-form textarea[name=note]`)
	b.drawerSubmit() // no note yet: refused at the note
	if got := b.fieldError(`.recon-resolve-form textarea[name=note]`); got == "" {
		t.Errorf("a resolution without a note is not refused at its field:\n%s", b.visibleText())
	}
	b.typeInto(`.recon-resolve-form textarea[name=note]`, "Stripe test mode keeps no balance transactions")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`!!document.querySelector('.recon-resolution') && document.querySelector('.recon-runs').innerText.includes('1 of 2 open')`)
	if txt := b.js(`document.querySelector('.recon-resolution').innerText`); !strings.Contains(txt, "Explained by") ||
		!strings.Contains(txt, "Stripe test mode keeps no balance transactions") {
		t.Errorf("the resolution beside the entry: %q", txt)
	}
	b.shot("finance-reconciliation-resolved")
	b.noConsoleProblems("reconciliation")

	// 中文, and on a phone.
	b.chinese()
	for _, route := range []string{"/finance/purchases", "/finance/refunds", "/finance/compensations", "/finance/payment-flags", "/finance/reconciliations"} {
		b.open(route)
		b.settle()
		b.untranslated(route)
		b.shot("zh-" + strings.ReplaceAll(strings.TrimPrefix(route, "/"), "/", "-"))
	}
	b.viewport(390, 844, true)
	for _, route := range []string{"/finance/purchases", "/finance/refunds", "/finance/payment-flags", "/finance/reconciliations"} {
		b.open(route)
		b.settle()
		b.noSidewaysScroll(route)
		b.shot("phone-" + strings.ReplaceAll(strings.TrimPrefix(route, "/"), "/", "-"))
	}
	b.noConsoleProblems("money screens in Chinese")
}
