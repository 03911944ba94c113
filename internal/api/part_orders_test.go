package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/tenants"
)

// partOrderWorld is a tenant with a customer, an own spare-parts warehouse at its first
// outlet and two parts: STOCKED (one unit on hand, consumer price 50.00) and AWAITED (none).
type partOrderWorld struct {
	env                               *apitest.Env
	tn                                *apitest.Tenant
	u, customer, wh, stocked, awaited string
	staff0, staff1                    string
}

func newPartOrderWorld(t *testing.T, env *apitest.Env) *partOrderWorld {
	t.Helper()
	tn := env.NewTenant()
	w := &partOrderWorld{env: env, tn: tn, u: env.Unique()}
	w.customer = str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin, Body: map[string]any{
		"name": "李女士", "phone": env.Phone(), "address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"])
	w.wh = str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: map[string]any{
		"code": "CTR-" + w.u, "name": "Counter stock", "kind": "spare_parts", "outlet_id": tn.Outlets[0]}}).Map(t)["id"])
	part := func(no string, price int) string {
		return str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
			"part_no": no + "-" + w.u, "name_zh": "遥控器", "name_en": "Remote", "unit_cost": 1000, "outlet_price": 3000,
			"consumer_price": price}}).Map(t)["id"])
	}
	w.stocked, w.awaited = part("STOCKED", 5000), part("AWAITED", 2000)
	w.receive(t, w.stocked, 1, "first")
	_, w.staff0 = env.Person(tn, "outlet_manager", tn.Outlets[0])
	_, w.staff1 = env.Person(tn, "outlet_manager", tn.Outlets[1])
	return w
}

func (w *partOrderWorld) receive(t *testing.T, part string, qty int, key string) {
	t.Helper()
	w.env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: w.tn.Admin, Body: map[string]any{
		"idempotency_key": "po-in-" + key + w.u, "type": "receipt", "warehouse_id": w.wh, "part_id": part, "qty": qty}})
}

func (w *partOrderWorld) create(token string, lines ...map[string]any) *apitest.Response {
	return w.env.Do(apitest.Req{Method: "POST", Path: "/v1/part-orders", Token: token, Body: map[string]any{
		"customer_id": w.customer, "warehouse_id": w.wh, "lines": lines}})
}

func (w *partOrderWorld) onHand(t *testing.T, part string) (onHand, reserved int) {
	t.Helper()
	var on struct {
		Items []struct {
			PartID   string `json:"part_id"`
			OnHand   int    `json:"on_hand"`
			Reserved int    `json:"reserved"`
		} `json:"items"`
	}
	w.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?warehouse_id=" + w.wh, Token: w.tn.Admin}).JSON(t, &on)
	for _, b := range on.Items {
		if b.PartID == part {
			return b.OnHand, b.Reserved
		}
	}
	return 0, 0
}

func (w *partOrderWorld) pickup(token, id, version string) *apitest.Response {
	h := map[string]string{}
	if version != "" {
		h["If-Match"] = version
	}
	return w.env.Do(apitest.Req{Method: "POST", Path: "/v1/part-orders/" + id + "/pickup", Token: token, Header: h})
}

func line(part string, qty any) map[string]any { return map[string]any{"part_id": part, "qty": qty} }

