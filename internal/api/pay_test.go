package api_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/tenants"
)

// payWorker runs the worker with billing and commission consumers, as cmd/aftersales does;
// the function it returns waits until every job but the SLA wakes has run.
func payWorker(t *testing.T, env *apitest.Env) func() {
	t.Helper()
	client, err := jobs.NewClient(env.DB.App, env.Tenants, env.Log, true, env.Billing.Consumer(), commission.Consumer{DB: env.Tenants})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	return billingWorkerWait(t, env)
}

func billSession(tenant, payment, pi string, amount int64) map[string]any {
	md := map[string]string{"tenant_id": tenant, "bill_payment_id": payment}
	return map[string]any{"id": "cs_" + pi, "object": "checkout.session", "mode": "payment", "status": "complete", "payment_status": "paid",
		"amount_total": amount, "currency": "cny", "client_reference_id": "bill_payment:" + payment, "metadata": md, "payment_intent": pi}
}

func billIntent(tenant, payment, pi string, amount int64) map[string]any {
	md := map[string]string{"tenant_id": tenant, "bill_payment_id": payment}
	return map[string]any{"id": pi, "object": "payment_intent", "amount": amount, "amount_received": amount, "currency": "cny",
		"status": "succeeded", "metadata": md, "latest_charge": "ch_" + pi}
}

