package api_test

import (
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// userID reads the id of the token's user.
func userID(t *testing.T, env *apitest.Env, token string) string {
	t.Helper()
	return env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: token}).Map(t)["id"].(string)
}

// openComplaint opens a complaint through a channel and returns it.
func openComplaint(t *testing.T, env *apitest.Env, token, channel string, extra map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{"topic": "quality", "channel": channel, "summary": "The fridge stopped cooling again"}
	for k, v := range extra {
		body[k] = v
	}
	return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/complaints", Token: token, Body: body}).Map(t)
}

// TestComplaintSeverityFromChannel: the channel gives the severity by the tenant's rules
// (seed 001's defaults: store general, 12315 serious, media critical); staff raise it with
// a reason but never below the rule; the tenant's own rules apply to complaints opened later.
func TestComplaintSeverityFromChannel(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	for channel, want := range map[string]string{"store": "general", "phone": "general", "12315": "serious", "maker": "serious",
		"carrier": "serious", "media": "critical", "government": "critical"} {
		c := openComplaint(t, env, tn.Admin, channel, nil)
		if c["severity"] != want || c["status"] != "open" {
			t.Errorf("via %s: severity %v status %v, want %s open", channel, c["severity"], c["status"], want)
		}
		dls := c["deadlines"].([]any)
		report := dls[1].(map[string]any)
		if (report["due_at"] != nil) != (want != "general") {
			t.Errorf("via %s: report deadline %v; a report is asked of serious and critical complaints only", channel, report)
		}
		if dls[0].(map[string]any)["due_at"] == nil || dls[2].(map[string]any)["due_at"] == nil {
			t.Errorf("via %s: deadlines %v", channel, dls)
		}
	}
	// Raised with a reason; not without; not below the rule.
	raised := openComplaint(t, env, tn.Admin, "store", map[string]any{"severity": "serious", "severity_reason": "second complaint this month"})
	if raised["severity"] != "serious" || raised["severity_reason"] != "second complaint this month" {
		t.Fatalf("raised at opening: %v", raised)
	}
	problem(t, env.Do(apitest.Req{Method: "POST", Path: "/v1/complaints", Token: tn.Admin, Body: map[string]any{
		"topic": "price", "channel": "store", "summary": "x", "severity": "serious"}}), 422, "body.severity_reason")
	problem(t, env.Do(apitest.Req{Method: "POST", Path: "/v1/complaints", Token: tn.Admin, Body: map[string]any{
		"topic": "price", "channel": "12315", "summary": "x", "severity": "general", "severity_reason": "minor"}}), 422, "body.severity")
	// Raising later: above only, with a reason.
	c := openComplaint(t, env, tn.Admin, "phone", nil)
	path := "/v1/complaints/" + c["id"].(string)
	problem(t, env.Do(apitest.Req{Method: "POST", Path: path + "/raise", Token: tn.Admin, Body: map[string]any{"severity": "general", "reason": "x"}}), 422, "body.severity")
	problem(t, env.Do(apitest.Req{Method: "POST", Path: path + "/raise", Token: tn.Admin, Body: map[string]any{"severity": "serious"}}), 422, "body.reason")
	up := env.Must(200, apitest.Req{Method: "POST", Path: path + "/raise", Token: tn.Admin, Body: map[string]any{"severity": "serious", "reason": "the customer called the maker"}}).Map(t)
	if up["severity"] != "serious" || up["deadlines"].([]any)[1].(map[string]any)["due_at"] == nil {
		t.Fatalf("raised to serious: %v", up)
	}

	// The tenant's rules: the store counts as serious from now on.
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaint-rules", Token: tn.Admin})
	etag := rules.Header.Get("ETag")
	body := rules.Map(t)
	body["severity"].(map[string]any)["store"] = "serious"
	problem(t, env.Do(apitest.Req{Method: "PUT", Path: "/v1/complaint-rules", Token: tn.Admin, Body: body}), 428, "")
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/complaint-rules", Token: tn.Admin, Body: body, Header: map[string]string{"If-Match": etag}})
	problem(t, env.Do(apitest.Req{Method: "PUT", Path: "/v1/complaint-rules", Token: tn.Admin, Body: body, Header: map[string]string{"If-Match": etag}}), 412, "")
	if c := openComplaint(t, env, tn.Admin, "store", nil); c["severity"] != "serious" {
		t.Fatalf("after the rule change, a store complaint is %v", c["severity"])
	}
	delete(body["severity"].(map[string]any), "media")
	problem(t, env.Do(apitest.Req{Method: "PUT", Path: "/v1/complaint-rules", Token: tn.Admin, Body: body, Header: map[string]string{"If-Match": `"1"`}}), 422, "body.severity.media")
}

