package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// complaintEscalations reads the complaint.escalated events of a tenant's complaint.
func complaintEscalations(t *testing.T, env *apitest.Env, tenant, complaint string) []map[string]any {
	t.Helper()
	ctx := context.Background()
	var out []map[string]any
	err := env.Tenants.Tx(ctx, tenants.Scope{TenantID: uuid.MustParse(tenant), Actor: tenants.Actor{Kind: "system", Label: "test"}},
		func(tx *tenants.Tx) error {
			rows, err := tx.Q.ListEventsOfTypeAfter(ctx, tx, db.ListEventsOfTypeAfterParams{TenantID: tx.Scope.TenantID,
				Type: "complaint.escalated", After: uuid.Nil, Lim: 1000})
			for _, r := range rows {
				if r.SubjectID.UUID.String() != complaint {
					continue
				}
				var m map[string]any
				if err := json.Unmarshal(r.Payload, &m); err != nil {
					return err
				}
				out = append(out, m)
			}
			return err
		})
	if err != nil {
		t.Fatalf("read events: %v", err)
	}
	return out
}

// deadlineOf returns a complaint's deadline by name.
func deadlineOf(t *testing.T, c map[string]any, name string) map[string]any {
	t.Helper()
	for _, d := range c["deadlines"].([]any) {
		if m := d.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("no deadline %s in %v", name, c["deadlines"])
	return nil
}

func dueAt(t *testing.T, c map[string]any, name string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, deadlineOf(t, c, name)["due_at"].(string))
	if err != nil {
		t.Fatalf("due_at of %s: %v", name, err)
	}
	return at
}

func countSteps(c map[string]any, kind string) int {
	n := 0
	for _, s := range c["steps"].([]any) {
		if s.(map[string]any)["kind"] == kind {
			n++
		}
	}
	return n
}

// TestComplaintEscalatesOnItsDeadline: a sandbox tenant's clock passes a 12315 complaint's
// first-response deadline: the complaint escalates to the first level of the serious chain
// (the outlet's managers), with a timeline step and a complaint.escalated event that
// notifies them, once however often the clock moves on. A complaint waiting for the
// customer does not escalate at its old due time; the customer's reply (WeChat) resumes it,
// and it escalates at its due time moved by the pause, to the next level.
func TestComplaintEscalatesOnItsDeadline(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewSandboxTenant()
	_, agent := env.Person(tn, "agent", "")
	a := openComplaint(t, env, agent, "12315", map[string]any{"outlet_id": tn.Outlets[0]})
	b := openComplaint(t, env, agent, "12315", map[string]any{"outlet_id": tn.Outlets[0]})
	if a["severity"] != "serious" {
		t.Fatalf("a 12315 complaint is serious: %v", a["severity"])
	}
	aPath, bPath := "/v1/complaints/"+a["id"].(string), "/v1/complaints/"+b["id"].(string)
	due := dueAt(t, a, "first_response")
	env.Must(200, apitest.Req{Method: "POST", Path: bPath + "/wait", Token: agent, Body: map[string]any{"note": "asked for the invoice"}})

	// Just before the deadline: nothing.
	advance(t, env, tn.Admin, map[string]any{"to": due.Add(-time.Minute)})
	if got := env.Must(200, apitest.Req{Method: "GET", Path: aPath, Token: agent}).Map(t); countSteps(got, "escalated") != 0 {
		t.Fatalf("escalated before the deadline: %v", got["steps"])
	}
	advance(t, env, tn.Admin, map[string]any{"to": due.Add(10 * time.Minute)})
	got := env.Must(200, apitest.Req{Method: "GET", Path: aPath, Token: agent}).Map(t)
	if countSteps(got, "escalated") != 1 || deadlineOf(t, got, "first_response")["escalated"] != true {
		t.Fatalf("after the deadline: steps %v deadlines %v", got["steps"], got["deadlines"])
	}
	evs := complaintEscalations(t, env, tn.ID, a["id"].(string))
	if len(evs) != 1 || evs[0]["deadline"] != "first_response" || evs[0]["role"] != "outlet_manager" || evs[0]["level"] != float64(1) ||
		evs[0]["urgent"] != true {
		t.Fatalf("escalation events: %v", evs)
	}
	rec := evs[0]["recipients"].([]any)[0].(map[string]any)
	if rec["role"] != "outlet_manager" || rec["outlet_id"] != tn.Outlets[0] {
		t.Fatalf("the outlet's managers are told: %v", rec)
	}
	// Waiting for the customer: B's old due time passed without an escalation.
	if got := env.Must(200, apitest.Req{Method: "GET", Path: bPath, Token: agent}).Map(t); countSteps(got, "escalated") != 0 || got["overdue"] != false {
		t.Fatalf("a complaint waiting for the customer escalated: %v", got["steps"])
	}
	// Idempotent: moving on an hour fires nothing more for A (its next deadline is days away).
	advance(t, env, tn.Admin, map[string]any{"by": "1h"})
	if n := len(complaintEscalations(t, env, tn.ID, a["id"].(string))); n != 1 {
		t.Fatalf("%d escalations after moving on; want still 1", n)
	}

	// The customer's reply by WeChat resumes B; its deadline moved by the pause.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/contacts", Token: agent, Body: map[string]any{"kind": "complaint", "channel": "wechat",
		"summary": "sent the invoice photo", "complaint_id": b["id"]}})
	b2 := env.Must(200, apitest.Req{Method: "GET", Path: bPath, Token: agent}).Map(t)
	moved := dueAt(t, b2, "first_response")
	if !moved.After(due) || b2["status"] != "open" {
		t.Fatalf("after the reply: status %v, due %s (was %s)", b2["status"], moved, due)
	}
	advance(t, env, tn.Admin, map[string]any{"to": moved.Add(time.Minute)})
	b3 := env.Must(200, apitest.Req{Method: "GET", Path: bPath, Token: agent}).Map(t)
	if countSteps(b3, "escalated") != 1 {
		t.Fatalf("B after its moved deadline: %v", b3["steps"])
	}
	// A meets its report deadline late: that escalation is level 2, the brand (tenant admins).
	advance(t, env, tn.Admin, map[string]any{"to": dueAt(t, got, "report").Add(time.Minute)})
	evs = complaintEscalations(t, env, tn.ID, a["id"].(string))
	if len(evs) != 2 || evs[1]["deadline"] != "report" || evs[1]["level"] != float64(2) || evs[1]["role"] != "tenant_admin" {
		t.Fatalf("the report deadline's escalation: %v", evs)
	}
}