// TestQuoteToStatementWithConcurrentPayments runs an out-of-warranty repair from the quote to
// the engineers' statement: the bill is paid online in two parts through stripe-mock, each
// confirmed by two signed events, every event delivered several times and all at once; the
// bill is paid to the cent, the unit is handed back, the audit pays the engineers by role
// under the rules, and the statement shows it, approved and exported.
func TestQuoteToStatementWithConcurrentPayments(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	settle := payWorker(t, env)
	w := newOrderWorld(t, env)
	adm := w.tn.Admin
	outlet := w.tn.Outlets[0]
	// The pay rules: 10% of labour net of 6% tax, lead 2 : assistant 1.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/commission/rule-versions", Token: adm, Body: map[string]any{
		"effective_from": "2020-01-01", "rules": map[string]any{"tax_basis_points": 600, "shares": map[string]int{"lead": 2, "assistant": 1},
			"rates": []map[string]any{{"id": "labour-10", "basis": "percent", "tiers": []map[string]any{{"up_to": 0, "basis_points": 1000}}}}}}})
	var engineers [2]string
	for i := range engineers {
		_, tok := env.Person(w.tn, "engineer", outlet)
		engineers[i] = str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: tok}).Map(t)["id"])
	}
	id := str(w.order(t, map[string]any{"component": "compressor", "registration_id": w.oldUnit(t), "outlet_id": outlet})["order"].(map[string]any)["id"])
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(w.tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO order_engineers (tenant_id, order_id, user_id, role, state)
		    VALUES (app.tenant_id(), $1, $2, 'lead', 'accepted'), (app.tenant_id(), $1, $3, 'assistant', 'accepted')`, id, engineers[0], engineers[1])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Quote (a part, 318.00 labour), approved; repaired; billed and issued.
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: adm, Body: map[string]any{"to": "repairing"}})
	q := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/quotes", Token: adm, Body: map[string]any{
		"lines": []map[string]any{{"kind": "part", "description": "Compressor", "quantity": 1, "unit_price": 45000},
			{"kind": "labour", "description": "Replacement", "quantity": 1, "unit_price": 31800}}}}).Map(t)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/quotes/" + str(q["id"]) + "/decision", Token: adm, Body: map[string]any{"approve": true}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: adm,
		Body: map[string]any{"diagnosis": "compressor failed", "work_done": "replaced", "result": "fixed"}})
	bill := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/bill", Token: adm}).Map(t)
	billID := str(bill["id"])
	issued := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/issue", Token: adm}).Map(t)
	total := int64(issued["total"].(float64))
	if total != 76800 {
		t.Fatalf("bill total %d, want 76800", total)
	}
	token := str(issued["pay_url"])[strings.LastIndex(str(issued["pay_url"]), "/")+1:]
	// Two online payments through Checkout (stripe-mock), 300.01 and the rest.
	amounts := []int64{30001, total - 30001}
	var payloads [][]byte
	for i, a := range amounts {
		co := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/public/pay/" + token + "/checkout", Body: map[string]any{"amount": a}}).Map(t)
		pay := str(co["payment"].(map[string]any)["id"])
		pi := fmt.Sprintf("pi_e2e_%d_%s", i, env.Unique())
		session := stripeEvent("evt_cs_"+pi, "checkout.session.completed", billSession(w.tn.ID, pay, pi, a))
		intent := stripeEvent("evt_pi_"+pi, "payment_intent.succeeded", billIntent(w.tn.ID, pay, pi, a))
		payloads = append(payloads, session, session, session, intent, intent)
	}
	// Every event, duplicates too, delivered at once.
	var wg sync.WaitGroup
	codes := make(chan int, len(payloads))
	for _, p := range payloads {
		wg.Add(1)
		go func() { defer wg.Done(); codes <- postWebhook(env, p, apitest.WebhookSecret).Status }()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Fatalf("webhook answered %d", c)
		}
	}
	settle()
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/bills/" + billID, Token: adm}).Map(t)
	if got["paid"] != float64(total) || got["balance"] != float64(0) || got["status"] != "paid" {
		t.Fatalf("bill after the payments: paid %v balance %v status %v, want %d, 0, paid", got["paid"], got["balance"], got["status"], total)
	}
	var ledger int64
	var entries int
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(w.tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT coalesce(sum(amount), 0), count(*) FROM ledger_entries WHERE bill_id = $1`, billID).Scan(&ledger, &entries)
	}); err != nil {
		t.Fatal(err)
	}
	if ledger != total || entries != 2 {
		t.Fatalf("ledger of the bill: %d in %d entries, want %d in 2", ledger, entries, total)
	}
	// Handed back, audited: the engineers are paid by role, once.
	for _, to := range []string{"picked_up", "approved"} {
		if r := w.move(t, id, to, ""); r.Status != 200 {
			t.Fatalf("move to %s: %d %s", to, r.Status, r.Body)
		}
	}
	settle()
	lines := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/pay-lines", Token: adm}).Map(t)["items"].([]any)
	by := map[string]float64{}
	for _, l := range lines {
		m := l.(map[string]any)
		by[str(m["party_id"])] += m["amount"].(float64)
		if m["rule"] != "labour-10" || m["rule_version"] != float64(1) || !strings.Contains(str(m["detail"]), "labour net of tax 300.00") {
			t.Errorf("pay line %v: want rule labour-10 of version 1 on 300.00 net", m)
		}
	}
	if len(lines) != 2 || by[engineers[0]] != 2000 || by[engineers[1]] != 1000 {
		t.Fatalf("pay lines %v: want 20.00 to the lead and 10.00 to the assistant", lines)
	}
	// The lead's statement: the line, approved by the outlet's manager then finance, exported.
	sts := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/pay-statements?party_id=" + engineers[0], Token: adm}).Map(t)["items"].([]any)
	if len(sts) != 1 || sts[0].(map[string]any)["total"] != float64(2000) {
		t.Fatalf("lead's statements %v, want one of 20.00", sts)
	}
	stmt := str(sts[0].(map[string]any)["id"])
	_, manager := env.Person(w.tn, "outlet_manager", outlet)
	_, finance := env.Person(w.tn, "finance", "")
	_, auditor := env.Person(w.tn, "auditor", "")
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/pay-statements/" + stmt + "/approve", Token: finance}); r.Status != 403 {
		t.Fatalf("finance approving first: %d %s, want 403", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/pay-statements/" + stmt + "/approve", Token: auditor}); r.Status != 403 {
		t.Fatalf("an auditor approving: %d %s, want 403", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/pay-statements/" + stmt + "/approve", Token: manager})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/pay-statements/" + stmt + "/approve", Token: finance})
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/pay-statements/" + stmt + "/payout", Token: finance,
		Body: map[string]any{"paid_on": "soon", "reference": "BANK-1"}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.paid_on") {
		t.Fatalf("payout without a date: %d %s, want 422 at body.paid_on", r.Status, r.Body)
	}
	paid := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/pay-statements/" + stmt + "/payout", Token: finance,
		Body: map[string]any{"paid_on": "2026-12-05", "reference": "BANK-1"}}).Map(t)
	if paid["status"] != "paid" || paid["paid_reference"] != "BANK-1" {
		t.Fatalf("payout: %v", paid)
	}
	x := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/pay-statements/" + stmt + "/export?format=xlsx&lang=zh-CN", Token: adm})
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatalf("the statement file does not open: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	_ = f.Close()
	if err != nil || len(rows) != 3 || rows[0][0] != "日期" || rows[1][2] != "提成" || rows[1][7] != "20" || rows[2][7] != "20" {
		t.Fatalf("statement xlsx rows %q (%v), want the header, the commission of 20.00 and the total", rows, err)
	}
}

