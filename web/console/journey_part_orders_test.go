package console_test

// Parts ordered at the counter (预订购件): in Chinese, an agent orders a part the outlet does
// not have for a customer found by phone; the order waits (订购待件); the part is received
// (through the API: the warehouse's receipt); the order's page shows it ready and the
// customer was sent the arrival notice (到货通知); the agent takes the payment in cash on
// the bill card and hands the part over; stock and journal agree. Then the list and the
// order at 390 px.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/tenants"
)

func TestJourneyPartOrderedAwaitedPaidAndPickedUp(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := env.Unique()
	U := strings.ToUpper(u)

	phone := env.Phone()
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: j.admin, Body: map[string]any{
		"name": "赵女士", "phone": phone, "province_code": "310000", "address": "上海市浦东新区世纪大道100号"}})
	partNo := "RC-" + U
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: j.admin, Body: map[string]any{
		"part_no": partNo, "name_zh": "空调遥控器", "name_en": "AC remote", "unit_cost": 2000, "outlet_price": 3000,
		"consumer_price": 4500}}).Map(t)["id"].(string)
	wh := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: j.admin, Body: map[string]any{
		"code": "CTR-" + U, "name": "柜台备件库", "kind": "spare_parts", "outlet_id": j.outletID}}).Map(t)["id"].(string)

	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)
	b.chinese()

	// 1. The order, from the list's drawer: the part is not in stock, so it waits.
	b.open("/stock/part-orders")
	b.waitVisible(`.new-part-order`)
	b.clickOpens(`.new-part-order`, `.form-drawer .part-order-form`)
	b.typeInto(`.form-drawer .customer-phone input`, phone)
	b.js(`(() => { document.querySelector('.form-drawer .customer-phone input').dispatchEvent(new Event('change', { bubbles: true })); return '' })()`)
	b.waitJS(`(document.querySelector('.form-drawer .part-order-customer') || {}).innerText.includes('赵女士')`)
	if got := b.js(`document.querySelector('.form-drawer .part-order-warehouse').innerText`); !strings.Contains(got, "柜台备件库") {
		b.pick(`.form-drawer .part-order-warehouse`, fmt.Sprintf("柜台备件库 (CTR-%s)", U))
	}
	b.pick(`.form-drawer .part-order-part-0`, partNo+" 空调遥控器 · ¥45.00")
	b.untranslated("the new part order drawer")
	b.shot("zh-part-order-new")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitVisible(`.part-order-card .part-order-status`)
	_, id, found := strings.Cut(b.location(), "/stock/part-orders/")
	if !found {
		t.Fatalf("the new part order opened %s", b.location())
	}
	var po struct {
		ID, Number, Status string
		Lines              []struct{ Status string }
		Bill               struct{ ID, Status string }
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/part-orders/" + id, Token: j.admin}).JSON(t, &po)
	if po.Status != "waiting" || len(po.Lines) != 1 || po.Lines[0].Status != "waiting" || po.Bill.Status != "issued" {
		t.Fatalf("the new part order %+v, want it waiting with its bill issued", po)
	}
	b.waitJS(`document.querySelector('.part-order-card .part-order-status').innerText === '订购待件'`)
	b.untranslated("the waiting part order")
	b.shot("zh-part-order-waiting")

	// 2. The part arrives at the outlet's warehouse: the order is ready, the customer told.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: j.admin, Body: map[string]any{
		"idempotency_key": "po-in-" + u, "type": "receipt", "warehouse_id": wh, "part_id": part, "qty": 1}})
	b.open("/stock/part-orders/" + id)
	b.waitJS(`(document.querySelector('.part-order-card .part-order-status') || {}).innerText === '已到货待取'`)
	b.waitVisible(`.part-order-arrived`)
	var notices int
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(j.tenantID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE tenant_id = app.tenant_id() AND type = 'part_order.arrived'
			AND subject_id = $1`, id).Scan(&notices)
	}); err != nil || notices != 1 {
		t.Fatalf("arrival notices of the order: %d (%v), want 1", notices, err)
	}

	// 3. The hand-over is refused until paid; the cash payment on the bill card; the pickup.
	b.click(`.part-order-pickup`)
	b.waitVisible(`.problem-alert`)
	b.shot("zh-part-order-unpaid")
	b.clickOpens(`.bill-card .bill-pay`, `.form-drawer .pay-form`)
	b.untranslated("the payment drawer")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`(document.querySelector('.bill-card .bill-status') || {}).innerText === '已结清'`)
	b.click(`.part-order-pickup`)
	b.waitJS(`(document.querySelector('.part-order-card .part-order-status') || {}).innerText === '已取件'`)
	b.settle()
	b.untranslated("the picked-up part order")
	b.shot("zh-part-order-picked-up")
	b.noConsoleProblems("the part order's page")

	var stock struct {
		Items []struct {
			OnHand   int `json:"on_hand"`
			Reserved int `json:"reserved"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?warehouse_id=" + wh, Token: j.admin}).JSON(t, &stock)
	if len(stock.Items) != 1 || stock.Items[0].OnHand != 0 || stock.Items[0].Reserved != 0 {
		t.Fatalf("the counter's stock after the pickup: %+v, want none on hand or reserved", stock.Items)
	}
	var journal struct {
		Items []struct {
			Type      string `json:"type"`
			IssueKind string `json:"issue_kind"`
			Qty       int    `json:"qty"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/movements?warehouse_id=" + wh, Token: j.admin}).JSON(t, &journal)
	sum := 0
	issued := false
	for _, m := range journal.Items {
		sum += m.Qty
		issued = issued || m.Type == "issue" && m.IssueKind == "consumer_purchase" && m.Qty == -1
	}
	if sum != 0 || !issued {
		t.Fatalf("the journal %+v: want the receipt and a consumer_purchase issue, summing to 0", journal.Items)
	}

	// 4. The list (filtered in the URL) and the order at 390 px.
	b.open("/stock/part-orders?status=picked_up")
	b.waitJS(fmt.Sprintf(`[...document.querySelectorAll('.list-table .part-order-number')].some((e) => e.innerText === %q)`, po.Number))
	b.untranslated("the part orders list")
	b.shot("zh-part-orders")
	b.viewport(390, 844, true)
	for _, r := range []struct{ route, ready, shot string }{
		{"/stock/part-orders?status=picked_up", `.list-table .part-order-number`, "phone-part-orders"},
		{"/stock/part-orders/" + id, `.part-order-card .part-order-status`, "phone-part-order"},
	} {
		b.open(r.route)
		b.waitVisible(r.ready)
		b.settle()
		b.noSidewaysScroll(r.route)
		b.untranslated(r.route + " at 390 px")
		b.shot(r.shot)
	}
	b.noConsoleProblems("part orders at 390 px")
}

// A main board (serial-tracked) ordered at the counter and paid (through the API); in Chinese
// the agent hands it over: the pickup drawer asks for the serial, offering those in stock at
// the order's warehouse; the serial chosen is the customer's (sold) and shows on the line.
// The drawer of a second order at 390 px.
func TestJourneyPartOrderSerialPickedUp(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := env.Unique()
	U := strings.ToUpper(u)

	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: j.admin, Body: map[string]any{
		"name": "钱先生", "phone": env.Phone(), "province_code": "310000", "address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"].(string)
	board := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: j.admin, Body: map[string]any{
		"part_no": "MB-" + U, "name_zh": "空调主板", "name_en": "AC main board", "serial_tracked": true, "unit_cost": 30000,
		"outlet_price": 45000, "consumer_price": 60000}}).Map(t)["id"].(string)
	wh := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: j.admin, Body: map[string]any{
		"code": "CTR-" + U, "name": "柜台备件库", "kind": "spare_parts", "outlet_id": j.outletID}}).Map(t)["id"].(string)
	sn := func(s string) string { return "MB" + s + "-" + U }
	for _, s := range []string{"1", "2"} {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: j.admin, Body: map[string]any{
			"idempotency_key": "mb-in-" + s + u, "type": "receipt", "warehouse_id": wh, "part_id": board, "qty": 1, "serial": sn(s)}})
	}
	paidOrder := func() string {
		po := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/part-orders", Token: j.admin, Body: map[string]any{
			"customer_id": customer, "warehouse_id": wh, "lines": []map[string]any{{"part_id": board, "qty": 1}}}}).Map(t)
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/bills/" + po["bill"].(map[string]any)["id"].(string) + "/payments", Token: j.admin,
			Body: map[string]any{"method": "cash", "amount": 60000}})
		return po["id"].(string)
	}
	first, second := paidOrder(), paidOrder()

	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)
	b.chinese()
	b.open("/stock/part-orders/" + first)
	b.waitJS(`(document.querySelector('.part-order-card .part-order-status') || {}).innerText === '已下单'`)
	b.clickOpens(`.part-order-pickup`, `.form-drawer .pickup-form`)
	b.click(`.form-drawer .pickup-serials`)
	b.clickText(`.el-select-dropdown__item`, sn("2"))
	b.js(`(() => { document.activeElement && document.activeElement.blur(); document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' })); return '' })()`)
	b.untranslated("the pickup drawer with serials")
	b.shot("zh-part-order-serial-pickup")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`(document.querySelector('.part-order-card .part-order-status') || {}).innerText === '已取件'`)
	b.waitJS(fmt.Sprintf(`(document.querySelector('.part-order-line .line-serials') || {}).innerText.includes(%q)`, sn("2")))
	b.untranslated("the picked-up order with its serial")
	b.shot("zh-part-order-serial-picked-up")
	b.noConsoleProblems("the serial pickup")

	var unit struct {
		Items []struct {
			Place     string `json:"place"`
			Movements []struct {
				IssueKind   string `json:"issue_kind"`
				PartOrderID string `json:"part_order_id"`
			} `json:"movements"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/parts/" + board + "/serials?serial=" + sn("2"), Token: j.admin}).JSON(t, &unit)
	if len(unit.Items) != 1 || unit.Items[0].Place != "sold" || len(unit.Items[0].Movements) != 2 ||
		unit.Items[0].Movements[1].IssueKind != "consumer_purchase" || unit.Items[0].Movements[1].PartOrderID != first {
		t.Fatalf("serial %s after the pickup: %+v, want sold by a consumer_purchase naming the order", sn("2"), unit.Items)
	}

	// The second order's drawer at 390 px offers the unit left.
	b.viewport(390, 844, true)
	b.open("/stock/part-orders/" + second)
	b.waitVisible(`.part-order-card .part-order-status`)
	b.clickOpens(`.part-order-pickup`, `.form-drawer .pickup-form`)
	b.click(`.form-drawer .pickup-serials`)
	b.waitJS(fmt.Sprintf(`[...document.querySelectorAll('.el-select-dropdown__item')].map((e) => e.innerText).join() === %q`, sn("1")))
	b.settle()
	b.noSidewaysScroll("the pickup drawer")
	b.untranslated("the pickup drawer at 390 px")
	b.shot("phone-part-order-serial-pickup")
	b.noConsoleProblems("the pickup drawer at 390 px")

	// An order of more boards than there are waits and asks for them; cancelled, its request
	// is withdrawn and the request list says why.
	b.viewport(1400, 900, false)
	waiting := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/part-orders", Token: j.admin, Body: map[string]any{
		"customer_id": customer, "warehouse_id": wh, "lines": []map[string]any{{"part_id": board, "qty": 3}}}}).Map(t)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/part-orders/" + waiting["id"].(string) + "/cancel", Token: j.admin,
		Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"reason": "客户改主意"}})
	b.open("/stock/requests?status=cancelled")
	b.waitJS(fmt.Sprintf(`[...document.querySelectorAll('.list-table')].some((e) => e.innerText.includes('已撤回：part order %s was cancelled: 客户改主意'))`,
		waiting["number"].(string)))
	b.untranslated("the withdrawn request")
	b.shot("zh-part-request-withdrawn")
	b.noConsoleProblems("the request list")
}
