package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// returnUnit registers a unit of model bought days ago by the customer with phone (with its
// invoice and warranty card, as the national policy asks), returning its id.
func returnUnit(t *testing.T, env *apitest.Env, tn *apitest.Tenant, model, phone string, days int) string {
	t.Helper()
	u := env.Unique()
	return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: tn.Admin, Body: map[string]any{
		"model_id": model, "serial": "RT-SN-" + u, "purchase_date": time.Now().AddDate(0, 0, -days).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "has_warranty_card": true, "buyer": map[string]any{"name": "王先生", "phone": phone}}}).Map(t)["id"].(string)
}

// isoReturn opens an applied return case in tn (a unit bought yesterday, refund asked) and
// returns its id.
func isoReturn(t *testing.T, env *apitest.Env, tn *apitest.Tenant, model string) string {
	t.Helper()
	unit := returnUnit(t, env, tn, model, env.Phone(), 1)
	return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/returns", Token: tn.Admin, Body: map[string]any{
		"reason": "quality_fault", "collection": "drop_off", "lines": []map[string]any{{"registration_id": unit, "remedy": "refund",
			"paid": 199900, "payment": "outside"}}}}).Map(t)["id"].(string)
}

// TestReturnsOverHTTP: an agent opens a 7-day return of a unit paid through the platform;
// reviewing is a manager's (the agent gets 403, a stale ETag 412); the unit is received,
// inspected and refunded through stripe-mock, never above what was paid (a problem naming
// body.amount); a refund the decision does not allow is a problem naming the line's remedy
// unless a manager overrides it; the consumer follows their own cases only.
func TestReturnsOverHTTP(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	model, _ := claimCatalog(t, env, tn)
	phone := env.Phone()
	_, agent := env.Person(tn, "agent", "")
	_, engineer := env.Person(tn, "engineer", tn.Outlets[0])
	unit := returnUnit(t, env, tn, model, phone, 2)

	apply := map[string]any{"reason": "quality_fault", "collection": "courier", "collection_ref": "SF100200300",
		"lines": []map[string]any{{"registration_id": unit, "remedy": "refund", "paid": 459900, "payment": "platform",
			"payment_intent": "pi_" + env.Unique()}}}
	created := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/returns", Token: agent, Body: apply})
	c := created.Map(t)
	id := c["id"].(string)
	if c["status"] != "applied" || created.Header.Get("ETag") == "" {
		t.Fatalf("applied: %v", c)
	}
	env.Must(403, apitest.Req{Method: "GET", Path: "/v1/returns", Token: engineer})
	env.Must(403, apitest.Req{Method: "POST", Path: "/v1/returns/" + id + "/review", Token: agent, Body: map[string]any{"decision": "approve"}})
	env.Must(412, apitest.Req{Method: "POST", Path: "/v1/returns/" + id + "/review", Token: tn.Admin, Body: map[string]any{"decision": "approve"},
		Header: map[string]string{"If-Match": `"99"`}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/returns/" + id + "/review", Token: tn.Admin, Body: map[string]any{"decision": "approve"},
		Header: map[string]string{"If-Match": created.Header.Get("ETag")}})
	env.Must(409, apitest.Req{Method: "POST", Path: "/v1/returns/" + id + "/refund", Token: agent, Body: map[string]any{"line": 1, "amount": 100}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/returns/" + id + "/receive", Token: agent, Body: map[string]any{"lines": []int{1}}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/returns/" + id + "/inspect", Token: agent, Body: map[string]any{"line": 1, "result": "confirmed"}})
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/returns/" + id + "/refund", Token: agent, Body: map[string]any{"line": 1, "amount": 459901}})
	if r.Status != 422 || !problemAt(t, r, "body.amount") {
		t.Fatalf("refund above what was paid: %d %s", r.Status, r.Body)
	}
	done := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/returns/" + id + "/refund", Token: agent, Body: map[string]any{"line": 1, "amount": 459900}}).Map(t)
	line := done["lines"].([]any)[0].(map[string]any)
	if done["status"] != "resolved" || !strings.HasPrefix(line["refund"].(map[string]any)["stripe_refund_id"].(string), "re_") {
		t.Fatalf("refunded through Stripe: %v", done)
	}

	// A unit on day 60 gets repair only: the refund is refused at the line's remedy; the
	// override is a manager's, with a reason.
	old := returnUnit(t, env, tn, model, phone, 60)
	refuse := map[string]any{"reason": "quality_fault", "collection": "drop_off",
		"lines": []map[string]any{{"registration_id": old, "remedy": "refund", "paid": 100, "payment": "outside"}}}
	r = env.Do(apitest.Req{Method: "POST", Path: "/v1/returns", Token: agent, Body: refuse})
	if r.Status != 422 || !problemAt(t, r, "body.lines[0].remedy") {
		t.Fatalf("a refund the decision does not allow: %d %s", r.Status, r.Body)
	}
	refuse["override_reason"] = "批次问题,经理批准退货"
	env.Must(403, apitest.Req{Method: "POST", Path: "/v1/returns/override", Token: agent, Body: refuse})
	over := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/returns/override", Token: tn.Admin, Body: refuse}).Map(t)
	if over["override_reason"] == "" || over["lines"].([]any)[0].(map[string]any)["overridden"] != true {
		t.Fatalf("override: %v", over)
	}
	list := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/returns?status=resolved", Token: agent}).Map(t)
	if items := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != id {
		t.Fatalf("resolved cases: %v", list)
	}

	// The consumer follows their own cases, without staff names; another consumer sees none.
	me := consumerLogin(t, env, phone)
	mine := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + tn.Slug + "/returns", Token: me}).Map(t)
	if n := len(mine["items"].([]any)); n != 2 {
		t.Fatalf("the consumer's cases: %d %v", n, mine)
	}
	one := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + tn.Slug + "/returns/" + id, Token: me})
	if strings.Contains(string(one.Body), "actor") || one.Map(t)["status"] != "resolved" {
		t.Fatalf("the consumer's view: %s", one.Body)
	}
	other := consumerLogin(t, env, env.Phone())
	env.Must(404, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + tn.Slug + "/returns/" + id, Token: other})
	theirs := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + tn.Slug + "/returns", Token: other}).Map(t)
	if n := len(theirs["items"].([]any)); n != 0 {
		t.Fatalf("another consumer sees %d cases", n)
	}
}
