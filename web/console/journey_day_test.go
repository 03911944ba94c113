package console_test

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// signIn signs in on the sign-in page (after signing out whoever was signed in).
func (b *browser) signIn(email string) {
	b.t.Helper()
	if b.js(`document.querySelector('.user-menu') ? 'in' : ''`) == "in" {
		b.click(`.user-menu`)
		out := "Sign out"
		if b.js(`document.documentElement.lang`) == "zh-CN" {
			out = "退出登录"
		}
		b.clickText(`.el-dropdown-menu__item`, out)
		b.waitJS(`location.pathname === '/console/login'`)
	} else {
		b.open("/login")
	}
	b.typeInto(`input[name=email]`, email)
	b.typeInto(`input[name=password]`, apitest.Password+"\r")
	b.waitVisible(`.app-layout`)
	b.settle()
}

// chinese switches the app to Chinese (the choice the language menu remembers) and reloads.
func (b *browser) chinese() {
	b.t.Helper()
	b.js(`(() => { localStorage.setItem('aftersales.lang', 'zh-CN'); return '' })()`)
	b.open("/")
	b.waitJS(`document.documentElement.lang === 'zh-CN'`)
}

// drag drags the order's card on the board to a column, as the browser's drag and drop does.
// With drop false it stops over the column (the board shows where the card may go).
func (b *browser) drag(number, status string, drop bool) {
	b.t.Helper()
	b.waitVisible(fmt.Sprintf(`.kanban-card[data-order=%q]`, number))
	b.js(fmt.Sprintf(`(() => {
		const card = document.querySelector('.kanban-card[data-order=%q]');
		const col = document.querySelector('.kanban-column[data-status=%q]');
		const dt = new DataTransfer();
		card.dispatchEvent(new DragEvent('dragstart', { bubbles: true, dataTransfer: dt }));
		col.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
		if (%t) {
			col.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
			card.dispatchEvent(new DragEvent('dragend', { bubbles: true, dataTransfer: dt }));
		}
		return '';
	})()`, number, status, drop))
}

// cardIn waits for the order's card to be in the status's column.
func (b *browser) cardIn(number, status string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf(`!!document.querySelector('.kanban-column[data-status=%q] .kanban-card[data-order=%q]:not(.is-moving)')`, status, number))
}

// noSidewaysScroll checks that the page fits the phone's width.
func (b *browser) noSidewaysScroll(route string) {
	b.t.Helper()
	if w := b.js(`String(document.documentElement.scrollWidth - window.innerWidth)`); w != "0" {
		b.t.Errorf("%s is %s px wider than a 390 px screen", route, w)
	}
}