// TestCriticalComplaintConfidential: a critical complaint is seen only by its named handlers
// and tenant admins: another agent of the same tenant finds it neither in the list nor by id,
// nor its contacts; naming them a handler shows it to them.
func TestCriticalComplaintConfidential(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	_, agent1 := env.Person(tn, "agent", "")
	_, agent2 := env.Person(tn, "agent", "")
	c := openComplaint(t, env, agent1, "media", nil)
	id := c["id"].(string)
	if c["severity"] != "critical" || c["confidential"] != true {
		t.Fatalf("via media: %v", c)
	}
	a1 := userID(t, env, agent1)
	if hs := c["handler_ids"].([]any); len(hs) != 1 || hs[0] != a1 {
		t.Fatalf("the agent who opened it is its handler: %v", hs)
	}
	general := openComplaint(t, env, agent1, "store", nil)["id"].(string)

	listed := func(token string) map[string]bool {
		seen := map[string]bool{}
		for _, it := range env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints", Token: token}).Map(t)["items"].([]any) {
			seen[it.(map[string]any)["id"].(string)] = true
		}
		return seen
	}
	contactsOf := func(token string) int {
		return len(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/contacts?complaint_id=" + id, Token: token}).Map(t)["items"].([]any))
	}
	if s := listed(agent2); s[id] || !s[general] {
		t.Fatalf("another agent lists %v: the critical complaint must be hidden, the general one shown", s)
	}
	env.Must(404, apitest.Req{Method: "GET", Path: "/v1/complaints/" + id, Token: agent2})
	env.Must(404, apitest.Req{Method: "POST", Path: "/v1/complaints/" + id + "/respond", Token: agent2, Body: map[string]any{}})
	if n := contactsOf(agent2); n != 0 {
		t.Fatalf("another agent sees %d contacts of the critical complaint", n)
	}
	// A contact linked to it by someone who cannot see it names no such complaint.
	problem(t, env.Do(apitest.Req{Method: "POST", Path: "/v1/contacts", Token: agent2, Body: map[string]any{"kind": "complaint", "channel": "phone",
		"summary": "calling again", "complaint_id": id}}), 422, "body.complaint_id")
	for _, tok := range []string{agent1, tn.Admin} {
		if !listed(tok)[id] || contactsOf(tok) != 1 {
			t.Fatalf("a handler and the tenant admin see the critical complaint and its contact")
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + id, Token: tok})
	}
	// A handler may not drop themselves (they would lose sight); naming agent 2 shows it to them.
	a2 := userID(t, env, agent2)
	_, manager := env.Person(tn, "outlet_manager", tn.Outlets[0])
	env.Must(403, apitest.Req{Method: "POST", Path: "/v1/complaints/" + id + "/handlers", Token: agent1, Body: map[string]any{"handler_ids": []string{a1, a2}}})
	problem(t, env.Do(apitest.Req{Method: "POST", Path: "/v1/complaints/" + id + "/handlers", Token: tn.Admin, Body: map[string]any{"handler_ids": []string{}}}), 422, "body.handler_ids")
	problem(t, env.Do(apitest.Req{Method: "POST", Path: "/v1/complaints/" + id + "/handlers", Token: tn.Admin, Body: map[string]any{"handler_ids": []string{a1, tn.ID}}}), 422, "body.handler_ids")
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/complaints/" + id + "/handlers", Token: tn.Admin, Body: map[string]any{"handler_ids": []string{a1, a2}}})
	if !listed(agent2)[id] || contactsOf(agent2) != 1 {
		t.Fatalf("named a handler, agent 2 sees the complaint and its contact")
	}
	// Raising a general complaint to critical hides it from those not named.
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/complaints/" + general + "/raise", Token: agent1, Body: map[string]any{"severity": "critical", "reason": "a reporter called"}})
	env.Must(404, apitest.Req{Method: "GET", Path: "/v1/complaints/" + general, Token: agent2})
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + general, Token: agent1})
	_ = manager
}

