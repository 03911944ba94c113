package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

func week(open string) map[string]any {
	day := []map[string]string{{"start": open, "end": "18:00"}}
	return map[string]any{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": []any{}, "sun": []any{}}
}

func TestCalendarsHolidaysAndMakeUpDays(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()

	// Onboarding made the tenant's default calendar; an outlet without its own uses it.
	def := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + tn.Outlets[0] + "/calendar", Token: tn.Admin}).Map(t)
	if def["outlet_id"] != nil || def["timezone"] != "Asia/Shanghai" {
		t.Fatalf("default calendar: %v", def)
	}
	defID := def["id"].(string)
	if r := env.Do(apitest.Req{Method: "DELETE", Path: "/v1/calendars/" + defID, Token: tn.Admin, Header: map[string]string{"If-Match": `"1"`}}); r.Status != 409 {
		t.Fatalf("deleting the default calendar: %d", r.Status)
	}

	// National Day is a holiday; the Saturday after is a make-up working day (调休). A change
	// of the days is a change of the calendar: If-Match is its ETag, and it moves on.
	calETag := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/calendars/" + defID, Token: tn.Admin}).Header.Get("ETag")
	setDay := func(want int, day string, body map[string]any) map[string]any {
		t.Helper()
		r := env.Must(want, apitest.Req{Method: "PUT", Path: "/v1/calendars/" + defID + "/days/" + day, Token: tn.Admin,
			Body: body, Header: map[string]string{"If-Match": calETag}})
		if want == 200 {
			if r.Header.Get("ETag") == calETag || r.Header.Get("ETag") == "" {
				t.Fatalf("day %s: the calendar's ETag stayed %s", day, calETag)
			}
			calETag = r.Header.Get("ETag")
		}
		return r.Map(t)
	}
	setDay(200, "2026-10-01", map[string]any{"kind": "holiday", "name": "国庆节"})
	setDay(200, "2026-10-10", map[string]any{"kind": "workday", "name": "调休", "hours": []map[string]string{{"start": "09:00", "end": "17:00"}}})
	days := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/calendars/" + defID + "/days?from=2026-10-01&to=2026-10-31", Token: tn.Admin}).Map(t)
	items := days["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["kind"] != "holiday" || items[1].(map[string]any)["name"] != "调休" {
		t.Fatalf("days: %v", items)
	}
	setDay(422, "2026-10-02", map[string]any{"kind": "holiday", "hours": []map[string]string{{"start": "09:00", "end": "12:00"}}})
	// A make-up working day on a Monday, which is a working day already, is refused by name.
	if p := setDay(422, "2026-10-12", map[string]any{"kind": "workday"}); !strings.Contains(fmt.Sprint(p["errors"]), "location:path.day") {
		t.Fatalf("make-up day on a working day: %v", p)
	}
	// Without If-Match, or with an old one, the days do not change.
	env.Must(428, apitest.Req{Method: "PUT", Path: "/v1/calendars/" + defID + "/days/2026-10-03", Token: tn.Admin, Body: map[string]any{"kind": "holiday"}})
	env.Must(428, apitest.Req{Method: "DELETE", Path: "/v1/calendars/" + defID + "/days/2026-10-01", Token: tn.Admin})
	env.Must(412, apitest.Req{Method: "DELETE", Path: "/v1/calendars/" + defID + "/days/2026-10-01", Token: tn.Admin,
		Header: map[string]string{"If-Match": `"1"`}})
	del := env.Must(204, apitest.Req{Method: "DELETE", Path: "/v1/calendars/" + defID + "/days/2026-10-01", Token: tn.Admin,
		Header: map[string]string{"If-Match": calETag}})
	if del.Header.Get("ETag") == calETag {
		t.Fatal("deleting a day left the calendar's ETag")
	}
	calETag = del.Header.Get("ETag")
	env.Must(404, apitest.Req{Method: "DELETE", Path: "/v1/calendars/" + defID + "/days/2026-10-01", Token: tn.Admin,
		Header: map[string]string{"If-Match": calETag}})

	// An outlet override takes precedence; deleting it falls back to the tenant's.
	own := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/calendars", Token: tn.Admin, Body: map[string]any{
		"outlet_id": tn.Outlets[0], "name": "Late shift", "timezone": "Asia/Urumqi", "weekly_hours": week("11:00")}})
	ownID := own.Map(t)["id"].(string)
	eff := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + tn.Outlets[0] + "/calendar", Token: tn.Admin}).Map(t)
	if eff["id"] != ownID || eff["timezone"] != "Asia/Urumqi" {
		t.Fatalf("effective calendar: %v", eff)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/calendars", Token: tn.Admin, Body: map[string]any{
		"outlet_id": tn.Outlets[0], "name": "Second", "timezone": "Asia/Shanghai", "weekly_hours": week("09:00")}}); r.Status != 409 {
		t.Fatalf("second calendar for one outlet: %d %s", r.Status, r.Body)
	}
	upd := env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/calendars/" + ownID, Token: tn.Admin, Header: map[string]string{"If-Match": own.Header.Get("ETag")},
		Body: map[string]any{"name": "Late shift", "timezone": "Asia/Urumqi", "weekly_hours": week("12:00")}}).Map(t)
	if upd["weekly_hours"].(map[string]any)["mon"].([]any)[0].(map[string]any)["start"] != "12:00" {
		t.Fatalf("updated hours: %v", upd)
	}
	env.Must(204, apitest.Req{Method: "DELETE", Path: "/v1/calendars/" + ownID, Token: tn.Admin, Header: map[string]string{"If-Match": `"2"`}})
	eff = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + tn.Outlets[0] + "/calendar", Token: tn.Admin}).Map(t)
	if eff["id"] != defID {
		t.Fatalf("fallback after delete: %v", eff["id"])
	}
}

