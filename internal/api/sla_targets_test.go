package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestOneNamePerTarget: tiers and express products name targets as the clocks do
// (completion, not resolution), and a carry-in order runs no arrival clock unless the
// tenant's SLA settings ask for one.
func TestOneNamePerTarget(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	adm := w.tn.Admin
	tier := func(name string) map[string]any {
		return map[string]any{"tiers": []map[string]any{{"code": "std", "name": "Standard", "rank": 1, "default": true, "targets": map[string]any{
			"accept": map[string]any{"minutes": 60, "clock": "business"}, "arrival": map[string]any{"minutes": 1440, "clock": "business"},
			name: map[string]any{"minutes": 2880, "clock": "business"}}}}}
	}
	ifm := map[string]string{"If-Match": `"1"`}
	bad := env.Must(422, apitest.Req{Method: "PUT", Path: "/v1/tiers", Token: adm, Body: tier("resolution"), Header: ifm})
	if !strings.Contains(string(bad.Body), "body.tiers[0].targets.resolution") || !strings.Contains(string(bad.Body), "completion") {
		t.Fatalf("a tier's resolution target: %s", bad.Body)
	}
	env.Must(422, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: adm, Body: map[string]any{
		"code": "fast", "name": "Fast", "kind": "per_incident", "targets": map[string]any{"resolution": map[string]any{"minutes": 240}},
		"prices": []map[string]any{{"currency": "CNY", "unit_amount": 5000}}}})
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/tiers", Token: adm, Body: tier("completion"), Header: ifm})

	clocks := func() string {
		o := w.order(t, nil)["order"].(map[string]any)
		items := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/orders/" + str(o["id"]) + "/clocks", Token: adm}).Map(t)["items"].([]any)
		var names []string
		for _, it := range items {
			names = append(names, str(it.(map[string]any)["target"]))
		}
		return fmt.Sprint(names)
	}
	if got := clocks(); got != "[accept completion]" {
		t.Fatalf("a carry-in order's clocks: %s, want accept and completion (no arrival)", got)
	}
	st := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/settings", Token: adm}).Map(t)
	st["carry_in_arrival"] = true
	delete(st, "version")
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/sla/settings", Token: adm, Body: st, Header: ifm})
	if got := clocks(); got != "[accept arrival completion]" {
		t.Fatalf("with carry_in_arrival, a carry-in order's clocks: %s", got)
	}
}
