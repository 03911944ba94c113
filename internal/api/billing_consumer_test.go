package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/jobs"
)

// A consumer's receipt names what was bought and, once paid, until when cancelling refunds
// everything (paid at plus the product's cooling-off days); the Checkout's return pages may
// name the purchase with a placeholder. Another brand's portal shows none of it.
func TestConsumerReceiptNamesTheProductAndTheCoolingOffEnd(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	phone := env.Phone()
	unit := billingUnit(t, env, tn, phone)
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct(env.Unique())}).Map(t)["id"]
	ctok := consumerLogin(t, env, phone)
	base := "/v1/consumer/tenants/" + tn.Slug
	back := env.Server.URL + "/my/" + tn.Slug + "/purchases/{PURCHASE_ID}"
	co := env.Must(201, apitest.Req{Method: "POST", Path: base + "/purchases", Token: ctok, Body: map[string]any{
		"product_id": prod, "registration_id": unit, "success_url": back + "?paid=1", "cancel_url": back + "?cancelled=1"}}).Map(t)
	pid := co["purchase"].(map[string]any)["id"].(string)
	pending := env.Must(200, apitest.Req{Method: "GET", Path: base + "/purchases/" + pid, Token: ctok}).Map(t)
	if pending["product_name"] != "Gold express 2 years" || pending["status"] != "pending" || pending["cooling_off_until"] != nil {
		t.Errorf("the receipt before paying: %v", pending)
	}

	evt := "evt_receipt_" + pid[:8]
	sp := postWebhook(env, stripeEvent(evt, "checkout.session.completed", paidSession(tn.ID, pid, "pi_"+strings.ReplaceAll(pid, "-", "")[:20], 39900)),
		apitest.WebhookSecret)
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
	var paid struct {
		Status          string
		ProductName     string    `json:"product_name"`
		PaidAt          time.Time `json:"paid_at"`
		CoolingOffUntil time.Time `json:"cooling_off_until"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: base + "/purchases/" + pid, Token: ctok}).JSON(t, &paid)
	if paid.PaidAt.IsZero() || !paid.CoolingOffUntil.Equal(paid.PaidAt.AddDate(0, 0, 14)) || paid.ProductName != "Gold express 2 years" || paid.Status != "active" {
		t.Errorf("the receipt once paid: %+v", paid)
	}
	list := env.Must(200, apitest.Req{Method: "GET", Path: base + "/purchases?registration_id=" + unit, Token: ctok}).Map(t)["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["product_name"] != "Gold express 2 years" || list[0].(map[string]any)["cooling_off_until"] == nil {
		t.Errorf("my purchases: %v", list)
	}

	other := env.NewTenant()
	if items := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + other.Slug + "/purchases", Token: ctok}).Map(t)["items"].([]any); len(items) != 0 {
		t.Errorf("another brand's portal lists %v", items)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + other.Slug + "/purchases/" + pid, Token: ctok}); r.Status != 404 {
		t.Errorf("the receipt in another brand's portal: %d", r.Status)
	}
}
