package api_test

import (
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/platform"
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
