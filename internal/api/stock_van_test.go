package api_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/tenants"
)

// onOrder puts an engineer on an order (accepted), as dispatch does.
func onOrder(t *testing.T, env *apitest.Env, tn *apitest.Tenant, order, user string) {
	t.Helper()
	err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO order_engineers (tenant_id, order_id, user_id, role, state)
			VALUES (app.tenant_id(), $1, $2, 'lead', 'accepted')`, order, user)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// vanStock is what the caller's van holds of part.
func vanStock(t *testing.T, env *apitest.Env, tok, part string) float64 {
	t.Helper()
	van := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/van", Token: tok}).Map(t)
	for _, b := range van["stock"].([]any) {
		if b.(map[string]any)["part_id"] == part {
			return b.(map[string]any)["on_hand"].(float64)
		}
	}
	return 0
}

// TestEngineerVan: an engineer without inventory rights sees their own van, asks the outlet's
// warehouse for parts (the outlet's manager reviews and ships), receives them, uses one on an
// order they work and returns one; another engineer of the same outlet can neither receive
// the first's transfer nor use parts on the first's order, and an engineer of another tenant
// reaches none of it. Bad input is refused at its field with nothing moved.
func TestEngineerVan(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	w := newOrderWorldOf(t, env, tn)
	order := w.order(t, nil)["order"].(map[string]any)
	orderID, outlet := order["id"].(string), order["outlet_id"].(string)
	u := env.Unique()
	_, mgr := env.Person(tn, "outlet_manager", outlet)
	_, engA := env.Person(tn, "engineer", outlet)
	_, engB := env.Person(tn, "engineer", outlet)
	_, noVan := env.Person(tn, "engineer", outlet)
	idOf := func(tok string) string {
		return env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: tok}).Map(t)["id"].(string)
	}
	a, b := idOf(engA), idOf(engB)
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "V-" + u, "name_zh": "温控器", "unit_cost": 10, "outlet_price": 15, "consumer_price": 20}}).Map(t)["id"].(string)
	wh := func(code string, engineer any) string {
		body := map[string]any{"code": code + "-" + u, "name": code, "kind": "spare_parts", "outlet_id": outlet}
		if engineer != nil {
			body["engineer_id"] = engineer
		}
		return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: body}).Map(t)["id"].(string)
	}
	shelf, vanA, vanB := wh("SHELF", nil), wh("VAN-A", a), wh("VAN-B", b)
	for key, at := range map[string]string{"s": shelf, "b": vanB} {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
			"idempotency_key": "in-" + key + u, "type": "receipt", "warehouse_id": at, "part_id": part, "qty": 5}})
	}

	// No inventory rights: the outlet's stock is not theirs to read.
	env.Must(403, apitest.Req{Method: "GET", Path: "/v1/stock", Token: engA})
	env.Must(404, apitest.Req{Method: "GET", Path: "/v1/me/van", Token: noVan})
	van := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/van", Token: engA}).Map(t)
	if van["warehouse"].(map[string]any)["id"] != vanA || len(van["stock"].([]any)) != 0 {
		t.Fatalf("engineer A's van: %v", van)
	}
	if got := vanStock(t, env, engB, part); got != 5 {
		t.Errorf("engineer B's van holds %v, want B's own 5", got)
	}

	// A request into the van, from the outlet's shelf; the outlet's manager reviews and ships.
	ask := func(tok string, body map[string]any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/me/van/requests", Token: tok, Body: body})
	}
	if r := ask(engA, map[string]any{"part_id": part, "qty": 0}); r.Status != 422 || !problemAt(t, r, "body.qty") {
		t.Errorf("zero units: %d %s", r.Status, r.Body)
	}
	if r := ask(engA, map[string]any{"part_id": part, "qty": 1, "source_warehouse_id": vanB}); r.Status != 422 ||
		!problemAt(t, r, "body.source_warehouse_id") {
		t.Errorf("asking another engineer's van: %d %s", r.Status, r.Body)
	}
	req := ask(engA, map[string]any{"part_id": part, "qty": 3, "reason": "tomorrow's round"})
	if req.Status != 201 || req.Map(t)["warehouse_id"] != vanA || req.Map(t)["source_warehouse_id"] != shelf {
		t.Fatalf("request into the van: %d %s", req.Status, req.Body)
	}
	reqID := req.Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/part-requests/" + reqID + "/review", Token: mgr, Body: map[string]any{"decision": "approve"}})
	tr := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/part-requests/ship", Token: mgr, Body: map[string]any{
		"idempotency_key": "ship-" + u, "request_ids": []string{reqID}}}).Map(t)
	receipt := map[string]any{"transfer_id": tr["id"], "lines": []map[string]any{{"line_no": 1, "qty_received": 3}}}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/me/van/receipts", Token: engB, Body: receipt}); r.Status != 422 ||
		!problemAt(t, r, "body.transfer_id") {
		t.Errorf("engineer B receives A's transfer: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/me/van/receipts", Token: engA, Body: receipt})
	if got := vanStock(t, env, engA, part); got != 3 {
		t.Errorf("van A after receiving: %v, want 3", got)
	}

	// Parts used on an order the engineer works, and only there.
	use := func(tok, key string, qty any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/me/van/parts", Token: tok, Body: map[string]any{
			"idempotency_key": key + u, "order_id": orderID, "part_id": part, "qty": qty, "issue_kind": "in_warranty"}})
	}
	if r := use(engA, "use-early-", 1); r.Status != 422 || !problemAt(t, r, "body.order_id") {
		t.Errorf("a part on an order A does not work: %d %s", r.Status, r.Body)
	}
	onOrder(t, env, tn, orderID, a)
	if r := use(engA, "use-half-", 1.5); r.Status != 422 || !problemAt(t, r, "body.qty") {
		t.Errorf("half a unit: %d %s", r.Status, r.Body)
	}
	if r := use(engA, "use-many-", 4); r.Status != 422 || !problemAt(t, r, "body.qty") {
		t.Errorf("more than the van holds: %d %s", r.Status, r.Body)
	}
	if r := use(engB, "use-b-", 1); r.Status != 422 || !problemAt(t, r, "body.order_id") {
		t.Errorf("engineer B uses a part on A's order: %d %s", r.Status, r.Body)
	}
	used := use(engA, "use-", 1)
	if used.Status != 201 || used.Map(t)["warehouse_id"] != vanA || used.Map(t)["order_id"] != orderID {
		t.Fatalf("a part used from the van: %d %s", used.Status, used.Body)
	}
	if got := vanStock(t, env, engB, part); got != 5 {
		t.Errorf("engineer B's van after the refused use: %v, want 5 (untouched)", got)
	}

	// Returned to the outlet's shelf.
	back := func(tok string, qty any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/me/van/returns", Token: tok, Body: map[string]any{
			"idempotency_key": "back-" + u, "part_id": part, "qty": qty, "reason": "unused"}})
	}
	if r := back(engA, 3); r.Status != 422 || !problemAt(t, r, "body.qty") {
		t.Errorf("returning more than the van holds: %d %s", r.Status, r.Body)
	}
	// A return says why: from the list, and other only with a note.
	for reason, r := range map[string]*apitest.Response{
		"body.reason": env.Do(apitest.Req{Method: "POST", Path: "/v1/me/van/returns", Token: engA, Body: map[string]any{
			"idempotency_key": "back-bad-" + u, "part_id": part, "qty": 1, "reason": "bored"}}),
		"body.note": env.Do(apitest.Req{Method: "POST", Path: "/v1/me/van/returns", Token: engA, Body: map[string]any{
			"idempotency_key": "back-other-" + u, "part_id": part, "qty": 1, "reason": "other", "note": " "}}),
	} {
		if r.Status != 422 || !problemAt(t, r, reason) {
			t.Errorf("a return refused at %s: %d %s", reason, r.Status, r.Body)
		}
	}
	if r := back(engA, 1); r.Status != 201 {
		t.Fatalf("return one: %d %s", r.Status, r.Body)
	}
	var journal struct {
		Items []struct {
			Type         string `json:"type"`
			ReturnReason string `json:"return_reason"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/movements?type=requisition_return", Token: mgr}).JSON(t, &journal)
	if len(journal.Items) != 2 || journal.Items[0].ReturnReason != "unused" || journal.Items[1].ReturnReason != "unused" {
		t.Errorf("the return's journal rows: %+v, want two with the reason unused", journal.Items)
	}
	if got := vanStock(t, env, engA, part); got != 1 {
		t.Errorf("van A after use and return: %v, want 1", got)
	}
	var shelfStock struct {
		Items []struct {
			OnHand int `json:"on_hand"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?warehouse_id=" + shelf, Token: mgr}).JSON(t, &shelfStock)
	if len(shelfStock.Items) != 1 || shelfStock.Items[0].OnHand != 3 {
		t.Errorf("shelf: %+v, want 5 - 3 shipped + 1 returned", shelfStock.Items)
	}

	// Another tenant's engineer, with a van of their own, reaches nothing of this tenant.
	other := env.NewTenant()
	_, engX := env.Person(other, "engineer", other.Outlets[0])
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: other.Admin, Body: map[string]any{"code": "VX-" + u,
		"name": "van", "kind": "spare_parts", "outlet_id": other.Outlets[0], "engineer_id": idOf(engX)}})
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/me/van/receipts", Token: engX, Body: receipt}); r.Status != 422 ||
		!problemAt(t, r, "body.transfer_id") {
		t.Errorf("cross-tenant receipt: %d %s", r.Status, r.Body)
	}
	if r := use(engX, "use-x-", 1); r.Status != 422 || !problemAt(t, r, "body.order_id") {
		t.Errorf("cross-tenant use: %d %s", r.Status, r.Body)
	}
	if r := ask(engX, map[string]any{"part_id": part, "qty": 1, "source_warehouse_id": shelf}); r.Status != 422 ||
		!problemAt(t, r, "body.source_warehouse_id") {
		t.Errorf("cross-tenant request: %d %s", r.Status, r.Body)
	}
	if got := vanStock(t, env, engA, part); got != 1 {
		t.Errorf("van A after the other tenant's calls: %v, want 1", got)
	}
}
