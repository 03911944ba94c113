package api_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestStockReports: an outlet's warehouse and a customer's (unvalued) warehouse receive
// parts, one is issued to an order and one sold; the reports sum them per warehouse (own
// stock valued only), per movement type, list the unissued part as a slow mover and the used
// part under the order's fault code and model. The XLSX speaks the reader's language. Staff
// of the other outlet and another tenant see none of it.
func TestStockReports(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	tn, adm, u := w.tn, w.tn.Admin, env.Unique()
	ord := w.order(t, nil)["order"].(map[string]any)
	outlet, _ := ord["outlet_id"].(string)
	if outlet == "" {
		outlet = tn.Outlets[0]
	}
	newPart := func(no string, cost int) string {
		return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: adm, Body: map[string]any{
			"part_no": no + "-" + u, "name_zh": "压缩机", "name_en": "Compressor", "unit_cost": cost, "outlet_price": cost, "consumer_price": cost}}).Map(t)["id"].(string)
	}
	used, idle := newPart("USED", 1000), newPart("IDLE", 500)
	own := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: adm, Body: map[string]any{
		"code": "OWN-" + u, "name": "网点备件库", "kind": "spare_parts", "outlet_id": outlet}}).Map(t)["id"].(string)
	cust := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: adm, Body: map[string]any{
		"code": "CUS-" + u, "name": "客户待修", "kind": "pending_repair", "owner": "customer", "outlet_id": outlet}}).Map(t)["id"].(string)
	receive := func(wh, part string, qty int) {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: adm, Body: map[string]any{
			"idempotency_key": "r-" + env.Unique(), "type": "receipt", "warehouse_id": wh, "part_id": part, "qty": qty}})
	}
	receive(own, used, 5)
	receive(own, idle, 4)
	receive(cust, idle, 2)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + ord["id"].(string) + "/parts", Token: adm, Body: map[string]any{
		"idempotency_key": "use-" + u, "warehouse_id": own, "part_id": used, "qty": 2, "issue_kind": "in_warranty"}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: adm, Body: map[string]any{
		"idempotency_key": "sale-" + u, "type": "issue", "issue_kind": "consumer_purchase", "warehouse_id": own, "part_id": used, "qty": 1}})

	type onHand struct {
		Items []struct {
			WarehouseID string `json:"warehouse_id"`
			OnHand      int    `json:"on_hand"`
			Value       int64  `json:"value"`
		} `json:"items"`
	}
	var oh onHand
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/reports/on-hand", Token: adm}).JSON(t, &oh)
	got := map[string][2]int64{}
	for _, it := range oh.Items {
		got[it.WarehouseID] = [2]int64{int64(it.OnHand), it.Value}
	}
	if got[own] != [2]int64{6, 2*1000 + 4*500} || got[cust] != [2]int64{2, 0} {
		t.Errorf("on hand: %v, want own 6 worth 4000 and the customer's 2 worth nothing", got)
	}

	day := "from=" + time.Now().AddDate(0, -6, 0).Format(time.DateOnly) + "&to=" + time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/stock/reports/movements?from=2026-02-01&to=2026-01-01", Token: adm}); r.Status != 422 ||
		!problemAt(t, r, "query.to") {
		t.Errorf("to before from: %d %s", r.Status, r.Body)
	}
	var mv struct {
		Items []struct {
			Type      string `json:"type"`
			IssueKind string `json:"issue_kind"`
			Movements int    `json:"movements"`
			Qty       int    `json:"qty"`
			Value     int64  `json:"value"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/reports/movements?" + day, Token: adm}).JSON(t, &mv)
	sums := map[string][3]int64{}
	for _, it := range mv.Items {
		sums[it.Type+"/"+it.IssueKind] = [3]int64{int64(it.Movements), int64(it.Qty), it.Value}
	}
	if sums["receipt/"] != [3]int64{3, 11, 5*1000 + 6*500} || sums["issue/in_warranty"] != [3]int64{1, -2, -2000} ||
		sums["issue/consumer_purchase"] != [3]int64{1, -1, -1000} {
		t.Errorf("movements: %v", sums)
	}

	var slow struct {
		Items []struct {
			WarehouseID string `json:"warehouse_id"`
			PartID      string `json:"part_id"`
			LastIssue   string `json:"last_issue"`
			Value       int64  `json:"value"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/reports/slow-movers?days=30", Token: adm}).JSON(t, &slow)
	if len(slow.Items) != 2 {
		t.Fatalf("slow movers: %+v, want the idle part in both warehouses only", slow.Items)
	}
	for _, it := range slow.Items {
		if it.PartID != idle || it.LastIssue != "" || (it.WarehouseID == own && it.Value != 2000) {
			t.Errorf("slow mover: %+v", it)
		}
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/stock/reports/slow-movers?days=0", Token: adm}); r.Status != 422 || !problemAt(t, r, "query.days") {
		t.Errorf("days=0: %d %s", r.Status, r.Body)
	}

	var pu struct {
		Items []struct {
			FaultCode string `json:"fault_code"`
			ModelID   string `json:"model_id"`
			PartID    string `json:"part_id"`
			Qty       int    `json:"qty"`
			Orders    int    `json:"orders"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/reports/parts-used?" + day, Token: adm}).JSON(t, &pu)
	if len(pu.Items) != 1 || pu.Items[0].FaultCode != "E1" || pu.Items[0].ModelID != w.model || pu.Items[0].PartID != used ||
		pu.Items[0].Qty != 2 || pu.Items[0].Orders != 1 {
		t.Errorf("parts used: %+v, want 2 of the used part on one E1 order of the model", pu.Items)
	}

	x := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/reports/on-hand/export?format=xlsx&lang=zh-CN", Token: adm})
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) != 3 || rows[0][0] != "仓库编码" {
		t.Errorf("on hand xlsx: %q %v", rows, err)
	}
	c := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/reports/slow-movers/export?format=csv&lang=en&days=30", Token: adm})
	if !bytes.Contains(c.Body, []byte("Last issued")) || !bytes.Contains(c.Body, []byte("Never")) || !bytes.Contains(c.Body, []byte("Compressor")) {
		t.Errorf("slow movers csv: %s", c.Body)
	}
	for _, p := range []string{"movements/export?format=csv&lang=zh-CN&" + day, "parts-used/export?format=csv&lang=en&" + day} {
		if r := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/reports/" + p, Token: adm}); len(bytes.Split(bytes.TrimSpace(r.Body), []byte("\n"))) < 2 {
			t.Errorf("%s: %s", p, r.Body)
		}
	}

	// Outlet scope: a manager of the other outlet, and another tenant's admin, see nothing.
	other := tn.Outlets[0]
	if other == outlet {
		other = tn.Outlets[1]
	}
	_, mgr := env.Person(tn, "outlet_manager", other)
	stranger := env.NewTenant().Admin
	for _, tok := range []string{mgr, stranger} {
		for _, p := range []string{"on-hand", "movements?" + day, "slow-movers", "parts-used?" + day} {
			var r struct {
				Items []any `json:"items"`
			}
			env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/reports/" + p, Token: tok}).JSON(t, &r)
			if len(r.Items) != 0 {
				t.Errorf("%s seen from outside the outlet: %v", p, r.Items)
			}
		}
	}
	// The outlet's own manager sees its stock.
	_, mine := env.Person(tn, "outlet_manager", outlet)
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/reports/on-hand", Token: mine}).JSON(t, &oh)
	if len(oh.Items) != 2 {
		t.Errorf("the outlet's manager sees %d warehouses, want 2", len(oh.Items))
	}
}