// TestPartOrdersAtTheCounter: an outlet manager at the counter orders a stocked part and one that is not in
// stock for a customer; bad lines are refused at their field; the order waits (订购待件) and
// asks for replenishment; receiving the part makes it ready and tells the customer (到货通知);
// the pickup needs If-Match, waits for the bill to be paid, then issues the parts
// (consumer_purchase) and stock and journal agree. Another outlet's manager and another tenant
// see none of it; a cancelled order releases what it held and voids its unpaid bill.
func TestPartOrdersAtTheCounter(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newPartOrderWorld(t, env)
	other := newPartOrderWorld(t, env)

	for _, c := range []struct {
		lines []map[string]any
		field string
	}{
		{[]map[string]any{line(uuid.NewString(), 1)}, "body.lines[0].part_id"},
		{[]map[string]any{line(w.stocked, 1), line(other.stocked, 1)}, "body.lines[1].part_id"},
		{[]map[string]any{line(w.stocked, 0)}, "body.lines[0].qty"},
		{[]map[string]any{line(w.stocked, -2)}, "body.lines[0].qty"},
		{[]map[string]any{line(w.stocked, 1.5)}, "body.lines[0].qty"},
		{[]map[string]any{}, "body.lines"},
	} {
		if r := w.create(w.staff0, c.lines...); r.Status != 422 || !problemAt(t, r, c.field) {
			t.Errorf("order %v: %d %s, want 422 at %s", c.lines, r.Status, r.Body, c.field)
		}
	}
	if r := w.create(w.staff1, line(w.stocked, 1)); r.Status != 422 || !problemAt(t, r, "body.warehouse_id") {
		t.Errorf("another outlet's manager ordering from this outlet's warehouse: %d %s, want 422 at body.warehouse_id", r.Status, r.Body)
	}
	if on, res := w.onHand(t, w.stocked); on != 1 || res != 0 {
		t.Fatalf("after refused orders: on hand %d reserved %d, want 1 and 0", on, res)
	}

	r := w.create(w.staff0, line(w.stocked, 1), line(w.awaited, 2))
	if r.Status != 201 {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	po := r.Map(t)
	id, number := str(po["id"]), str(po["number"])
	lines := po["lines"].([]any)
	bill := po["bill"].(map[string]any)
	if po["status"] != "waiting" || po["outlet_id"] != w.tn.Outlets[0] || po["total"] != 9000.0 || len(lines) != 2 ||
		lines[0].(map[string]any)["status"] != "held" || lines[1].(map[string]any)["status"] != "waiting" {
		t.Fatalf("order %v: want waiting, the outlet's, 90.00, the first line held and the second waiting", po)
	}
	if bill["status"] != "issued" || bill["total"] != 9000.0 || bill["part_order_id"] != id || !strings.Contains(str(bill["pay_url"]), "/pay/") {
		t.Fatalf("the order's bill %v: want issued for 90.00 with its pay link", bill)
	}
	if on, res := w.onHand(t, w.stocked); on != 1 || res != 1 {
		t.Fatalf("the stocked part: on hand %d reserved %d, want 1 held", on, res)
	}
	reqs := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-requests", Token: w.tn.Admin})
	if !strings.Contains(string(reqs.Body), number) {
		t.Fatalf("no replenishment request names %s: %s", number, reqs.Body)
	}

	// Scope: another outlet's manager and another tenant get 404; the list is the outlet's.
	for _, tok := range []string{w.staff1, other.tn.Admin} {
		if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/part-orders/" + id, Token: tok}); r.Status != 404 {
			t.Errorf("GET another's part order: %d, want 404", r.Status)
		}
		if r := w.pickup(tok, id, `"1"`); r.Status != 404 {
			t.Errorf("pick up another's part order: %d %s, want 404", r.Status, r.Body)
		}
		if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/part-orders/" + id + "/cancel", Token: tok, Header: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"reason": "no"}}); r.Status != 404 {
			t.Errorf("cancel another's part order: %d %s, want 404", r.Status, r.Body)
		}
		if l := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-orders", Token: tok}); strings.Contains(string(l.Body), id) {
			t.Errorf("another's list shows the order: %s", l.Body)
		}
	}
	if l := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-orders?status=waiting", Token: w.staff0}); !strings.Contains(string(l.Body), id) {
		t.Errorf("the outlet's waiting orders miss it: %s", l.Body)
	}

	if r := w.pickup(w.staff0, id, ""); r.Status != 428 {
		t.Fatalf("pickup without If-Match: %d %s, want 428", r.Status, r.Body)
	}
	if r := w.pickup(w.staff0, id, `"1"`); r.Status != 409 || !strings.Contains(string(r.Body), "waits") {
		t.Fatalf("pickup while a part is awaited: %d %s, want 409", r.Status, r.Body)
	}

	// The part arrives: the order is ready and the customer is told.
	w.receive(t, w.awaited, 2, "awaited")
	po = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-orders/" + id, Token: w.staff0}).Map(t)
	lines = po["lines"].([]any)
	if po["status"] != "ready" || po["arrived_at"] == nil || lines[1].(map[string]any)["status"] != "held" || lines[1].(map[string]any)["arrived_at"] == nil {
		t.Fatalf("after the receipt %v: want ready with the second line held and arrived", po)
	}
	var notices int
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(w.tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE tenant_id = app.tenant_id() AND type = 'part_order.arrived'
			AND subject_id = $1 AND payload->'recipients'->0->>'kind' = 'customer' AND payload->'vars'->>'order_number' = $2`, id, number).Scan(&notices)
	}); err != nil || notices != 1 {
		t.Fatalf("part_order.arrived events to the customer: %d (%v), want 1", notices, err)
	}
	ver := `"` + str(po["version"]) + `"`

	// Not paid: refused. Paid at the counter: picked up, with a stale ETag refused first.
	if r := w.pickup(w.staff0, id, ver); r.Status != 409 || !strings.Contains(string(r.Body), "not paid") {
		t.Fatalf("pickup unpaid: %d %s, want 409", r.Status, r.Body)
	}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/bills/" + str(bill["id"]) + "/payments", Token: w.staff0,
		Body: map[string]any{"method": "cash", "amount": 9000}})
	if r := w.pickup(w.staff0, id, `"99"`); r.Status != 412 {
		t.Fatalf("pickup with a stale ETag: %d %s, want 412", r.Status, r.Body)
	}
	r = w.pickup(w.staff0, id, ver)
	if r.Status != 200 {
		t.Fatalf("pickup: %d %s", r.Status, r.Body)
	}
	if po = r.Map(t); po["status"] != "picked_up" || po["bill"].(map[string]any)["status"] != "paid" {
		t.Fatalf("picked up order %v", po)
	}
	for _, p := range []string{w.stocked, w.awaited} {
		if on, res := w.onHand(t, p); on != 0 || res != 0 {
			t.Errorf("part %s after the pickup: on hand %d reserved %d, want 0 and 0", p, on, res)
		}
	}
	mv := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/movements?type=issue&warehouse_id=" + w.wh, Token: w.tn.Admin}).Map(t)
	sum := map[string]float64{}
	for _, m := range mv["items"].([]any) {
		m := m.(map[string]any)
		if m["issue_kind"] != "consumer_purchase" {
			t.Errorf("issue %v: want consumer_purchase", m)
		}
		sum[str(m["part_id"])] += m["qty"].(float64)
	}
	if sum[w.stocked] != -1 || sum[w.awaited] != -2 {
		t.Fatalf("issues in the journal: %v, want -1 and -2", sum)
	}
	if r := w.pickup(w.staff0, id, `"`+str(po["version"])+`"`); r.Status != 409 {
		t.Fatalf("a second pickup: %d %s, want 409", r.Status, r.Body)
	}

	// Cancelling: what the order held is released, its unpaid bill void.
	w.receive(t, w.stocked, 1, "again")
	c := w.create(w.staff0, line(w.stocked, 1), line(w.awaited, 1))
	if c.Status != 201 {
		t.Fatalf("second order: %d %s", c.Status, c.Body)
	}
	cid := str(c.Map(t)["id"])
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/part-orders/" + cid + "/cancel", Token: w.staff0,
		Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"reason": ""}}); r.Status != 422 || !problemAt(t, r, "body.reason") {
		t.Fatalf("cancel without a reason: %d %s, want 422 at body.reason", r.Status, r.Body)
	}
	cr := env.Do(apitest.Req{Method: "POST", Path: "/v1/part-orders/" + cid + "/cancel", Token: w.staff0,
		Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"reason": "found one elsewhere"}})
	if cr.Status != 200 {
		t.Fatalf("cancel: %d %s", cr.Status, cr.Body)
	}
	cm := cr.Map(t)
	if cm["status"] != "cancelled" || cm["bill"].(map[string]any)["status"] != "void" ||
		cm["lines"].([]any)[0].(map[string]any)["status"] != "released" || cm["lines"].([]any)[1].(map[string]any)["status"] != "released" {
		t.Fatalf("cancelled order %v: want cancelled, its lines released and its bill void", cm)
	}
	if on, res := w.onHand(t, w.stocked); on != 1 || res != 0 {
		t.Fatalf("after cancelling: on hand %d reserved %d, want 1 and 0", on, res)
	}
	// The replenishment request its waiting line raised is withdrawn, saying why.
	creq := str(c.Map(t)["lines"].([]any)[1].(map[string]any)["request_id"])
	if creq == "" {
		t.Fatalf("the waiting line names no request: %s", c.Body)
	}
	if rq := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-requests/" + creq, Token: w.tn.Admin}).Map(t); rq["status"] != "cancelled" ||
		!strings.Contains(str(rq["cancel_reason"]), str(cm["number"])) || !strings.Contains(str(rq["cancel_reason"]), "found one elsewhere") {
		t.Fatalf("the cancelled order's request %v: want cancelled, its reason naming the order and why", rq)
	}
	if l := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-requests?status=cancelled", Token: w.staff0}); !strings.Contains(string(l.Body), creq) {
		t.Errorf("the outlet's cancelled requests miss the withdrawn one: %s", l.Body)
	}
	// A request approved already stays when its order is cancelled: the stock comes anyway.
	a := w.create(w.staff0, line(w.awaited, 3)).Map(t)
	areq := str(a["lines"].([]any)[0].(map[string]any)["request_id"])
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/part-requests/" + areq + "/review", Token: w.tn.Admin,
		Body: map[string]any{"decision": "approve"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/part-orders/" + str(a["id"]) + "/cancel", Token: w.staff0,
		Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"reason": "changed mind"}})
	if rq := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-requests/" + areq, Token: w.tn.Admin}).Map(t); rq["status"] != "approved" ||
		rq["cancel_reason"] != nil {
		t.Fatalf("an approved request of a cancelled order %v: want it approved still", rq)
	}
}

// serialWorld adds a serial-tracked part (a main board, 800.00) to a part order world, with
// units in stock at the counter's warehouse, one at another outlet's warehouse, and a unit of
// another serial-tracked part.
type serialWorld struct {
	*partOrderWorld
	board, other, elsewhere string
}

func newSerialWorld(t *testing.T, env *apitest.Env) *serialWorld {
	t.Helper()
	w := &serialWorld{partOrderWorld: newPartOrderWorld(t, env)}
	tracked := func(no string) string {
		return str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: w.tn.Admin, Body: map[string]any{
			"part_no": no + "-" + w.u, "name_zh": "主板", "name_en": "Main board", "serial_tracked": true, "unit_cost": 40000,
			"outlet_price": 60000, "consumer_price": 80000}}).Map(t)["id"])
	}
	w.board, w.other = tracked("BOARD"), tracked("PANEL")
	w.elsewhere = str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: w.tn.Admin, Body: map[string]any{
		"code": "ELS-" + w.u, "name": "Elsewhere", "kind": "spare_parts", "outlet_id": w.tn.Outlets[1]}}).Map(t)["id"])
	for _, u := range []struct{ wh, part, serial string }{{w.wh, w.board, "A"}, {w.wh, w.board, "B"}, {w.wh, w.board, "C"},
		{w.wh, w.board, "D"}, {w.elsewhere, w.board, "E"}, {w.wh, w.other, "P"}} {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: w.tn.Admin, Body: map[string]any{
			"idempotency_key": "sn-in-" + u.serial + w.u, "type": "receipt", "warehouse_id": u.wh, "part_id": u.part, "qty": 1,
			"serial": w.sn(u.serial)}})
	}
	return w
}

func (w *serialWorld) sn(s string) string { return "SN" + s + "-" + w.u }

// paidOrder orders qty boards and pays the bill; it returns the order's id, version and line.
func (w *serialWorld) paidOrder(t *testing.T, qty int) (id, version, lineID string) {
	t.Helper()
	r := w.create(w.staff0, line(w.board, qty))
	if r.Status != 201 {
		t.Fatalf("order of %d boards: %d %s", qty, r.Status, r.Body)
	}
	po := r.Map(t)
	if po["status"] != "ordered" {
		t.Fatalf("order of %d boards in stock: %v, want ordered", qty, po)
	}
	w.env.Must(201, apitest.Req{Method: "POST", Path: "/v1/bills/" + str(po["bill"].(map[string]any)["id"]) + "/payments", Token: w.staff0,
		Body: map[string]any{"method": "cash", "amount": 80000 * qty}})
	return str(po["id"]), `"` + str(po["version"]) + `"`, str(po["lines"].([]any)[0].(map[string]any)["id"])
}

func (w *serialWorld) pickupSerials(id, version string, body any) *apitest.Response {
	return w.env.Do(apitest.Req{Method: "POST", Path: "/v1/part-orders/" + id + "/pickup", Token: w.staff0,
		Header: map[string]string{"If-Match": version}, Body: body})
}

func (w *serialWorld) place(t *testing.T, part, serial string) (string, []any) {
	t.Helper()
	h := w.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/parts/" + part + "/serials?serial=" + serial, Token: w.tn.Admin}).Map(t)
	item := h["items"].([]any)[0].(map[string]any)
	mv, _ := item["movements"].([]any)
	return str(item["place"]), mv
}

// TestPartOrderSerialTrackedParts: a serial-tracked part (a main board) is ordered at the
// counter like any part; the pickup names a serial per unit and bad serials are refused at
// their field with nothing moved (none named, too few, one twice, unknown, another part's,
// at another warehouse); the serials named go to the customer (sold, the history shows the
// consumer_purchase naming the order) and the line keeps them.
func TestPartOrderSerialTrackedParts(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newSerialWorld(t, env)
	id, ver, lineID := w.paidOrder(t, 2)
	if on, res := w.onHand(t, w.board); on != 4 || res != 2 {
		t.Fatalf("boards after the order: on hand %d reserved %d, want 4 and 2", on, res)
	}
	pick := func(serials ...string) map[string]any {
		return map[string]any{"lines": []map[string]any{{"line_id": lineID, "serials": serials}}}
	}
	// What the pickup may hand over: the board's units on this warehouse's shelf, not the one
	// at the other warehouse nor the other part's; asked by the counter's manager and by an
	// engineer of the outlet (who may hand it over but not read the stock); another outlet's
	// manager does not see the order.
	_, engineer := w.env.Person(w.tn, "engineer", w.tn.Outlets[0])
	if r := w.env.Do(apitest.Req{Method: "GET", Path: "/v1/parts/" + w.board + "/serials", Token: engineer}); r.Status != 403 {
		t.Fatalf("the engineer reads the stock's serials: %d, want 403 (the choices below are theirs without it)", r.Status)
	}
	for _, who := range []string{w.staff0, engineer} {
		choices := w.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-orders/" + id + "/pickup-serials", Token: who}).Map(t)["items"].([]any)
		if len(choices) != 1 {
			t.Fatalf("pickup choices: %v, want the one board line", choices)
		}
		c := choices[0].(map[string]any)
		if got := fmt.Sprint(c["serials"]); c["line_id"] != lineID || got != fmt.Sprint([]any{w.sn("A"), w.sn("B"), w.sn("C"), w.sn("D")}) {
			t.Errorf("pickup choices of the line: %v, want line %s with A, B, C and D (not E elsewhere, not P)", c, lineID)
		}
	}
	if r := w.env.Do(apitest.Req{Method: "GET", Path: "/v1/part-orders/" + id + "/pickup-serials", Token: w.staff1}); r.Status != 404 {
		t.Errorf("another outlet's manager asks the pickup's choices: %d, want 404", r.Status)
	}
	for _, c := range []struct {
		name  string
		body  any
		field string
	}{
		{"no serials", nil, "body.lines"},
		{"one serial for two units", pick(w.sn("A")), "body.lines[0].serials"},
		{"a serial twice", pick(w.sn("A"), w.sn("A")), "body.lines[0].serials[1]"},
		{"an unknown serial", pick(w.sn("A"), "NOPE-"+w.u), "body.lines[0].serials[1]"},
		{"another part's serial", pick(w.sn("A"), w.sn("P")), "body.lines[0].serials[1]"},
		{"a serial at another warehouse", pick(w.sn("E"), w.sn("B")), "body.lines[0].serials[0]"},
		{"another line", map[string]any{"lines": []map[string]any{{"line_id": uuid.NewString(), "serials": []string{w.sn("A")}}}},
			"body.lines[0].line_id"},
	} {
		if r := w.pickupSerials(id, ver, c.body); r.Status != 422 || !problemAt(t, r, c.field) {
			t.Errorf("pickup with %s: %d %s, want 422 at %s", c.name, r.Status, r.Body, c.field)
		}
	}
	if on, res := w.onHand(t, w.board); on != 4 || res != 2 {
		t.Fatalf("boards after refused pickups: on hand %d reserved %d, want 4 and 2", on, res)
	}
	r := w.pickupSerials(id, ver, pick(w.sn("A"), w.sn("B")))
	if r.Status != 200 {
		t.Fatalf("pickup with two good serials: %d %s", r.Status, r.Body)
	}
	po := r.Map(t)
	l := po["lines"].([]any)[0].(map[string]any)
	if po["status"] != "picked_up" || l["serial_tracked"] != true || len(l["serials"].([]any)) != 2 || l["serials"].([]any)[1] != w.sn("B") {
		t.Fatalf("picked up %v: want picked up with the line's serials A and B", po)
	}
	for _, s := range []string{"A", "B"} {
		place, mv := w.place(t, w.board, w.sn(s))
		last := mv[len(mv)-1].(map[string]any)
		if place != "sold" || last["type"] != "issue" || last["issue_kind"] != "consumer_purchase" || last["part_order_id"] != id {
			t.Errorf("serial %s after the pickup: %s, last movement %v; want sold by a consumer_purchase naming the order", s, place, last)
		}
	}
	if place, _ := w.place(t, w.board, w.sn("C")); place != "in_stock" {
		t.Errorf("serial C not picked: %s, want in_stock", place)
	}
	if on, res := w.onHand(t, w.board); on != 2 || res != 0 {
		t.Fatalf("boards after the pickup: on hand %d reserved %d, want 2 and 0", on, res)
	}
	if r := w.pickupSerials(id, `"`+str(po["version"])+`"`, pick(w.sn("C"), w.sn("D"))); r.Status != 409 {
		t.Fatalf("a second pickup: %d %s, want 409", r.Status, r.Body)
	}
	if got := w.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-orders/" + id + "/pickup-serials", Token: w.staff0}).Map(t)["items"]; len(got.([]any)) != 0 {
		t.Errorf("pickup choices of an order picked up: %v, want none", got)
	}
}

// TestPartOrderSerialPickedUpOnce: two orders of one board each are picked up at the same time
// naming the same serial; one hands it over, the other is refused at the serial and then
// picks up another unit.
func TestPartOrderSerialPickedUpOnce(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newSerialWorld(t, env)
	type order struct{ id, ver, line string }
	var os [2]order
	for i := range os {
		os[i].id, os[i].ver, os[i].line = w.paidOrder(t, 1)
	}
	body := func(o order, s string) map[string]any {
		return map[string]any{"lines": []map[string]any{{"line_id": o.line, "serials": []string{w.sn(s)}}}}
	}
	rs := make([]*apitest.Response, 2)
	var wg sync.WaitGroup
	for i := range os {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs[i] = w.pickupSerials(os[i].id, os[i].ver, body(os[i], "C"))
		}()
	}
	wg.Wait()
	won, lost := -1, -1
	for i, r := range rs {
		switch {
		case r.Status == 200:
			won = i
		case r.Status == 422 && problemAt(t, r, "body.lines[0].serials[0]"):
			lost = i
		}
	}
	if won < 0 || lost < 0 {
		t.Fatalf("two pickups of serial C: %d %s / %d %s, want one 200 and one 422 at the serial", rs[0].Status, rs[0].Body,
			rs[1].Status, rs[1].Body)
	}
	mv := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/movements?type=issue&warehouse_id=" + w.wh, Token: w.tn.Admin}).Map(t)
	if items := mv["items"].([]any); len(items) != 1 || items[0].(map[string]any)["serial"] != w.sn("C") {
		t.Fatalf("issues after the race: %v, want one of serial C", items)
	}
	if r := w.pickupSerials(os[lost].id, os[lost].ver, body(os[lost], "D")); r.Status != 200 {
		t.Fatalf("the refused order with another unit: %d %s", r.Status, r.Body)
	}
}

// TestPartOrderLastUnitPickedUpOnce: two pickups of a paid order holding the last unit race;
// one hands it over, the other is refused, and the journal has one issue.
func TestPartOrderLastUnitPickedUpOnce(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newPartOrderWorld(t, env)
	po := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/part-orders", Token: w.staff0, Body: map[string]any{
		"customer_id": w.customer, "warehouse_id": w.wh, "lines": []map[string]any{line(w.stocked, 1)}}}).Map(t)
	if po["status"] != "ordered" {
		t.Fatalf("an order of a part in stock: %v, want ordered", po)
	}
	// A second order for the same (last) unit waits for it.
	if second := w.create(w.staff0, line(w.stocked, 1)).Map(t); second["status"] != "waiting" {
		t.Fatalf("a second order for the last unit: %v, want waiting", second)
	}
	bill := po["bill"].(map[string]any)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/bills/" + str(bill["id"]) + "/payments", Token: w.staff0,
		Body: map[string]any{"method": "card", "amount": 5000, "reference": "POS-" + w.u}})
	id, ver := str(po["id"]), `"`+str(po["version"])+`"`
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = w.pickup(w.staff0, id, ver).Status
		}()
	}
	wg.Wait()
	refused := func(c int) bool { return c == 409 || c == 412 }
	if oneWon := codes[0] == 200 && refused(codes[1]) || codes[1] == 200 && refused(codes[0]); !oneWon {
		t.Fatalf("two concurrent pickups: %v, want one 200 and one refusal", codes)
	}
	mv := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/movements?type=issue&warehouse_id=" + w.wh, Token: w.tn.Admin}).Map(t)
	if items := mv["items"].([]any); len(items) != 1 || items[0].(map[string]any)["qty"] != -1.0 {
		t.Fatalf("issues after the race: %v, want one of -1", items)
	}
	if on, res := w.onHand(t, w.stocked); on != 0 || res != 0 {
		t.Fatalf("after the race: on hand %d reserved %d, want 0 and 0", on, res)
	}
}
