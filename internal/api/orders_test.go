package api_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// orderWorld is a tenant with a catalog, the national 三包 policy, a customer with a unit
// bought recently (with its invoice), and outlet coverage of Shanghai.
type orderWorld struct {
	env        *apitest.Env
	tn         *apitest.Tenant
	category   string
	model      string
	customer   string
	phone      string
	unit       string
	unitSerial string
}

func newOrderWorld(t *testing.T, env *apitest.Env) *orderWorld {
	t.Helper()
	return newOrderWorldOf(t, env, env.NewTenant())
}

// newOrderWorldOf is newOrderWorld in tenant tn.
func newOrderWorldOf(t *testing.T, env *apitest.Env, tn *apitest.Tenant) *orderWorld {
	t.Helper()
	w := &orderWorld{env: env, tn: tn}
	u := env.Unique()
	adm := w.tn.Admin
	w.category = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: adm, Body: map[string]any{
		"code": "ac-" + u, "name": "Air conditioners"}}).Map(t)["id"].(string)
	w.model = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: adm, Body: map[string]any{
		"category_id": w.category, "sku": "AC-" + u, "name": "Split AC",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"].(string)
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: adm}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: adm, Body: map[string]any{
		"name": "National", "category_ids": []string{w.category}, "effective_from": "2020-01-01", "rules": rules}})
	w.phone = env.Phone()
	w.customer = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: adm, Body: map[string]any{
		"name": "王先生", "phone": w.phone, "province_code": "310000", "city_code": "310100", "district_code": "310115",
		"address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"].(string)
	w.unitSerial = "SN-" + u
	w.unit = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: map[string]any{
		"model_id": w.model, "serial": w.unitSerial, "purchase_date": time.Now().AddDate(0, 0, -60).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "has_warranty_card": true, "buyer": map[string]any{"customer_id": w.customer}}}).Map(t)["id"].(string)
	for _, o := range w.tn.Outlets {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets/" + o + "/coverage", Token: adm, Body: map[string]any{"region_code": "31"}})
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/outlets/" + o + "/authorizations", Token: adm,
			Body: map[string]any{"category_id": w.category, "authorized": true}})
	}
	return w
}

// order takes an order in for the world's unit and returns it.
func (w *orderWorld) order(t *testing.T, extra map[string]any) map[string]any {
	t.Helper()
	return w.env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: w.tn.Admin, Body: w.orderBody(extra)}).Map(t)
}

// orderBody is an intake of the world's unit with extra fields set.
func (w *orderWorld) orderBody(extra map[string]any) map[string]any {
	body := map[string]any{"type": "repair_minor", "channel": "carry_in", "customer_id": w.customer, "registration_id": w.unit,
		"fault_description": "不制冷 does not cool", "fault_code": "E1"}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

func (w *orderWorld) move(t *testing.T, id, to, reason string) *apitest.Response {
	t.Helper()
	return w.env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: w.tn.Admin,
		Body: map[string]any{"to": to, "reason": reason}})
}

func str(v any) string { return fmt.Sprint(v) }