func TestMembersRolesAndLastAdmin(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	members := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/members", Token: tn.Admin}).Map(t)["items"].([]any)
	if len(members) != 1 {
		t.Fatalf("members: %v", members)
	}
	adminID := members[0].(map[string]any)["id"].(string)
	// The only admin cannot demote or remove themself.
	r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/members/" + adminID, Token: tn.Admin, Header: map[string]string{"If-Match": `"1"`},
		Body: map[string]any{"role": "agent"}})
	if r.Status != 409 || !strings.Contains(string(r.Body), "at least one active tenant admin") {
		t.Fatalf("demoting the last admin: %d %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "DELETE", Path: "/v1/members/" + adminID, Token: tn.Admin, Header: map[string]string{"If-Match": `"1"`}}); r.Status != 409 {
		t.Fatalf("removing the last admin: %d", r.Status)
	}

	// An invited agent accepts and signs in.
	email := "agent" + env.Unique() + "@people.test"
	invited := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/invitations", Token: tn.Admin, Body: map[string]any{"email": email, "role": "agent"}}).Map(t)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/invitations/accept", Body: map[string]any{"token": invited["token"], "name": "Agent",
		"password": apitest.Password}})
	agentTok := env.Login(email)
	if me := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: agentTok}).Map(t); me["role"] != "agent" || me["tenant_id"] != tn.ID {
		t.Fatalf("after accepting: %v", me)
	}
	// An agent becomes an outlet engineer: the outlet is required, then confines them.
	var agentID string
	for _, m := range env.Must(200, apitest.Req{Method: "GET", Path: "/v1/members?role=agent", Token: tn.Admin}).Map(t)["items"].([]any) {
		if m.(map[string]any)["email"] == email {
			agentID = m.(map[string]any)["id"].(string)
		}
	}
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/members/" + agentID, Token: tn.Admin, Header: map[string]string{"If-Match": `"1"`},
		Body: map[string]any{"role": "engineer"}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.outlet_id") {
		t.Fatalf("engineer without outlet: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/members/" + agentID, Token: tn.Admin, Header: map[string]string{"If-Match": `"1"`},
		Body: map[string]any{"role": "engineer", "outlet_id": tn.Outlets[1]}})
	outlets := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets", Token: agentTok}).Map(t)["items"].([]any)
	if len(outlets) != 1 || outlets[0].(map[string]any)["id"] != tn.Outlets[1] {
		t.Fatalf("engineer sees outlets %v, want only their own", outlets)
	}
	// Disabled members lose access on their next request.
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/members/" + agentID, Token: tn.Admin, Header: map[string]string{"If-Match": `"2"`},
		Body: map[string]any{"role": "engineer", "outlet_id": tn.Outlets[1], "status": "disabled"}})
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: agentTok}); r.Status != 403 && r.Status != 400 {
		t.Fatalf("disabled member: %d %s", r.Status, r.Body)
	}

	// A revoked invitation cannot be accepted; an accepted one cannot be reused.
	inv := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/invitations", Token: tn.Admin, Body: map[string]any{"email": "late@x.test", "role": "auditor"}}).Map(t)
	env.Must(204, apitest.Req{Method: "DELETE", Path: "/v1/invitations/" + inv["id"].(string), Token: tn.Admin})
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/invitations/accept", Body: map[string]any{"token": inv["token"], "name": "Late", "password": apitest.Password}}); r.Status != 401 {
		t.Fatalf("accepting a revoked invitation: %d", r.Status)
	}
}
