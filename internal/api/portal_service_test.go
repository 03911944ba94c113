package api_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/tenants"
)

// TestConsumerBooksFollowsAndRates: a consumer asks for a visit on their unit in the portal,
// books a window from the slots, and follows who serves them (the outlet, the appointment,
// the brand's promise in its time zone). Once staff complete an order, the consumer rates it
// once: staff see the rating on the order, a second rating is 409, an open order cannot be
// rated, a bad score is a problem naming body.score. A completed order sampled for a callback
// is rated in the portal too: the rating answers the callback's survey and closes it. Another
// consumer of the tenant and a consumer of another tenant get 404 for both orders.
func TestConsumerBooksFollowsAndRates(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	adm := w.tn.Admin
	tok := consumerLogin(t, env, w.phone)
	base := "/v1/consumer/tenants/" + w.tn.Slug

	// Book a visit with a window.
	booked := env.Must(201, apitest.Req{Method: "POST", Path: base + "/orders", Token: tok, Body: map[string]any{
		"registration_id": w.unit, "type": "repair_minor", "on_site": true, "fault_description": "does not cool"}}).Map(t)["order"].(map[string]any)
	visit := str(booked["id"])
	slots := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: base + "/orders/" + visit + "/slots?days=14", Token: tok}))
	if len(slots) == 0 {
		t.Fatal("no slots to book")
	}
	start := str(slots[0]["start"])
	env.Must(200, apitest.Req{Method: "POST", Path: base + "/orders/" + visit + "/appointment", Token: tok, Body: map[string]any{"start": start}})
	svc := env.Must(200, apitest.Req{Method: "GET", Path: base + "/orders/" + visit + "/service", Token: tok}).Map(t)
	if svc["flow"] != "on_site" || svc["time_zone"] == "" || svc["can_rate"] != false || svc["rating"] != nil {
		t.Errorf("service of the visit: %v", svc)
	}
	if o, _ := svc["outlet"].(map[string]any); o == nil || o["name"] == "" {
		t.Errorf("no outlet in %v", svc)
	}
	if a, _ := svc["appointment"].(map[string]any); a == nil || !sameInstant(t, str(a["start"]), start) {
		t.Errorf("appointment %v, want the window at %s", svc["appointment"], start)
	}
	if p, _ := svc["promise"].(map[string]any); p == nil || p["target"] == "" || p["due_at"] == nil {
		t.Errorf("no promise in %v", svc)
	}
	r := env.Do(apitest.Req{Method: "POST", Path: base + "/orders/" + visit + "/rating", Token: tok, Body: map[string]any{"score": 5}})
	if r.Status != 409 {
		t.Errorf("rating an open order: %d %s", r.Status, r.Body)
	}

	// An order taken in and completed by staff: rated once, seen by staff.
	done := str(w.order(t, nil)["order"].(map[string]any)["id"])
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + done + "/transitions", Token: adm, Body: map[string]any{"to": "repairing"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + done + "/completion", Token: adm, Body: map[string]any{
		"diagnosis": "gas leak", "work_done": "refilled", "result": "fixed"}})
	if s := env.Must(200, apitest.Req{Method: "GET", Path: base + "/orders/" + done + "/service", Token: tok}).Map(t); s["can_rate"] != true {
		t.Errorf("a completed order cannot be rated: %v", s)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: base + "/orders/" + done + "/rating", Token: tok, Body: map[string]any{"score": 6}}); r.Status != 422 ||
		!bytes.Contains(r.Body, []byte("body.score")) {
		t.Errorf("score 6: %d %s", r.Status, r.Body)
	}
	if s := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + done + "/survey", Token: adm}).Map(t); s["answered"] != false {
		t.Errorf("before the rating staff see %v", s)
	}

	// Strangers: another consumer of the tenant, a consumer of another tenant.
	other := newOrderWorldOf(t, env, w.tn)
	otherTok := consumerLogin(t, env, other.phone)
	far := newOrderWorld(t, env)
	farTok := consumerLogin(t, env, far.phone)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + far.tn.Slug + "/orders", Token: farTok, Body: map[string]any{
		"registration_id": far.unit, "type": "repair_minor", "fault_description": "noisy"}})
	for _, s := range []struct{ who, tok, base string }{{"another consumer", otherTok, base}, {"another tenant's consumer", farTok, base},
		{"another tenant's consumer in their tenant", farTok, "/v1/consumer/tenants/" + far.tn.Slug}} {
		for _, id := range []string{visit, done} {
			if r := env.Do(apitest.Req{Method: "GET", Path: s.base + "/orders/" + id + "/service", Token: s.tok}); r.Status != 404 {
				t.Errorf("ISOLATION: %s reads the service of %s: %d %s", s.who, id, r.Status, r.Body)
			}
			if r := env.Do(apitest.Req{Method: "POST", Path: s.base + "/orders/" + id + "/rating", Token: s.tok, Body: map[string]any{"score": 1}}); r.Status != 404 {
				t.Errorf("ISOLATION: %s rates %s: %d %s", s.who, id, r.Status, r.Body)
			}
		}
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/orders/" + done + "/survey", Token: far.tn.Admin}); r.Status != 404 {
		t.Errorf("ISOLATION: another tenant's admin reads the survey: %d %s", r.Status, r.Body)
	}

	rated := env.Must(201, apitest.Req{Method: "POST", Path: base + "/orders/" + done + "/rating", Token: tok,
		Body: map[string]any{"score": 4, "comment": "quick and tidy"}}).Map(t)
	if rated["channel"] != "portal" || rated["score"] != float64(4) || rated["comment"] != "quick and tidy" || rated["poor"] != false {
		t.Errorf("rating: %v", rated)
	}
	staff := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + done + "/survey", Token: adm}).Map(t)
	if resp, _ := staff["response"].(map[string]any); staff["answered"] != true || resp == nil || resp["score"] != float64(4) ||
		resp["channel"] != "portal" || resp["comment"] != "quick and tidy" {
		t.Errorf("staff see %v", staff)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: base + "/orders/" + done + "/rating", Token: tok, Body: map[string]any{"score": 1}}); r.Status != 409 {
		t.Errorf("a second rating: %d %s", r.Status, r.Body)
	}
	if s := env.Must(200, apitest.Req{Method: "GET", Path: base + "/orders/" + done + "/service", Token: tok}).Map(t); s["can_rate"] != false ||
		s["rating"].(map[string]any)["score"] != float64(4) {
		t.Errorf("after rating: %v", s)
	}
	// A completed order sampled for a callback: the portal rating answers the callback.
	settings := map[string]any{"ratio_bp": 10000, "type_ratios": map[string]any{}, "outlet_ratios": map[string]any{},
		"excluded_types": []string{"internal"}, "cap_surveys": 5, "cap_days": 30, "due_minutes": 600, "rectify_hours": 48,
		"shifts": []map[string]any{}}
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/callback-settings", Token: adm, Header: map[string]string{"If-Match": `"0"`}, Body: settings})
	called := str(w.order(t, map[string]any{"outlet_id": w.tn.Outlets[0]})["order"].(map[string]any)["id"])
	var yesterday time.Time
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(w.tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		now, err := tx.Now(context.Background())
		if err != nil {
			return err
		}
		loc, err := tenants.Location(context.Background(), tx)
		if err != nil {
			return err
		}
		y := now.In(loc).AddDate(0, 0, -1)
		yesterday = time.Date(y.Year(), y.Month(), y.Day(), 12, 0, 0, 0, loc)
		_, err = tx.Exec(context.Background(), `UPDATE service_orders SET status = 'closed', completed_at = $2, closed_at = $2 WHERE id = $1`, called, yesterday)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	run := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/callback-runs", Token: adm, Body: map[string]any{"day": yesterday.Format(time.DateOnly)}}).Map(t)
	tasks := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/callbacks?status=open", Token: adm}))
	task := ""
	for _, tk := range tasks {
		if tk["order_id"] == called {
			task = str(tk["id"])
		}
	}
	if task == "" {
		t.Fatalf("no callback for the completed order (run %v, open %v)", run, tasks)
	}
	env.Must(201, apitest.Req{Method: "POST", Path: base + "/orders/" + called + "/rating", Token: tok, Body: map[string]any{"score": 5}})
	cb := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/callbacks/" + task, Token: adm}).Map(t)
	if resp, _ := cb["response"].(map[string]any); cb["status"] != "done" || resp == nil || resp["channel"] != "portal" || resp["score"] != float64(5) ||
		resp["task_id"] != task {
		t.Errorf("the callback after the portal rating: %v", cb)
	}
}

// sameInstant says whether two RFC 3339 times are the same instant.
func sameInstant(t *testing.T, a, b string) bool {
	t.Helper()
	x, err1 := time.Parse(time.RFC3339, a)
	y, err2 := time.Parse(time.RFC3339, b)
	return err1 == nil && err2 == nil && x.Equal(y)
}
