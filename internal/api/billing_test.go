package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// billingWorker runs the billing consumer; the function it returns waits until every job
// but the SLA wakes (scheduled for the orders' due times, hours ahead) has run.
func billingWorker(t *testing.T, env *apitest.Env) func() {
	t.Helper()
	client, err := jobs.NewClient(env.DB.App, env.Tenants, env.Log, true, env.Billing.Consumer())
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	return billingWorkerWait(t, env)
}

// billingWorkerWait returns a function that waits until every job but the SLA wakes has run.
func billingWorkerWait(t *testing.T, env *apitest.Env) func() {
	t.Helper()
	return func() {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			var n int
			if err := env.DB.Owner.QueryRow(context.Background(),
				`SELECT count(*) FROM river.river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending')
				   AND kind NOT IN ('sla_wake', 'sla_timer', 'sla_sweep')`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d jobs unfinished", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func stripeEvent(id, typ string, obj map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": stripe.APIVersion, "created": time.Now().Unix(),
		"type": typ, "livemode": false, "data": map[string]any{"object": obj}})
	return b
}

func postWebhook(env *apitest.Env, payload []byte, secret string) *apitest.Response {
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret})
	return env.Do(apitest.Req{Method: "POST", Path: "/v1/billing/stripe/webhook", Body: sp.Payload,
		Header: map[string]string{"Stripe-Signature": sp.Header}})
}

func paidSession(tenant, purchase, pi string, amount int64) map[string]any {
	md := map[string]string{"tenant_id": tenant, "purchase_id": purchase}
	return map[string]any{"id": "cs_" + pi, "object": "checkout.session", "mode": "payment", "status": "complete", "payment_status": "paid",
		"amount_total": amount, "currency": "cny", "client_reference_id": purchase, "metadata": md, "payment_intent": pi}
}

func consumerLogin(t *testing.T, env *apitest.Env, phone string) string {
	t.Helper()
	env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": phone}})
	code := regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(phone))
	var sess struct{ Token string }
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": phone, "code": code}}).JSON(t, &sess)
	return sess.Token
}

// billingUnit registers a unit bought by a customer with phone, returning its id.
func billingUnit(t *testing.T, env *apitest.Env, tn *apitest.Tenant, phone string) string {
	t.Helper()
	u := env.Unique()
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: tn.Admin, Body: map[string]any{"code": "ac-" + u, "name": "AC"}})
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: tn.Admin, Body: map[string]any{
		"category_id": cat.Map(t)["id"], "sku": "AC-" + u, "name": "Split AC", "components": []any{}}})
	reg := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: tn.Admin, Body: map[string]any{
		"model_id": model.Map(t)["id"], "serial": "SN-" + u, "purchase_date": time.Now().AddDate(0, 0, -20).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "buyer": map[string]any{"name": "Buyer", "phone": phone}}})
	return reg.Map(t)["id"].(string)
}

