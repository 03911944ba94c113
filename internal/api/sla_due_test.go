package api_test

import (
	"fmt"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestSLADueTimeAnswer asks when a target falls due over National Day: the holidays are
// skipped, the make-up Saturday counts, a pause does not, and the answer names the facts.
// Another tenant's calendar or outlet is unknown (404).
func TestSLADueTimeAnswer(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	def := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + tn.Outlets[0] + "/calendar", Token: tn.Admin})
	calID, etag := def.Map(t)["id"].(string), def.Header.Get("ETag")
	set := func(day, kind string) {
		r := env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/calendars/" + calID + "/days/" + day, Token: tn.Admin,
			Body: map[string]any{"kind": kind, "name": "国庆"}, Header: map[string]string{"If-Match": etag}})
		etag = r.Header.Get("ETag")
	}
	for d := 1; d <= 7; d++ {
		set(fmt.Sprintf("2026-10-%02d", d), "holiday")
	}
	set("2026-10-10", "workday")

	// Wednesday 17:00, 20 working hours: 1 on the 30th, none from the 1st to the 7th, 9 on
	// Thursday the 8th less an hour's pause, 9 on Friday, and 2 on the make-up Saturday.
	ask := map[string]any{"outlet_id": tn.Outlets[0], "start": "2026-09-30T17:00:00+08:00", "minutes": 1200,
		"pauses": []map[string]any{{"from": "2026-10-08T09:00:00+08:00", "to": "2026-10-08T10:00:00+08:00"}}}
	a := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/sla/due", Token: tn.Admin, Body: ask}).Map(t)
	if a["due_local"] != "2026-10-10 11:00" || a["due_at"] != "2026-10-10T03:00:00Z" || a["timezone"] != "Asia/Shanghai" ||
		a["calendar_id"] != calID || a["business"] != true {
		t.Fatalf("due over National Day: %v", a)
	}
	if h := a["holidays"].([]any); len(h) != 7 || h[0].(map[string]any)["day"] != "2026-10-01" {
		t.Fatalf("holidays used: %v", h)
	}
	if m := a["make_up_days"].([]any); len(m) != 1 || m[0].(map[string]any)["day"] != "2026-10-10" {
		t.Fatalf("make-up days used: %v", m)
	}
	// Clock time ignores the working hours: 20 hours straight.
	c := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/sla/due", Token: tn.Admin, Body: map[string]any{
		"calendar_id": calID, "start": "2026-09-30T17:00:00+08:00", "minutes": 1200, "clock": "clock"}}).Map(t)
	if c["due_local"] != "2026-10-01 13:00" || c["business"] != false {
		t.Fatalf("clock time: %v", c)
	}
	env.Must(422, apitest.Req{Method: "POST", Path: "/v1/sla/due", Token: tn.Admin, Body: map[string]any{
		"start": "2026-09-30T17:00:00+08:00", "minutes": 60,
		"pauses": []map[string]any{{"from": "2026-10-08T10:00:00+08:00", "to": "2026-10-08T09:00:00+08:00"}}}})

	other := env.NewTenant()
	env.Must(404, apitest.Req{Method: "POST", Path: "/v1/sla/due", Token: other.Admin, Body: map[string]any{
		"calendar_id": calID, "start": "2026-09-30T17:00:00+08:00", "minutes": 60}})
	env.Must(404, apitest.Req{Method: "POST", Path: "/v1/sla/due", Token: other.Admin, Body: map[string]any{
		"outlet_id": tn.Outlets[0], "start": "2026-09-30T17:00:00+08:00", "minutes": 60}})
}
