package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// A counter sale of an upgrade for an order that does not exist names body.order_id.
func TestBillingCounterUnknownOrder(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{})
	tn := env.NewTenant()
	onsite := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: map[string]any{
		"code": "onsite-6h", "name": "6-hour on-site", "kind": "per_incident", "targets": map[string]any{"arrival": map[string]any{"minutes": 360, "clock": "clock"}},
		"prices": []map[string]any{{"currency": "CNY", "unit_amount": 9900}}}}).Map(t)["id"]
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: tn.Admin, Body: map[string]any{
		"product_id": onsite, "outlet_id": tn.Outlets[0], "order_id": platform.NewID().String()}})
	if r.Status != 422 || !strings.Contains(string(r.Body), "body.order_id") || strings.Contains(string(r.Body), "body.outlet_id") {
		t.Errorf("counter upgrade for an unknown order: %d %s", r.Status, r.Body)
	}
}

// A counter sale for a customer that does not exist names body.customer_id, not the outlet.
func TestBillingCounterUnknownCustomer(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{})
	tn := env.NewTenant()
	unit := billingUnit(t, env, tn, env.Phone())
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct("c")}).Map(t)["id"]
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: tn.Admin, Body: map[string]any{
		"product_id": prod, "outlet_id": tn.Outlets[0], "registration_id": unit, "customer_id": platform.NewID().String()}})
	if r.Status != 422 || !strings.Contains(string(r.Body), "body.customer_id") || strings.Contains(string(r.Body), "body.outlet_id") {
		t.Errorf("counter sale for an unknown customer: %d %s", r.Status, r.Body)
	}
}

// Staff confined to an outlet see their outlet's purchases only; a paid plan sold elsewhere is
// the unit's entitlement: they read it (their entitlement checks count it), never cancel it.
func TestBillingPurchasesOutletScope(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	settle := billingWorker(t, env)
	tn := env.NewTenant()
	_, mgr := env.Person(tn, "outlet_manager", tn.Outlets[0])
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct("o")}).Map(t)["id"]
	unit0, unit1 := billingUnit(t, env, tn, env.Phone()), billingUnit(t, env, tn, env.Phone())
	sell := func(token, outlet, unit string) (id, intent string) {
		p := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: token, Body: map[string]any{
			"product_id": prod, "outlet_id": outlet, "registration_id": unit}}).Map(t)["purchase"].(map[string]any)
		return p["id"].(string), p["stripe_payment_intent_id"].(string)
	}
	own, _ := sell(mgr, tn.Outlets[0], unit0)
	other, pi := sell(tn.Admin, tn.Outlets[1], unit1)
	ids := func(token string) map[string]bool {
		out := map[string]bool{}
		for _, p := range isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/purchases", Token: token})) {
			out[p["id"].(string)] = true
		}
		return out
	}
	if got := ids(mgr); !got[own] || got[other] || len(got) != 1 {
		t.Errorf("outlet manager's purchases: %v, want only %s", got, own)
	}
	if got := ids(tn.Admin); !got[own] || !got[other] {
		t.Errorf("admin's purchases: %v, want both", got)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/purchases/" + other, Token: mgr}); r.Status != 404 {
		t.Errorf("another outlet's pending sale read by the outlet manager: %d", r.Status)
	}
	// Paid, the other outlet's plan is the unit's: the manager's entitlement check counts it.
	paid := stripeEvent("evt_scope_"+other[:8], "payment_intent.succeeded", map[string]any{"id": pi, "object": "payment_intent",
		"amount": 39900, "amount_received": 39900, "currency": "cny", "status": "succeeded",
		"metadata": map[string]string{"tenant_id": tn.ID, "purchase_id": other}})
	if r := postWebhook(env, paid, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()
	check := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/entitlements/check", Token: mgr, Body: map[string]any{"registration_id": unit1}}).Map(t)
	if tier := check["tier"].(map[string]any)["code"]; tier != "gold" {
		t.Errorf("outlet manager's check of a unit with another outlet's paid plan: tier %v", tier)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/purchases/" + other, Token: mgr})
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/purchases/" + other + "/cancel", Token: mgr}); r.Status != 404 {
		t.Errorf("outlet manager cancelled another outlet's plan: %d %s", r.Status, r.Body)
	}
}