// TestComplaintLifecycle: respond, wait for the customer (the deadlines pause), the
// customer's reply through another channel resumes it, resolve, close only on the customer's
// confirmation (or a manager's override with reason), reopen; versions guard each step.
func TestComplaintLifecycle(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	_, agent := env.Person(tn, "agent", "")
	c := openComplaint(t, env, agent, "12315", map[string]any{"outlet_id": tn.Outlets[0]})
	id := c["id"].(string)
	path := "/v1/complaints/" + id
	step := func(want int, token, action, etag string, body map[string]any) *apitest.Response {
		t.Helper()
		h := map[string]string{}
		if etag != "" {
			h["If-Match"] = etag
		}
		return env.Must(want, apitest.Req{Method: "POST", Path: path + "/" + action, Token: token, Body: body, Header: h})
	}
	r := step(200, agent, "respond", `"1"`, map[string]any{"note": "called back"})
	if m := r.Map(t); m["deadlines"].([]any)[0].(map[string]any)["met_at"] == nil {
		t.Fatalf("a response meets the first-response deadline: %v", m["deadlines"])
	}
	step(412, agent, "wait", `"1"`, map[string]any{})
	w := step(200, agent, "wait", r.Header.Get("ETag"), map[string]any{"note": "asked for the invoice"}).Map(t)
	if w["status"] != "waiting_customer" || w["paused"] != true {
		t.Fatalf("waiting: %v", w)
	}
	// The customer's reply by WeChat resumes the complaint.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/contacts", Token: agent, Body: map[string]any{"kind": "complaint", "channel": "wechat",
		"summary": "sent the invoice photo", "complaint_id": id}})
	g := env.Must(200, apitest.Req{Method: "GET", Path: path, Token: agent}).Map(t)
	if g["status"] != "open" || g["paused"] != false || len(g["contacts"].([]any)) != 2 {
		t.Fatalf("after the customer's reply: status %v paused %v contacts %d", g["status"], g["paused"], len(g["contacts"].([]any)))
	}
	if p := g["pauses"].([]any); len(p) != 1 || p[0].(map[string]any)["to"] == nil {
		t.Fatalf("the pause ended with the reply: %v", p)
	}
	// Closing needs a resolved complaint and the customer's confirmation.
	step(409, agent, "close", "", map[string]any{"note": "customer ok"})
	step(200, agent, "resolve", "", map[string]any{"note": "replaced the compressor"})
	problem(t, env.Do(apitest.Req{Method: "POST", Path: path + "/close", Token: agent, Body: map[string]any{}}), 422, "body.note")
	closed := step(200, agent, "close", "", map[string]any{"note": "customer confirmed by phone"}).Map(t)
	if closed["status"] != "closed" || closed["close_kind"] != "customer" {
		t.Fatalf("closed: %v", closed)
	}
	step(409, agent, "respond", "", map[string]any{})
	problem(t, env.Do(apitest.Req{Method: "POST", Path: path + "/reopen", Token: agent, Body: map[string]any{}}), 422, "body.reason")
	re := step(200, agent, "reopen", "", map[string]any{"reason": "it broke again"}).Map(t)
	if re["status"] != "reopened" || re["reopened"].(float64) != 1 || re["closed_at"] != nil {
		t.Fatalf("reopened: %v", re)
	}
	// An agent may not override; a manager may, with a reason.
	step(403, agent, "close-override", "", map[string]any{"reason": "customer unreachable"})
	_, manager := env.Person(tn, "outlet_manager", tn.Outlets[0])
	problem(t, env.Do(apitest.Req{Method: "POST", Path: path + "/close-override", Token: manager, Body: map[string]any{}}), 422, "body.reason")
	o := step(200, manager, "close-override", "", map[string]any{"reason": "customer unreachable for 30 days"}).Map(t)
	if o["close_kind"] != "override" || o["close_reason"] != "customer unreachable for 30 days" {
		t.Fatalf("override: %v", o)
	}
	kinds := []string{}
	for _, s := range o["steps"].([]any) {
		kinds = append(kinds, s.(map[string]any)["kind"].(string))
	}
	want := "opened responded waiting customer_replied resolved closed reopened closed"
	if got := joinWords(kinds); got != want {
		t.Fatalf("timeline %q, want %q", got, want)
	}
	// The outlet manager of the other outlet does not see it.
	_, other := env.Person(tn, "outlet_manager", tn.Outlets[1])
	env.Must(404, apitest.Req{Method: "GET", Path: path, Token: other})
}