func TestOrderCarryInLifecycle(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	created := w.order(t, nil)
	o := created["order"].(map[string]any)
	id := str(o["id"])
	year := time.Now().In(time.FixedZone("CST", 8*3600)).Year()
	if o["number"] != fmt.Sprintf("SO-%d-000001", year) || o["status"] != "waiting" || o["flow"] != "carry_in" {
		t.Fatalf("new order: %v", o)
	}
	if !strings.Contains(str(created["tracking_url"]), "/track/trk_") {
		t.Fatalf("tracking url: %v", created["tracking_url"])
	}
	if o["outlet_id"] == nil || o["entitlement_class"] != "manufacturer" || o["tier_code"] == "" {
		t.Fatalf("intake did not dispatch or snapshot the entitlement: %v", o)
	}
	ent := o["entitlement"].(map[string]any)
	if ent["decision"].(map[string]any)["class"] != "manufacturer" {
		t.Fatalf("entitlement snapshot: %v", ent)
	}

	// A move the machine does not allow is a 409 naming the allowed ones.
	r := w.move(t, id, "picked_up", "")
	if r.Status != 409 || !strings.Contains(string(r.Body), "allowed: repairing, cancelled") {
		t.Fatalf("waiting -> picked_up: %d %s", r.Status, r.Body)
	}
	// Cancelling needs a reason.
	if r := w.move(t, id, "cancelled", ""); r.Status != 422 || !strings.Contains(string(r.Body), "body.reason") {
		t.Fatalf("cancel without reason: %d %s", r.Status, r.Body)
	}
	for _, to := range []string{"repairing", "waiting_parts", "repairing"} {
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: w.tn.Admin, Body: map[string]any{"to": to}})
	}
	// A stale If-Match is refused.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: w.tn.Admin,
		Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"to": "escalated"}}); r.Status != 412 {
		t.Fatalf("stale If-Match: %d %s", r.Status, r.Body)
	}
	done := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: w.tn.Admin, Body: map[string]any{
		"diagnosis": "refrigerant leak", "work_done": "sealed and recharged", "result": "fixed",
		"parts": []map[string]any{{"code": "R32", "quantity": 1}}}}).Map(t)
	if done["status"] != "ready_for_pickup" || done["completed_at"] == nil || done["result"] != "fixed" {
		t.Fatalf("after report: %v", done)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: w.tn.Admin, Body: map[string]any{"to": "picked_up"}})

	// Audit needs the audit permission: an engineer may not approve.
	_, eng := env.Person(w.tn, "engineer", str(o["outlet_id"]))
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: eng, Body: map[string]any{"to": "approved"}}); r.Status != 403 {
		t.Fatalf("engineer approving: %d %s", r.Status, r.Body)
	}
	_, mgr := env.Person(w.tn, "outlet_manager", str(o["outlet_id"]))
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: mgr, Body: map[string]any{"to": "approved"}})
	closed := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: mgr, Body: map[string]any{"to": "closed"}}).Map(t)
	if closed["closed_at"] == nil || len(closed["next"].([]any)) != 1 {
		t.Fatalf("closed: %v", closed)
	}
	repeats := func() []map[string]any {
		t.Helper()
		return isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders?repeat=true", Token: w.tn.Admin}))
	}
	if rep := repeats(); len(rep) != 0 {
		t.Fatalf("repeat orders listed before any: %v", rep)
	}
	// Reopening needs a reason and counts as a repeat repair.
	if r := w.move(t, id, "waiting", ""); r.Status != 422 {
		t.Fatalf("reopen without reason: %d", r.Status)
	}
	re := w.move(t, id, "waiting", "fault came back")
	if re.Status != 200 {
		t.Fatalf("reopen: %d %s", re.Status, re.Body)
	}
	if m := re.Map(t); m["reopen_count"] != float64(1) || m["is_repeat"] != true || m["closed_at"] != nil {
		t.Fatalf("reopened: %v", m)
	}
	// The list filters repeat repairs (which orders are repeats: internal/orders
	// TestCreateMarksRepeatRepairs).
	if rep := repeats(); len(rep) != 1 || rep[0]["id"] != id {
		t.Fatalf("repeat orders listed: %v", rep)
	}

	// The timeline has every change, with who and why.
	tl := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/timeline", Token: w.tn.Admin}).Map(t)["items"].([]any)
	var moves []string
	for _, e := range tl {
		e := e.(map[string]any)
		if e["kind"] == "status" {
			moves = append(moves, str(e["from"])+">"+str(e["to"]))
			if !strings.HasPrefix(str(e["actor"]), "user:") {
				t.Errorf("timeline entry without its actor: %v", e)
			}
		}
	}
	want := []string{"waiting>repairing", "repairing>waiting_parts", "waiting_parts>repairing", "repairing>ready_for_pickup",
		"ready_for_pickup>picked_up", "picked_up>approved", "approved>closed", "closed>waiting"}
	if !slices.Equal(moves, want) {
		t.Fatalf("timeline moves %v, want %v", moves, want)
	}

	// The next order gets the next number: no gaps, even after a rejected intake.
	env.Must(422, apitest.Req{Method: "POST", Path: "/v1/orders", Token: w.tn.Admin, Body: map[string]any{
		"type": "no_such_type", "channel": "carry_in", "customer_id": w.customer, "fault_description": "x"}})
	second := w.order(t, nil)["order"].(map[string]any)
	if second["number"] != fmt.Sprintf("SO-%d-000002", year) {
		t.Fatalf("second number: %v", second["number"])
	}
}

func TestOrderConcurrentMovesOneWins(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	id := str(w.order(t, nil)["order"].(map[string]any)["id"])
	var wg sync.WaitGroup
	codes := make([]int, 6)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = w.move(t, id, "repairing", "").Status
		}()
	}
	wg.Wait()
	slices.Sort(codes)
	if codes[0] != 200 || codes[1] != 409 || codes[len(codes)-1] != 409 {
		t.Fatalf("concurrent moves: %v, want one 200 and the rest 409", codes)
	}
}