// A tenant made read-only by its unpaid platform bill still answers its consumers' rights:
// cancelling in the cooling-off period (and the refund), opting out of messages, complaining,
// declining a quote. Other consumer writes (approving a quote, registering a unit) stay refused.
func TestBillingReadOnlyKeepsConsumerRights(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true, Configure: func(c *platform.Config) { c.BillingGrace = time.Nanosecond }})
	settle := billingWorker(t, env)
	tn := env.NewTenant()
	phone := env.Phone()
	unit := billingUnit(t, env, tn, phone)
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct("r")}).Map(t)["id"]
	ctok := consumerLogin(t, env, phone)
	base := "/v1/consumer/tenants/" + tn.Slug
	pid := env.Must(201, apitest.Req{Method: "POST", Path: base + "/purchases", Token: ctok, Body: map[string]any{
		"product_id": prod, "registration_id": unit}}).Map(t)["purchase"].(map[string]any)["id"].(string)
	pi := "pi_" + strings.ReplaceAll(pid, "-", "")[:20]
	if r := postWebhook(env, stripeEvent("evt_ro_paid", "checkout.session.completed", paidSession(tn.ID, pid, pi, 39900)), apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()

	// The platform bill fails past its grace period: read-only.
	if err := env.Tenants.Platform(context.Background(), "test", uuid.Nil, func(tx *tenants.Tx) error {
		return billing.UpsertPlatformPlan(context.Background(), tx, billing.PlatformPlan{Code: "growth", Name: "Growth", Currency: "CNY",
			MonthlyAmount: 99900, PerOrderAmount: 200, MaxOutlets: 50})
	}); err != nil {
		t.Fatal(err)
	}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/billing/subscription", Token: tn.Admin, Body: map[string]any{"plan_code": "growth"}})
	failed := stripeEvent("evt_ro_failed", "invoice.payment_failed", map[string]any{"id": "in_ro" + tn.ID[:8], "object": "invoice", "status": "open",
		"currency": "cny", "amount_due": 99900, "amount_paid": 0, "customer": "cus_ro" + tn.ID[:8],
		"subscription_details": map[string]any{"metadata": map[string]string{"tenant_id": tn.ID}}})
	if r := postWebhook(env, failed, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()
	if r := env.Do(apitest.Req{Method: "POST", Path: base + "/units", Token: ctok, Body: map[string]any{
		"model_sku": "X", "serial": "SN1", "purchase_date": "2026-01-01"}}); r.Status != 402 {
		t.Fatalf("tenant not read-only (consumer write answered %d %s)", r.Status, r.Body)
	}

	// Rights: answered.
	cancel := env.Do(apitest.Req{Method: "POST", Path: base + "/purchases/" + pid + "/cancel", Token: ctok})
	if cancel.Status != 200 || cancel.Map(t)["refund"].(map[string]any)["within_cooling_off"] != true {
		t.Errorf("cooling-off cancellation while read-only: %d %s", cancel.Status, cancel.Body)
	}
	refunded := stripeEvent("evt_ro_refund", "charge.refunded", map[string]any{"id": "ch_" + pi, "object": "charge", "amount": 39900,
		"amount_refunded": 39900, "refunded": true, "currency": "cny", "payment_intent": pi})
	if r := postWebhook(env, refunded, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("refund webhook: %d %s", r.Status, r.Body)
	}
	settle()
	if got := env.Must(200, apitest.Req{Method: "GET", Path: base + "/purchases/" + pid, Token: ctok}).Map(t)["status"]; got != "refunded" {
		t.Errorf("refund while read-only: purchase %v", got)
	}
	if r := env.Do(apitest.Req{Method: "PUT", Path: base + "/notification-preferences", Token: ctok,
		Body: map[string]any{"opt_outs": []map[string]string{{"channel": "sms", "event_class": "*"}}}}); r.Status != 200 {
		t.Errorf("opt-out while read-only: %d %s", r.Status, r.Body)
	}
	order, quote := platform.NewID().String(), platform.NewID().String()
	if r := env.Do(apitest.Req{Method: "POST", Path: base + "/orders/" + order + "/disputes", Token: ctok,
		Body: map[string]any{"statement": "not misuse"}}); r.Status == 402 {
		t.Errorf("complaint while read-only: %d %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: base + "/orders/" + order + "/quotes/" + quote + "/decision", Token: ctok,
		Body: map[string]any{"approve": false, "reason": "too dear"}}); r.Status != 404 {
		t.Errorf("declining a quote while read-only: %d %s, want the decision's own 404", r.Status, r.Body)
	}
	// Approving commits the tenant to paid work: refused.
	if r := env.Do(apitest.Req{Method: "POST", Path: base + "/orders/" + order + "/quotes/" + quote + "/decision", Token: ctok,
		Body: map[string]any{"approve": true}}); r.Status != 402 {
		t.Errorf("approving a quote while read-only: %d %s", r.Status, r.Body)
	} else {
		isoCheckProblem(t, "approve while read-only", r, "/problems/tenant-read-only")
	}
}

// Finance sees the tenant's payments of the wrong amount (no other tenant's), and accepts one
// with a reason (a missing reason names body.reason), which pays its purchase; the money
// terms are set with If-Match.
func TestBillingPaymentFlagsForFinance(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	settle := billingWorker(t, env)
	tn, other := env.NewTenant(), env.NewTenant()
	_, fin := env.Person(tn, "finance", "")
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct("f")}).Map(t)["id"]
	unit := billingUnit(t, env, tn, env.Phone())
	p := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: tn.Admin, Body: map[string]any{
		"product_id": prod, "outlet_id": tn.Outlets[0], "registration_id": unit}}).Map(t)["purchase"].(map[string]any)
	id, pi := p["id"].(string), p["stripe_payment_intent_id"].(string)
	paid := stripeEvent("evt_flag_"+id[:8], "payment_intent.succeeded", map[string]any{"id": pi, "object": "payment_intent",
		"amount": 100, "amount_received": 100, "currency": "cny", "status": "succeeded",
		"metadata": map[string]string{"tenant_id": tn.ID, "purchase_id": id}})
	if r := postWebhook(env, paid, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()
	flags := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/payment-flags?status=open", Token: fin}))
	if len(flags) != 1 || flags[0]["purchase_id"] != id || flags[0]["received_amount"].(float64) != 100 || flags[0]["kind"] != "wrong_amount" {
		t.Fatalf("finance's open flags: %v", flags)
	}
	if got := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/payment-flags", Token: other.Admin})); len(got) != 0 {
		t.Errorf("another tenant lists %d flagged payments", len(got))
	}
	flag := flags[0]["id"].(string)
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/billing/payment-flags/" + flag + "/accept", Token: fin,
		Body: map[string]any{"reason": ""}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.reason") {
		t.Errorf("accept without a reason: %d %s", r.Status, r.Body)
	}
	acc := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/billing/payment-flags/" + flag + "/accept", Token: fin,
		Body: map[string]any{"reason": "paid the rest in cash at the counter"}}).Map(t)
	if acc["status"] != "accepted" {
		t.Errorf("accepted flag: %v", acc)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/billing/payment-flags/" + flag + "/accept", Token: fin,
		Body: map[string]any{"reason": "again"}}); r.Status != 409 {
		t.Errorf("accepting twice: %d %s", r.Status, r.Body)
	}
	if st := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/purchases/" + id, Token: tn.Admin}).Map(t)["status"]; st != "active" {
		t.Errorf("purchase of the accepted payment: %v", st)
	}

	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/billing/settings", Token: fin, Body: map[string]any{"credit_validity_days": 90}}); r.Status != 428 {
		t.Errorf("terms without If-Match: %d", r.Status)
	}
	set := env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/billing/settings", Token: fin, Body: map[string]any{"credit_validity_days": 90},
		Header: map[string]string{"If-Match": `"0"`}})
	if set.Header.Get("ETag") != `"1"` || set.Map(t)["credit_validity_days"].(float64) != 90 {
		t.Errorf("terms set: %s %s", set.Header.Get("ETag"), set.Body)
	}
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/billing/settings", Token: fin, Body: map[string]any{"credit_validity_days": 0},
		Header: map[string]string{"If-Match": `"1"`}}); r.Status != 422 || !strings.Contains(string(r.Body), "credit_validity_days") {
		t.Errorf("zero validity: %d %s", r.Status, r.Body)
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/settings", Token: other.Admin}).Map(t)["credit_validity_days"]; got.(float64) != 365 {
		t.Errorf("another tenant's terms: %v, want the default", got)
	}
}
