package api_test

import (
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// problemAt reports whether a problem response lists an error at location.
func problemAt(t *testing.T, r *apitest.Response, location string) bool {
	t.Helper()
	var p struct {
		Errors []struct {
			Location string `json:"location"`
		} `json:"errors"`
	}
	r.JSON(t, &p)
	for _, e := range p.Errors {
		if e.Location == location {
			return true
		}
	}
	return false
}

// TestStockOverHTTP: a part and a warehouse are created, stock is received and sold over the
// counter, the list shows it with its value, and bad movements are RFC 9457 problems naming
// the field, with nothing written.
func TestStockOverHTTP(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn, other := env.NewTenant(), env.NewTenant()
	u := env.Unique()
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "CMP-" + u, "name_zh": "压缩机", "name_en": "Compressor", "unit_cost": 30000, "outlet_price": 40000, "consumer_price": 52000}}).Map(t)
	wh := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: map[string]any{
		"code": "SH-" + u, "name": "上海备件库", "kind": "spare_parts", "outlet_id": tn.Outlets[0]}}).Map(t)
	foreign := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: other.Admin, Body: map[string]any{
		"code": "X-" + u, "name": "Other", "kind": "spare_parts"}}).Map(t)
	move := func(body map[string]any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: body})
	}
	rcv := map[string]any{"idempotency_key": "grn-" + u, "type": "receipt", "warehouse_id": wh["id"], "part_id": part["id"], "qty": 5}
	if r := move(rcv); r.Status != 201 {
		t.Fatalf("receipt: %d %s", r.Status, r.Body)
	}
	if r := move(rcv); r.Status != 200 || !strings.Contains(string(r.Body), `"replayed":true`) {
		t.Fatalf("receipt again: %d %s, want the first replayed", r.Status, r.Body)
	}
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"negative qty", map[string]any{"type": "receipt", "warehouse_id": wh["id"], "part_id": part["id"], "qty": -1}, "body.qty"},
		{"fractional qty", map[string]any{"type": "receipt", "warehouse_id": wh["id"], "part_id": part["id"], "qty": 1.5}, "body.qty"},
		{"unknown part", map[string]any{"type": "receipt", "warehouse_id": wh["id"], "part_id": "0192f3a0-0000-7000-8000-000000000000", "qty": 1},
			"body.part_id"},
		{"another tenant's warehouse", map[string]any{"type": "receipt", "warehouse_id": foreign["id"], "part_id": part["id"], "qty": 1},
			"body.warehouse_id"},
		{"more than on hand", map[string]any{"type": "issue", "issue_kind": "consumer_purchase", "warehouse_id": wh["id"],
			"part_id": part["id"], "qty": 6}, "body.qty"},
		{"unknown type", map[string]any{"type": "gift", "warehouse_id": wh["id"], "part_id": part["id"], "qty": 1}, "body.type"},
		{"adjustment here", map[string]any{"type": "adjustment", "reason": "count", "warehouse_id": wh["id"], "part_id": part["id"], "qty": 1},
			"body.type"},
	} {
		c.body["idempotency_key"] = "bad-" + env.Unique()
		r := move(c.body)
		if r.Status != 422 || !problemAt(t, r, c.field) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s, want a 422 problem at %s", c.name, r.Status, r.Body, c.field)
		}
	}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "sale-" + u, "type": "issue", "issue_kind": "consumer_purchase", "warehouse_id": wh["id"], "part_id": part["id"], "qty": 2}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/adjustments", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "count-" + u, "warehouse_id": wh["id"], "part_id": part["id"], "qty": -1, "reason": "one missing at the count"}})
	var list struct {
		Items []struct {
			OnHand    int   `json:"on_hand"`
			Available int   `json:"available"`
			Value     int64 `json:"value"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?warehouse_id=" + wh["id"].(string), Token: tn.Admin}).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].OnHand != 2 || list.Items[0].Value != 2*30000 {
		t.Errorf("stock: %+v, want 2 on hand worth 60000", list.Items)
	}
	var journal struct {
		Items []map[string]any `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/movements?part_id=" + part["id"].(string), Token: tn.Admin}).JSON(t, &journal)
	if len(journal.Items) != 3 || journal.Items[0]["type"] != "adjustment" || journal.Items[0]["approved_by"] == nil {
		t.Errorf("journal: %v, want receipt, issue and an approved adjustment, newest first", journal.Items)
	}
	// Staff of the other outlet see neither the warehouse's stock nor its journal.
	_, mgr := env.Person(tn, "outlet_manager", tn.Outlets[1])
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?warehouse_id=" + wh["id"].(string), Token: mgr}).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("a manager of the other outlet sees %d stock lines of outlet 1", len(list.Items))
	}
	env.Must(404, apitest.Req{Method: "GET", Path: "/v1/warehouses/" + wh["id"].(string), Token: mgr})
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: mgr, Body: map[string]any{"idempotency_key": "eng-" + u,
		"type": "issue", "issue_kind": "consumer_purchase", "warehouse_id": wh["id"], "part_id": part["id"], "qty": 1}})
	if r.Status != 422 || !problemAt(t, r, "body.warehouse_id") {
		t.Errorf("manager of outlet 2 issuing from outlet 1: %d %s", r.Status, r.Body)
	}
	// Engineers hold no inventory rights (their van has its own calls): they neither read the
	// outlet's stock nor approve counts.
	_, eng := env.Person(tn, "engineer", tn.Outlets[1])
	env.Must(403, apitest.Req{Method: "GET", Path: "/v1/stock", Token: eng})
	env.Must(403, apitest.Req{Method: "POST", Path: "/v1/stock/adjustments", Token: eng, Body: map[string]any{
		"idempotency_key": "eng-count-" + u, "warehouse_id": wh["id"], "part_id": part["id"], "qty": 1, "reason": "found one"}})
	if d := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/drift", Token: tn.Admin}); !strings.Contains(string(d.Body), `"drifted":[]`) {
		t.Errorf("drift: %s", d.Body)
	}
}

