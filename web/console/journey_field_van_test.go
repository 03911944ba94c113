package console_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestJourneyEngineerSeesTheVanAndRequestsParts: on a phone (390x844) an engineer with a van
// opens My van from My day, sees what the van holds (on hand and reserved) and finds a part
// by searching; asks the outlet's warehouse for a part the van lacks (found in the catalogue)
// and returns one unit of a part it holds. The API shows the request pending and the van one
// unit lighter. English first, then Chinese.
func TestJourneyEngineerSeesTheVanAndRequestsParts(t *testing.T) {
	j := newJourney(t)
	env := j.env
	builtOrSkip(t, env)
	adm := j.admin
	u := env.Unique()

	tn := &apitest.Tenant{ID: j.tenantID}
	engEmail, engTok := env.Person(tn, "engineer", j.outletID)
	engID := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: engTok}).Map(t)["id"].(string)
	part := func(no, zh, en string) string {
		return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: adm, Body: map[string]any{
			"part_no": no + "-" + u, "name_zh": zh, "name_en": en, "unit_cost": 10, "outlet_price": 15, "consumer_price": 20}}).Map(t)["id"].(string)
	}
	thermo, capacitor := part("TH", "温控器", "Thermostat"), part("CAP", "启动电容", "Start capacitor")
	wh := func(code, name string, engineer any) string {
		body := map[string]any{"code": code + "-" + u, "name": name, "kind": "spare_parts", "outlet_id": j.outletID}
		if engineer != nil {
			body["engineer_id"] = engineer
		}
		return env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: adm, Body: body}).Map(t)["id"].(string)
	}
	shelf, van := wh("SHELF", "网点备件库", nil), wh("VAN", "李师傅车载库", engID)
	for key, in := range map[string][2]string{"v": {van, thermo}, "s": {shelf, capacitor}} {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: adm, Body: map[string]any{
			"idempotency_key": "in-" + key + u, "type": "receipt", "warehouse_id": in[0], "part_id": in[1], "qty": 5}})
	}

	b := newBrowser(t, env.Server.URL)
	b.viewport(390, 844, true)
	b.do(chromedp.Navigate(env.Server.URL + "/field/login"))
	b.waitJS(`document.body.innerText.includes('Engineer sign-in')`)
	b.typeInto(`input[name=email]`, engEmail)
	b.typeInto(`input[name=password]`, apitest.Password)
	b.click(`.login-submit`)

	// 1. My day links to the van; the van shows its stock.
	b.clickOpens(`.day-van`, `.my-van .van-line`)
	line := fmt.Sprintf(`.van-line[data-part=%q]`, thermo)
	b.waitJS(fmt.Sprintf(`document.querySelector(%q).innerText.includes('Thermostat') && document.querySelector(%q).innerText.includes('On hand: 5')`, line, line))
	b.typeInto(`input[name=van-search]`, "nothing-like-it")
	b.waitVisible(`.van-empty-stock`)
	b.typeInto(`input[name=van-search]`, "TH-"+u)
	b.waitVisible(line)
	b.bigTargets("my van (en)")
	b.noSidewaysScroll("my van (en)")
	b.shot("field-van-en")

	// 2. Ask for a part the van lacks: without a part the app says so; found by its number.
	b.clickOpens(`.van-ask`, `.van-ask-sheet input[name=van-part-query]`)
	b.clickOpens(`.van-ask-send`, `.van-ask-sheet .van-problem`)
	b.waitJS(`document.querySelector('.van-ask-sheet .van-problem').innerText.includes('Choose a part first')`)
	b.typeInto(`input[name=van-part-query]`, "CAP-"+u)
	b.click(fmt.Sprintf(`.van-found[data-part=%q]`, capacitor))
	b.waitJS(`document.querySelector('.van-ask-sheet .van-picked').innerText.includes('Start capacitor')`)
	b.click(`.van-ask-sheet .van-stepper__plus`)
	b.typeInto(`input[name=van-ask-reason]`, "明天的工单")
	b.bigTargets("request parts (en)")
	b.shot("field-van-request-en")
	b.click(`.van-ask-send`)
	b.waitJS(`document.querySelector('.van-notice') && document.querySelector('.van-notice').innerText.includes('Requested')`)
	b.waitJS(`document.querySelector('.van-requests').innerText.includes('Start capacitor') && document.querySelector('.van-requests').innerText.includes('Pending review')`)
	var mine struct {
		Stock []struct {
			PartID string `json:"part_id"`
			OnHand int    `json:"on_hand"`
		} `json:"stock"`
		Requests []struct {
			PartID            string `json:"part_id"`
			Qty               int    `json:"qty"`
			Status            string `json:"status"`
			Reason            string `json:"reason"`
			SourceWarehouseID string `json:"source_warehouse_id"`
		} `json:"requests"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/van", Token: engTok}).JSON(t, &mine)
	if r := mine.Requests; len(r) != 1 || r[0].PartID != capacitor || r[0].Qty != 2 || r[0].Status != "pending" ||
		r[0].Reason != "明天的工单" || r[0].SourceWarehouseID != shelf {
		t.Fatalf("the van's requests after asking from the phone: %+v", r)
	}
	b.noConsoleProblems("request parts (en)")

	// 3. In Chinese, return one thermostat to the outlet.
	b.clickOpens(`.van-nav-bar__left`, `.lang-switch`)
	b.click(`.lang-switch`)
	b.waitJS(`document.documentElement.lang === 'zh-CN'`)
	b.untranslated("my day with the van link")
	b.clickOpens(`.day-van`, `.my-van .van-line`)
	b.waitJS(fmt.Sprintf(`document.querySelector(%q).innerText.includes('温控器') && document.querySelector('.van-requests').innerText.includes('启动电容')`, line))
	b.untranslated("my van")
	b.bigTargets("my van")
	b.noSidewaysScroll("my van")
	b.shot("field-van")
	b.clickOpens(line+` .van-return`, `.van-return-sheet .van-return-send`)
	b.untranslated("return parts")
	b.shot("field-van-return")
	// A sheet just opened can still be sliding in: clickOpens presses again if the first tap missed.
	b.clickOpens(`.van-return-send`, `.van-notice`)
	b.waitJS(fmt.Sprintf(`document.querySelector('.van-notice') && document.querySelector('.van-notice').innerText.includes('已退回') &&
		document.querySelector(%q).innerText.includes('在库：4')`, line))
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/van", Token: engTok}).JSON(t, &mine)
	if len(mine.Stock) != 1 || mine.Stock[0].PartID != thermo || mine.Stock[0].OnHand != 4 {
		t.Errorf("the van after returning one from the phone: %+v", mine.Stock)
	}
	var shelfStock struct {
		Items []struct {
			PartID string `json:"part_id"`
			OnHand int    `json:"on_hand"`
		} `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?warehouse_id=" + shelf + "&part_id=" + thermo, Token: adm}).JSON(t, &shelfStock)
	if len(shelfStock.Items) != 1 || shelfStock.Items[0].OnHand != 1 {
		t.Errorf("the outlet's shelf after the return: %+v, want the one thermostat", shelfStock.Items)
	}
	if strings.Contains(b.visibleText(), "body.") {
		t.Errorf("the van shows a field path: %s", b.visibleText())
	}
	b.noConsoleProblems("return parts")
}
