package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// agreeAPI has principal propose an agreement to provider and provider accept it, each
// message delivered; it returns the agreement's id.
func agreeAPI(t *testing.T, env *apitest.Env, principal, provider *apitest.Tenant) string {
	t.Helper()
	ag := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/partner-agreements", Token: principal.Admin, Body: map[string]any{
		"partner_tenant_id": provider.ID, "role": "principal", "terms": isoTerms()}}).Map(t)["id"].(string)
	env.DeliverNetwork(t, principal.ID, ag)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/partner-agreements/" + ag + "/accept", Token: provider.Admin})
	env.DeliverNetwork(t, provider.ID, ag)
	return ag
}

// receivedOrder is the tenant's own order of the newest job received under agreement.
func receivedOrder(t *testing.T, env *apitest.Env, tn *apitest.Tenant, agreement string) string {
	t.Helper()
	var jobs struct {
		Items []struct {
			AgreementID string `json:"agreement_id"`
			OrderID     string `json:"order_id"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/network-jobs?direction=received", Token: tn.Admin}).JSON(t, &jobs)
	for _, j := range jobs.Items {
		if j.AgreementID == agreement {
			return j.OrderID
		}
	}
	t.Fatalf("no job received under %s: %+v", agreement, jobs.Items)
	return ""
}

// TestThreeTenantClaimJourney: a carrier's store takes a phone in and hands it to the brand;
// the brand (whose unit it is, in warranty) hands it on to a service provider, which repairs
// it (a part swapped), claims from the brand, hears the brand's adjustment and accepts it;
// the claim joins the brand's payable statement and the provider's receivable copy; the
// brand pays it in two parts (an overpayment refused at amount) and both ledgers say so. The
// carrier sees none of the claim or the statement.
func TestThreeTenantClaimJourney(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	carrier, brand, provider := env.NewTenant(), env.NewTenant(), env.NewTenant()
	model, part := claimCatalog(t, env, brand)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: provider.Admin, Body: map[string]any{
		"part_no": part, "name_zh": "压缩机", "unit_cost": 30000, "outlet_price": 40000, "consumer_price": 52000}})
	u := env.Unique()
	serial := "SN-J-" + u
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: brand.Admin, Body: map[string]any{
		"model_id": model, "serial": serial, "purchase_date": time.Now().AddDate(0, 0, -60).Format(time.DateOnly),
		"invoice_no": "INV-J-" + u, "has_warranty_card": true, "buyer": map[string]any{"name": "Buyer " + u, "phone": env.Phone()}}})
	toBrand := agreeAPI(t, env, carrier, brand)
	toProvider := agreeAPI(t, env, brand, provider)

	// The carrier's store takes the phone in and hands it to the brand.
	intake := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: carrier.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "serial": serial, "fault_description": "does not cool",
		"customer": map[string]any{"name": "李女士", "phone": env.Phone()}, "location": map[string]any{"province_code": "310000"}}}).Map(t)
	carrierOrder := intake["order"].(map[string]any)["id"].(string)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + carrierOrder + "/handoff", Token: carrier.Admin,
		Body: map[string]any{"agreement_id": toBrand}})
	env.DeliverNetwork(t, carrier.ID, toBrand)
	brandOrder := receivedOrder(t, env, brand, toBrand)

	// The brand hands its order on to the service provider, which repairs the unit.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + brandOrder + "/handoff", Token: brand.Admin,
		Body: map[string]any{"agreement_id": toProvider}})
	env.DeliverNetwork(t, brand.ID, toProvider)
	spOrder := receivedOrder(t, env, provider, toProvider)
	move := func(to string) {
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + spOrder + "/transitions", Token: provider.Admin, Body: map[string]any{"to": to}})
	}
	move("repairing")
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + spOrder + "/completion", Token: provider.Admin,
		Body: map[string]any{"diagnosis": "compressor failed", "work_done": "compressor replaced", "result": "fixed",
			"parts": []map[string]any{{"code": part, "quantity": 1, "old_serial": "OLD-" + u, "new_serial": "NEW-" + u}}}})
	move("picked_up")
	move("approved")

	// The provider claims from the brand.
	claim := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + spOrder + "/claim", Token: provider.Admin}).Map(t)
	id := claim["id"].(string)
	claimed := int64(claim["claimed"].(float64))
	if claim["side"] != "claimant" || claim["counterparty_tenant_id"] != brand.ID || claimed == 0 {
		t.Fatalf("the provider's claim: %v", claim)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/claims/" + id + "/submit", Token: provider.Admin})
	env.DeliverNetwork(t, provider.ID, toProvider)
	payer := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claims/" + id, Token: brand.Admin}).Map(t)
	if payer["side"] != "payer" || payer["status"] != "submitted" || payer["order_id"] != brandOrder {
		t.Fatalf("the brand's copy: %v", payer)
	}
	env.Must(404, apitest.Req{Method: "GET", Path: "/v1/claims/" + id, Token: carrier.Admin})

	// The brand adjusts the first line; a bad adjustment is a problem at its field.
	first := int64(payer["lines"].([]any)[0].(map[string]any)["claimed"].(float64))
	bad := env.Must(422, apitest.Req{Method: "POST", Path: "/v1/claims/" + id + "/review", Token: brand.Admin, Body: map[string]any{
		"decision": "adjust", "lines": []map[string]any{{"line": 0, "approved": first, "reason": "x"}}}})
	if !strings.Contains(string(bad.Body), "lines[0].approved") {
		t.Errorf("an adjustment not below the claimed: %s", bad.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/claims/" + id + "/review", Token: brand.Admin, Body: map[string]any{
		"decision": "adjust", "lines": []map[string]any{{"line": 0, "approved": first - 1000, "reason": "labour above the rate card"}}}})
	env.DeliverNetwork(t, brand.ID, toProvider)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/claims/" + id + "/respond", Token: provider.Admin, Body: map[string]any{"action": "accept"}})
	env.DeliverNetwork(t, provider.ID, toProvider)
	env.DeliverNetwork(t, brand.ID, toProvider)
	want := claimed - 1000

	// The brand's payable statement of the month, and the provider's receivable copy.
	var payable struct {
		Items []map[string]any `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claim-statements?direction=payable", Token: brand.Admin}).JSON(t, &payable)
	if len(payable.Items) != 1 || int64(payable.Items[0]["amount"].(float64)) != want || payable.Items[0]["counterparty_tenant_id"] != provider.ID {
		t.Fatalf("the brand's payable statements: %v", payable.Items)
	}
	st := payable.Items[0]["id"].(string)
	recv := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claim-statements/" + st, Token: provider.Admin}).Map(t)
	if recv["direction"] != "receivable" || int64(recv["amount"].(float64)) != want || recv["status"] != "open" {
		t.Fatalf("the provider's statement: %v", recv)
	}
	env.Must(404, apitest.Req{Method: "GET", Path: "/v1/claim-statements/" + st, Token: carrier.Admin})

	// Paid in two parts; more than outstanding is refused at amount.
	today := time.Now().Format(time.DateOnly)
	pay := func(want int, ref string, amount int64) *apitest.Response {
		return env.Must(want, apitest.Req{Method: "POST", Path: "/v1/claim-statements/" + st + "/payments", Token: brand.Admin,
			Body: map[string]any{"reference": ref, "amount": amount, "paid_on": today}})
	}
	over := pay(422, "BANK-9", want+1)
	if !strings.Contains(string(over.Body), `"amount"`) && !strings.Contains(string(over.Body), "body.amount") {
		t.Errorf("an overpayment's problem does not name amount: %s", over.Body)
	}
	pay(201, "BANK-1", 500)
	if done := pay(201, "BANK-2", want-500).Map(t); done["status"] != "paid" || done["outstanding"] != float64(0) {
		t.Fatalf("the statement after the second payment: %v", done)
	}
	env.Must(409, apitest.Req{Method: "POST", Path: "/v1/claim-statements/" + st + "/payments", Token: provider.Admin,
		Body: map[string]any{"reference": "SELF", "amount": 1, "paid_on": today}})
	env.DeliverNetwork(t, brand.ID, toProvider)
	recv = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claim-statements/" + st, Token: provider.Admin}).Map(t)
	if recv["status"] != "paid" || len(recv["payments"].([]any)) != 2 {
		t.Fatalf("the provider's statement after the payments: %v", recv)
	}
	ledger := func(tn *apitest.Tenant, kind string) (sum int64) {
		var l struct {
			Items []struct {
				Kind   string `json:"kind"`
				Amount int64  `json:"amount"`
			} `json:"items"`
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/ledger", Token: tn.Admin}).JSON(t, &l)
		for _, e := range l.Items {
			if e.Kind == kind {
				sum += e.Amount
			}
		}
		return sum
	}
	if got := ledger(brand, "claim_payment"); got != -want {
		t.Errorf("the brand's ledger: %d paid out, want %d", got, -want)
	}
	if got := ledger(provider, "claim_receipt"); got != want {
		t.Errorf("the provider's ledger: %d received, want %d", got, want)
	}
	// Nothing was settled twice.
	var twice struct {
		Items []any `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claim-checks/paid-twice", Token: brand.Admin}).JSON(t, &twice)
	if len(twice.Items) != 0 {
		t.Errorf("paid twice: %v", twice.Items)
	}
}
