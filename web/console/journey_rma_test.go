package console_test

// Faulty parts back to the maker (RMA): an in-warranty repair at the outlet replaced two main
// boards, each owed back to the maker; the administrator, in Chinese, batches both into one
// return shipment with the carrier and its tracking number, then inspects it as the receiving
// side (one confirmed faulty, one no fault found, with the finding), and the claim of the
// order shows each result on its part line. Then the same pages at 390 px.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

func TestJourneyFaultyPartGoesBackToTheMakerAndFeedsTheClaim(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := env.Unique()
	U := strings.ToUpper(u)

	// The catalog, the outlet's warehouses, a registered unit in warranty and its repair.
	partNo := "MB-" + U
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: j.admin, Body: map[string]any{
		"part_no": partNo, "name_zh": "主板", "unit_cost": 30000, "outlet_price": 40000, "consumer_price": 52000,
		"return_required": true}}).Map(t)["id"].(string)
	wh := func(code, name, kind string) string {
		return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: j.admin, Body: map[string]any{
			"code": code + "-" + U, "name": name, "kind": kind, "outlet_id": j.outletID}}).Map(t)["id"].(string)
	}
	spare := wh("S", "上海备件库", "spare_parts")
	wh("R", "上海旧件库", "returned_goods")
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: j.admin, Body: map[string]any{
		"idempotency_key": "in-" + u, "type": "receipt", "warehouse_id": spare, "part_id": part, "qty": 2}})
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: j.admin, Body: map[string]any{
		"code": "ac-" + u, "name": "空调"}}).Map(t)["id"]
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: j.admin, Body: map[string]any{
		"category_id": cat, "sku": "AC-" + u, "name": "分体空调",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"]
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: j.admin}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: j.admin, Body: map[string]any{
		"name": "三包 " + u, "category_ids": []any{cat}, "effective_from": "2026-01-01", "rules": rules}})
	reg := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: j.admin, Body: map[string]any{
		"model_id": model, "serial": "SN-" + u, "purchase_date": time.Now().AddDate(0, 0, -60).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "has_warranty_card": true, "buyer": map[string]any{"name": "张先生", "phone": env.Phone()}}})
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: j.admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "registration_id": reg.Map(t)["id"], "outlet_id": j.outletID,
		"fault_description": "不制冷", "location": map[string]any{"province_code": "310000"}}}).Map(t)["order"].(map[string]any)["id"].(string)
	move := func(to string) {
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/transitions", Token: j.admin, Body: map[string]any{"to": to}})
	}
	move("repairing")
	for i := range 2 {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/parts", Token: j.admin, Body: map[string]any{
			"idempotency_key": fmt.Sprintf("use-%s-%d", u, i), "warehouse_id": spare, "part_id": part, "qty": 1, "issue_kind": "in_warranty"}})
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/completion", Token: j.admin,
		Body: map[string]any{"diagnosis": "主板故障", "work_done": "更换主板两块", "result": "fixed",
			"parts": []map[string]any{{"code": partNo, "quantity": 2}}}})
	move("picked_up")
	move("approved")
	claim := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/claim", Token: j.admin}).Map(t)["id"].(string)

	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)
	b.chinese()

	// 1. Both owed boards into one return shipment, with the carrier and the tracking number.
	b.open("/stock/returns")
	b.clickOpens(`.new-rma-shipment`, `.rma-send-form`)
	b.waitJS(`document.querySelectorAll('.rma-owed').length === 2`)
	for i := range 2 {
		b.click(fmt.Sprintf(`.rma-owed[data-line="%d"] .rma-pick`, i))
	}
	tracking := "DEV" + U
	b.typeInto(`.rma-carrier input`, "dev")
	b.typeInto(`.rma-tracking input`, tracking)
	b.shot("rma-send")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(fmt.Sprintf(`document.body.innerText.includes(%q)`, tracking))
	b.noConsoleProblems("the return shipment sent")

	// 2. The receiving side inspects: one confirmed faulty, one no fault found with the finding.
	b.clickOpens(`.inspect-rma`, `.rma-inspect-form`)
	b.waitJS(`document.querySelectorAll('.rma-inspect-line').length === 2`)
	b.pick(`.rma-inspect-line[data-line="0"] .rma-result`, "确认故障")
	b.pick(`.rma-inspect-line[data-line="1"] .rma-result`, "无故障")
	b.waitVisible(`.rma-inspect-line[data-line="1"] .rma-note input`)
	b.typeInto(`.rma-inspect-line[data-line="1"] .rma-note input`, "台架测试正常")
	b.shot("rma-inspect")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`!document.querySelector('.inspect-rma')`)
	b.noConsoleProblems("the shipment inspected")
	b.untranslated("/stock/returns")

	// 3. The claim's part line shows both results.
	b.open("/claims/" + claim)
	b.waitVisible(`.claim-line-inspection[data-result="confirmed_faulty"]`)
	b.waitVisible(`.claim-line-inspection[data-result="no_fault_found"]`)
	if txt := b.js(`document.querySelector('.claim-line-inspections').innerText`); !strings.Contains(txt, "确认故障") || !strings.Contains(txt, "无故障") {
		t.Errorf("the claim's part line: %q", txt)
	}
	b.shot("rma-claim")
	b.noConsoleProblems("the claim with the inspection")
	b.untranslated("/claims/" + claim)

	// 4. At 390 px.
	b.viewport(390, 844, true)
	for _, route := range []string{"/stock/returns", "/claims/" + claim} {
		b.open(route)
		b.settle()
		b.untranslated(route)
		b.noConsoleProblems(route + " at 390 px")
	}
	b.waitVisible(`.claim-line-inspection[data-result="no_fault_found"]`)
	b.shot("rma-claim-phone")
}