func TestOrderQuoteApprovalByLinkAndCode(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	id := str(w.order(t, map[string]any{"component": "compressor"})["order"].(map[string]any)["id"])
	q := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/quotes", Token: w.tn.Admin, Body: map[string]any{
		"lines": []map[string]any{{"kind": "part", "description": "Compressor", "quantity": 1, "unit_price": 45000},
			{"kind": "shipping", "description": "Courier", "quantity": 2, "unit_price": 1500}}}}).Map(t)
	lines := q["lines"].([]any)
	if lines[0].(map[string]any)["coverage"] != "covered" || lines[0].(map[string]any)["customer_amount"] != float64(0) {
		t.Fatalf("a part under manufacturer warranty should be covered: %v", lines[0])
	}
	url := str(q["approval_url"])
	token := url[strings.LastIndex(url, "/")+1:]
	if !strings.HasPrefix(token, "qte_") {
		t.Fatalf("approval url %q", url)
	}
	// The link shows the quote and the masked phone only.
	view := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/public/quotes/" + token}).Map(t)
	if strings.Contains(string(mustJSON(t, view)), w.phone[3:]) || view["order_number"] == "" || view["tenant"] != w.tn.Slug {
		t.Fatalf("quote view leaks the phone or lacks the order: %v", view)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/public/quotes/" + token + "x"}); r.Status != 404 {
		t.Fatalf("tampered link: %d", r.Status)
	}
	env.Must(204, apitest.Req{Method: "POST", Path: "/v1/public/quotes/" + token + "/code"})
	code := regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(w.phone))
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/public/quotes/" + token + "/decision",
		Body: map[string]any{"code": wrong, "approve": true}}); r.Status != 401 {
		t.Fatalf("wrong code: %d %s", r.Status, r.Body)
	}
	ok := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/public/quotes/" + token + "/decision",
		Body: map[string]any{"code": code, "approve": true}}).Map(t)
	if ok["status"] != "approved" || ok["decided_channel"] != "link" || ok["decided_at"] == nil {
		t.Fatalf("decision: %v", ok)
	}
	// Answered once: a second answer (by staff) is a conflict.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/quotes/" + str(q["id"]) + "/decision", Token: w.tn.Admin,
		Body: map[string]any{"approve": false, "reason": "changed my mind"}}); r.Status != 409 {
		t.Fatalf("second answer: %d %s", r.Status, r.Body)
	}
	tl := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/timeline", Token: w.tn.Admin}).Body
	if !strings.Contains(string(tl), "quote approved via link") {
		t.Fatalf("timeline lacks the approval: %s", tl)
	}
}