// TestComplaintEscalatesOnlyInHours: a deadline found passed outside the calendar's hours
// (the tenant's clock at 20:00, closed) waits for the next working hour to escalate.
func TestComplaintEscalatesOnlyInHours(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewSandboxTenant()
	now, _ := sandboxClock(t, env, tn.Admin)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	local := now.In(sh)
	evening := time.Date(local.Year(), local.Month(), local.Day()+1, 20, 0, 0, 0, sh)
	advance(t, env, tn.Admin, map[string]any{"to": evening})
	// Opened a week ago (reported late): its first response is long overdue.
	c := openComplaint(t, env, tn.Admin, "12315", map[string]any{"opened_at": evening.Add(-7 * 24 * time.Hour)})
	path := "/v1/complaints/" + c["id"].(string)
	if c["overdue"] != true {
		t.Fatalf("a complaint opened a week ago is overdue: %v", c["deadlines"])
	}
	advance(t, env, tn.Admin, map[string]any{"by": "30m"})
	if got := env.Must(200, apitest.Req{Method: "GET", Path: path, Token: tn.Admin}).Map(t); countSteps(got, "escalated") != 0 {
		t.Fatalf("escalated at 20:30, outside the calendar's hours: %v", got["steps"])
	}
	morning := time.Date(evening.Year(), evening.Month(), evening.Day()+1, 10, 0, 0, 0, sh)
	for morning.Weekday() == time.Saturday || morning.Weekday() == time.Sunday {
		morning = morning.AddDate(0, 0, 1)
	}
	advance(t, env, tn.Admin, map[string]any{"to": morning})
	got := env.Must(200, apitest.Req{Method: "GET", Path: path, Token: tn.Admin}).Map(t)
	if countSteps(got, "escalated") == 0 || deadlineOf(t, got, "first_response")["escalated"] != true {
		t.Fatalf("not escalated at 10:00 on a working day: %v", got["steps"])
	}
}