func TestJourneyAgentTakesAnOrderDispatcherAssignsManagerRunsIt(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := env.Unique()
	U := strings.ToUpper(u)

	// The brand's catalogue: an air conditioner under the national policy, sold 20 days ago
	// to a customer who calls in.
	tn := &apitest.Tenant{ID: env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tenant", Token: j.admin}).Map(t)["id"].(string)}
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: j.admin, Body: map[string]any{
		"code": "ac-" + u, "name": "空调"}}).Map(t)["id"].(string)
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: j.admin, Body: map[string]any{
		"category_id": cat, "sku": "KFR-35GW-" + U, "name": "挂式空调",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"].(string)
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: j.admin}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: j.admin, Body: map[string]any{
		"name": "国家三包", "category_ids": []string{cat}, "effective_from": "2020-01-01", "rules": rules}})
	phone := "1381234" + fmt.Sprintf("%04d", time.Now().UnixNano()%10000)
	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: j.admin, Body: map[string]any{
		"name": "张三", "phone": phone, "province_code": "310000", "address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"].(string)
	serial := "SN" + U
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: j.admin, Body: map[string]any{
		"model_id": model, "serial": serial, "purchase_date": time.Now().AddDate(0, 0, -20).Format(time.DateOnly),
		"invoice_no": "INV-" + U, "has_warranty_card": true, "buyer": map[string]any{"customer_id": customer}}})

	// The people: an agent at the call centre, another who dispatches, the outlet's manager and
	// its engineer (the outlet's default).
	agent, _ := env.Person(tn, "agent", "")
	dispatcher, _ := env.Person(tn, "agent", "")
	manager, _ := env.Person(tn, "outlet_manager", j.outletID)
	_, engTok := env.Person(tn, "engineer", j.outletID)
	engID := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: engTok}).Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + engID, Token: j.admin, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"outlet_id": j.outletID, "skills": []string{}, "level": 2, "active": true, "is_default": true}})

	b := newBrowser(t, env.Server.URL)

	// 1. The agent takes the call: the caller is found by phone, the unit by serial, and the
	// warranty decision with its reasons and the tier show before anything is saved.
	b.signIn(agent)
	b.open("/orders/new")
	// A phone order is a carry-in repair unless the agent says otherwise.
	b.waitJS(`document.querySelector('.type-select').innerText.includes('Minor repair')`)
	b.typeInto(`input[name="customer.phone"]`, phone)
	b.waitJS(`document.querySelector('.found-customers') && document.querySelector('.found-customers').innerText.includes('张三')`)
	if b.js(`document.querySelector('input[name="customer.name"]') ? 'shown' : ''`) != "" {
		t.Error("the found customer's name is asked again")
	}
	b.typeInto(`input[name=serial]`, serial)
	b.waitVisible(`.decision[data-class=manufacturer]`)
	decision := b.js(`document.querySelector('.decision-card').innerText`)
	for _, want := range []string{"Manufacturer warranty", "Repair", "Standard", "国家三包, version 1", "Reasons"} {
		if !strings.Contains(decision, want) {
			t.Errorf("the decision before saving does not show %q:\n%s", want, decision)
		}
	}
	if n := b.js(`String(document.querySelectorAll('.decision .reasons li').length)`); n == "0" {
		t.Error("the decision shows no reasons")
	}
	if items, _ := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders?customer_id=" + customer, Token: j.admin}).Map(t)["items"].([]any); len(items) != 0 {
		t.Error("an order exists before the agent saved one")
	}
	// Saved without a fault description: the API's refusal is shown on that field.
	b.click(`.intake-form button[type=submit]`)
	b.waitVisible(`.el-form-item.is-error .el-form-item__error`)
	if b.js(`document.querySelector('textarea[name=fault_description]').closest('.el-form-item').classList.contains('is-error') ? 'yes' : ''`) != "yes" {
		t.Errorf("the missing fault description is not shown on its field:\n%s", b.visibleText())
	}
	b.typeInto(`textarea[name=fault_description]`, "不制冷，外机有异响")
	b.shot("intake-decision")
	b.click(`.intake-form button[type=submit]`)
	b.waitJS(`/^\/console\/orders\/[0-9a-f-]{36}$/.test(location.pathname)`)
	b.settle()
	orderURL, _ := url.Parse(b.location())
	orderID := filepath.Base(orderURL.Path)
	var o struct {
		Number     string `json:"number"`
		Status     string `json:"status"`
		CustomerID string `json:"customer_id"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID, Token: j.admin}).JSON(t, &o)
	number := o.Number
	if o.CustomerID != customer {
		t.Errorf("the order is for customer %s, want the one found by phone (%s)", o.CustomerID, customer)
	}
	// The order's page: customer, unit, decision, time limits counting down live.
	b.waitVisible(`.sla-countdown`)
	page := b.visibleText()
	for _, want := range []string{"张三", serial, "Manufacturer warranty", "Time limits", "No outlet"} {
		if !strings.Contains(page, want) {
			t.Errorf("the order's page does not show %q:\n%s", want, page)
		}
	}
	before := b.js(`document.querySelector('.sla-countdown').innerText`)
	b.waitJS(fmt.Sprintf(`document.querySelector('.sla-countdown').innerText !== %q`, before))
	b.shot("order-detail-full")
	b.noConsoleProblems("intake")

	// 2. The dispatcher, in Chinese: the order waits for an outlet (none covers the address);
	// choosing one by hand is an override, refused without a reason on the reason field.
	b.signIn(dispatcher)
	b.chinese()
	b.open("/dispatch")
	b.click(fmt.Sprintf(`.dispatch-list[data-list=waiting] .dispatch-item[data-order=%q]`, number))
	b.waitJS(fmt.Sprintf(`document.querySelector('.dispatch-panel').innerText.includes(%q) && document.querySelector('.current-outlet')`, number))
	b.settle()
	b.untranslated("the dispatch board")
	b.click(`.override-outlet .el-select__wrapper`)
	b.clickText(`.el-select-dropdown__item`, "上海服务中心 (SH-01)")
	b.click(`.override-outlet-go`)
	b.waitVisible(`.el-form-item.is-error .el-form-item__error`)
	if b.js(`document.querySelector('input[name=reason]').closest('.el-form-item').classList.contains('is-error') ? 'yes' : ''`) != "yes" {
		t.Errorf("the override without a reason is not refused on the reason field:\n%s", b.visibleText())
	}
	b.untranslated("the refused override")
	b.shot("zh-dispatch-reason")
	b.typeInto(`input[name=reason]`, "客户就近送修")
	b.click(`.override-outlet-go`)
	b.waitJS(`document.querySelector('.current-outlet').innerText.includes('上海服务中心')`)
	// The engineer proposal: the outlet's default engineer, with the rule and reasons.
	b.waitVisible(`.proposal[data-engineer] .el-button--primary`)
	if got := b.js(`document.querySelector('.proposal[data-engineer]').innerText`); !strings.Contains(got, "网点默认工程师") || !strings.Contains(got, "推荐") {
		t.Errorf("the engineer proposal shows %q", got)
	}
	b.click(`.proposal[data-engineer] .el-button--primary`)
	b.waitJS(`document.querySelector('.current-engineers').innerText.includes('待接单')`)
	// Dispatched (an outlet and a lead offered), it leaves the waiting list.
	b.waitJS(fmt.Sprintf(`!document.querySelector('.dispatch-list[data-list=waiting] .dispatch-item[data-order=%q]')`, number))
	b.settle()
	b.untranslated("the dispatched order")
	b.shot("zh-dispatch")
	var dispatched struct {
		OutletID string `json:"outlet_id"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID, Token: j.admin}).JSON(t, &dispatched)
	if dispatched.OutletID != j.outletID {
		t.Errorf("the order is at outlet %q, want %s", dispatched.OutletID, j.outletID)
	}
	b.noConsoleProblems("dispatch")

	// 3. The outlet manager works the order on the board: 待修 → 修理中 (button) → 待件 (drag) →
	// 修理中; a drag to 已取 is refused naming the allowed moves.
	b.signIn(manager)
	b.open("/orders/board")
	b.cardIn(number, "waiting")
	b.untranslated("the board")
	b.click(fmt.Sprintf(`.kanban-card[data-order=%q] button[data-move=repairing]`, number))
	b.cardIn(number, "repairing")
	b.drag(number, "waiting_parts", false)
	b.waitJS(`document.querySelector('.kanban-column[data-status=waiting_parts]').classList.contains('is-allowed') &&
		document.querySelector('.kanban-column[data-status=picked_up]').classList.contains('is-denied')`)
	b.shot("zh-board-drag")
	b.drag(number, "waiting_parts", true)
	b.cardIn(number, "waiting_parts")
	b.click(fmt.Sprintf(`.kanban-card[data-order=%q] button[data-move=repairing]`, number))
	b.cardIn(number, "repairing")
	b.drag(number, "picked_up", true)
	b.waitVisible(`.board-problem .refusal`)
	if got := b.js(`document.querySelector('.board-problem').innerText`); !strings.Contains(got, "可流转到") || !strings.Contains(got, "待取") || !strings.Contains(got, number) {
		t.Errorf("the refused move shows %q, want the allowed moves (待取 among them) and the order", got)
	}
	b.untranslated("the refused move on the board")
	b.shot("zh-board-refused")
	b.cardIn(number, "repairing")

	// A stale edit: the order changed since the page read it (someone edited its facts);
	// the move is refused (412) and the page offers the latest version, then 待取 → 已取.
	b.open("/orders/" + orderID)
	b.waitVisible(`.moves-buttons button[data-move=ready_for_pickup]`)
	cur := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID, Token: j.admin})
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/" + orderID, Token: j.admin,
		Header: map[string]string{"If-Match": cur.Header.Get("ETag")},
		Body:   map[string]any{"fault_description": "不制冷，外机异响，压缩机不启动", "location": map[string]any{"province_code": "310000"}}})
	b.click(`.moves-buttons button[data-move=ready_for_pickup]`)
	b.waitVisible(`.moves-card .problem-alert .el-button--primary`)
	if got := b.js(`document.querySelector('.moves-card .problem-alert').innerText`); !strings.Contains(got, "已被他人修改") {
		t.Errorf("the stale move shows %q", got)
	}
	b.untranslated("the stale move")
	b.shot("zh-order-stale-edit")
	b.click(`.moves-card .problem-alert .el-button--primary`)
	b.waitJS(`!document.querySelector('.moves-card .problem-alert') && document.body.innerText.includes('压缩机不启动')`)
	b.click(`.moves-buttons button[data-move=ready_for_pickup]`)
	b.waitVisible(`.moves-buttons button[data-move=picked_up]`)
	b.click(`.moves-buttons button[data-move=picked_up]`)
	b.waitJS(`document.querySelector('.order-status').innerText === '已取'`)
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID, Token: j.admin}).JSON(t, &o)
	if o.Status != "picked_up" {
		t.Errorf("the order ended %s, want picked_up", o.Status)
	}
	b.settle()
	b.untranslated("the picked-up order")
	b.shot("zh-order-picked-up")
	b.noConsoleProblems("manager")

	// 4. On a phone: the screens fit 390 px and stay Chinese.
	b.viewport(390, 844, true)
	for _, r := range []struct{ route, shot string }{
		{"/orders/new", "phone-intake"}, {"/orders/" + orderID, ""}, {"/dispatch?order=" + orderID, "phone-dispatch"}, {"/orders/board", "phone-board"},
	} {
		b.open(r.route)
		b.noSidewaysScroll(r.route)
		b.untranslated(r.route + " on a phone")
		// The manager's outlet is named in the header on a desktop only: on a phone it pushed the
		// tenant's name into a column of single characters.
		if b.js(`[...document.querySelectorAll('.tenant-switcher .el-tag')].some((e) => e.getClientRects().length) ? 'shown' : ''`) != "" {
			t.Errorf("%s shows the outlet in the header of a 390 px screen", r.route)
		}
		if r.shot != "" {
			b.shot(r.shot)
		}
	}
	b.viewport(1400, 900, false)
	b.noConsoleProblems("phone")

	// 5. The brand's administrator: a policy's versions (a new one cannot start in the past:
	// refused on its day field) and the service tiers.
	b.signIn(j.email)
	b.open("/policies")
	b.waitJS(`document.querySelector('.list-table').innerText.includes('国家三包')`)
	b.untranslated("the policies")
	b.clickText(`.list-table a`, "国家三包")
	b.waitVisible(`.new-version input[name=effective_from]`)
	b.typeInto(`.new-version input[name=effective_from]`, "2020-01-01\r")
	b.typeInto(`.new-version input[name="rules.sanbao.exchange_days"]`, "30")
	b.click(`.new-version button[type=submit]`)
	b.waitVisible(`.new-version .el-form-item.is-error .el-form-item__error`)
	if b.js(`document.querySelector('.new-version input[name=effective_from]').closest('.el-form-item').classList.contains('is-error') ? 'yes' : ''`) != "yes" {
		t.Errorf("a version starting in the past is not refused on its day:\n%s", b.visibleText())
	}
	b.untranslated("the refused version")
	b.shot("zh-policy-version-refused")
	b.typeInto(`.new-version input[name=effective_from]`, time.Now().AddDate(0, 0, 1).Format(time.DateOnly)+"\r")
	b.click(`.new-version button[type=submit]`)
	b.waitVisible(`.policy-version[data-version="2"]`)
	if got := b.js(`document.querySelector('.policy-version[data-version="2"]').innerText`); !strings.Contains(got, "30 天内可换货") {
		t.Errorf("version 2 shows %q, want the 30-day exchange", got)
	}
	b.shot("zh-policy")
	b.open("/tiers")
	b.waitVisible(`.tier-row[data-tier=gold] input[name="tiers.0.name"]`)
	b.untranslated("the tiers")
	b.typeInto(`.tier-row[data-tier=gold] input[name="tiers.0.name"]`, "钻石")
	b.click(`.tiers-form button[type=submit]`)
	b.waitVisible(`.el-message--success`)
	var tiers struct{ Tiers []struct{ Code, Name string } }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tiers", Token: j.admin}).JSON(t, &tiers)
	if len(tiers.Tiers) == 0 || tiers.Tiers[0].Name != "钻石" {
		t.Errorf("the tiers are %+v after renaming gold", tiers.Tiers)
	}
	b.shot("zh-tiers")
	b.viewport(390, 844, true)
	for _, route := range []string{"/policies", "/tiers"} {
		b.open(route)
		b.noSidewaysScroll(route)
	}
	b.viewport(1400, 900, false)
	b.noConsoleProblems("brand admin")
}
