package console_test

// Loaner units (备用机): in Chinese, the outlet lends a loaner with a cash deposit on a carry-in
// order from the order's page; the hand-over (已取) is refused while it is out; the unit comes
// back with its condition and the deposit refunded, and the hand-over goes through. Then the
// loaners list and the order at 390 px.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

func TestJourneyLoanerLentAndReturnedBeforeTheOrderCloses(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := env.Unique()
	orderID, partNo, serial := loanerOrder(t, j, u)
	U := strings.ToUpper(u)

	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)
	b.chinese()

	// 1. Lend the loaner with a 200.00 cash deposit.
	b.open("/orders/" + orderID)
	b.waitVisible(`.loaner-card .loaner-lend`)
	b.clickOpens(`.loaner-card .loaner-lend`, `.form-drawer .lend-form`)
	b.pick(`.form-drawer .lend-part`, partNo+" 备用空调")
	if got := b.js(`document.querySelector('.form-drawer .lend-warehouse').innerText`); !strings.Contains(got, "备用机仓") {
		b.pick(`.form-drawer .lend-warehouse`, fmt.Sprintf("备用机仓 (LN-%s)", U))
	}
	b.pick(`.form-drawer .lend-serial`, serial)
	b.setNumber(`.form-drawer input[name=deposit]`, "200")
	b.waitVisible(`.form-drawer .lend-method`)
	b.untranslated("the lend drawer")
	b.shot("zh-loaner-lend")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(fmt.Sprintf(`(document.querySelector('.loaner-card .loaner-serial') || {}).innerText === %q`, serial))
	loans := orderLoans(t, env, j.admin, orderID)
	if len(loans) != 1 || loans[0].Deposit != 20000 || loans[0].DepositStatus != "held" {
		t.Fatalf("the order's loans %+v, want one with a 20000 deposit held", loans)
	}
	b.untranslated("the order with its loaner out")
	b.shot("zh-loaner-out")

	// 2. The repair is done; the hand-over is refused while the loaner is out.
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/completion", Token: j.admin,
		Body: map[string]any{"diagnosis": "电容损坏", "work_done": "更换电容", "result": "fixed"}})
	b.open("/orders/" + orderID)
	b.waitVisible(`.moves-buttons button[data-move=picked_up]`)
	b.waitVisible(`.loaner-card .loaner-block`)
	b.click(`.moves-buttons button[data-move=picked_up]`)
	b.waitVisible(`.moves-card .problem-alert`)
	if got := b.js(`document.querySelector('.moves-card .problem-alert').innerText`); !strings.Contains(got, "备用机归还") {
		t.Errorf("the refused hand-over says %q, want the loaner named", got)
	}
	var o struct{ Status string }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID, Token: j.admin}).JSON(t, &o)
	if o.Status != "ready_for_pickup" {
		t.Fatalf("after the refused hand-over the order is %s, want ready_for_pickup", o.Status)
	}
	b.untranslated("the refused hand-over")
	b.shot("zh-loaner-blocks-pickup")

	// 3. Take it back: the condition is required; the deposit is refunded.
	b.clickOpens(`.loaner-card .loaner-return`, `.form-drawer .return-form`)
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer textarea[name=condition_note]`); got == "" {
		t.Errorf("a return without its condition is not refused at the field:\n%s", b.visibleText())
	}
	b.typeInto(`.form-drawer textarea[name=condition_note]`, "外观完好，遥控器齐全")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitVisible(`.loaner-card .loaner-none`)
	loans = orderLoans(t, env, j.admin, orderID)
	if len(loans) != 1 || loans[0].Status != "returned" || loans[0].DepositStatus != "refunded" {
		t.Fatalf("the order's loans %+v, want it returned with the deposit refunded", loans)
	}

	// 4. Now the hand-over goes through.
	b.open("/orders/" + orderID)
	b.waitVisible(`.moves-buttons button[data-move=picked_up]`)
	b.click(`.moves-buttons button[data-move=picked_up]`)
	b.waitJS(`document.querySelector('.order-status').innerText === '已取'`)
	b.settle()
	b.untranslated("the picked-up order with its loaner back")
	b.shot("zh-loaner-returned")
	b.noConsoleProblems("loaner on the order page")

	// 5. The loaners list, filtered in the URL, then both screens at 390 px.
	b.open("/stock/loaners?status=returned")
	b.waitJS(fmt.Sprintf(`[...document.querySelectorAll('.list-table .loan-serial')].some((e) => e.innerText === %q)`, serial))
	b.untranslated("the loaners list")
	b.shot("zh-loaners")
	b.open("/stock/loaners?status=out")
	b.waitJS(`!document.querySelector('.list-table .loan-serial') && !document.querySelector('.el-loading-mask')`)
	b.viewport(390, 844, true)
	for _, r := range []struct{ route, ready, shot string }{
		{"/stock/loaners?status=returned", `.list-table .loan-serial`, "phone-loaners"},
		{"/orders/" + orderID, `.loaner-card .loaner-earlier`, "phone-loaner-order"},
	} {
		b.open(r.route)
		b.waitVisible(r.ready)
		b.settle()
		b.noSidewaysScroll(r.route)
		b.untranslated(r.route + " at 390 px")
		b.shot(r.shot)
	}
	b.noConsoleProblems("loaners at 390 px")
}

// loanerOrder makes an air conditioner in repair at the journey's outlet (a carry-in order
// under the national rules) and a loaner unit in the outlet's loaner warehouse; it returns
// the order, the loaner's part number and its serial.
func loanerOrder(t *testing.T, j *journey, u string) (orderID, partNo, serial string) {
	t.Helper()
	env := j.env
	U := strings.ToUpper(u)
	// An air conditioner in repair at the outlet, and a loaner unit in the outlet's loaner warehouse.
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: j.admin, Body: map[string]any{
		"code": "ac-" + u, "name": "空调"}}).Map(t)["id"].(string)
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: j.admin, Body: map[string]any{
		"category_id": cat, "sku": "KFR-" + U, "name": "挂式空调",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"].(string)
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: j.admin}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: j.admin, Body: map[string]any{
		"name": "国家三包", "category_ids": []string{cat}, "effective_from": "2020-01-01", "rules": rules}})
	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: j.admin, Body: map[string]any{
		"name": "李四", "phone": env.Phone(), "province_code": "310000", "address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"].(string)
	reg := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: j.admin, Body: map[string]any{
		"model_id": model, "serial": "SN" + U, "purchase_date": time.Now().AddDate(0, 0, -30).Format(time.DateOnly),
		"invoice_no": "INV-" + U, "has_warranty_card": true, "buyer": map[string]any{"customer_id": customer}}}).Map(t)["id"].(string)
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: j.admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "customer_id": customer, "registration_id": reg, "outlet_id": j.outletID,
		"fault_description": "不制冷"}}).Map(t)["order"].(map[string]any)
	orderID = order["id"].(string)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/transitions", Token: j.admin, Body: map[string]any{"to": "repairing"}})
	partNo = "LOANER-" + U
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: j.admin, Body: map[string]any{
		"part_no": partNo, "name_zh": "备用空调", "serial_tracked": true, "unit_cost": 100000, "outlet_price": 0, "consumer_price": 0}}).Map(t)["id"].(string)
	wh := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: j.admin, Body: map[string]any{
		"code": "LN-" + U, "name": "备用机仓", "kind": "finished_goods", "owner": "loaner", "outlet_id": j.outletID}}).Map(t)["id"].(string)
	serial = "BY-" + U
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: j.admin, Body: map[string]any{
		"idempotency_key": "ln-" + u, "type": "receipt", "warehouse_id": wh, "part_id": part, "qty": 1, "serial": serial}})

	return orderID, partNo, serial
}

// journeyLoan is what the journeys check of a loan.
type journeyLoan struct {
	ID            string
	Status        string
	DepositStatus string `json:"deposit_status"`
	Deposit       int64
}

// orderLoans reads an order's loans through the API.
func orderLoans(t *testing.T, env *apitest.Env, token, orderID string) []journeyLoan {
	t.Helper()
	var loans struct{ Items []journeyLoan }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID + "/loans", Token: token}).JSON(t, &loans)
	return loans.Items
}