// TestDepositAtCheckInIsSpentByTheBill: a deposit taken when the unit is checked in, before
// any quote, is held as the customer's credit (money in and the credit owed in the ledger)
// and the order's bill spends it when issued; bad input names its field.
func TestDepositAtCheckInIsSpentByTheBill(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	adm := w.tn.Admin
	id := str(w.order(t, map[string]any{"component": "compressor", "registration_id": w.oldUnit(t)})["order"].(map[string]any)["id"])
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"method": "card", "amount": 10000}, "body.reference"},
		{map[string]any{"method": "cash", "amount": 0}, "body.amount"},
		{map[string]any{"method": "cheque", "amount": 100}, "body.method"},
	} {
		if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/deposits", Token: adm, Body: c.body}); r.Status != 422 ||
			!strings.Contains(string(r.Body), c.field) {
			t.Errorf("deposit %v: %d %s, want 422 at %s", c.body, r.Status, r.Body, c.field)
		}
	}
	dep := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/deposits", Token: adm,
		Body: map[string]any{"method": "cash", "amount": 10000}}).Map(t)
	if dep["remaining"] != float64(10000) || dep["order_id"] != id || dep["status"] != "open" {
		t.Fatalf("deposit %v: want an open credit of 100.00 for the order", dep)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + uuid.NewString() + "/deposits", Token: adm,
		Body: map[string]any{"method": "cash", "amount": 100}}); r.Status != 404 {
		t.Fatalf("deposit for no order: %d %s, want 404", r.Status, r.Body)
	}
	// The day's cash-up counts the deposit as money in at the order's outlet, and the
	// outlet's own cash-up holds it.
	outlet := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id, Token: adm}).Map(t)["outlet_id"])
	for _, q := range []string{"", "?outlet_id=" + outlet} {
		var cash struct {
			Net   int64
			Lines []struct {
				OutletID string `json:"outlet_id"`
				Method   string
				Kind     string
				Count    int64
				Amount   int64
			}
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/cash-up" + q, Token: adm}).JSON(t, &cash)
		if cash.Net != 10000 || len(cash.Lines) != 1 || cash.Lines[0].Kind != "deposit" || cash.Lines[0].Method != "cash" ||
			cash.Lines[0].Amount != 10000 || cash.Lines[0].Count != 1 || cash.Lines[0].OutletID != outlet {
			t.Fatalf("cash-up%s after the deposit: %+v, want one cash deposit of 100.00 at the order's outlet", q, cash)
		}
	}
	if other := w.tn.Outlets[1]; other != outlet {
		if c := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/cash-up?outlet_id=" + other, Token: adm}).Map(t); c["net"] != float64(0) {
			t.Fatalf("another outlet's cash-up: %v, want nothing", c)
		}
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: adm, Body: map[string]any{"to": "repairing"}})
	w.approvedQuote(t, id) // 480.00
	bill := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/bill", Token: adm}).Map(t)
	issued := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/bills/" + str(bill["id"]) + "/issue", Token: adm}).Map(t)
	if issued["credit_applied"] != float64(10000) || issued["total"] != float64(38000) || issued["balance"] != float64(38000) {
		t.Fatalf("issued bill %v: want the deposit of 100.00 applied, 380.00 owed", issued)
	}
	credits := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/credits?customer_id=" + w.customer, Token: adm}).Map(t)["items"].([]any)
	if len(credits) != 1 || credits[0].(map[string]any)["remaining"] != float64(0) {
		t.Fatalf("the customer's credits after the bill: %v, want the deposit spent", credits)
	}
	var net int64
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(w.tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE memo LIKE '%deposit%' OR bill_id = $1`,
			bill["id"]).Scan(&net)
	}); err != nil {
		t.Fatal(err)
	}
	if net != 10000 {
		t.Fatalf("ledger of the deposit and the bill: %d, want 10000 (money in; the credit owed, then spent)", net)
	}
}
