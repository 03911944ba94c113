package api_test

import (
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// claimCatalog gives a tenant what an outlet's warranty claim needs: a category with the
// national policy, a model of it and a part; it returns the model's id and the part number.
func claimCatalog(t *testing.T, env *apitest.Env, tn *apitest.Tenant) (model, partNo string) {
	t.Helper()
	u := env.Unique()
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: tn.Admin, Body: map[string]any{
		"code": "ac-" + u, "name": "Air conditioners"}}).Map(t)["id"].(string)
	model = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: tn.Admin, Body: map[string]any{
		"category_id": cat, "sku": "AC-" + u, "name": "Split AC",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"].(string)
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: tn.Admin}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: tn.Admin, Body: map[string]any{
		"name": "National " + u, "category_ids": []string{cat}, "effective_from": "2026-01-01", "rules": rules}})
	partNo = "CP-" + u
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": partNo, "name_zh": "压缩机", "unit_cost": 30000, "outlet_price": 40000, "consumer_price": 52000}})
	return model, partNo
}

// TestClaimPermissions: claims have their own permissions. An outlet manager makes and
// submits claims but may not review them; finance reviews; an engineer and an agent see
// no claims at all; an auditor reads but does not review.
func TestClaimPermissions(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	model, part := claimCatalog(t, env, tn)
	id := isoClaim(t, env, tn, model, part)
	_, manager := env.Person(tn, "outlet_manager", tn.Outlets[0])
	_, finance := env.Person(tn, "finance", "")
	_, engineer := env.Person(tn, "engineer", tn.Outlets[0])
	_, agent := env.Person(tn, "agent", "")
	_, auditor := env.Person(tn, "auditor", "")
	for _, tok := range []string{engineer, agent} {
		env.Must(403, apitest.Req{Method: "GET", Path: "/v1/claims", Token: tok})
		env.Must(403, apitest.Req{Method: "GET", Path: "/v1/claims/" + id, Token: tok})
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claims/" + id, Token: manager})
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claim-checks/unclaimed-orders", Token: auditor})
	approve := map[string]any{"decision": "approve"}
	for _, tok := range []string{manager, auditor} {
		env.Must(403, apitest.Req{Method: "POST", Path: "/v1/claims/" + id + "/review", Token: tok, Body: approve})
	}
	c := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/claims/" + id + "/review", Token: finance, Body: approve}).Map(t)
	if c["status"] != "approved" {
		t.Fatalf("finance's review: %v", c)
	}
	me := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: manager}).Map(t)
	has := map[string]bool{}
	for _, p := range me["permissions"].([]any) {
		has[p.(string)] = true
	}
	if !has["claims:submit"] || has["claims:review"] || has["claims:settle"] {
		t.Errorf("an outlet manager's claim permissions: %v", me["permissions"])
	}
}