func TestBillingWebhookRejectsOrIgnoresWithoutHarm(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker, reads the Stripe inbox
	settle := billingWorker(t, env)
	tn := env.NewTenant()

	// Bad signature: 400 problem naming the header, nothing stored.
	payload := stripeEvent("evt_bad_sig", "checkout.session.completed", paidSession(tn.ID, platform.NewID().String(), "pi_x", 100))
	r := postWebhook(env, payload, "whsec_wrong")
	if r.Status != 400 || !strings.Contains(string(r.Body), "header.Stripe-Signature") {
		t.Fatalf("bad signature: %d %s", r.Status, r.Body)
	}
	isoCheckProblem(t, "bad signature", r, "/problems/bad-request")
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/billing/stripe/webhook", Body: payload}); r.Status != 400 {
		t.Errorf("no signature: %d %s", r.Status, r.Body)
	}
	// Signed garbage is not an event either.
	if r := postWebhook(env, []byte(`{"id": 5`), apitest.WebhookSecret); r.Status != 400 {
		t.Errorf("signed garbage: %d %s", r.Status, r.Body)
	}

	// Unknown type: 200, stored as ignored.
	r = postWebhook(env, stripeEvent("evt_unknown_type", "customer.created", map[string]any{"id": "cus_1", "object": "customer"}), apitest.WebhookSecret)
	if r.Status != 200 || r.Map(t)["ignored"] != true {
		t.Fatalf("unknown type: %d %s", r.Status, r.Body)
	}

	// A paid session naming a tenant that does not exist, and one naming a real tenant but a
	// purchase of nobody: 200, then ignored by the job.
	ghostTenant := platform.NewID().String()
	for _, p := range [][]byte{
		stripeEvent("evt_ghost_tenant", "checkout.session.completed", paidSession(ghostTenant, platform.NewID().String(), "pi_g", 100)),
		stripeEvent("evt_ghost_purchase", "checkout.session.completed", paidSession(tn.ID, platform.NewID().String(), "pi_h", 100)),
	} {
		for range 2 {
			if r := postWebhook(env, p, apitest.WebhookSecret); r.Status != 200 {
				t.Fatalf("event: %d %s", r.Status, r.Body)
			}
		}
	}
	settle()
	outcomes := map[string]string{}
	rows, err := env.DB.Owner.Query(context.Background(), `SELECT id, outcome FROM stripe_events`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, o string
		_ = rows.Scan(&id, &o)
		outcomes[id] = o
	}
	rows.Close()
	if outcomes["evt_unknown_type"] != "ignored" || outcomes["evt_ghost_tenant"] != "unknown_tenant" || outcomes["evt_ghost_purchase"] != "mismatch" ||
		outcomes["evt_bad_sig"] != "" || len(outcomes) != 3 {
		t.Errorf("inbox outcomes: %v", outcomes)
	}
	// Nothing changed in the tenant: no ledger, no purchases.
	if items := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/ledger", Token: tn.Admin})); len(items) != 0 {
		t.Errorf("ledger after ignored events: %v", items)
	}

	// The inbox is platform data: a tenant's transaction sees none of it and writes no route.
	scope := tenants.Scope{TenantID: uuid.MustParse(tn.ID)}
	if err := env.Tenants.Tx(context.Background(), scope, func(tx *tenants.Tx) error {
		var n int
		if err := tx.QueryRow(context.Background(), `SELECT count(*) FROM stripe_events`).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("a tenant transaction sees %d inbox rows", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := env.Tenants.Tx(context.Background(), scope, func(tx *tenants.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO stripe_routes (object_id, tenant) VALUES ('pi_forged', $1)`, tn.ID)
		return err
	}); err == nil {
		t.Error("a tenant transaction wrote a route")
	}
}

func TestBillingProductsPurchaseCancelAndEntitlement(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	settle := billingWorker(t, env)
	tn := env.NewTenant()
	phone := env.Phone()
	unit := billingUnit(t, env, tn, phone)

	// Products: invalid input names the field; ETag and If-Match guard updates.
	bad := env.Do(apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: map[string]any{
		"code": "x", "name": "X", "kind": "plan", "tier_code": "gold", "prices": []map[string]any{{"currency": "CNY", "unit_amount": 1}}}})
	if bad.Status != 422 || !strings.Contains(string(bad.Body), "body.term_months") {
		t.Errorf("plan without a term: %d %s", bad.Status, bad.Body)
	}
	created := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct("t1")})
	prod := created.Map(t)
	id := prod["id"].(string)
	upd := map[string]any{"code": "gold-t1", "kind": "plan", "name": "Gold express", "tier_code": "gold", "cooling_off_days": 14}
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/express-products/" + id, Token: tn.Admin, Body: upd}); r.Status != 428 {
		t.Errorf("PUT without If-Match: %d", r.Status)
	}
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/express-products/" + id, Token: tn.Admin, Body: upd,
		Header: map[string]string{"If-Match": created.Header.Get("ETag")}})
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/express-products/" + id, Token: tn.Admin, Body: upd,
		Header: map[string]string{"If-Match": created.Header.Get("ETag")}}); r.Status != 412 {
		t.Errorf("stale PUT: %d", r.Status)
	}
	// A new price is a new Price; the old one stays, inactive.
	repriced := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products/" + id + "/prices", Token: tn.Admin,
		Body: map[string]any{"currency": "CNY", "unit_amount": 29900}}).Map(t)
	prices := repriced["prices"].([]any)
	if len(prices) != 2 || prices[0].(map[string]any)["active"] != false || prices[1].(map[string]any)["unit_amount"] != float64(29900) {
		t.Errorf("prices after a change: %v", prices)
	}
	// The plan's tier rule exists.
	rules := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tier-rules", Token: tn.Admin}))
	if len(rules) != 1 || rules[0]["match"] != "gold-t1" || rules[0]["tier"] != "gold" {
		t.Errorf("tier rules: %v", rules)
	}
	// Finance cannot write products; an engineer cannot see the ledger.
	_, fin := env.Person(tn, "finance", "")
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/express-products", Token: fin, Body: isoProduct("t2")}); r.Status != 403 {
		t.Errorf("finance created a product: %d", r.Status)
	}
	_, eng := env.Person(tn, "engineer", tn.Outlets[0])
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/billing/ledger", Token: eng}); r.Status != 403 {
		t.Errorf("engineer read the ledger: %d", r.Status)
	}

	// The consumer buys the plan for their unit through Checkout.
	ctok := consumerLogin(t, env, phone)
	base := "/v1/consumer/tenants/" + tn.Slug
	offers := env.Must(200, apitest.Req{Method: "GET", Path: base + "/express-products?registration_id=" + unit, Token: ctok}).Map(t)["items"].([]any)
	if len(offers) != 1 {
		t.Fatalf("offers: %v", offers)
	}
	co := env.Must(201, apitest.Req{Method: "POST", Path: base + "/purchases", Token: ctok, Body: map[string]any{
		"product_id": id, "registration_id": unit}}).Map(t)
	purchase := co["purchase"].(map[string]any)
	pid := purchase["id"].(string)
	if co["url"] == "" || purchase["status"] != "pending" || purchase["amount"] != float64(29900) {
		t.Fatalf("checkout: %v", co)
	}
	// Not paid yet: no gold.
	check := func() map[string]any {
		return env.Must(200, apitest.Req{Method: "POST", Path: "/v1/entitlements/check", Token: tn.Admin,
			Body: map[string]any{"registration_id": unit}}).Map(t)
	}
	if tier := check()["tier"].(map[string]any)["code"]; tier == "gold" {
		t.Fatal("gold before payment")
	}
	// Someone else's unit cannot be bought for.
	other := consumerLogin(t, env, env.Phone())
	if r := env.Do(apitest.Req{Method: "POST", Path: base + "/purchases", Token: other, Body: map[string]any{"product_id": id, "registration_id": unit}}); r.Status != 422 {
		t.Errorf("buying for another's unit: %d %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: base + "/purchases/" + pid, Token: other}); r.Status != 404 {
		t.Errorf("another consumer's receipt: %d", r.Status)
	}

	// Upgrades are bought for one's own service orders only.
	onsite := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: map[string]any{
		"code": "onsite-6h", "name": "6-hour on-site", "kind": "per_incident", "targets": map[string]any{"arrival": map[string]any{"minutes": 360, "clock": "clock"}},
		"compensation": map[string]any{"kind": "refund_partial", "percent": 50}, "prices": []map[string]any{{"currency": "CNY", "unit_amount": 9900}}}}).Map(t)["id"]
	if r := env.Do(apitest.Req{Method: "POST", Path: base + "/purchases", Token: ctok, Body: map[string]any{
		"product_id": onsite, "order_id": platform.NewID().String()}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.order_id") {
		t.Errorf("upgrade for an unknown order: %d %s", r.Status, r.Body)
	}
	buyer := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/registrations/" + unit, Token: tn.Admin}).Map(t)["buyer_id"]
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "on_site", "customer_id": buyer, "registration_id": unit,
		"fault_description": "does not cool", "location": map[string]any{"province_code": "310000", "address": "世纪大道 100 号"}}}).Map(t)
	orderID := order["order"].(map[string]any)["id"].(string)
	if r := env.Do(apitest.Req{Method: "POST", Path: base + "/purchases", Token: other, Body: map[string]any{
		"product_id": onsite, "order_id": orderID}}); r.Status != 422 {
		t.Errorf("upgrade for another's order: %d %s", r.Status, r.Body)
	}
	up := env.Must(201, apitest.Req{Method: "POST", Path: base + "/purchases", Token: ctok, Body: map[string]any{
		"product_id": onsite, "order_id": orderID}}).Map(t)
	if up["purchase"].(map[string]any)["order_id"] != orderID {
		t.Errorf("upgrade: %v", up)
	}
	// Paid, the upgrade's 6-hour promise (clock time) replaces the tier's arrival target.
	upID := up["purchase"].(map[string]any)["id"].(string)
	upPaid := stripeEvent("evt_up_"+upID[:8], "checkout.session.completed",
		paidSession(tn.ID, upID, "pi_"+strings.ReplaceAll(upID, "-", "")[:20], 9900))
	if r := postWebhook(env, upPaid, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("upgrade webhook: %d %s", r.Status, r.Body)
	}
	settle()
	for _, c := range env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/orders/" + orderID + "/clocks", Token: tn.Admin}).Map(t)["items"].([]any) {
		if c := c.(map[string]any); c["target"] == "arrival" && (c["minutes"] != float64(360) || c["business"] != false) {
			t.Errorf("arrival clock after the 6-hour upgrade: %v", c)
		}
	}

	// Stripe confirms the payment (twice, as it does).
	pi := "pi_" + strings.ReplaceAll(pid, "-", "")[:20]
	paid := stripeEvent("evt_paid_"+pid[:8], "checkout.session.completed", paidSession(tn.ID, pid, pi, 29900))
	for range 2 {
		if r := postWebhook(env, paid, apitest.WebhookSecret); r.Status != 200 {
			t.Fatalf("webhook: %d %s", r.Status, r.Body)
		}
	}
	settle()
	receipt := env.Must(200, apitest.Req{Method: "GET", Path: base + "/purchases/" + pid, Token: ctok}).Map(t)
	if receipt["status"] != "active" || receipt["valid_until"] == "" {
		t.Fatalf("receipt after payment: %v", receipt)
	}
	if tier := check()["tier"].(map[string]any)["code"]; tier != "gold" {
		t.Errorf("tier after payment: %v", tier)
	}
	plans := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/registrations/" + unit + "/plans", Token: tn.Admin}).Map(t)["items"].([]any)
	if len(plans) != 1 {
		t.Errorf("plans on the unit: %v", plans)
	}

	// The consumer cancels within cooling-off: full refund asked; still active until Stripe confirms.
	cancel := env.Must(200, apitest.Req{Method: "POST", Path: base + "/purchases/" + pid + "/cancel", Token: ctok}).Map(t)
	if q := cancel["refund"].(map[string]any); q["amount"] != float64(29900) || q["within_cooling_off"] != true {
		t.Errorf("cancel quote: %v", q)
	}
	if tier := check()["tier"].(map[string]any)["code"]; tier != "gold" {
		t.Errorf("tier before the refund is confirmed: %v", tier)
	}
	refunded := stripeEvent("evt_refund_"+pid[:8], "charge.refunded", map[string]any{"id": "ch_" + pi, "object": "charge", "amount": 29900,
		"amount_refunded": 29900, "refunded": true, "currency": "cny", "payment_intent": pi})
	if r := postWebhook(env, refunded, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("refund webhook: %d %s", r.Status, r.Body)
	}
	settle()
	if got := env.Must(200, apitest.Req{Method: "GET", Path: base + "/purchases/" + pid, Token: ctok}).Map(t)["status"]; got != "refunded" {
		t.Errorf("after the refund: %v", got)
	}
	if tier := check()["tier"].(map[string]any)["code"]; tier == "gold" {
		t.Error("gold after the refund")
	}
	// Ledger (the upgrade's payment, the plan's, its refund) and its CSV export (finance).
	ledger := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/ledger", Token: fin}))
	if len(ledger) != 3 || ledger[0]["amount"] != float64(9900) || ledger[1]["amount"] != float64(29900) || ledger[2]["amount"] != float64(-29900) {
		t.Errorf("ledger: %v", ledger)
	}
	csv := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/ledger.csv", Token: fin})
	if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || strings.Count(string(csv.Body), "\n") != 4 {
		t.Errorf("csv: %s %s", csv.Header.Get("Content-Type"), csv.Body)
	}
	// The same entries as a spreadsheet, in Chinese: kinds named, amounts in yuan, signed.
	sheet := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/ledger/export?format=xlsx&lang=zh-CN", Token: fin})
	f, err := excelize.OpenReader(bytes.NewReader(sheet.Body))
	if err != nil {
		t.Fatalf("the ledger file does not open: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	_ = f.Close()
	if err != nil || len(rows) != 4 || rows[0][1] != "类型" || rows[1][1] != "收款" || rows[1][2] != "99" ||
		rows[3][1] != "退款" || rows[3][2] != "-299" || rows[3][3] != "CNY" {
		t.Errorf("ledger xlsx rows %q (%v), want the header, two payments and the refund", rows, err)
	}
	if !strings.Contains(sheet.Header.Get("Content-Disposition"), ".xlsx") {
		t.Errorf("ledger xlsx named %q", sheet.Header.Get("Content-Disposition"))
	}
	// Cross-tenant: another tenant's export of the same days holds none of these entries.
	elsewhere := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/ledger/export?format=csv&lang=en", Token: env.NewTenant().Admin})
	if lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(elsewhere.Body), "\ufeff")), "\n"); len(lines) != 1 ||
		!strings.HasPrefix(lines[0], "Occurred,Kind,Amount") {
		t.Errorf("another tenant's ledger export: %q", elsewhere.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/billing/ledger/export?format=pdf", Token: fin}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "query.format") {
		t.Errorf("a pdf ledger: %d %s, want 422 at query.format", r.Status, r.Body)
	}
	rec := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/billing/reconciliations", Token: fin, Body: map[string]any{
		"from": time.Now().AddDate(0, 0, -1).Format(time.DateOnly), "to": time.Now().AddDate(0, 0, 1).Format(time.DateOnly)}}).Map(t)
	if rec["checked"] != float64(3) {
		t.Errorf("reconciliation: %v", rec)
	}
}

func TestBillingCrossTenant(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	settle := billingWorker(t, env)
	a, b := env.NewTenant(), env.NewTenant()
	phone := env.Phone()
	unitA := billingUnit(t, env, a, phone)
	prodA := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: a.Admin, Body: isoProduct("a")}).Map(t)["id"].(string)
	buy := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: a.Admin, Body: map[string]any{
		"product_id": prodA, "outlet_id": a.Outlets[0], "registration_id": unitA}}).Map(t)
	pid := buy["purchase"].(map[string]any)["id"].(string)
	if buy["client_secret"] == "" {
		t.Errorf("counter sale without a client secret: %v", buy)
	}
	// B's admin sees none of it, and cannot sell A's product or cancel A's purchase.
	for _, p := range []string{"/v1/express-products", "/v1/purchases", "/v1/compensations", "/v1/billing/ledger"} {
		if items := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: p, Token: b.Admin})); len(items) != 0 {
			t.Errorf("B lists A's %s: %v", p, items)
		}
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: b.Admin, Body: map[string]any{
		"product_id": prodA, "outlet_id": b.Outlets[0]}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.product_id") {
		t.Errorf("B sells A's product: %d %s", r.Status, r.Body)
	}
	// A webhook naming tenant B with A's purchase changes nothing in either tenant.
	pi := "pi_cross"
	forged := stripeEvent("evt_cross", "payment_intent.succeeded", map[string]any{"id": pi, "object": "payment_intent", "amount": 39900,
		"amount_received": 39900, "currency": "cny", "status": "succeeded", "metadata": map[string]string{"tenant_id": b.ID, "purchase_id": pid}})
	if r := postWebhook(env, forged, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/purchases/" + pid, Token: a.Admin}).Map(t)["status"]; got != "pending" {
		t.Errorf("A's purchase after an event addressed to B: %v", got)
	}
	for _, tn := range []*apitest.Tenant{a, b} {
		if items := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/ledger", Token: tn.Admin})); len(items) != 0 {
			t.Errorf("ledger after a misaddressed event: %v", items)
		}
	}
	// A consumer of A sees nothing of A's counter sale to nobody, and nothing in B.
	ctok := consumerLogin(t, env, phone)
	if items := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + b.Slug + "/purchases", Token: ctok}).Map(t)["items"].([]any); len(items) != 0 {
		t.Errorf("consumer's purchases in B: %v", items)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + b.Slug + "/purchases/" + pid, Token: ctok}); r.Status != 404 {
		t.Errorf("A's purchase through B's portal: %d", r.Status)
	}
}

func TestBillingReadOnlyTenant(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true, Configure: func(c *platform.Config) { c.BillingGrace = time.Nanosecond }})
	settle := billingWorker(t, env)
	tn := env.NewTenant()
	if err := env.Tenants.Platform(context.Background(), "test", uuid.Nil, func(tx *tenants.Tx) error {
		return billing.UpsertPlatformPlan(context.Background(), tx, billing.PlatformPlan{Code: "growth", Name: "Growth", Currency: "CNY",
			MonthlyAmount: 99900, PerOrderAmount: 200, MaxOutlets: 50})
	}); err != nil {
		t.Fatal(err)
	}
	plans := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/platform-plans", Token: tn.Admin}))
	if len(plans) == 0 {
		t.Fatal("no platform plans")
	}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/billing/subscription", Token: tn.Admin, Body: map[string]any{"plan_code": "growth"}})
	key := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/api-keys", Token: tn.Admin,
		Body: map[string]any{"name": "erp", "role": "agent"}}).Map(t)["token"].(string)
	invoice := func(id, typ string, paid int64) []byte {
		return stripeEvent(id, typ, map[string]any{"id": "in_" + tn.ID[:8], "object": "invoice", "status": map[bool]string{true: "paid", false: "open"}[paid > 0],
			"currency": "cny", "amount_due": 99900, "amount_paid": paid, "customer": "cus_" + tn.ID[:8],
			"subscription_details": map[string]any{"metadata": map[string]string{"tenant_id": tn.ID}}})
	}
	if r := postWebhook(env, invoice("evt_inv_failed", "invoice.payment_failed", 0), apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()
	sub := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/subscription", Token: tn.Admin}).Map(t)
	if sub["tenant_status"] != "read_only" || sub["grace_until"] == nil {
		t.Fatalf("after a failed payment past grace: %v", sub)
	}
	// Writes are refused with a clear problem; reads work; nothing was deleted.
	w := env.Do(apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin, Body: map[string]any{"name": "New"}})
	if w.Status != 402 {
		t.Fatalf("write while read-only: %d %s", w.Status, w.Body)
	}
	isoCheckProblem(t, "read-only write", w, "/problems/tenant-read-only")
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets", Token: tn.Admin})
	// The same through an API key (whose tenant status is read with the key); a question
	// asked by POST only reads and is answered.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/customers", Token: key, Body: map[string]any{"name": "New"}}); r.Status != 402 {
		t.Errorf("API key write while read-only: %d %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/entitlements/check", Token: key,
		Body: map[string]any{"serial": "NO-SUCH-UNIT"}}); r.Status != 404 {
		t.Errorf("entitlement check while read-only: %d %s, want the check's own 404", r.Status, r.Body)
	}
	ctok := consumerLogin(t, env, env.Phone())
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + tn.Slug + "/units", Token: ctok, Body: map[string]any{
		"model_sku": "X", "serial": "SN1", "purchase_date": "2026-01-01"}}); r.Status != 402 {
		t.Errorf("consumer write while read-only: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + tn.Slug + "/units", Token: ctok})
	// The subscription's first invoice (stored at creation) and the failed one.
	if invs := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/invoices", Token: tn.Admin})); len(invs) != 2 {
		t.Errorf("invoices: %v", invs)
	}
	// Paid: restored.
	if r := postWebhook(env, invoice("evt_inv_paid", "invoice.paid", 99900), apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	// A late duplicate of the failure does not start a new grace period for a paid invoice.
	if r := postWebhook(env, invoice("evt_inv_failed", "invoice.payment_failed", 0), apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin, Body: map[string]any{"name": "New"}})
	if sub := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/subscription", Token: tn.Admin}).Map(t); sub["tenant_status"] != "active" {
		t.Errorf("after payment: %v", sub)
	}
	ledger := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/ledger", Token: tn.Admin}))
	if len(ledger) != 1 || ledger[0]["kind"] != "platform_fee" || ledger[0]["amount"] != float64(-99900) {
		t.Errorf("ledger: %v", ledger)
	}
}
