package api_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/logistics"
)

// TestFaultyPartsReturnedAndInspected: an outlet's in-warranty repair with a return-required
// part owes the faulty part back; another outlet neither sees nor sends it; the outlet sends
// it with the dev carrier; the carrier's signed webhook moves the shipment (a bad signature
// is refused, a repeat is counted once, another tenant's path finds nothing); the outlet
// cannot inspect its own return; the centre finds no fault, and the claim of the order gets
// the rma_no_fault_found signal proposing its part line be approved for nothing.
func TestFaultyPartsReturnedAndInspected(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn, other := env.NewTenant(), env.NewTenant()
	_, mgr0 := env.Person(tn, "outlet_manager", tn.Outlets[0])
	_, mgr1 := env.Person(tn, "outlet_manager", tn.Outlets[1])
	u := env.Unique()
	partNo := "MB-" + u
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": partNo, "name_zh": "主板", "unit_cost": 300, "outlet_price": 400, "consumer_price": 500, "return_required": true}}).Map(t)
	if part["return_required"] != true {
		t.Fatalf("part: %v", part)
	}
	wh := func(code, kind string) string {
		return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: map[string]any{
			"code": code + "-" + u, "name": code, "kind": kind, "outlet_id": tn.Outlets[0]}}).Map(t)["id"].(string)
	}
	spare, returned := wh("S", "spare_parts"), wh("R", "returned_goods")
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "in-" + u, "type": "receipt", "warehouse_id": spare, "part_id": part["id"], "qty": 2}})

	// An outlet's in-warranty repair: the main board replaced, then claimed.
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: tn.Admin, Body: map[string]any{
		"code": "ac-" + u, "name": "Air conditioners"}}).Map(t)["id"]
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: tn.Admin, Body: map[string]any{
		"category_id": cat, "sku": "AC-" + u, "name": "Split AC",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"]
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: tn.Admin}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: tn.Admin, Body: map[string]any{
		"name": "National " + u, "category_ids": []any{cat}, "effective_from": "2026-01-01", "rules": rules}})
	reg := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: tn.Admin, Body: map[string]any{
		"model_id": model, "serial": "SN-" + u, "purchase_date": time.Now().AddDate(0, 0, -60).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "has_warranty_card": true, "buyer": map[string]any{"name": "Buyer " + u, "phone": env.Phone()}}})
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "registration_id": reg.Map(t)["id"], "outlet_id": tn.Outlets[0],
		"fault_description": "does not cool", "location": map[string]any{"province_code": "310000"}}}).Map(t)["order"].(map[string]any)["id"].(string)
	move := func(to string) {
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/transitions", Token: tn.Admin, Body: map[string]any{"to": to}})
	}
	move("repairing")
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/parts", Token: mgr0, Body: map[string]any{
		"idempotency_key": "use-" + u, "warehouse_id": spare, "part_id": part["id"], "qty": 2, "issue_kind": "in_warranty"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/completion", Token: tn.Admin,
		Body: map[string]any{"diagnosis": "board failed", "work_done": "board replaced", "result": "fixed",
			"parts": []map[string]any{{"code": partNo, "quantity": 1}}}})
	move("picked_up")
	move("approved")
	claim := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/claim", Token: tn.Admin}).Map(t)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/claims/" + claim["id"].(string) + "/submit", Token: tn.Admin})

	var owed struct {
		Items []map[string]any `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/rma-lines?status=owed", Token: mgr0}).JSON(t, &owed)
	if len(owed.Items) != 1 || owed.Items[0]["qty"] != 2.0 || owed.Items[0]["warehouse_id"] != returned {
		t.Fatalf("outlet 0's owed parts: %+v", owed.Items)
	}
	line := owed.Items[0]["id"].(string)
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/rma-lines", Token: mgr1}).JSON(t, &owed)
	if len(owed.Items) != 0 {
		t.Errorf("outlet 1 lists outlet 0's owed parts: %+v", owed.Items)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/rma-lines/" + line, Token: mgr1}); r.Status != 404 {
		t.Errorf("outlet 1 reads outlet 0's owed part: %d", r.Status)
	}
	send := func(tok string, body map[string]any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/rma-shipments", Token: tok, Body: body})
	}
	tracking := "DEV-" + u
	body := func(qty any) map[string]any {
		return map[string]any{"idempotency_key": "rma-" + u, "carrier": "dev", "tracking_no": tracking,
			"lines": []map[string]any{{"rma_line_id": line, "qty": qty}}}
	}
	if r := send(mgr1, body(1)); r.Status != 422 || !problemAt(t, r, "body.lines[0].rma_line_id") {
		t.Errorf("outlet 1 sends outlet 0's part: %d %s", r.Status, r.Body)
	}
	if r := send(mgr0, body(0.5)); r.Status != 422 || !problemAt(t, r, "body.lines[0].qty") {
		t.Errorf("half a part: %d %s", r.Status, r.Body)
	}
	if r := send(mgr0, body(3)); r.Status != 422 || !problemAt(t, r, "body.lines[0].qty") {
		t.Errorf("more than owed: %d %s", r.Status, r.Body)
	}
	bad := body(1)
	bad["carrier"] = "pigeon"
	if r := send(mgr0, bad); r.Status != 422 || !problemAt(t, r, "body.carrier") {
		t.Errorf("an unknown carrier: %d %s", r.Status, r.Body)
	}
	r := send(mgr0, body(1))
	if r.Status != 201 {
		t.Fatalf("send: %d %s", r.Status, r.Body)
	}
	sh := r.Map(t)
	id := sh["id"].(string)
	if sh["status"] != "sent" || sh["outlet_id"] != tn.Outlets[0] || sh["tracking_url"] == "" {
		t.Errorf("shipment: %v", sh)
	}
	var on struct {
		Items []struct {
			OnHand int `json:"on_hand"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?warehouse_id=" + returned, Token: tn.Admin}).JSON(t, &on)
	if len(on.Items) != 1 || on.Items[0].OnHand != 1 {
		t.Errorf("returned goods after sending 1 of 2: %+v", on.Items)
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/rma-lines/" + line, Token: mgr0}).Map(t); got["status"] != "partly_shipped" {
		t.Errorf("line after a partial return: %v", got)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/rma-shipments/" + id, Token: mgr1}); r.Status != 404 {
		t.Errorf("outlet 1 reads outlet 0's shipment: %d", r.Status)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/rma-shipments/" + id, Token: other.Admin}); r.Status != 404 {
		t.Errorf("another tenant reads the shipment: %d", r.Status)
	}

	// The carrier's webhook.
	dev := logistics.Dev{Secret: apitest.CarrierSecret}
	hook := func(tenantID string, updates []map[string]any, sign logistics.Dev) *apitest.Response {
		raw, err := json.Marshal(map[string]any{"updates": updates})
		if err != nil {
			t.Fatal(err)
		}
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/carrier-webhooks/dev/" + tenantID, Body: json.RawMessage(raw),
			Header: map[string]string{logistics.SignatureHeader: sign.Sign(raw, time.Now())}})
	}
	delivered := []map[string]any{{"event_id": "e-" + u, "tracking_no": tracking, "status": "delivered",
		"occurred_at": time.Now().Format(time.RFC3339)}}
	if r := hook(tn.ID, delivered, logistics.Dev{Secret: "wrong"}); r.Status != 400 {
		t.Errorf("a bad signature: %d %s", r.Status, r.Body)
	}
	if r := hook(other.ID, delivered, dev); r.Status != 200 || r.Map(t)["unknown"] != 1.0 {
		t.Errorf("another tenant's callback: %d %s, want the parcel unknown there", r.Status, r.Body)
	}
	if r := hook(tn.ID, delivered, dev); r.Status != 200 || r.Map(t)["applied"] != 1.0 {
		t.Errorf("delivered: %d %s", r.Status, r.Body)
	}
	if r := hook(tn.ID, delivered, dev); r.Status != 200 || r.Map(t)["duplicates"] != 1.0 {
		t.Errorf("the same update again: %d %s", r.Status, r.Body)
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/rma-shipments/" + id, Token: mgr0}).Map(t); got["status"] != "delivered" ||
		len(got["tracking"].([]any)) != 1 {
		t.Errorf("after delivery: %v", got)
	}

	// Inspection: the receiving side's, not the outlet's.
	inspect := func(tok string, lines []map[string]any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/rma-shipments/" + id + "/inspection", Token: tok, Body: map[string]any{"lines": lines}})
	}
	nff := []map[string]any{{"line_no": 1, "result": "no_fault_found", "note": "works on the bench"}}
	if r := inspect(mgr0, nff); r.Status != 403 {
		t.Errorf("the sending outlet inspects: %d %s", r.Status, r.Body)
	}
	if r := inspect(tn.Admin, []map[string]any{{"line_no": 1, "result": "broken"}}); r.Status != 422 || !problemAt(t, r, "body.lines[0].result") {
		t.Errorf("an unknown result: %d %s", r.Status, r.Body)
	}
	if r := inspect(other.Admin, nff); r.Status != 404 {
		t.Errorf("another tenant inspects: %d", r.Status)
	}
	if r := inspect(tn.Admin, nff); r.Status != 200 || r.Map(t)["status"] != "inspected" {
		t.Fatalf("inspect: %d %s", r.Status, r.Body)
	}

	var signals struct {
		Items []struct {
			Kind        string   `json:"kind"`
			ClaimIDs    []string `json:"claim_ids"`
			Adjustments []struct {
				Line     int    `json:"line"`
				Approved int64  `json:"approved"`
				Reason   string `json:"reason"`
			} `json:"adjustments"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claim-signals?days=90", Token: tn.Admin}).JSON(t, &signals)
	found := false
	for _, s := range signals.Items {
		if s.Kind == "rma_no_fault_found" {
			found = true
			if len(s.ClaimIDs) != 1 || s.ClaimIDs[0] != claim["id"] || len(s.Adjustments) != 1 || s.Adjustments[0].Approved != 0 {
				t.Errorf("the signal: %+v", s)
			}
			lines := claim["lines"].([]any)
			if l := lines[s.Adjustments[0].Line].(map[string]any); l["kind"] != "part" || l["part_code"] != partNo {
				t.Errorf("the adjustment names line %d: %v", s.Adjustments[0].Line, l)
			}
		}
	}
	if !found {
		t.Errorf("no rma_no_fault_found signal: %+v", signals.Items)
	}

	// The claim's part line shows what the inspection found.
	var got struct {
		Lines []struct {
			Kind        string `json:"kind"`
			PartCode    string `json:"part_code"`
			Inspections []struct {
				Result string `json:"result"`
				Qty    int    `json:"qty"`
			} `json:"inspections"`
		} `json:"lines"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claims/" + claim["id"].(string), Token: tn.Admin}).JSON(t, &got)
	for _, l := range got.Lines {
		switch {
		case l.Kind == "part" && (len(l.Inspections) != 1 || l.Inspections[0].Result != "no_fault_found" || l.Inspections[0].Qty != 1):
			t.Errorf("the claim's part line after the inspection: %+v", l)
		case l.Kind != "part" && len(l.Inspections) != 0:
			t.Errorf("a %s line with inspections: %+v", l.Kind, l)
		}
	}
}