func TestOrderEngineerDispatchRulesAndDecline(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	outlet := w.tn.Outlets[0]
	// Only outlet 0 covers the district; outlet 1 covers the whole province.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets/" + outlet + "/coverage", Token: w.tn.Admin,
		Body: map[string]any{"region_code": "310115"}})
	ids := map[string]string{}
	for _, name := range []string{"default", "designated", "other"} {
		_, tok := env.Person(w.tn, "engineer", outlet)
		uid := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: tok}).Map(t)["id"])
		ids[name], ids[name+"-token"] = uid, tok
		env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + uid, Token: w.tn.Admin, Header: map[string]string{"If-Match": `"0"`},
			Body: map[string]any{"outlet_id": outlet, "skills": []string{}, "level": 2, "active": true, "is_default": name == "default"}})
	}
	// A designated engineer must be an active engineer of the tenant: an unknown id, or
	// another tenant's engineer, names the field and takes no order.
	other := env.NewTenant()
	_, otherTok := env.Person(other, "engineer", other.Outlets[0])
	otherEng := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: otherTok}).Map(t)["id"])
	for _, bad := range []string{uuid.NewString(), otherEng} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders", Token: w.tn.Admin, Body: w.orderBody(map[string]any{
			"channel": "on_site", "type": "inspection", "designated_engineer_id": bad})})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"body.designated_engineer_id"`) {
			t.Fatalf("designated engineer %s: %d %s, want 422 naming body.designated_engineer_id", bad, r.Status, r.Body)
		}
	}
	o := w.order(t, map[string]any{"channel": "on_site", "type": "inspection", "designated_engineer_id": ids["designated"]})["order"].(map[string]any)
	id := str(o["id"])
	if o["outlet_id"] != outlet {
		t.Fatalf("the district's outlet should win over the province's: %v", o["outlet_id"])
	}
	props := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/engineer-proposals", Token: w.tn.Admin}).Map(t)["items"].([]any)
	var rules []string
	for _, p := range props {
		rules = append(rules, str(p.(map[string]any)["rule"]))
	}
	if len(props) != 3 || props[0].(map[string]any)["user_id"] != ids["designated"] || !slices.Equal(rules[:2], []string{"designated", "outlet_default"}) {
		t.Fatalf("proposals: %v", props)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: w.tn.Admin, Body: map[string]any{"to": "accepted"}})
	lead := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/engineers", Token: w.tn.Admin,
		Body: map[string]any{"role": "lead"}}).Map(t)
	if lead["status"] != "dispatched" {
		t.Fatalf("a lead on an accepted on-site order dispatches it: %v", lead["status"])
	}
	// A manual override of the proposal needs a reason.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/engineers", Token: w.tn.Admin,
		Body: map[string]any{"role": "assistant", "user_id": ids["other"]}}); r.Status != 422 {
		t.Fatalf("override without reason: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/engineers", Token: w.tn.Admin,
		Body: map[string]any{"role": "assistant", "user_id": ids["other"], "reason": "needs two people"}})
	// The designated lead declines: the order goes back and to the outlet's default engineer.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/answer", Token: ids["designated-token"],
		Body: map[string]any{"accept": false}}); r.Status != 422 {
		t.Fatalf("decline without reason: %d", r.Status)
	}
	after := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/answer", Token: ids["designated-token"],
		Body: map[string]any{"accept": false, "reason": "sick today"}}).Map(t)
	if after["status"] != "dispatched" {
		t.Fatalf("after decline the order is re-dispatched: %v", after["status"])
	}
	engs := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/engineers", Token: w.tn.Admin}).Map(t)["items"].([]any)
	got := map[string]string{}
	for _, e := range engs {
		e := e.(map[string]any)
		got[str(e["user_id"])] = str(e["role"]) + "/" + str(e["state"]) + "/" + str(e["rule"])
	}
	if got[ids["designated"]] != "lead/declined/designated" || got[ids["default"]] != "lead/offered/outlet_default" ||
		got[ids["other"]] != "assistant/offered/manual" {
		t.Fatalf("engineers after decline: %v", got)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/answer", Token: ids["default-token"], Body: map[string]any{"accept": true}})
	// The engineer's board lists the job.
	board := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/board", Token: ids["default-token"]}).Map(t)["items"].([]any)
	if len(board) != 1 || board[0].(map[string]any)["order"].(map[string]any)["id"] != id {
		t.Fatalf("board: %v", board)
	}
}

// TestOrderAppointmentsAndReschedule walks the appointment routes: slots, booking, a
// reschedule (refused without its reason, a 422 naming the field) and the list. The booking
// rules (capacity, windows, time-limit warnings) are internal/orders TestBookAndReschedule.
func TestOrderAppointmentsAndReschedule(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	o := w.order(t, map[string]any{"channel": "on_site", "type": "inspection"})["order"].(map[string]any)
	id := str(o["id"])
	slots := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/slots?days=14", Token: w.tn.Admin}).Map(t)["items"].([]any)
	if len(slots) < 2 || slots[0].(map[string]any)["free"] != float64(4) {
		t.Fatalf("slots: %v", slots)
	}
	first, second := slots[0].(map[string]any), slots[1].(map[string]any)
	b := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/appointment", Token: w.tn.Admin,
		Body: map[string]any{"start": first["start"]}}).Map(t)
	if b["rescheduled"] != false || b["warnings"] == nil {
		t.Fatalf("booking: %v", b)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/appointment", Token: w.tn.Admin,
		Body: map[string]any{"start": second["start"]}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.reason") {
		t.Fatalf("reschedule without reason: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/appointment", Token: w.tn.Admin,
		Body: map[string]any{"start": second["start"], "reason": "customer away"}})
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id, Token: w.tn.Admin}).Map(t)
	if got["reschedule_count"] != float64(1) {
		t.Fatalf("reschedules counted: %v", got["reschedule_count"])
	}
	appts := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/appointments", Token: w.tn.Admin}).Map(t)["items"].([]any)
	if len(appts) != 2 || appts[0].(map[string]any)["status"] != "moved" || appts[1].(map[string]any)["status"] != "booked" {
		t.Fatalf("appointments: %v", appts)
	}
}

func TestOrderConsumerPortalAndTracking(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	// The consumer signs in with the phone on the customer record.
	env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": w.phone}})
	code := regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(w.phone))
	var sess struct{ Token string }
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": w.phone, "code": code}}).JSON(t, &sess)
	base := "/v1/consumer/tenants/" + w.tn.Slug + "/orders"
	c := env.Must(201, apitest.Req{Method: "POST", Path: base, Token: sess.Token, Body: map[string]any{
		"registration_id": w.unit, "type": "repair_minor", "fault_description": "noisy"}}).Map(t)
	mine := c["order"].(map[string]any)
	if mine["status"] != "waiting" || mine["coverage"] != "manufacturer" {
		t.Fatalf("consumer order: %v", mine)
	}
	// Someone else's order is not found; my own shows its public timeline only.
	staffOrder := w.order(t, nil)["order"].(map[string]any)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + str(staffOrder["id"]) + "/comments", Token: w.tn.Admin,
		Body: map[string]any{"text": "internal note: check the fuse"}})
	view := env.Must(200, apitest.Req{Method: "GET", Path: base + "/" + str(staffOrder["id"]), Token: sess.Token})
	if strings.Contains(string(view.Body), "internal note") || strings.Contains(string(view.Body), "actor") {
		t.Fatalf("internal comment or actor visible to the customer: %s", view.Body)
	}
	otherCustomer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: w.tn.Admin, Body: map[string]any{
		"name": "Other", "phone": env.Phone()}}).Map(t)
	theirs := w.order(t, map[string]any{"customer_id": otherCustomer["id"], "registration_id": nil, "serial": "X-1"})["order"].(map[string]any)
	if r := env.Do(apitest.Req{Method: "GET", Path: base + "/" + str(theirs["id"]), Token: sess.Token}); r.Status != 404 {
		t.Fatalf("another customer's order: %d", r.Status)
	}
	if theirs["unregistered"] != true {
		t.Fatalf("an unknown serial is flagged unregistered: %v", theirs)
	}
	list := env.Must(200, apitest.Req{Method: "GET", Path: base, Token: sess.Token}).Map(t)["items"].([]any)
	if len(list) != 2 {
		t.Fatalf("my orders: %d", len(list))
	}
	// The tracking link works without signing in; a tampered one does not.
	url := str(c["tracking_url"])
	token := url[strings.LastIndex(url, "/")+1:]
	tr := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/public/track/" + token}).Map(t)
	if tr["number"] != mine["number"] || len(tr["timeline"].([]any)) == 0 || tr["tenant"] != w.tn.Slug {
		t.Fatalf("tracking (with the brand's slug %s): %v", w.tn.Slug, tr)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/public/track/" + token[:len(token)-2] + "AA"}); r.Status != 404 {
		t.Fatalf("tampered tracking link: %d", r.Status)
	}
	// A new link replaces the old one.
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + str(mine["id"]) + "/tracking-link", Token: w.tn.Admin})
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/public/track/" + token}); r.Status != 404 {
		t.Fatalf("the old tracking link still works: %d", r.Status)
	}
}

func TestOrderOutletScopeAndDispute(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	o := w.order(t, map[string]any{"outlet_id": w.tn.Outlets[1]})["order"].(map[string]any)
	id := str(o["id"])
	_, mgr0 := env.Person(w.tn, "outlet_manager", w.tn.Outlets[0])
	_, mgr1 := env.Person(w.tn, "outlet_manager", w.tn.Outlets[1])
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/orders/" + id, Token: mgr0}); r.Status != 404 {
		t.Fatalf("another outlet's order: %d", r.Status)
	}
	if n := len(isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders", Token: mgr0}))); n != 0 {
		t.Fatalf("outlet 0's manager lists %d orders of outlet 1", n)
	}
	att := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/attachments?kind=evidence", Token: mgr1,
		Body: isoPNG, Header: map[string]string{"Content-Type": "image/png"}}).Map(t)
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/attachments/" + str(att["id"]), Token: mgr0}); r.Status != 404 {
		t.Fatalf("another outlet's attachment: %d", r.Status)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: mgr1, Body: map[string]any{"to": "repairing"}})
	// The outlet's manager excludes with evidence, and the dispute routes overturn it (the
	// rules: internal/orders TestDisputeOverturnsAnExclusion, TestCompleteMovesByResult).
	done := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: mgr1, Body: map[string]any{
		"diagnosis": "water inside", "work_done": "none", "result": "not_fixed", "exclusion": "liquid_damage",
		"evidence_ids": []string{str(att["id"])}}}).Map(t)
	if done["entitlement_class"] != "out_of_warranty" || done["completion"].(map[string]any)["decided_by"] == "" {
		t.Fatalf("liquid damage voids the warranty, and the report names who decided: %v %v", done["entitlement_class"], done["completion"])
	}
	d := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/disputes", Token: w.tn.Admin,
		Body: map[string]any{"statement": "it was never wet"}}).Map(t)
	dec := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + str(d["id"]) + "/decision", Token: w.tn.Admin,
		Body: map[string]any{"overturn": true, "note": "the sensor was faulty"}}).Map(t)
	if dec["status"] != "overturned" {
		t.Fatalf("dispute: %v", dec)
	}
	after := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id, Token: w.tn.Admin}).Map(t)
	if after["entitlement_class"] != "manufacturer" {
		t.Fatalf("overturning the exclusion restores coverage: %v", after["entitlement_class"])
	}
}

// TestInstallOrderFromDeliveryScan: the scan route answers a delivery with the installation
// order it created, or why it created none. (When an order is due: internal/orders
// TestInstallForDeliveredUnits.)
func TestInstallOrderFromDeliveryScan(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	u := env.Unique()
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: w.tn.Admin, Body: map[string]any{
		"category_id": w.category, "sku": "INST-" + u, "name": "Ducted AC", "needs_install": true,
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}})
	scan := map[string]any{"stage": "delivery", "model_sku": "INST-" + u, "serial": "D-" + u,
		"buyer": map[string]any{"customer_id": w.customer}}
	first := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations/scan", Token: w.tn.Admin, Body: scan}).Map(t)
	o, ok := first["installation_order"].(map[string]any)
	if !ok || o["type"] != "installation" || o["flow"] != "on_site" || o["status"] != "created" {
		t.Fatalf("delivery of a unit that needs installing: %v", first)
	}
	if first["registration"].(map[string]any)["install_date"] != nil {
		t.Fatalf("a delivery records no install date: %v", first["registration"])
	}
	again := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/registrations/scan", Token: w.tn.Admin, Body: scan}).Map(t)
	if again["installation_order"] != nil || !strings.Contains(str(again["no_installation"]), "already") {
		t.Fatalf("a second delivery scan: %v", again)
	}
}

func TestOrderEntitlementFollowsTheUnitsFacts(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	id := str(w.order(t, nil)["order"].(map[string]any)["id"])
	reg := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/registrations/" + w.unit, Token: w.tn.Admin})
	// The invoice shows the unit was bought years ago: out of warranty now.
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/registrations/" + w.unit, Token: w.tn.Admin,
		Header: map[string]string{"If-Match": reg.Header.Get("ETag")},
		Body:   map[string]any{"serial": w.unitSerial, "purchase_date": "2015-03-01", "invoice_no": "INV-OLD", "has_warranty_card": true}})
	o := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id, Token: w.tn.Admin}).Map(t)
	if o["entitlement_class"] != "out_of_warranty" {
		t.Fatalf("after the purchase date was corrected: %v", o["entitlement_class"])
	}
	// An extended warranty brings it back under contract.
	free := map[string]any{"mode": "free"}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations/" + w.unit + "/grants", Token: w.tn.Admin, Body: map[string]any{
		"kind": "extended", "valid_from": time.Now().AddDate(0, -1, 0).Format(time.DateOnly), "valid_until": time.Now().AddDate(1, 0, 0).Format(time.DateOnly),
		"source": "contract EW-9", "covered": map[string]any{"parts": free, "labour": free, "visit": free, "shipping": free}}})
	o = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id, Token: w.tn.Admin}).Map(t)
	if o["entitlement_class"] != "contract" {
		t.Fatalf("after an extended warranty: %v", o["entitlement_class"])
	}
	tl := string(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/timeline", Token: w.tn.Admin}).Body)
	for _, why := range []string{"registration corrected", "extra coverage added"} {
		if !strings.Contains(tl, why) {
			t.Errorf("timeline does not say %q", why)
		}
	}
}

// TestInstallOrdersFromShipments: a batch pushed to the API creates the installation order
// of a unit marked needs_installation. (Imported shipment files: internal/registry
// TestImportedShipmentsGetInstallationOrders.)
func TestInstallOrdersFromShipments(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	u := env.Unique()
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: w.tn.Admin, Body: map[string]any{
		"category_id": w.category, "sku": "SHIP-" + u, "name": "Ducted AC", "needs_install": true,
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}})
	today := time.Now().Format(time.DateOnly)
	// An ERP pushes a batch: one unit to install, one not.
	batch := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/registrations/batch", Token: w.tn.Admin, Body: map[string]any{
		"items": []map[string]any{
			{"model_sku": "SHIP-" + u, "serial": "B1-" + u, "purchase_date": today, "needs_installation": true,
				"buyer": map[string]any{"name": "Buyer", "phone": w.phone}},
			{"model_sku": "SHIP-" + u, "serial": "B2-" + u, "purchase_date": today, "buyer": map[string]any{"name": "Buyer", "phone": w.phone}},
		}}}).Map(t)
	if batch["created"] != float64(2) {
		t.Fatalf("batch: %v", batch)
	}
	installs := func() int {
		n := 0
		for _, o := range isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders?type=installation", Token: w.tn.Admin})) {
			if o["status"] == "created" && o["flow"] == "on_site" {
				n++
			}
		}
		return n
	}
	if n := installs(); n != 1 {
		t.Fatalf("installation orders after the batch: %d, want 1", n)
	}
}

// An intake that names a registered unit and no customer serves the unit's buyer.
func TestOrderIntakeServesTheBuyer(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	created := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: w.tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "phone", "registration_id": w.unit, "fault_description": "不制冷"}}).Map(t)
	if o := created["order"].(map[string]any); o["customer_id"] != w.customer {
		t.Fatalf("the order's customer: %v, want the buyer %s", o["customer_id"], w.customer)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders", Token: w.tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "phone", "serial": "NOT-REGISTERED", "model_id": w.model, "fault_description": "x"}}); r.Status != 422 ||
		!strings.Contains(string(r.Body), `"body.customer_id"`) {
		t.Fatalf("an unregistered unit without a customer: %d %s", r.Status, r.Body)
	}
}

// The dispatch board's list: open orders without an outlet or without a lead engineer,
// each tenant's own only.
func TestListUndispatchedOrders(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newOrderWorld(t, env)
	outlet := a.tn.Outlets[0]
	_, engTok := env.Person(a.tn, "engineer", outlet)
	eng := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: engTok}).Map(t)["id"])
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + eng, Token: a.tn.Admin, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"outlet_id": outlet, "skills": []string{}, "level": 3, "active": true}})

	waiting := str(a.order(t, map[string]any{"outlet_id": outlet})["order"].(map[string]any)["id"])
	led := str(a.order(t, map[string]any{"outlet_id": outlet})["order"].(map[string]any)["id"])
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + led + "/engineers", Token: a.tn.Admin,
		Body: map[string]any{"role": "lead", "user_id": eng, "reason": "the only engineer in today"}})
	assisted := str(a.order(t, map[string]any{"outlet_id": outlet})["order"].(map[string]any)["id"])
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + assisted + "/engineers", Token: a.tn.Admin,
		Body: map[string]any{"role": "assistant", "user_id": eng, "reason": "helps only"}})
	cancelled := str(a.order(t, map[string]any{"outlet_id": outlet})["order"].(map[string]any)["id"])
	if r := a.move(t, cancelled, "cancelled", "customer withdrew"); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}

	// Another tenant's order has no outlet at all (nothing covers its address).
	b := env.NewTenant()
	cust := str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: b.Admin, Body: map[string]any{
		"name": "李女士", "phone": env.Phone()}}).Map(t)["id"])
	theirs := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: b.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "customer_id": cust, "fault_description": "不开机"}}).Map(t)["order"].(map[string]any)
	if theirs["outlet_id"] != nil {
		t.Fatalf("the other tenant's order got an outlet: %v", theirs["outlet_id"])
	}

	listed := func(token string) []string {
		var page struct{ Items []struct{ ID string } }
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders?undispatched=true", Token: token}).JSON(t, &page)
		var out []string
		for _, o := range page.Items {
			out = append(out, o.ID)
		}
		return out
	}
	if got := listed(a.tn.Admin); !slices.Equal(got, []string{assisted, waiting}) {
		t.Errorf("undispatched orders: %v, want the assisted one and the waiting one (%s, %s); led %s, cancelled %s",
			got, assisted, waiting, led, cancelled)
	}
	if got := listed(b.Admin); !slices.Equal(got, []string{str(theirs["id"])}) {
		t.Errorf("the other tenant's undispatched orders: %v, want only its own %s", got, theirs["id"])
	}
	// The queue narrows to an outlet; it takes no filter that selects among all orders.
	var atOutlet struct{ Items []struct{ ID string } }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders?undispatched=true&outlet_id=" + outlet, Token: a.tn.Admin}).JSON(t, &atOutlet)
	if len(atOutlet.Items) != 2 {
		t.Errorf("the queue at the outlet: %v, want the assisted and the waiting order", atOutlet.Items)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/orders?undispatched=true&status=received", Token: a.tn.Admin}); r.Status != 422 ||
		!strings.Contains(string(r.Body), `"query.status"`) {
		t.Errorf("the queue with a status filter: %d %s", r.Status, r.Body)
	}
	// Without the filter every order is listed: the filter, not the data, made the difference.
	var all struct{ Items []struct{ ID string } }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders", Token: a.tn.Admin}).JSON(t, &all)
	if len(all.Items) != 4 {
		t.Errorf("all orders: %d, want 4", len(all.Items))
	}
}

// TestListOrdersOfEngineerAndLate: the engineer filter and the late filter are served by
// queries of their own (driven by the assignments and by the clocks); they page newest first,
// combine with the other filters, and see nothing of another tenant.
func TestListOrdersOfEngineerAndLate(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newOrderWorld(t, env)
	outlet := a.tn.Outlets[0]
	_, engTok := env.Person(a.tn, "engineer", outlet)
	eng := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: engTok}).Map(t)["id"])
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + eng, Token: a.tn.Admin, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"outlet_id": outlet, "skills": []string{}, "level": 3, "active": true}})
	newOrder := func() string {
		return str(a.order(t, map[string]any{"outlet_id": outlet})["order"].(map[string]any)["id"])
	}
	assign := func(order, role string) {
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/engineers", Token: a.tn.Admin,
			Body: map[string]any{"role": role, "user_id": eng, "reason": "on shift"}})
	}
	first, other, second, third := newOrder(), newOrder(), newOrder(), newOrder()
	assign(first, "lead")
	assign(second, "assistant")
	assign(third, "lead")
	if r := a.move(t, third, "cancelled", "customer withdrew"); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}

	type page struct {
		Items      []struct{ ID string }
		NextCursor string `json:"next_cursor"`
	}
	all := func(token, query string) []string {
		var out []string
		cursor := ""
		for range 10 {
			var p page
			path := "/v1/orders?limit=1&" + query
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			env.Must(200, apitest.Req{Method: "GET", Path: path, Token: token}).JSON(t, &p)
			for _, o := range p.Items {
				out = append(out, o.ID)
			}
			if cursor = p.NextCursor; cursor == "" {
				return out
			}
		}
		t.Fatalf("%s: more than 10 pages", query)
		return nil
	}
	if got, want := all(a.tn.Admin, "engineer_id="+eng), []string{third, second, first}; !slices.Equal(got, want) {
		t.Errorf("the engineer's orders, a page at a time: %v, want %v (not %s)", got, want, other)
	}
	if got, want := all(a.tn.Admin, "engineer_id="+eng+"&status=cancelled"), []string{third}; !slices.Equal(got, want) {
		t.Errorf("the engineer's cancelled orders: %v, want %v", got, want)
	}

	// Late: one order's clocks past their due time, another's breached; a third's on time.
	super, err := pgx.Connect(t.Context(), env.DB.SuperURL) // row-level security is forced on the owner too
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close(context.Background())
	for _, c := range []struct{ order, status, due string }{
		{first, "running", "-1 minute"}, {other, "breached", "-1 hour"}, {second, "running", "+1 hour"},
	} {
		if tag, err := super.Exec(t.Context(), `UPDATE sla_clocks SET status = $2, due_at = now() + $3::interval,
			breached_at = CASE WHEN $2 = 'breached' THEN now() END WHERE order_id = $1`,
			c.order, c.status, c.due); err != nil || tag.RowsAffected() == 0 {
			t.Fatalf("clock of %s: %v", c.order, err)
		}
	}
	if got, want := all(a.tn.Admin, "overdue=true"), []string{other, first}; !slices.Equal(got, want) {
		t.Errorf("late orders, a page at a time: %v, want %v", got, want)
	}
	if got, want := all(a.tn.Admin, "overdue=true&engineer_id="+eng), []string{first}; !slices.Equal(got, want) {
		t.Errorf("the engineer's late orders: %v, want %v", got, want)
	}

	// Another tenant asking for this engineer's or its own late orders sees none of these.
	b := env.NewTenant()
	if got := all(b.Admin, "engineer_id="+eng); len(got) != 0 {
		t.Errorf("another tenant lists this engineer's orders: %v", got)
	}
	if got := all(b.Admin, "overdue=true"); len(got) != 0 {
		t.Errorf("another tenant lists late orders: %v", got)
	}
}
