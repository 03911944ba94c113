package api_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/tenants"
)

// TestCallbackPoorScoreToApprovedRectification samples yesterday's completed order over the
// API, records a poor call as the agent on shift, carries the rectification out as the
// outlet's manager and approves it as the tenant admin; the survey link refuses a second
// answer, the report and its XLSX export show the score, and bad input is a problem at the
// field.
func TestCallbackPoorScoreToApprovedRectification(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	adm, outlet := w.tn.Admin, w.tn.Outlets[0]
	agentID, agent := env.Person(w.tn, "agent", "")
	_, manager := env.Person(w.tn, "outlet_manager", outlet)
	agentUser := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: agent}).Map(t)["id"])
	_ = agentID

	// Settings: every order sampled, the agent on shift all week.
	var shifts []map[string]any
	for d := range 7 {
		shifts = append(shifts, map[string]any{"user_id": agentUser, "weekday": d, "starts": "00:00", "ends": "24:00"})
	}
	settings := map[string]any{"ratio_bp": 10000, "type_ratios": map[string]any{}, "outlet_ratios": map[string]any{},
		"excluded_types": []string{"internal"}, "cap_surveys": 5, "cap_days": 30, "due_minutes": 600, "rectify_hours": 48, "shifts": shifts}
	bad := env.Do(apitest.Req{Method: "PUT", Path: "/v1/callback-settings", Token: adm, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"ratio_bp": 10000, "cap_days": 30, "cap_surveys": 1, "due_minutes": 60, "rectify_hours": 1,
			"type_ratios": map[string]any{}, "outlet_ratios": map[string]any{}, "excluded_types": []string{},
			"shifts": []map[string]any{{"user_id": uuid.NewString(), "weekday": 1, "starts": "09:00", "ends": "18:00"}}}})
	if bad.Status != 422 || !bytes.Contains(bad.Body, []byte("body.shifts[0].user_id")) {
		t.Fatalf("a stranger on the roster: %d %s", bad.Status, bad.Body)
	}
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/callback-settings", Token: adm, Header: map[string]string{"If-Match": `"0"`}, Body: settings})
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/callback-settings", Token: agent, Header: map[string]string{"If-Match": `"1"`},
		Body: settings}); r.Status != 403 {
		t.Errorf("an agent set the sampling: %d", r.Status)
	}

	// An order at the outlet, completed yesterday.
	id := str(w.order(t, map[string]any{"registration_id": w.oldUnit(t), "outlet_id": outlet})["order"].(map[string]any)["id"])
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
		_, err = tx.Exec(context.Background(), `UPDATE service_orders SET status = 'closed', completed_at = $2, closed_at = $2 WHERE id = $1`,
			id, yesterday)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/callback-runs", Token: adm, Body: map[string]any{"day": "yesterday"}}); r.Status != 422 {
		t.Errorf("a run of no day: %d %s", r.Status, r.Body)
	}
	day := yesterday.Format(time.DateOnly)
	run := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/callback-runs", Token: adm, Body: map[string]any{"day": day}}).Map(t)
	if run["created"].(float64) != 1 {
		t.Fatalf("run: %v", run)
	}
	again := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/callback-runs", Token: adm, Body: map[string]any{"day": day}}).Map(t)
	if again["created"].(float64) != 0 {
		t.Errorf("rerun created %v", again["created"])
	}

	// The agent's queue: mine, due today or later, not overdue.
	mine := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/callbacks?mine=true&status=open", Token: agent}).Map(t)["items"].([]any)
	if len(mine) != 1 {
		t.Fatalf("my callbacks: %v", mine)
	}
	task := mine[0].(map[string]any)
	if task["order_id"] != id || task["reason"] != "sampled" || task["overdue"] != false {
		t.Errorf("task: %v", task)
	}
	tid := str(task["id"])
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/callbacks?due=someday", Token: agent}); r.Status != 422 {
		t.Errorf("bad due filter: %d", r.Status)
	}
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/callbacks/" + tid, Token: agent})
	if qs := got.Map(t)["template"].(map[string]any)["questions"].([]any); len(qs) != 7 {
		t.Errorf("questions: %v", qs)
	}

	// A bad answer is a problem at its field; then the poor call.
	poor := []map[string]any{{"question_id": "attitude", "value": 1}, {"question_id": "speed", "value": 2},
		{"question_id": "quality", "value": 1}, {"question_id": "price", "value": 2}, {"question_id": "professionalism", "value": 1},
		{"question_id": "comment", "text": "态度差"}}
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/callbacks/" + tid + "/call", Token: agent, Body: map[string]any{
		"answers": []map[string]any{{"question_id": "attitude", "value": 9}}}})
	if r.Status != 422 || !bytes.Contains(r.Body, []byte("body.answers")) {
		t.Errorf("out of range answer: %d %s", r.Status, r.Body)
	}
	done := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/callbacks/" + tid + "/call", Token: agent,
		Header: map[string]string{"If-Match": got.Header.Get("ETag")}, Body: map[string]any{"answers": poor}}).Map(t)
	resp := done["response"].(map[string]any)
	if done["status"] != "done" || resp["poor"] != true || resp["score"].(float64) != 1.4 {
		t.Fatalf("after the call: %v", done)
	}

	// The case: the manager sees it as theirs, submits it; they may not approve it themselves.
	cases := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/rectifications?mine=true", Token: manager}).Map(t)["items"].([]any)
	if len(cases) != 1 {
		t.Fatalf("manager's cases: %v", cases)
	}
	cid := str(cases[0].(map[string]any)["id"])
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/rectifications/" + cid + "/submit", Token: manager, Body: map[string]any{
		"actions": "x", "recontact_note": "y", "recontacted_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}}); r.Status != 422 ||
		!bytes.Contains(r.Body, []byte("body.recontacted_at")) {
		t.Errorf("future recontact: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/rectifications/" + cid + "/submit", Token: manager, Body: map[string]any{
		"actions": "店长上门致歉，复检正常", "recontact_note": "客户接受", "recontacted_at": time.Now().UTC().Format(time.RFC3339)}})
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/rectifications/" + cid + "/review", Token: manager,
		Body: map[string]any{"approve": true}}); r.Status != 403 {
		t.Errorf("self-approval: %d %s", r.Status, r.Body)
	}
	ok := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/rectifications/" + cid + "/review", Token: adm,
		Body: map[string]any{"approve": true, "note": "同意"}}).Map(t)
	if ok["status"] != "approved" {
		t.Errorf("approved: %v", ok)
	}

	// A survey link that does not exist is a 404, like any other.
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/public/surveys/sv_nonsense"}); r.Status != 404 {
		t.Errorf("bogus link: %d", r.Status)
	}

	// The report and its export.
	from := yesterday.AddDate(0, 0, -1).Format(time.DateOnly)
	to := yesterday.AddDate(0, 0, 1).Format(time.DateOnly)
	rep := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/satisfaction?from=" + from + "&to=" + to, Token: adm}).Map(t)
	if o := rep["overall"].(map[string]any); o["answers"].(float64) != 1 || o["score"].(float64) != 1.4 {
		t.Errorf("overall: %v", rep)
	}
	if d := rep["by_dimension"].(map[string]any)["attitude"].(map[string]any); d["score"].(float64) != 1 {
		t.Errorf("attitude: %v", d)
	}
	if len(rep["outlets"].([]any)) != 1 || len(rep["trend"].([]any)) != 3 {
		t.Errorf("outlets and trend: %v", rep)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/reports/satisfaction?from=" + to + "&to=" + from, Token: adm}); r.Status != 422 ||
		!bytes.Contains(r.Body, []byte("query.to")) {
		t.Errorf("reversed period: %d %s", r.Status, r.Body)
	}
	x := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/satisfaction/export?lang=zh-CN&from=" + from + "&to=" + to, Token: adm})
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatalf("export is not XLSX: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) < 2 || rows[0][0] != "日期" {
		t.Fatalf("export rows: %v %v", rows, err)
	}
	found := false
	for _, row := range rows[1:] {
		found = found || (len(row) >= 6 && row[3] == "服务态度" && row[5] == "1")
	}
	if !found {
		t.Errorf("export lacks the attitude row: %v", rows)
	}
}
