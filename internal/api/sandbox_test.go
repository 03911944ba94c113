package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// sandboxClock reads the tenant's clock as its admin sees it.
func sandboxClock(t *testing.T, env *apitest.Env, token string) (time.Time, bool) {
	t.Helper()
	var c struct {
		Sandbox bool      `json:"sandbox"`
		Now     time.Time `json:"now"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sandbox/clock", Token: token}).JSON(t, &c)
	return c.Now, c.Sandbox
}

// advanced is an advance's answer.
type advanced struct {
	From  time.Time `json:"from"`
	Now   time.Time `json:"now"`
	Stops int       `json:"stops"`
	Fired struct {
		Warnings    int `json:"warnings"`
		Breaches    int `json:"breaches"`
		Escalations int `json:"escalations"`
		Reacted     int `json:"reacted"`
	} `json:"fired"`
}

func advance(t *testing.T, env *apitest.Env, token string, body map[string]any) advanced {
	t.Helper()
	var a advanced
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/sandbox/clock/advance", Token: token, Body: body}).JSON(t, &a)
	return a
}

// TestSandboxClockRefusals: a production tenant runs on the wall clock and cannot move it
// (409); bad advances name their field (422); only the tenant's admin advances; onboarding
// takes sandbox: true and the tenant shows its test clock.
func TestSandboxClockRefusals(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	prod := env.NewTenant()
	now, sandbox := sandboxClock(t, env, prod.Admin)
	if sandbox || time.Since(now).Abs() > time.Minute {
		t.Fatalf("a production tenant's clock: %s sandbox=%v", now, sandbox)
	}
	for _, body := range []map[string]any{{"by": "1h"}, {"to": time.Now().Add(time.Hour).Format(time.RFC3339)}} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/sandbox/clock/advance", Token: prod.Admin, Body: body})
		if r.Status != 409 || !strings.Contains(string(r.Body), "not a sandbox") {
			t.Fatalf("a production tenant advanced its clock (%v): %d %s", body, r.Status, r.Body)
		}
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tenant", Token: prod.Admin}).Map(t); got["sandbox"] != false || got["test_clock"] != nil {
		t.Fatalf("production tenant: %v", got)
	}

	box := env.NewSandboxTenant()
	start, sandbox := sandboxClock(t, env, box.Admin)
	if !sandbox || time.Since(start).Abs() > time.Minute {
		t.Fatalf("a new sandbox's clock starts at onboarding: %s sandbox=%v", start, sandbox)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{}, "body.to"},
		{map[string]any{"by": "1h", "to": start.Add(time.Hour).Format(time.RFC3339)}, "body.to"},
		{map[string]any{"by": "-1h"}, "body.by"},
		{map[string]any{"by": "soon"}, "body.by"},
		{map[string]any{"to": start.Add(-time.Hour).Format(time.RFC3339)}, "body.to"},
		{map[string]any{"to": start.AddDate(2, 0, 0).Format(time.RFC3339)}, "body.to"},
	} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/sandbox/clock/advance", Token: box.Admin, Body: c.body})
		if r.Status != 422 || !strings.Contains(string(r.Body), c.field) {
			t.Errorf("advance %v: %d %s, want 422 on %s", c.body, r.Status, r.Body, c.field)
		}
	}
	_, agent := env.Person(box, "agent", "")
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/sandbox/clock/advance", Token: agent, Body: map[string]any{"by": "1h"}}); r.Status != 403 {
		t.Errorf("an agent advanced the clock: %d %s", r.Status, r.Body)
	}
	if now, _ := sandboxClock(t, env, agent); !now.Equal(start) {
		t.Errorf("the refused advances moved the clock: %s, was %s", now, start)
	}
	a := advance(t, env, box.Admin, map[string]any{"by": "1d12h"})
	if !a.From.Equal(start) || !a.Now.Equal(start.Add(36*time.Hour)) {
		t.Fatalf("advance by 1d12h: %+v from %s", a, start)
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tenant", Token: box.Admin}).Map(t); got["sandbox"] != true || got["test_clock"] == nil {
		t.Fatalf("sandbox tenant: %v", got)
	}

	// Platform admins onboard sandboxes over the API.
	u := env.Unique()
	created := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/tenants", Token: env.PlatformAdmin(), Body: map[string]any{
		"slug": "box-" + u, "name": "Box " + u, "kind": "brand", "sandbox": true,
		"admin": map[string]any{"email": "box" + u + "@tenant.test", "name": "Box admin", "password": "a-long-password-1"}}}).Map(t)
	if created["sandbox"] != true || created["test_clock"] == nil {
		t.Fatalf("onboarded sandbox: %v", created)
	}
}

// TestSandboxClocksApart: one sandbox's advance moves its clock only; a tenant's admin
// neither reads nor moves another tenant's clock.
func TestSandboxClocksApart(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a, b := env.NewSandboxTenant(), env.NewSandboxTenant()
	startB, _ := sandboxClock(t, env, b.Admin)
	advance(t, env, a.Admin, map[string]any{"by": "3d"})
	if now, _ := sandboxClock(t, env, b.Admin); !now.Equal(startB) {
		t.Fatalf("A's advance moved B's clock: %s, was %s", now, startB)
	}
	for _, r := range []apitest.Req{
		{Method: "GET", Path: "/v1/sandbox/clock", Token: a.Admin, Tenant: b.ID},
		{Method: "POST", Path: "/v1/sandbox/clock/advance", Token: a.Admin, Tenant: b.ID, Body: map[string]any{"by": "1h"}},
	} {
		if got := env.Do(r); got.Status < 400 || got.Status == 500 || strings.Contains(string(got.Body), startB.UTC().Format("2006-01-02T15:04")) {
			t.Errorf("%s %s as another tenant: %d %s", r.Method, r.Path, got.Status, got.Body)
		}
	}
	if now, _ := sandboxClock(t, env, b.Admin); !now.Equal(startB) {
		t.Fatalf("B's clock moved: %s, was %s", now, startB)
	}
}

// TestSandboxPlaysAWeek plays a week of a sandbox tenant in seconds: a paid plan sold at the
// counter, orders with business-time and clock-time limits, a pause, a holiday; the clock
// advanced step by step gives warnings, breaches and escalations at their own moments and
// the plan's compensation before the advance answers, and the plan's cooling-off period
// closes on the tenant's clock, not the wall's.
func TestSandboxPlaysAWeek(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	settle := billingWorker(t, env)
	w := newOrderWorldOf(t, env, env.NewSandboxTenant())
	adm := w.tn.Admin
	shanghai, _ := time.LoadLocation("Asia/Shanghai")

	// A gold plan (credit 10 % per broken promise, 3 days' cooling-off) sold at the counter
	// for the world's unit, paid.
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: adm, Body: map[string]any{
		"code": "gold-box", "name": "Gold express", "kind": "plan", "term_months": 12, "tier_code": "gold", "cooling_off_days": 3,
		"after_cooling_off": "pro_rata", "compensation": map[string]any{"kind": "credit", "percent": 10},
		"prices": []map[string]any{{"currency": "CNY", "unit_amount": 36500}}}}).Map(t)["id"]
	sale := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: adm, Body: map[string]any{
		"product_id": prod, "outlet_id": w.tn.Outlets[0], "registration_id": w.unit}}).Map(t)["purchase"].(map[string]any)
	plan := sale["id"].(string)
	paid := stripeEvent("evt_box_"+plan[:8], "payment_intent.succeeded", map[string]any{"id": sale["stripe_payment_intent_id"],
		"object": "payment_intent", "amount": 36500, "amount_received": 36500, "currency": "cny", "status": "succeeded",
		"metadata": map[string]string{"tenant_id": w.tn.ID, "purchase_id": plan}})
	if r := postWebhook(env, paid, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()
	// A second unit of the customer's, without a plan: the standard tier, business time.
	plain := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: map[string]any{
		"model_id": w.model, "serial": "SN-B-" + env.Unique(), "purchase_date": time.Now().AddDate(0, 0, -30).Format(time.DateOnly),
		"invoice_no": "INV-B-" + env.Unique(), "has_warranty_card": true, "buyer": map[string]any{"customer_id": w.customer}}}).Map(t)["id"]

	// Monday 09:00 in Shanghai, the next one on the tenant's clock.
	now, _ := sandboxClock(t, env, adm)
	local := now.In(shanghai)
	monday := time.Date(local.Year(), local.Month(), local.Day(), 9, 0, 0, 0, shanghai).AddDate(0, 0, 1)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, 1)
	}
	advance(t, env, adm, map[string]any{"to": monday.Format(time.RFC3339)})

	clocks := func(order string) map[string]map[string]any {
		t.Helper()
		out := map[string]map[string]any{}
		for _, it := range env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/orders/" + order + "/clocks", Token: adm}).Map(t)["items"].([]any) {
			c := it.(map[string]any)
			out[str(c["target"])] = c
		}
		return out
	}
	at := func(v any) time.Time {
		t.Helper()
		v2, err := time.Parse(time.RFC3339Nano, str(v))
		if err != nil {
			t.Fatalf("time %v: %v", v, err)
		}
		return v2
	}
	gold := str(w.order(t, nil)["order"].(map[string]any)["id"])
	std := str(w.order(t, map[string]any{"registration_id": plain})["order"].(map[string]any)["id"])
	parts := str(w.order(t, map[string]any{"registration_id": plain, "fault_code": "E2"})["order"].(map[string]any)["id"])
	g := clocks(gold)["accept"]
	if g["tier_code"] != "gold" || g["business"] != false || !at(g["started_at"]).Equal(monday) || !at(g["due_at"]).Equal(monday.Add(30*time.Minute)) {
		t.Fatalf("the gold order's accept clock runs from the tenant's clock: %v", g)
	}
	s := clocks(std)
	if s["accept"]["tier_code"] != "standard" || !at(s["accept"]["due_at"]).Equal(monday.Add(2*time.Hour)) {
		t.Fatalf("the standard order's accept clock: %v", s["accept"])
	}
	// The third order waits for parts: its completion clock stands still.
	for _, to := range []string{"repairing", "waiting_parts"} {
		if r := w.move(t, parts, to, ""); r.Status != 200 {
			t.Fatalf("order into %s: %d %s", to, r.Status, r.Body)
		}
	}
	if c := clocks(parts)["completion"]; c["status"] != "paused" {
		t.Fatalf("waiting for parts: %v", c)
	}

	// 23 minutes on: the gold accept clock's warning (75 % of 30 minutes), nothing breached.
	a := advance(t, env, adm, map[string]any{"by": "23m"})
	if a.Fired.Warnings != 1 || a.Fired.Breaches != 0 {
		t.Fatalf("23 minutes on: %+v", a)
	}
	if g := clocks(gold)["accept"]; g["status"] != "running" || !at(g["warned_at"]).Equal(monday.Add(22*time.Minute+30*time.Second)) {
		t.Fatalf("the warning is given at its own moment on the tenant's clock: %v", g)
	}
	// 10 minutes more: the gold accept target is breached and the plan's promise paid before
	// the advance answers.
	a = advance(t, env, adm, map[string]any{"by": "10m"})
	// The chain's first level (the engineer, 0 minutes after) escalates with the breach.
	if a.Fired.Breaches != 1 || a.Fired.Reacted != 1 || a.Fired.Escalations != 1 {
		t.Fatalf("33 minutes on: %+v", a)
	}
	if g := clocks(gold)["accept"]; g["status"] != "breached" || !at(g["breached_at"]).Equal(monday.Add(30*time.Minute)) {
		t.Fatalf("the gold accept clock after its due time: %v", g)
	}
	comps := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/compensations", Token: adm}))
	if len(comps) != 1 || comps[0]["order_id"] != gold || comps[0]["kind"] != "credit" || comps[0]["amount"] != float64(3650) ||
		comps[0]["status"] != "issued" || comps[0]["target"] != "accept" {
		t.Fatalf("compensation right after the advance: %v", comps)
	}

	// A holiday on the day the standard order's completion falls due moves it on.
	due := at(s["completion"]["due_at"])
	day := due.In(shanghai).Format(time.DateOnly)
	cal := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + str(s["completion"]["outlet_id"]) + "/calendar", Token: adm})
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/calendars/" + str(cal.Map(t)["id"]) + "/days/" + day, Token: adm,
		Body: map[string]any{"kind": "holiday", "name": "Closed"}, Header: map[string]string{"If-Match": cal.Header.Get("ETag")}})
	moved := at(clocks(std)["completion"]["due_at"])
	if !moved.After(due) || moved.In(shanghai).Format(time.DateOnly) == day {
		t.Fatalf("completion due %s after the holiday on %s, was %s", moved, day, due)
	}

	// The rest of the week and the next (72 business hours are eight working days), in one
	// call: every step in order.
	started := time.Now()
	a = advance(t, env, adm, map[string]any{"to": monday.AddDate(0, 0, 14).Format(time.RFC3339)})
	if time.Since(started) > 30*time.Second {
		t.Errorf("two weeks took %s to play", time.Since(started))
	}
	if !a.Now.Equal(monday.AddDate(0, 0, 14)) || a.Stops < 4 || a.Fired.Breaches < 3 || a.Fired.Escalations < 2 || a.Fired.Warnings < 2 {
		t.Fatalf("the weeks: %+v", a)
	}
	s = clocks(std)
	for _, target := range []string{"accept", "completion"} {
		if c := s[target]; c["status"] != "breached" || !at(c["breached_at"]).Equal(at(c["due_at"])) || c["warned_at"] == nil {
			t.Errorf("standard %s after the weeks: %v", target, c)
		}
	}
	if !at(s["completion"]["breached_at"]).Equal(moved) {
		t.Errorf("the completion breach follows the holiday: %v, due %s", s["completion"]["breached_at"], moved)
	}
	if g := clocks(gold)["accept"]; int(g["escalation_level"].(float64)) != 3 {
		t.Errorf("the gold breach climbed the whole escalation chain: %v", g)
	}
	if c := clocks(parts)["completion"]; c["status"] != "paused" || c["breached_at"] != nil {
		t.Errorf("a paused clock does not breach: %v", c)
	}
	// The plan was paid two weeks ago on the tenant's clock: its cooling-off period is over.
	q := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/purchases/" + plan + "/cancel", Token: adm}).Map(t)["refund"].(map[string]any)
	if q["within_cooling_off"] != false || q["basis"] != "pro_rata" || q["amount"].(float64) >= 36500 {
		t.Errorf("cancelling after the cooling-off period: %v", q)
	}
}
