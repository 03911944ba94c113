package api_test

import (
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestCommissionRuleVersions: finance adds versions of the pay rules (numbered densely, a
// back-dated one too), bad rules are a 422 naming the field, an engineer may not read them,
// and another tenant sees none of them.
func TestCommissionRuleVersions(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a, b := env.NewTenant(), env.NewTenant()
	_, finance := env.Person(a, "finance", "")
	rules := map[string]any{
		"rates": []map[string]any{
			{"id": "install", "order_type": "install", "basis": "fixed", "amount": 8000},
			{"id": "labour", "basis": "percent", "tiers": []map[string]any{{"up_to": 10000, "basis_points": 1000}, {"up_to": 0, "basis_points": 2000}}},
		},
		"shares": map[string]any{"lead": 2, "assistant": 1},
		"late":   map[string]any{"id": "late", "grace_minutes": 30, "per_hour": 1000, "cap": 5000},
		"praise": map[string]any{"id": "praise", "amount": 2000},
	}
	v1 := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/commission/rule-versions", Token: finance,
		Body: map[string]any{"effective_from": "2026-12-01", "rules": rules, "note": "first"}}).Map(t)
	if v1["version"] != float64(1) || v1["effective_from"] != "2026-12-01" || v1["created_by"] == "" {
		t.Fatalf("first version %v", v1)
	}
	v2 := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/commission/rule-versions", Token: a.Admin,
		Body: map[string]any{"effective_from": "2026-06-01", "rules": rules}}).Map(t)
	if v2["version"] != float64(2) {
		t.Fatalf("back-dated version %v, want number 2", v2)
	}

	bad := []struct {
		name, field string
		edit        func(r map[string]any)
	}{
		{"a duplicate rule id", "body.rules.praise.id", func(r map[string]any) { r["praise"] = map[string]any{"id": "late", "amount": 1} }},
		{"an unknown role", "body.rules.shares", func(r map[string]any) { r["shares"] = map[string]any{"cashier": 1} }},
		{"falling brackets", "body.rules.rates[1].tiers[1].up_to", func(r map[string]any) {
			r["rates"] = []map[string]any{rules["rates"].([]map[string]any)[0], {"id": "x", "basis": "percent",
				"tiers": []map[string]any{{"up_to": 10000, "basis_points": 1}, {"up_to": 5000, "basis_points": 2}, {"up_to": 0, "basis_points": 3}}}}
		}},
		{"a percentage without brackets", "body.rules.rates[0].tiers", func(r map[string]any) {
			r["rates"] = []map[string]any{{"id": "x", "basis": "percent"}}
		}},
		{"an unknown mode", "body.rules.rates[0].mode", func(r map[string]any) {
			r["rates"] = []map[string]any{{"id": "x", "basis": "fixed", "mode": "by_boat"}}
		}},
	}
	for _, c := range bad {
		r := map[string]any{}
		for k, v := range rules {
			r[k] = v
		}
		c.edit(r)
		resp := env.Do(apitest.Req{Method: "POST", Path: "/v1/commission/rule-versions", Token: finance,
			Body: map[string]any{"effective_from": "2026-12-01", "rules": r}})
		if resp.Status != 422 || !strings.Contains(string(resp.Body), c.field) {
			t.Errorf("%s: %d %s, want 422 at %s", c.name, resp.Status, resp.Body, c.field)
		}
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/commission/rule-versions", Token: finance,
		Body: map[string]any{"effective_from": "December", "rules": rules}}); r.Status != 422 || !strings.Contains(string(r.Body), "effective_from") {
		t.Errorf("a non-date: %d %s, want 422 at effective_from", r.Status, r.Body)
	}

	list := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/commission/rule-versions", Token: finance}).Map(t)["items"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["note"] != "first" ||
		len(list[0].(map[string]any)["rules"].(map[string]any)["rates"].([]any)) != 2 {
		t.Fatalf("versions %v, want both, oldest first, with their rules", list)
	}
	_, engineer := env.Person(a, "engineer", a.Outlets[0])
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/commission/rule-versions", Token: engineer}); r.Status != 403 {
		t.Fatalf("an engineer reading the pay rules: %d, want 403", r.Status)
	}
	// Cross-tenant: B's admin sees none of A's versions and numbers its own from 1.
	if other := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/commission/rule-versions", Token: b.Admin}).Map(t)["items"].([]any); len(other) != 0 {
		t.Fatalf("another tenant sees %v", other)
	}
	if v := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/commission/rule-versions", Token: b.Admin,
		Body: map[string]any{"effective_from": "2026-12-01", "rules": rules}}).Map(t); v["version"] != float64(1) {
		t.Fatalf("another tenant's first version %v", v)
	}
}
