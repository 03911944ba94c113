package api_test

import (
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestPartRequestsReviewedAndShipped: an outlet asks the central warehouse for parts into its
// own warehouse only; the central staff approve (cutting with a note) or reject (with a
// note), outlet managers cannot review even their own outlet's requests, another outlet does
// not see them, and the approved ones ship as one transfer that takes the stock off the
// central shelf.
func TestPartRequestsReviewedAndShipped(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	_, mgr0 := env.Person(tn, "outlet_manager", tn.Outlets[0])
	_, mgr1 := env.Person(tn, "outlet_manager", tn.Outlets[1])
	u := env.Unique()
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "R-" + u, "name_zh": "电机", "unit_cost": 10, "outlet_price": 15, "consumer_price": 20}}).Map(t)["id"].(string)
	wh := func(code string, outlet any) string {
		body := map[string]any{"code": code + "-" + u, "name": code, "kind": "spare_parts"}
		if outlet != nil {
			body["outlet_id"] = outlet
		}
		return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: body}).Map(t)["id"].(string)
	}
	central, w0, w1 := wh("C", nil), wh("O0", tn.Outlets[0]), wh("O1", tn.Outlets[1])
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "in-" + u, "type": "receipt", "warehouse_id": central, "part_id": part, "qty": 10}})

	ask := func(tok, into string, qty any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/part-requests", Token: tok, Body: map[string]any{
			"warehouse_id": into, "source_warehouse_id": central, "part_id": part, "qty": qty, "reason": "weekly top-up"}})
	}
	if r := ask(mgr0, w1, 5); r.Status != 422 || !problemAt(t, r, "body.warehouse_id") {
		t.Errorf("outlet 0 asks into outlet 1's warehouse: %d %s", r.Status, r.Body)
	}
	if r := ask(mgr0, w0, 0); r.Status != 422 || !problemAt(t, r, "body.qty") {
		t.Errorf("zero units: %d %s", r.Status, r.Body)
	}
	if r := ask(mgr0, w0, 1.5); r.Status != 422 || !problemAt(t, r, "body.qty") {
		t.Errorf("a fraction of a unit: %d %s", r.Status, r.Body)
	}
	first := ask(mgr0, w0, 5)
	if first.Status != 201 {
		t.Fatalf("outlet 0's request: %d %s", first.Status, first.Body)
	}
	req := first.Map(t)
	id := req["id"].(string)
	if req["status"] != "pending" || req["outlet_id"] != tn.Outlets[0] {
		t.Errorf("new request: %v", req)
	}

	review := func(tok, id string, body map[string]any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/part-requests/" + id + "/review", Token: tok, Body: body})
	}
	if r := review(mgr0, id, map[string]any{"decision": "approve"}); r.Status != 403 {
		t.Errorf("outlet manager reviews their own outlet's request: %d, want 403: %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/part-requests/" + id, Token: mgr1}); r.Status != 404 {
		t.Errorf("outlet 1 reads outlet 0's request: %d, want 404", r.Status)
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-requests", Token: mgr1}).JSON(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("outlet 1 lists %d requests, want none", len(page.Items))
	}
	if r := review(tn.Admin, id, map[string]any{"decision": "approve", "approved_qty": 6}); r.Status != 422 || !problemAt(t, r, "body.approved_qty") {
		t.Errorf("approving more than asked: %d %s", r.Status, r.Body)
	}
	if r := review(tn.Admin, id, map[string]any{"decision": "approve", "approved_qty": 3}); r.Status != 422 || !problemAt(t, r, "body.note") {
		t.Errorf("a cut without a note: %d %s", r.Status, r.Body)
	}
	if r := review(tn.Admin, id, map[string]any{"decision": "approve", "approved_qty": 3, "note": "central stock is low"}); r.Status != 200 ||
		r.Map(t)["status"] != "approved" || r.Map(t)["approved_qty"] != 3.0 {
		t.Fatalf("approve cut to 3: %d %s", r.Status, r.Body)
	}
	if r := review(tn.Admin, id, map[string]any{"decision": "reject", "note": "again"}); r.Status != 409 {
		t.Errorf("a second review: %d, want 409: %s", r.Status, r.Body)
	}
	other := ask(mgr0, w0, 2).Map(t)["id"].(string)
	if r := review(tn.Admin, other, map[string]any{"decision": "reject"}); r.Status != 422 || !problemAt(t, r, "body.note") {
		t.Errorf("a rejection without a reason: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/part-requests/" + other + "/review", Token: tn.Admin,
		Body: map[string]any{"decision": "reject", "note": "use the substitute"}})

	ship := func(ids ...string) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/part-requests/ship", Token: tn.Admin, Body: map[string]any{
			"idempotency_key": "ship-" + u, "request_ids": ids}})
	}
	if r := ship(id, other); r.Status != 422 || !problemAt(t, r, "body.request_ids[1]") {
		t.Errorf("shipping a rejected request: %d %s", r.Status, r.Body)
	}
	var on struct {
		Items []struct {
			OnHand int `json:"on_hand"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?warehouse_id=" + central, Token: tn.Admin}).JSON(t, &on)
	if len(on.Items) != 1 || on.Items[0].OnHand != 10 {
		t.Fatalf("central stock after the refused shipment: %+v, want 10 (nothing half-written)", on.Items)
	}
	r := ship(id)
	if r.Status != 201 {
		t.Fatalf("ship the approved request: %d %s", r.Status, r.Body)
	}
	tr := r.Map(t)
	if tr["to_warehouse_id"] != w0 || tr["lines"].([]any)[0].(map[string]any)["qty_shipped"] != 3.0 {
		t.Errorf("the transfer: %v", tr)
	}
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-requests/" + id, Token: mgr0}).Map(t)
	if got["status"] != "shipped" || got["transfer_id"] != tr["id"] {
		t.Errorf("request after shipping: %v", got)
	}
	if again := ship(id); again.Status != 201 || again.Map(t)["id"] != tr["id"] {
		t.Errorf("shipping again: %d %s, want the same transfer", again.Status, again.Body)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?warehouse_id=" + central, Token: tn.Admin}).JSON(t, &on)
	if len(on.Items) != 1 || on.Items[0].OnHand != 7 {
		t.Errorf("central stock after shipping: %+v, want 7", on.Items)
	}
}

// TestSafetyStock: set per warehouse and part, listed by warehouse; negative minimums and
// another outlet's warehouse are refused at their fields.
func TestSafetyStock(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	_, mgr1 := env.Person(tn, "outlet_manager", tn.Outlets[1])
	u := env.Unique()
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "S-" + u, "name_zh": "电容", "unit_cost": 1, "outlet_price": 2, "consumer_price": 3}}).Map(t)["id"].(string)
	w0 := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: map[string]any{
		"code": "S0-" + u, "name": "O0", "kind": "spare_parts", "outlet_id": tn.Outlets[0]}}).Map(t)["id"].(string)
	set := func(tok string, minQty any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/safety-stock", Token: tok, Body: map[string]any{
			"warehouse_id": w0, "part_id": part, "min_qty": minQty, "reorder_qty": 10}})
	}
	if r := set(tn.Admin, -1); r.Status != 422 || !problemAt(t, r, "body.min_qty") {
		t.Errorf("negative minimum: %d %s", r.Status, r.Body)
	}
	if r := set(mgr1, 4); r.Status != 422 || !problemAt(t, r, "body.warehouse_id") {
		t.Errorf("outlet 1 sets outlet 0's safety stock: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/safety-stock", Token: tn.Admin, Body: map[string]any{
		"warehouse_id": w0, "part_id": part, "min_qty": 3, "reorder_qty": 10}})
	if r := set(tn.Admin, 4); r.Status != 200 {
		t.Fatalf("change the minimum: %d %s", r.Status, r.Body)
	}
	var list struct {
		Items []struct {
			MinQty     int `json:"min_qty"`
			ReorderQty int `json:"reorder_qty"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/safety-stock?warehouse_id=" + w0, Token: tn.Admin}).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].MinQty != 4 || list.Items[0].ReorderQty != 10 {
		t.Errorf("safety stock of O0: %+v, want one row 4/10", list.Items)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/safety-stock", Token: mgr1}).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("outlet 1 lists outlet 0's safety stock: %+v", list.Items)
	}
}