// problem checks a response's status and, when location is given, that its problem names it.
func problem(t *testing.T, r *apitest.Response, status int, location string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if location != "" && !problemAt(t, r, location) {
		t.Fatalf("problem does not name %s: %s", location, r.Body)
	}
}

func joinWords(ws []string) string {
	out := ""
	for i, w := range ws {
		if i > 0 {
			out += " "
		}
		out += w
	}
	return out
}

// TestComplaintMergeAndParent: one problem through two channels is merged (the duplicate
// closes as merged, its contacts move, the survivor takes the higher severity); complaints
// of a batch problem hang under one parent case, one level deep.
func TestComplaintMergeAndParent(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	a := openComplaint(t, env, tn.Admin, "phone", nil)["id"].(string)
	b := openComplaint(t, env, tn.Admin, "12315", nil)["id"].(string)
	_, agent := env.Person(tn, "agent", "")
	env.Must(403, apitest.Req{Method: "POST", Path: "/v1/complaints/" + b + "/merge", Token: agent, Body: map[string]any{"target_id": a}})
	problem(t, env.Do(apitest.Req{Method: "POST", Path: "/v1/complaints/" + b + "/merge", Token: tn.Admin, Body: map[string]any{"target_id": b}}), 422, "body.target_id")
	m := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/complaints/" + b + "/merge", Token: tn.Admin, Body: map[string]any{"target_id": a}}).Map(t)
	if m["status"] != "closed" || m["close_kind"] != "merged" || m["merged_into"] != a {
		t.Fatalf("merged: %v", m)
	}
	s := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + a, Token: tn.Admin}).Map(t)
	if s["severity"] != "serious" || len(s["contacts"].([]any)) != 2 || len(s["merged_from"].([]any)) != 1 {
		t.Fatalf("the survivor: severity %v, contacts %d, merged_from %v", s["severity"], len(s["contacts"].([]any)), s["merged_from"])
	}
	env.Must(409, apitest.Req{Method: "POST", Path: "/v1/complaints/" + b + "/reopen", Token: tn.Admin, Body: map[string]any{"reason": "x"}})

	parent := openComplaint(t, env, tn.Admin, "maker", map[string]any{"topic": "quality"})["id"].(string)
	kids := []string{openComplaint(t, env, tn.Admin, "store", nil)["id"].(string), openComplaint(t, env, tn.Admin, "phone", nil)["id"].(string)}
	for _, k := range kids {
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/complaints/" + k + "/parent", Token: tn.Admin, Body: map[string]any{"target_id": parent}})
	}
	p := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + parent, Token: tn.Admin}).Map(t)
	if len(p["children"].([]any)) != 2 {
		t.Fatalf("children: %v", p["children"])
	}
	// One level: the parent is no child, a child no parent.
	env.Must(409, apitest.Req{Method: "POST", Path: "/v1/complaints/" + parent + "/parent", Token: tn.Admin, Body: map[string]any{"target_id": a}})
	problem(t, env.Do(apitest.Req{Method: "POST", Path: "/v1/complaints/" + a + "/parent", Token: tn.Admin, Body: map[string]any{"target_id": kids[0]}}), 422, "body.target_id")
	list := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints?parent_id=" + parent, Token: tn.Admin}).Map(t)["items"].([]any)
	if len(list) != 2 {
		t.Fatalf("listed under the parent: %d", len(list))
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/complaints/" + kids[0] + "/parent", Token: tn.Admin, Body: map[string]any{}})
	if n := len(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints?parent_id=" + parent, Token: tn.Admin}).Map(t)["items"].([]any)); n != 1 {
		t.Fatalf("after taking one out: %d", n)
	}
}

