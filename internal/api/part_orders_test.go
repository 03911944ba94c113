package api_test

import (
	"context"
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