// TestSuggestions: a line below its safety stock is suggested with on hand, reserved, in
// transit and incoming beside it, and what is on its way counts against the shortfall.
func TestSuggestions(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	u := env.Unique()
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "G-" + u, "name_zh": "风扇", "unit_cost": 1, "outlet_price": 2, "consumer_price": 3}}).Map(t)["id"].(string)
	central := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: map[string]any{
		"code": "GC-" + u, "name": "C", "kind": "spare_parts"}}).Map(t)["id"].(string)
	w0 := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: map[string]any{
		"code": "G0-" + u, "name": "O0", "kind": "spare_parts", "outlet_id": tn.Outlets[0]}}).Map(t)["id"].(string)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "in-" + u, "type": "receipt", "warehouse_id": central, "part_id": part, "qty": 10}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "in0-" + u, "type": "receipt", "warehouse_id": w0, "part_id": part, "qty": 1}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/safety-stock", Token: tn.Admin, Body: map[string]any{
		"warehouse_id": w0, "part_id": part, "min_qty": 8, "reorder_qty": 2}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/transfers", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "t-" + u, "from_warehouse_id": central, "to_warehouse_id": w0,
		"lines": []map[string]any{{"part_id": part, "qty": 2}}}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/part-requests", Token: tn.Admin, Body: map[string]any{
		"warehouse_id": w0, "source_warehouse_id": central, "part_id": part, "qty": 1}})
	var list struct {
		Items []struct {
			OnHand    int `json:"on_hand"`
			Available int `json:"available"`
			InTransit int `json:"in_transit"`
			Incoming  int `json:"incoming"`
			Suggested int `json:"suggested"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/suggestions?warehouse_id=" + w0, Token: tn.Admin}).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("suggestions: %+v, want one line", list.Items)
	}
	if s := list.Items[0]; s.OnHand != 1 || s.Available != 1 || s.InTransit != 2 || s.Incoming != 1 || s.Suggested != 4 {
		t.Errorf("suggestion: %+v, want on hand 1, in transit 2, incoming 1, suggested 8-4=4", s)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/safety-stock", Token: tn.Admin, Body: map[string]any{
		"warehouse_id": w0, "part_id": part, "min_qty": 4, "reorder_qty": 2}})
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/suggestions?warehouse_id=" + w0, Token: tn.Admin}).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("at the minimum counting what is on its way: %+v, want nothing suggested", list.Items)
	}
	other := env.NewTenant()
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/suggestions?all=true", Token: other.Admin}).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("another tenant sees %d suggestion lines", len(list.Items))
	}
}
