package console_test

// The counter's money from the quote to the engineer's pay: an out-of-warranty repair's
// approved quote billed and issued from the order's page, the pickup refused while the bill
// is owed, the customer paying online by the pay link (stripe-mock Checkout, the signed
// webhook applied), the unit handed over and audited, the engineer's commission on the
// monthly statement, approved by the outlet manager then finance and locked; the bill and
// the statement in Chinese and on a phone.

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/export"
	"github.com/aftersales/aftersales/tenants"
)

// asSystem runs fn in the journey's tenant as the product's workers do.
func (j *journey) asSystem(t *testing.T, fn func(ctx context.Context, tx *tenants.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := j.env.Tenants.Tx(ctx, tenants.Scope{TenantID: uuid.MustParse(j.tenantID), Actor: tenants.SystemActor},
		func(tx *tenants.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

func TestJourneyCounterBillPaidOnlineThenCommissionOnTheStatement(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := env.Unique()
	adm := j.admin
	tn := &apitest.Tenant{ID: j.tenantID}

	// The catalogue, a warranty policy, a unit bought five years ago (out of warranty: the
	// customer pays every line), the pay rules (10% of labour net of 6% tax) and an engineer.
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: adm, Body: map[string]any{"code": "ac-" + u, "name": "空调"}}).Map(t)["id"]
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: adm, Body: map[string]any{
		"category_id": cat, "sku": "AC-" + u, "name": "分体空调", "components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"]
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: adm}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: adm, Body: map[string]any{
		"name": "全国三包", "category_ids": []any{cat}, "effective_from": "2020-01-01", "rules": rules}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets/" + j.outletID + "/coverage", Token: adm, Body: map[string]any{"region_code": "31"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/outlets/" + j.outletID + "/authorizations", Token: adm,
		Body: map[string]any{"category_id": cat, "authorized": true}})
	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: adm, Body: map[string]any{
		"name": "李女士", "phone": env.Phone(), "province_code": "310000", "city_code": "310100", "district_code": "310115",
		"address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"]
	unit := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: map[string]any{
		"model_id": model, "serial": "OLD-" + u, "purchase_date": time.Now().AddDate(-5, 0, 0).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "has_warranty_card": true, "buyer": map[string]any{"customer_id": customer}}}).Map(t)["id"]
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/commission/rule-versions", Token: adm, Body: map[string]any{
		"effective_from": "2020-01-01", "rules": map[string]any{"tax_basis_points": 600, "shares": map[string]int{"lead": 1},
			"rates": []map[string]any{{"id": "labour-10", "basis": "percent", "tiers": []map[string]any{{"up_to": 0, "basis_points": 1000}}}}}}})
	_, engTok := env.Person(tn, "engineer", j.outletID)
	engineer := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: engTok}).Map(t)["id"].(string)
	managerEmail, _ := env.Person(tn, "outlet_manager", j.outletID)
	financeEmail, finance := env.Person(tn, "finance", "")

	// Checked in, repaired by the engineer under an approved quote (a part, 318.00 labour).
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: adm, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "customer_id": customer, "registration_id": unit, "outlet_id": j.outletID,
		"component": "compressor", "fault_description": "不制冷", "fault_code": "E1"}}).Map(t)["order"].(map[string]any)
	id, number := order["id"].(string), order["number"].(string)
	j.asSystem(t, func(ctx context.Context, tx *tenants.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO order_engineers (tenant_id, order_id, user_id, role, state)
		    VALUES (app.tenant_id(), $1, $2, 'lead', 'accepted')`, id, engineer)
		return err
	})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: adm, Body: map[string]any{"to": "repairing"}})
	q := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/quotes", Token: adm, Body: map[string]any{
		"lines": []map[string]any{{"kind": "part", "description": "压缩机", "quantity": 1, "unit_price": 45000},
			{"kind": "labour", "description": "更换压缩机", "quantity": 1, "unit_price": 31800}}}}).Map(t)

	// The customer approves the quote by phone: the counter records the answer on the order's page.
	// The drawer on a phone, in Chinese (looked at, then closed).
	zh := newBrowser(t, env.Server.URL)
	zh.signIn(j.email)
	zh.chinese()
	zh.viewport(390, 844, true)
	zh.open("/orders/" + id)
	zh.clickOpens(`.quote-answer`, `.quote-answer-form .quote-answer-choice`)
	zh.click(`.quote-answer-choice [data-answer=decline]`)
	zh.waitVisible(`.quote-answer-form textarea[name=reason]`)
	zh.untranslated("recording the customer's answer")
	zh.shot("zh-money-quote-answer")
	zh.noConsoleProblems("recording the customer's answer in Chinese")

	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)
	b.open("/orders/" + id)
	b.clickOpens(`.quote-answer`, `.quote-answer-form .quote-answer-choice`)
	if txt := b.js(`document.querySelector('.quote-answer-form .quote-answer-total').innerText`); !strings.Contains(txt, "768.00") {
		t.Errorf("the answer's drawer says %q, want the quote's 768.00", txt)
	}
	b.click(`.quote-answer-choice [data-answer=decline]`)
	b.js(`(() => { document.querySelector('.quote-answer-form').closest('.el-drawer').querySelector('.drawer-submit').click(); return '' })()`)
	b.waitVisible(`.quote-answer-form .el-form-item.is-error textarea[name=reason]`) // declining needs the reason
	if n := b.js(`String(document.querySelectorAll('.quote-answer-form .el-form-item.is-error').length)`); n != "1" {
		t.Errorf("%s fields refused declining without a reason, want the reason alone", n)
	}
	b.shot("money-quote-answer")
	b.click(`.quote-answer-choice [data-answer=approve]`)
	b.js(`(() => { document.querySelector('.quote-answer-form').closest('.el-drawer').querySelector('.drawer-submit').click(); return '' })()`)
	b.waitJS(`!document.querySelector('.quote-answer') && (!document.querySelector('.quote-answer-form') || document.querySelector('.quote-answer-form').getClientRects().length === 0)`)
	answered := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/quotes/" + q["id"].(string), Token: adm}).Map(t)
	if answered["status"] != "approved" || answered["decided_channel"] != "staff" {
		t.Fatalf("the quote after the counter recorded the answer: %v, want approved through staff", answered)
	}
	b.noConsoleProblems("recording the customer's answer")
	// Approved, the order moves on: the engineer completes the repair.
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: adm,
		Body: map[string]any{"diagnosis": "压缩机损坏", "work_done": "更换压缩机", "result": "fixed"}})
	b.open("/orders/" + id)
	b.waitVisible(`.bill-card .bill-deposit`)
	// A deposit of 100.00 in cash, taken before the bill (as at check-in).
	b.clickOpens(`.bill-card .bill-deposit`, `.deposit-form input[name=amount]`)
	b.typeInto(`.deposit-form input[name=amount]`, "100")
	b.js(`(() => { document.querySelector('.deposit-form').closest('.el-drawer').querySelector('.drawer-submit').click(); return '' })()`)
	b.waitJS(`!document.querySelector('.deposit-form') || document.querySelector('.deposit-form').getClientRects().length === 0`)
	// The counter bills the approved quote and issues the bill: the pay link shows.
	b.click(`.bill-card .bill-create`)
	b.waitVisible(`.bill-card .bill-issue`)
	if txt := b.js(`document.querySelector('.bill-card .bill-total').innerText`); !strings.Contains(txt, "768.00") {
		t.Errorf("the bill's total: %q, want 768.00", txt)
	}
	b.click(`.bill-card .bill-issue`)
	b.waitVisible(`.bill-card .bill-pay-url a`)
	if txt := b.js(`document.querySelector('.bill-card .bill-total').innerText`); !strings.Contains(txt, "668.00") {
		t.Errorf("the issued bill's due: %q, want 668.00 (the deposit spent)", txt)
	}
	payURL := b.js(`document.querySelector('.bill-card .bill-pay-url a').href`)
	b.shot("money-bill-issued")

	// The unit is not handed over while the bill is owed: the refusal says why.
	b.click(`.moves-buttons button[data-move="picked_up"]`)
	b.waitVisible(`.moves-card .problem-alert`)
	if txt := b.js(`document.querySelector('.moves-card .problem-alert').innerText`); !strings.Contains(txt, "The bill is not paid yet") {
		t.Errorf("the refused pickup shows %q, want the bill not settled", txt)
	}
	b.shot("money-pickup-refused")
	b.noConsoleProblems("billing at the counter")

	// The customer pays online by the link (Checkout at stripe-mock); Stripe's signed
	// events arrive and are applied.
	token := payURL[strings.LastIndex(payURL, "/")+1:]
	// The link on the customer's phone: the bill in the brand's portal frame, with what is left.
	p := newBrowser(t, env.Server.URL)
	p.viewport(390, 844, true)
	p.do(chromedp.Navigate(env.Server.URL + "/pay/" + token))
	p.waitVisible(`.my-pay .pay-now`)
	if txt := p.js(`document.querySelector('.my-pay .pay-balance').innerText`); !strings.Contains(txt, "668.00") {
		t.Errorf("the pay link's page says %q, want 668.00 left", txt)
	}
	p.tapTargets("the pay link")
	p.shot("portal-pay-link")
	co := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/public/pay/" + token + "/checkout", Body: map[string]any{}}).Map(t)
	payment := co["payment"].(map[string]any)["id"].(string)
	if co["url"] == "" || co["payment"].(map[string]any)["amount"] != float64(66800) {
		t.Fatalf("the checkout %v: want a URL for the whole 668.00 left", co)
	}
	pi := "pi_counter_" + u
	md := map[string]string{"tenant_id": j.tenantID, "bill_payment_id": payment}
	j.stripeDelivers(t, "evt_cs_"+u, "checkout.session.completed", map[string]any{"id": "cs_" + pi, "object": "checkout.session",
		"mode": "payment", "status": "complete", "payment_status": "paid", "amount_total": 66800, "currency": "cny",
		"client_reference_id": "bill_payment:" + payment, "metadata": md, "payment_intent": pi})
	j.stripeDelivers(t, "evt_pi_"+u, "payment_intent.succeeded", map[string]any{"id": pi, "object": "payment_intent", "amount": 66800,
		"amount_received": 66800, "currency": "cny", "status": "succeeded", "metadata": md, "latest_charge": "ch_" + pi})

	// Back from Checkout, the pay link's page says the bill is paid.
	p.do(chromedp.Navigate(env.Server.URL + "/my/pay/" + token + "?paid=1"))
	p.waitVisible(`.my-pay .pay-done`)
	p.noConsoleProblems("the pay link")

	// Paid to the cent: the page shows it, and the unit is handed over, then audited.
	b.open("/orders/" + id)
	b.waitJS(`!!document.querySelector('.bill-card .bill-balance') && document.querySelector('.bill-card .bill-balance').innerText.includes('0.00') &&
		document.querySelectorAll('.bill-card .bill-payments tbody tr').length === 1`)
	if txt := b.js(`document.querySelector('.bill-card').innerText`); !strings.Contains(txt, "Online") || !strings.Contains(txt, "768.00") {
		t.Errorf("the paid bill: %q", txt)
	}
	b.shot("money-bill-paid")
	// The payment's receipt, downloaded from its row: a PDF in both languages.
	b.captureDownloads()
	b.click(`.bill-card .bill-payments .payment-receipt`)
	b.waitJS(`!!window.__savedB64`)
	raw, err := base64.StdEncoding.DecodeString(b.js(`window.__savedB64`))
	if err != nil {
		t.Fatal(err)
	}
	if text, err := export.PDFText(raw); err != nil || !strings.Contains(text, "收据 Receipt") || !strings.Contains(text, "在线支付 Online") ||
		!strings.Contains(text, "CNY 668.00") || !strings.Contains(text, "CNY 100.00") || !strings.HasSuffix(b.js(`window.__savedName`), ".pdf") {
		t.Errorf("the downloaded receipt %s (%v):\n%s", b.js(`window.__savedName`), err, text)
	}
	for _, to := range []string{"picked_up", "approved"} {
		b.click(fmt.Sprintf(`.moves-buttons button[data-move=%q]`, to))
		b.waitJS(fmt.Sprintf(`!document.querySelector('.moves-buttons button[data-move=%q]') && !document.querySelector('.moves-card .problem-alert')`, to))
	}
	var o struct{ Status string }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id, Token: adm}).JSON(t, &o)
	if o.Status != "approved" {
		t.Fatalf("the order after pickup and audit: %s, want approved", o.Status)
	}
	b.noConsoleProblems("pickup and audit")
	// The day's cash-up: the deposit in cash and the online payment.
	b.open("/cash-up")
	b.waitJS(`document.querySelectorAll('.cash-up-lines tbody tr').length === 2`)
	if txt := b.js(`document.querySelector('.cash-up-lines').innerText + document.querySelector('.cash-up-net').innerText`); !strings.Contains(txt, "Deposit") ||
		!strings.Contains(txt, "100.00") || !strings.Contains(txt, "668.00") || !strings.Contains(txt, "768.00") {
		t.Errorf("the cash-up: %q, want the 100.00 deposit, the 668.00 paid online, 768.00 net", txt)
	}

	// The audit pays the engineer (the commission consumer's work, run here as it runs it):
	// 10% of 300.00 labour net of tax.
	j.asSystem(t, func(ctx context.Context, tx *tenants.Tx) error {
		_, err := commission.PayOrder(ctx, tx, uuid.MustParse(id))
		return err
	})

	// The outlet manager approves the engineer's statement of the month, then finance.
	rows := `document.querySelectorAll('.list-table tbody tr').length`
	for i, who := range []string{managerEmail, financeEmail} {
		b.open("/")
		b.signIn(who)
		b.open("/pay/statements?party_kind=engineer")
		b.waitJS(rows + ` === 1 && document.querySelector('.list-table').innerText.includes('30.00')`)
		b.clickOpens(`.list-table .pay-open`, `.pay-drawer .pay-lines`)
		b.waitJS(`document.querySelector('.pay-drawer .pay-lines').innerText.includes('` + number + `')`)
		if txt := b.js(`document.querySelector('.pay-drawer .pay-lines').innerText`); !strings.Contains(txt, "labour-10 v1") || !strings.Contains(txt, "30.00") {
			t.Errorf("the statement's lines: %q, want the commission of 30.00 under labour-10 v1", txt)
		}
		// Pressed once the drawer has slid in and nothing lies over the button.
		b.waitJS(`(() => { const e = document.querySelector('.pay-drawer .pay-approve'); if (!e) return false; const r = e.getBoundingClientRect();
			const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return !!top && e.contains(top) })()`)
		b.js(`(() => { document.querySelector('.pay-drawer .pay-approve').click(); return '' })()`)
		if i == 0 {
			b.waitJS(`document.querySelector('.pay-drawer').innerText.includes('Manager approved')`)
		} else {
			b.waitJS(`!document.querySelector('.pay-drawer .pay-approve')`)
		}
		b.shot(fmt.Sprintf("money-statement-approved-%d", i+1))
	}
	b.waitJS(`!document.querySelector('.pay-drawer .pay-approve')`)
	var st struct {
		Items []struct {
			ID     string
			Status string
			Total  int64
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/pay-statements?party_id=" + engineer, Token: adm}).JSON(t, &st)
	if len(st.Items) != 1 || st.Items[0].Status != "approved" || st.Items[0].Total != 3000 {
		t.Fatalf("the engineer's statements: %+v, want one approved of 30.00", st.Items)
	}
	// Locked: it is not approved again.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/pay-statements/" + st.Items[0].ID + "/approve", Token: finance}); r.Status != 409 {
		t.Errorf("approving a locked statement: %d %s, want 409", r.Status, r.Body)
	}
	b.noConsoleProblems("pay statement approvals")

	// 中文, and on a phone.
	b.chinese()
	b.open("/orders/" + id)
	b.waitJS(`document.querySelectorAll('.bill-card .bill-payments tbody tr').length === 1`)
	b.untranslated("the paid bill")
	b.shot("zh-money-bill")
	b.open("/pay/statements")
	b.waitJS(rows + ` > 0`)
	b.untranslated("the pay statements")
	b.clickOpens(`.list-table .pay-open`, `.pay-drawer .pay-lines`)
	b.untranslated("the locked statement")
	b.shot("zh-money-statement")
	b.viewport(390, 844, true)
	for _, route := range []string{"/orders/" + id, "/pay/statements"} {
		b.open(route)
		b.settle()
		b.noSidewaysScroll(route)
	}
	b.shot("phone-money-statements")
	b.noConsoleProblems("money in Chinese and on a phone")
}
