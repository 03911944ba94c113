package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestCalendarChangeRetimesClocks: a holiday added on the day a running clock falls due
// moves its due time, with a timeline row saying why; a met clock keeps its due time and
// its history; removing the holiday moves the running clock back.
func TestCalendarChangeRetimesClocks(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	adm := w.tn.Admin
	o := w.order(t, nil)["order"].(map[string]any)
	id := str(o["id"])
	clocks := func() map[string]map[string]any {
		items := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/orders/" + id + "/clocks", Token: adm}).Map(t)["items"].([]any)
		out := map[string]map[string]any{}
		for _, it := range items {
			c := it.(map[string]any)
			out[str(c["target"])] = c
		}
		return out
	}
	if r := w.move(t, id, "repairing", ""); r.Status != 200 {
		t.Fatalf("into repair: %d %s", r.Status, r.Body)
	}
	before := clocks()
	accept, completion := before["accept"], before["completion"]
	if accept["status"] != "met" || accept["due_at"] == nil {
		t.Fatalf("a met clock keeps its due time: %v", accept)
	}
	due, err := time.Parse(time.RFC3339Nano, str(completion["due_at"]))
	if err != nil || completion["status"] != "running" {
		t.Fatalf("completion clock: %v", completion)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	day := due.In(shanghai).Format(time.DateOnly)

	cal := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + str(o["outlet_id"]) + "/calendar", Token: adm})
	calID := str(cal.Map(t)["id"])
	put := env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/calendars/" + calID + "/days/" + day, Token: adm,
		Body: map[string]any{"kind": "holiday", "name": "Closed"}, Header: map[string]string{"If-Match": cal.Header.Get("ETag")}})
	after := clocks()
	moved, _ := time.Parse(time.RFC3339Nano, str(after["completion"]["due_at"]))
	if !moved.After(due) || moved.In(shanghai).Format(time.DateOnly) == day {
		t.Fatalf("completion due %s after the holiday on %s, was %s", moved, day, due)
	}
	if after["accept"]["status"] != "met" || after["accept"]["due_at"] != accept["due_at"] || after["accept"]["met_at"] != accept["met_at"] {
		t.Fatalf("the met clock changed: %v, was %v", after["accept"], accept)
	}
	tl := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/timeline", Token: adm})
	if !strings.Contains(string(tl.Body), "calendar changed") {
		t.Fatalf("no timeline row for the re-timing: %s", tl.Body)
	}
	env.Must(204, apitest.Req{Method: "DELETE", Path: "/v1/calendars/" + calID + "/days/" + day, Token: adm,
		Header: map[string]string{"If-Match": put.Header.Get("ETag")}})
	back, _ := time.Parse(time.RFC3339Nano, str(clocks()["completion"]["due_at"]))
	if !back.Equal(due) {
		t.Fatalf("completion due %s after the holiday was removed, want %s again", back, due)
	}
}