// TestContactLog: consultations, praise and suggestions are logged by channel with their
// links; a complaint contact with a topic opens a complaint; bad links name the field.
func TestContactLog(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	_, agent := env.Person(tn, "agent", "")
	for _, k := range []string{"consultation", "praise", "suggestion"} {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/contacts", Token: agent, Body: map[string]any{"kind": k, "channel": "wechat",
			"summary": k + " about the warranty", "outlet_id": tn.Outlets[0]}})
	}
	c := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/contacts", Token: agent, Body: map[string]any{"kind": "complaint", "channel": "12315",
		"summary": "engineer was late", "topic": "attitude"}}).Map(t)
	if c["complaint_id"] == nil {
		t.Fatalf("a complaint contact with a topic opens a complaint: %v", c)
	}
	cp := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + c["complaint_id"].(string), Token: agent}).Map(t)
	if cp["severity"] != "serious" || cp["topic"] != "attitude" {
		t.Fatalf("opened from the contact: %v", cp)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/contacts/" + c["id"].(string), Token: agent})
	if n := len(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/contacts?kind=praise", Token: agent}).Map(t)["items"].([]any)); n != 1 {
		t.Fatalf("praise listed: %d", n)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"kind": "complaint", "channel": "phone", "summary": "x"}, "body.topic"},
		{map[string]any{"kind": "praise", "channel": "phone", "summary": "x", "topic": "price"}, "body.kind"},
		{map[string]any{"kind": "praise", "channel": "fax", "summary": "x"}, "body.channel"},
		{map[string]any{"kind": "praise", "channel": "phone", "summary": "x", "customer_id": tn.ID}, "body.customer_id"},
		{map[string]any{"kind": "praise", "channel": "phone", "summary": "x", "outlet_id": tn.ID}, "body.outlet_id"},
		{map[string]any{"kind": "praise", "channel": "phone", "summary": ""}, "body.summary"},
	} {
		problem(t, env.Do(apitest.Req{Method: "POST", Path: "/v1/contacts", Token: agent, Body: bad.body}), 422, bad.field)
	}
	_, engineer := env.Person(tn, "engineer", tn.Outlets[0])
	env.Must(403, apitest.Req{Method: "GET", Path: "/v1/contacts", Token: engineer})
	_, auditor := env.Person(tn, "auditor", "")
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints", Token: auditor})
	env.Must(403, apitest.Req{Method: "POST", Path: "/v1/contacts", Token: auditor, Body: map[string]any{"kind": "praise", "channel": "phone", "summary": "x"}})
}
