package api_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestComplaintReport: complaints per 1000 orders by outlet, topic and severity over days,
// with the time to close of those the customer confirmed; merged ones do not count; the
// XLSX export has a row per group in the language asked; a reversed range is a 422 on to;
// another tenant's report does not count ours.
func TestComplaintReport(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	tn := w.tn
	// Orders of the days: their outlets are the denominators.
	perOutlet := map[string]int{}
	for range 4 {
		o := w.order(t, nil)
		ord, _ := o["order"].(map[string]any)
		if ord == nil {
			ord = o
		}
		perOutlet[str(ord["outlet_id"])]++
	}
	outlet := tn.Outlets[0]
	a := openComplaint(t, env, tn.Admin, "12315", map[string]any{"outlet_id": outlet, "topic": "cycle_time"})
	openComplaint(t, env, tn.Admin, "store", map[string]any{"outlet_id": outlet, "topic": "attitude"})
	dup := openComplaint(t, env, tn.Admin, "phone", map[string]any{"outlet_id": outlet, "topic": "attitude"})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/complaints/" + dup["id"].(string) + "/merge", Token: tn.Admin,
		Body: map[string]any{"target_id": a["id"]}})
	for _, st := range []struct{ step, note string }{{"resolve", "fixed"}, {"close", "customer confirmed"}} {
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/complaints/" + a["id"].(string) + "/" + st.step, Token: tn.Admin,
			Body: map[string]any{"note": st.note}})
	}
	other := env.NewTenant()
	openComplaint(t, env, other.Admin, "media", nil)

	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(sh)
	from, to := today.AddDate(0, 0, -1).Format(time.DateOnly), today.AddDate(0, 0, 1).Format(time.DateOnly)
	rep := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/complaints?from=" + from + "&to=" + to, Token: tn.Admin}).Map(t)
	total := rep["total"].(map[string]any)
	if total["complaints"] != float64(2) || total["orders"] != float64(4) || total["rate"] != float64(500) || total["closed"] != float64(1) {
		t.Fatalf("total: %v", total)
	}
	if h := total["avg_close_hours"].(float64); h < 0 || h > 1 {
		t.Errorf("closed within the test, yet %v hours to close", h)
	}
	byOutlet := rep["by_outlet"].([]any)
	if len(byOutlet) != 1 {
		t.Fatalf("by outlet: %v", byOutlet)
	}
	o := byOutlet[0].(map[string]any)
	wantRate := 0.0
	if n := perOutlet[outlet]; n > 0 {
		wantRate = float64(int(2000.0/float64(n)*100+0.5)) / 100
	}
	if o["key"] != outlet || o["complaints"] != float64(2) || o["rate"] != wantRate || o["name"] != "Outlet 0" {
		t.Errorf("outlet 0 (orders %d): %v", perOutlet[outlet], o)
	}
	topics := map[string]float64{}
	for _, g := range rep["by_topic"].([]any) {
		topics[g.(map[string]any)["key"].(string)] = g.(map[string]any)["complaints"].(float64)
	}
	if len(topics) != 2 || topics["cycle_time"] != 1 || topics["attitude"] != 1 {
		t.Errorf("by topic (the merged one not counted): %v", topics)
	}
	sev := rep["by_severity"].([]any)
	if len(sev) != 2 || sev[0].(map[string]any)["key"] != "general" || sev[1].(map[string]any)["key"] != "serious" {
		t.Errorf("by severity: %v", sev)
	}
	problem(t, env.Do(apitest.Req{Method: "GET", Path: "/v1/reports/complaints?from=" + to + "&to=" + from, Token: tn.Admin}), 422, "query.to")

	x := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/complaints/export?lang=zh-CN&from=" + from + "&to=" + to, Token: tn.Admin})
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatalf("export is not XLSX: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) != 1+1+2+2+1 || rows[0][0] != "维度" || rows[0][4] != "千单投诉率" {
		t.Fatalf("export rows: %v %v", rows, err)
	}
	last := rows[len(rows)-1]
	if last[0] != "合计" || last[2] != "2" || last[4] != "500" {
		t.Errorf("the total row: %v", last)
	}
	if rows[4][0] != "严重度" || rows[4][1] != "一般" {
		t.Errorf("a severity row in Chinese: %v", rows[4])
	}
}