// TestPartsImport: a CSV with a bad row imports nothing and names each bad cell by row; the
// corrected file creates the parts, with a substitute named by part number from the same file.
func TestPartsImport(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	u := env.Unique()
	bad := "part_no,name_zh,substitutes,unit_cost,serial_tracked\n" +
		"A-" + u + ",主板,,100,yes\n" +
		"B-" + u + ",风扇,A-" + u + ",-5,no\n" +
		"C-" + u + ",,NOPE,1,maybe\n"
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/parts/import", Token: tn.Admin, Body: []byte(bad), Header: map[string]string{"Content-Type": "text/csv"}})
	if r.Status != 422 {
		t.Fatalf("bad file: %d %s", r.Status, r.Body)
	}
	for _, loc := range []string{"body.rows[3].unit_cost", "body.rows[4].name_zh", "body.rows[4].serial_tracked", "body.rows[4].substitutes"} {
		if !problemAt(t, r, loc) {
			t.Errorf("bad file: no problem at %s: %s", loc, r.Body)
		}
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/parts?q=" + u, Token: tn.Admin}).JSON(t, &page)
	if len(page.Items) != 0 {
		t.Fatalf("a rejected file wrote %d parts", len(page.Items))
	}
	good := "零件号,名称,替代件,成本,序列号管理,旧件返还\n" + "A-" + u + ",主板,,100,是,是\n" + "B-" + u + ",风扇,A-" + u + ",5,否,\n"
	res := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/parts/import", Token: tn.Admin, Body: []byte(good),
		Header: map[string]string{"Content-Type": "text/csv"}}).Map(t)
	if res["created"].(float64) != 2 {
		t.Errorf("import: %v, want 2 created", res)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/parts?q=B-" + u, Token: tn.Admin}).JSON(t, &page)
	if len(page.Items) != 1 || len(page.Items[0]["substitute_ids"].([]any)) != 1 {
		t.Errorf("part B: %v, want A as its substitute", page.Items)
	}
	if len(page.Items) == 1 && page.Items[0]["return_required"] == true {
		t.Errorf("part B: returned to the maker, but its cell was empty")
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/parts?q=A-" + u, Token: tn.Admin}).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0]["return_required"] != true {
		t.Errorf("part A: %v, want return_required from its 旧件返还 cell", page.Items)
	}
	again := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/parts/import", Token: tn.Admin, Body: []byte(good),
		Header: map[string]string{"Content-Type": "text/csv"}}).Map(t)
	if again["updated"].(float64) != 2 || again["created"].(float64) != 0 {
		t.Errorf("the same file again: %v, want 2 updated", again)
	}
}

