package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/jobs"
)

// Checkout's return pages must be absolute http(s) URLs (a refusal names the field); without
// them Checkout returns to the portal's receipt page. Coming back through the cancel page
// expires the session at Stripe (stripe-mock) and the pending purchase at once, so no plan
// stays "awaiting payment"; asking again, or Stripe's checkout.session.expired arriving
// later, changes nothing.
func TestCheckoutAbandonedExpiresThePurchase(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	phone := env.Phone()
	unit := billingUnit(t, env, tn, phone)
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct(env.Unique())}).Map(t)["id"]
	ctok := consumerLogin(t, env, phone)
	base := "/v1/consumer/tenants/" + tn.Slug

	for field, bad := range map[string]string{"success_url": "not a url", "cancel_url": "/my/" + tn.Slug + "/purchases"} {
		r := env.Do(apitest.Req{Method: "POST", Path: base + "/purchases", Token: ctok, Body: map[string]any{
			"product_id": prod, "registration_id": unit, field: bad}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"body.`+field+`"`) {
			t.Fatalf("%s %q: %d %s, want 422 naming body.%s", field, bad, r.Status, r.Body, field)
		}
	}
	if items := env.Must(200, apitest.Req{Method: "GET", Path: base + "/purchases", Token: ctok}).Map(t)["items"].([]any); len(items) != 0 {
		t.Fatalf("a refused checkout left purchases: %v", items)
	}

	co := env.Must(201, apitest.Req{Method: "POST", Path: base + "/purchases", Token: ctok, Body: map[string]any{
		"product_id": prod, "registration_id": unit}}).Map(t)
	pid := co["purchase"].(map[string]any)["id"].(string)
	if co["purchase"].(map[string]any)["status"] != "pending" {
		t.Fatalf("checkout: %v", co)
	}
	for i := range 2 {
		got := env.Must(200, apitest.Req{Method: "POST", Path: base + "/purchases/" + pid + "/abandon", Token: ctok}).Map(t)
		if got["status"] != "expired" {
			t.Fatalf("abandon #%d: %v, want expired", i+1, got)
		}
	}
	// The unit has no plan awaiting payment.
	for _, p := range env.Must(200, apitest.Req{Method: "GET", Path: base + "/purchases?registration_id=" + unit, Token: ctok}).Map(t)["items"].([]any) {
		if p.(map[string]any)["status"] == "pending" {
			t.Fatalf("a plan still awaits payment: %v", p)
		}
	}

	// Stripe's own expiry comes later: processed, it changes nothing.
	evt := "evt_abandon_" + pid[:8]
	sp := postWebhook(env, stripeEvent(evt, "checkout.session.expired", map[string]any{"id": "cs_abandon_" + pid[:8], "object": "checkout.session",
		"mode": "payment", "status": "expired", "payment_status": "unpaid", "client_reference_id": pid,
		"metadata": map[string]string{"tenant_id": tn.ID, "purchase_id": pid}}), apitest.WebhookSecret)
	if sp.Status != 200 {
		t.Fatalf("webhook: %d %s", sp.Status, sp.Body)
	}
	inserter, err := jobs.NewClient(env.DB.App, env.Tenants, env.Log, false, env.Billing.Consumer())
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Billing.Process(context.Background(), inserter, evt); err != nil {
		t.Fatal(err)
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: base + "/purchases/" + pid, Token: ctok}).Map(t); got["status"] != "expired" {
		t.Fatalf("after the webhook: %v", got)
	}
}
