package console_test

// The warranty claims' screens: a service provider repaired a brand's unit (a compressor
// swapped) and claims from the brand; the brand's reviewer adjusts the labour line (an
// adjustment not below the claimed refused at its field), the provider accepts the
// adjustment on its claim page, and the brand records the payment on its payable statement
// (the empty reference refused at its field); the provider's receivable copy shows it paid.
// Then the claims pages in Chinese and on a phone.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// claimRoutes are the claims screens the Chinese and phone passes visit.
var claimRoutes = []string{"/claims", "/claim-statements", "/claim-checks", "/claim-signals"}

func TestJourneyPayerAdjustsAClaimClaimantAcceptsPayerPays(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	brand, provider := env.NewTenant(), env.NewTenant()
	u := env.Unique()

	// The brand's catalog, a registered unit in warranty, and the provider's part list.
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: brand.Admin, Body: map[string]any{
		"code": "ac-" + u, "name": "空调"}}).Map(t)["id"].(string)
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: brand.Admin, Body: map[string]any{
		"category_id": cat, "sku": "AC-" + u, "name": "分体空调",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"].(string)
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: brand.Admin}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: brand.Admin, Body: map[string]any{
		"name": "三包 " + u, "category_ids": []string{cat}, "effective_from": "2026-01-01", "rules": rules}})
	part := "CP-" + u
	for _, tn := range []*apitest.Tenant{brand, provider} {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
			"part_no": part, "name_zh": "压缩机", "unit_cost": 30000, "outlet_price": 40000, "consumer_price": 52000}})
	}
	serial := "SN-C-" + u
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: brand.Admin, Body: map[string]any{
		"model_id": model, "serial": serial, "purchase_date": time.Now().AddDate(0, 0, -60).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "has_warranty_card": true, "buyer": map[string]any{"name": "张先生", "phone": env.Phone()}}})

	// The agreement, the hand-off, the provider's repair and its claim, submitted.
	ag := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/partner-agreements", Token: brand.Admin, Body: map[string]any{
		"partner_tenant_id": provider.ID, "role": "principal", "terms": map[string]any{"categories": []string{}, "regions": []string{},
			"currency": "CNY", "labour_rates": []map[string]any{{"order_type": "repair_minor", "engineer_level": 1, "amount": 8000}},
			"parts": map[string]any{"basis": "list"}, "visit_fee": 3000, "sla_targets": []map[string]any{},
			"contact": map[string]any{"name": "full", "phone": "masked", "address": "masked"}, "valid_from": "2020-01-01"}}}).Map(t)["id"].(string)
	env.DeliverNetwork(t, brand.ID, ag)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/partner-agreements/" + ag + "/accept", Token: provider.Admin})
	env.DeliverNetwork(t, provider.ID, ag)
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: brand.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "serial": serial, "fault_description": "不制冷",
		"customer": map[string]any{"name": "李女士", "phone": env.Phone()}, "location": map[string]any{"province_code": "310000"}}}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + order["order"].(map[string]any)["id"].(string) + "/handoff", Token: brand.Admin,
		Body: map[string]any{"agreement_id": ag}})
	env.DeliverNetwork(t, brand.ID, ag)
	var jobs struct {
		Items []struct {
			OrderID string `json:"order_id"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/network-jobs?direction=received", Token: provider.Admin}).JSON(t, &jobs)
	if len(jobs.Items) != 1 {
		t.Fatalf("jobs the provider received: %+v", jobs.Items)
	}
	spOrder := jobs.Items[0].OrderID
	move := func(to string) {
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + spOrder + "/transitions", Token: provider.Admin, Body: map[string]any{"to": to}})
	}
	move("repairing")
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + spOrder + "/completion", Token: provider.Admin,
		Body: map[string]any{"diagnosis": "压缩机损坏", "work_done": "更换压缩机", "result": "fixed",
			"parts": []map[string]any{{"code": part, "quantity": 1, "old_serial": "OLD-" + u, "new_serial": "NEW-" + u}}}})
	move("picked_up")
	move("approved")
	claim := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + spOrder + "/claim", Token: provider.Admin}).Map(t)
	id, number := claim["id"].(string), claim["number"].(string)
	claimed := int64(claim["claimed"].(float64))
	first := int64(claim["lines"].([]any)[0].(map[string]any)["claimed"].(float64))
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/claims/" + id + "/submit", Token: provider.Admin})
	env.DeliverNetwork(t, provider.ID, ag)

	b := newBrowser(t, env.Server.URL)

	// 1. The brand's reviewer finds the claim on the list (filtered to claims on us) and opens it.
	b.signIn(brand.AdminEmail)
	b.open("/claims?side=payer")
	b.waitJS(fmt.Sprintf(`document.querySelector('.list-table').innerText.includes(%q)`, number))
	b.shot("claims-list")
	b.clickOpens(`.claim-link`, `.claim-lines`)
	if got := b.js(`document.querySelector('.claim-lines').innerText`); !strings.Contains(got, "OLD-"+u) || !strings.Contains(got, "NEW-"+u) {
		t.Errorf("the claim's lines do not show both serials of the swapped part:\n%s", got)
	}

	// 2. Adjust the first line: approving it as claimed is refused at its field; then less, with a reason.
	b.clickOpens(`.adjust-claim`, `.form-drawer .adjust-line`)
	b.click(`.form-drawer .adjust-line .el-checkbox`)
	b.setNumber(`.form-drawer input[name=approved-0]`, fmt.Sprintf("%.2f", float64(first)/100))
	b.typeInto(`.form-drawer input[name=reason-0]`, "工时高于价目表")
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer input[name=approved-0]`); got == "" {
		t.Errorf("an adjustment not below the claimed is not refused at its field:\n%s", b.visibleText())
	}
	b.shot("claim-adjust-refused")
	b.setNumber(`.form-drawer input[name=approved-0]`, fmt.Sprintf("%.2f", float64(first-1000)/100))
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.claim-lines').innerText.includes('工时高于价目表')`)
	if got := b.visibleText(); !strings.Contains(got, "Adjusted") {
		t.Errorf("the adjusted claim does not say so:\n%s", got)
	}
	b.shot("claim-adjusted")
	b.noConsoleProblems("review")
	env.DeliverNetwork(t, brand.ID, ag)

	// 3. The provider accepts the adjustment on its claim page.
	b.signIn(provider.AdminEmail)
	b.open("/claims/" + id)
	b.waitVisible(`.accept-review`)
	if got := b.js(`document.querySelector('.claim-lines').innerText`); !strings.Contains(got, "工时高于价目表") {
		t.Errorf("the provider's claim does not show the adjustment's reason:\n%s", got)
	}
	b.click(`.accept-review`)
	b.waitJS(`document.body.innerText.includes('Review accepted')`)
	b.shot("claim-accepted")
	b.noConsoleProblems("response")
	env.DeliverNetwork(t, provider.ID, ag)
	env.DeliverNetwork(t, brand.ID, ag)

	// 4. The brand records the payment on its payable statement: the empty reference is
	// refused at its field; the amount defaults to what is outstanding.
	want := claimed - 1000
	b.signIn(brand.AdminEmail)
	b.open("/claim-statements?direction=payable")
	b.waitVisible(`.statement-link`)
	b.shot("claim-statements")
	b.clickOpens(`.statement-link`, `.record-payment`)
	stURL := b.location()
	b.clickOpens(`.record-payment`, `.form-drawer input[name=reference]`)
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer input[name=reference]`); got == "" {
		t.Errorf("the empty bank reference is not refused at its field:\n%s", b.visibleText())
	}
	b.typeInto(`.form-drawer input[name=reference]`, "BANK-"+strings.ToUpper(u))
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.statement-payments').innerText.includes('BANK-')`)
	if got := b.visibleText(); !strings.Contains(got, "Paid") {
		t.Errorf("the paid statement does not say so:\n%s", got)
	}
	b.shot("claim-statement-paid")
	b.noConsoleProblems("payment")
	env.DeliverNetwork(t, brand.ID, ag)
	var recv struct {
		Items []struct {
			Status string `json:"status"`
			Paid   int64  `json:"paid"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claim-statements?direction=receivable", Token: provider.Admin}).JSON(t, &recv)
	if len(recv.Items) != 1 || recv.Items[0].Status != "paid" || recv.Items[0].Paid != want {
		t.Fatalf("the provider's receivable statements after the payment (want %d paid): %+v", want, recv.Items)
	}

	// 5. In Chinese, and on a phone.
	b.chinese()
	routes := append([]string{"/claims/" + id, strings.TrimPrefix(stURL, env.Server.URL+"/console")}, claimRoutes...)
	for _, route := range routes {
		b.open(route)
		b.untranslated(route)
	}
	b.shot("claim-zh")
	b.viewport(390, 844, true)
	for _, route := range routes {
		b.open(route)
		b.noSidewaysScroll(route)
		b.untranslated(route + " on a phone")
	}
	b.open("/claims/" + id)
	b.shot("phone-claim")
	b.noConsoleProblems("Chinese and phone")
}