// TestTransferOverHTTP: receiving more than was shipped is a problem at the line's
// qty_received and moves nothing; the right count lands at the receiver.
func TestTransferOverHTTP(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	u := env.Unique()
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "F-" + u, "name_zh": "风扇", "unit_cost": 100, "outlet_price": 150, "consumer_price": 200}}).Map(t)
	var ws []string
	for i := range 2 {
		w := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: map[string]any{
			"code": "T" + string(rune('A'+i)) + "-" + u, "name": "Stock", "kind": "spare_parts", "outlet_id": tn.Outlets[i]}}).Map(t)
		ws = append(ws, w["id"].(string))
	}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "in-" + u, "type": "receipt", "warehouse_id": ws[0], "part_id": part["id"], "qty": 5}})
	tr := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/transfers", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "ship-" + u, "from_warehouse_id": ws[0], "to_warehouse_id": ws[1],
		"lines": []map[string]any{{"part_id": part["id"], "qty": 2}}}}).Map(t)
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/transfers/" + tr["id"].(string) + "/receive", Token: tn.Admin,
		Body: map[string]any{"lines": []map[string]any{{"line_no": 1, "qty_received": 3}}}})
	if r.Status != 422 || !problemAt(t, r, "body.lines[0].qty_received") {
		t.Fatalf("receiving more than shipped: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/transfers/" + tr["id"].(string) + "/receive", Token: tn.Admin,
		Body: map[string]any{"lines": []map[string]any{{"line_no": 1, "qty_received": 2}}}})
	var list struct {
		Items []struct {
			OnHand int `json:"on_hand"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?warehouse_id=" + ws[1], Token: tn.Admin}).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].OnHand != 2 {
		t.Errorf("receiver's stock: %+v, want 2", list.Items)
	}
}

// TestTransferList: the list shows each transfer with its lines, filters by warehouse and
// status, shows outlet staff only the transfers sent from or to their outlet, and shows
// another tenant nothing.
func TestTransferList(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn, other := env.NewTenant(), env.NewTenant()
	_, mgr1 := env.Person(tn, "outlet_manager", tn.Outlets[1])
	u := env.Unique()
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "L-" + u, "name_zh": "滤网", "unit_cost": 10, "outlet_price": 15, "consumer_price": 20}}).Map(t)
	wh := func(code string, outlet any) string {
		body := map[string]any{"code": code + "-" + u, "name": code, "kind": "spare_parts"}
		if outlet != nil {
			body["outlet_id"] = outlet
		}
		return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: body}).Map(t)["id"].(string)
	}
	central, w0, w1 := wh("C", nil), wh("O0", tn.Outlets[0]), wh("O1", tn.Outlets[1])
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "in-" + u, "type": "receipt", "warehouse_id": central, "part_id": part["id"], "qty": 9}})
	ship := func(key, from, to string, qty int) string {
		return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/transfers", Token: tn.Admin, Body: map[string]any{
			"idempotency_key": key + u, "from_warehouse_id": from, "to_warehouse_id": to,
			"lines": []map[string]any{{"part_id": part["id"], "qty": qty}}}}).Map(t)["id"].(string)
	}
	toOutlet1 := ship("a", central, w1, 3)
	toOutlet0 := ship("b", central, w0, 2)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/transfers/" + toOutlet0 + "/receive", Token: tn.Admin,
		Body: map[string]any{"lines": []map[string]any{{"line_no": 1, "qty_received": 1, "discrepancy_reason": "damaged"}}}})

	list := func(tok, query string) []map[string]any {
		t.Helper()
		var p struct {
			Items []map[string]any `json:"items"`
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/transfers" + query, Token: tok}).JSON(t, &p)
		return p.Items
	}
	ids := func(items []map[string]any) []string {
		out := []string{}
		for _, it := range items {
			out = append(out, it["id"].(string))
		}
		return out
	}
	all := list(tn.Admin, "")
	if got := ids(all); len(got) != 2 || got[0] != toOutlet0 || got[1] != toOutlet1 {
		t.Fatalf("admin's transfers: %v, want newest first [%s %s]", got, toOutlet0, toOutlet1)
	}
	line := all[0]["lines"].([]any)[0].(map[string]any)
	if line["qty_shipped"] != 2.0 || line["qty_received"] != 1.0 || line["discrepancy_reason"] != "damaged" {
		t.Errorf("received line in the list: %v", line)
	}
	if got := ids(list(tn.Admin, "?status=in_transit")); len(got) != 1 || got[0] != toOutlet1 {
		t.Errorf("in transit: %v, want [%s]", got, toOutlet1)
	}
	if got := ids(list(tn.Admin, "?warehouse_id="+w0)); len(got) != 1 || got[0] != toOutlet0 {
		t.Errorf("of warehouse O0: %v, want [%s]", got, toOutlet0)
	}
	if got := ids(list(tn.Admin, "?limit=1")); len(got) != 1 || got[0] != toOutlet0 {
		t.Errorf("first page of 1: %v", got)
	}
	if got := ids(list(mgr1, "")); len(got) != 1 || got[0] != toOutlet1 {
		t.Errorf("outlet 1's manager sees %v, want only the transfer to outlet 1 (%s)", got, toOutlet1)
	}
	if got := list(other.Admin, ""); len(got) != 0 {
		t.Errorf("another tenant lists %d transfers, want none", len(got))
	}
	if got := list(other.Admin, "?warehouse_id="+central); len(got) != 0 {
		t.Errorf("another tenant lists the central warehouse's transfers: %d", len(got))
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/transfers?status=lost", Token: tn.Admin}); r.Status != 422 || !problemAt(t, r, "query.status") {
		t.Errorf("unknown status: %d %s", r.Status, r.Body)
	}
}
