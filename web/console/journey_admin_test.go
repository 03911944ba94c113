package console_test

// The brand administrator's screens, on a fresh tenant: each step works a screen in English,
// then the Chinese pass scans every one of them for keys, field paths and English, and the
// phone pass checks they fit 390 px.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// openDrawer is the drawer form that shows (a page may hold closed ones too).
const openDrawer = `[...document.querySelectorAll('.form-drawer')].find((e) => e.getClientRects().length > 0)`

// drawerSubmit saves the open drawer form.
func (b *browser) drawerSubmit() {
	b.t.Helper()
	b.waitJS(`(() => { const d = ` + openDrawer + `; return !!d && !!d.querySelector('.drawer-submit') })()`)
	b.js(`(() => { (` + openDrawer + `).querySelector('.drawer-submit').click(); return '' })()`)
}

// closeDrawer closes the open drawer form without saving.
func (b *browser) closeDrawer() {
	b.t.Helper()
	b.js(`(() => { (` + openDrawer + `).querySelector('.el-drawer__close-btn').click(); return '' })()`)
	b.drawerClosed()
}

// drawerClosed waits until no drawer form shows and the list behind it has loaded again.
func (b *browser) drawerClosed() {
	b.t.Helper()
	b.waitJS(`![...document.querySelectorAll('.form-drawer')].some((e) => e.getClientRects().length > 0)`)
	b.settle()
}

// fieldError is the error shown at the form item holding css (waiting for it to show).
func (b *browser) fieldError(css string) string {
	b.t.Helper()
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); const i = e && e.closest('.el-form-item'); const m = i && i.querySelector('.el-form-item__error'); return !!m && m.innerText !== '' })()`, css)
	if !b.shows(`.el-form-item.is-error`, 5*time.Second) {
		return ""
	}
	_, _ = chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(5*time.Second)))
	return b.js(fmt.Sprintf(`(() => { const e = document.querySelector(%q); const i = e && e.closest('.el-form-item'); const m = i && i.querySelector('.el-form-item__error'); return m ? m.innerText : '' })()`, css))
}

// adminRoutes are the brand administrator's screens the Chinese and phone passes visit.
var adminRoutes = []string{"/catalog/categories", "/catalog/models", "/fault-codes", "/express-products", "/sla-settings"}

func TestJourneyBrandAdminSetsUpTheTenant(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := env.Unique()
	U := strings.ToUpper(u)
	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)

	// 1. Catalog. A category: the empty drawer is refused at the code, then created.
	b.open("/catalog/categories")
	b.click(`.new-category`)
	b.waitVisible(`.form-drawer input[name=code]`)
	b.drawerSubmit()
	b.waitVisible(`.form-drawer .el-form-item.is-error`)
	if got := b.fieldError(`.form-drawer input[name=code]`); got == "" {
		t.Errorf("the empty code is not refused at its field:\n%s", b.visibleText())
	}
	b.typeInto(`.form-drawer input[name=code]`, "ac-"+u)
	b.typeInto(`.form-drawer input[name=name]`, "空调")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('空调')`)
	b.shot("catalog-categories")
	var cat struct{ Items []struct{ ID, Code string } }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/categories", Token: j.admin}).JSON(t, &cat)
	if len(cat.Items) != 1 || cat.Items[0].Code != "ac-"+u {
		t.Fatalf("the API lists the categories %+v", cat.Items)
	}
	catID := cat.Items[0].ID

	// A model of it (the list's category filter fills the drawer's): a serial pattern the
	// API cannot read is refused at its field; the serial tester says whether a serial fits.
	b.open("/catalog/models?category_id=" + catID)
	b.click(`.new-model`)
	b.waitVisible(`.form-drawer input[name=sku]`)
	b.typeInto(`.form-drawer input[name=sku]`, "KFR-35GW-"+U)
	b.typeInto(`.form-drawer input[name=name]`, "挂式空调")
	b.click(`.form-drawer .add-component`)
	b.typeInto(`.form-drawer input[name="components.0.code"]`, "compressor")
	b.typeInto(`.form-drawer input[name="components.0.name"]`, "压缩机")
	b.click(`.form-drawer .component-row[data-component="0"] .component-main`)
	b.click(`.form-drawer .add-component`)
	b.typeInto(`.form-drawer input[name="components.1.code"]`, "panel")
	b.typeInto(`.form-drawer input[name="components.1.name"]`, "面板")
	b.typeInto(`.form-drawer input[name=serial_pattern]`, "KF[0-9")
	b.drawerSubmit()
	b.waitVisible(`.form-drawer .el-form-item.is-error`)
	if got := b.fieldError(`.form-drawer input[name=serial_pattern]`); got != "Not a valid regular expression" {
		t.Errorf("the unreadable pattern shows %q at its field", got)
	}
	b.typeInto(`.form-drawer input[name=serial_pattern]`, "KF[0-9]{5}")
	b.typeInto(`.form-drawer input[name=try_serial]`, "KF1234")
	b.waitJS(`document.querySelector('.form-drawer .serial-verdict') && document.querySelector('.form-drawer .serial-verdict').innerText === 'Does not fit'`)
	b.typeInto(`.form-drawer input[name=try_serial]`, "KF12345")
	b.waitJS(`document.querySelector('.form-drawer .serial-verdict').innerText === 'Fits the format'`)
	b.shot("catalog-model-drawer")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('压缩机')`)
	b.shot("catalog-models")
	var models struct {
		Items []struct {
			ID, SKU       string
			SerialPattern string `json:"serial_pattern"`
			Components    []struct {
				Code string
				Main bool
			}
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/models?category_id=" + catID, Token: j.admin}).JSON(t, &models)
	if len(models.Items) != 1 || models.Items[0].SerialPattern != "KF[0-9]{5}" || len(models.Items[0].Components) != 2 ||
		!models.Items[0].Components[0].Main || models.Items[0].Components[1].Main {
		t.Fatalf("the API has the models %+v", models.Items)
	}
	modelID := models.Items[0].ID

	// A stale edit: another client renames the model while its drawer is open; the save is
	// refused (412) and the drawer offers the latest version.
	b.settle() // the list reloaded after the save
	b.click(fmt.Sprintf(`.edit-model[data-sku=%q]`, "KFR-35GW-"+U))
	b.waitJS(`(() => { const d = ` + openDrawer + `; return !!d && d.querySelector('input[name=name]').value === '挂式空调' })()`)
	b.settle()
	resp := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/models/" + modelID, Token: j.admin})
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/models/" + modelID, Token: j.admin,
		Header: map[string]string{"If-Match": resp.Header.Get("ETag")},
		Body: map[string]any{"category_id": catID, "sku": "KFR-35GW-" + U, "name": "挂式空调（新款）", "serial_pattern": "KF[0-9]{5}",
			"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}})
	b.typeInto(`.form-drawer input[name=name]`, "挂式空调 改")
	b.drawerSubmit()
	b.waitVisible(`.form-drawer .problem-alert .el-button--primary`)
	if got := b.js(`document.querySelector('.form-drawer .problem-alert').innerText`); !strings.Contains(got, "Changed by someone else") {
		t.Errorf("the stale save shows %q", got)
	}
	b.click(`.form-drawer .problem-alert .el-button--primary`)
	b.waitJS(`document.querySelector('.form-drawer input[name=name]').value === '挂式空调（新款）' && !document.querySelector('.form-drawer .problem-alert') && document.querySelectorAll('.form-drawer .component-row').length === 1`)
	b.closeDrawer()
	b.noConsoleProblems("catalog")

	// 2. Fault codes: the dictionary has E1 and its duplicate E01 (entered on orders); a code
	// added here is normalised; the duplicate is merged into E1.
	e1 := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/fault-codes", Token: j.admin, Body: map[string]any{"code": "e-1", "name": "不制冷"}}).Map(t)["id"].(string)
	e01 := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/fault-codes", Token: j.admin, Body: map[string]any{"code": "E01", "name": "不制冷（重复）"}}).Map(t)["id"].(string)
	b.open("/fault-codes")
	b.click(`.new-fault`)
	b.waitVisible(`.form-drawer input[name=code]`)
	b.typeInto(`.form-drawer input[name=code]`, "--")
	b.drawerSubmit() // no letter or digit: refused at the code
	if got := b.fieldError(`.form-drawer input[name=code]`); got == "" {
		t.Errorf("the code -- is not refused at its field:\n%s", b.visibleText())
	}
	b.typeInto(`.form-drawer input[name=code]`, "e-7")
	b.typeInto(`.form-drawer input[name=name]`, "压缩机不启动")
	b.typeInto(`.form-drawer input[name=component]`, "compressor")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`!!document.querySelector('.list-table [data-code=E7]')`)
	b.typeInto(`input[name=prefix]`, "E0\r")
	b.waitJS(`location.search === '?prefix=E0' && document.querySelectorAll('.list-table tbody tr').length === 1 && !!document.querySelector('.list-table [data-code=E01]')`)
	b.settle()
	b.click(`.merge-fault[data-code=E01]`)
	b.waitVisible(`.form-drawer .merge-into`)
	b.drawerSubmit() // nothing chosen: refused at the field
	b.waitVisible(`.form-drawer .el-form-item.is-error`)
	b.click(`.form-drawer .merge-into`)
	b.typeInto(`.form-drawer .merge-into input`, "E1")
	b.clickText(`.el-select-dropdown__item`, "E1 · 不制冷")
	b.shot("fault-merge")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('Merged into E1')`)
	var merged struct {
		MergedInto string `json:"merged_into"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/fault-codes/" + e01, Token: j.admin}).JSON(t, &merged)
	if merged.MergedInto != e1 {
		t.Errorf("E01 is merged into %q, want E1 (%s)", merged.MergedInto, e1)
	}
	b.open("/fault-codes")
	b.shot("fault-codes")
	b.noConsoleProblems("fault codes")

	// 3. Express services: a per-incident promise without a price is refused at the price,
	// then sold at ¥99 with a 6-hour arrival target; its price is replaced by ¥129 (the old
	// one stays, replaced); a two-year plan is added.
	b.open("/express-products")
	b.click(`.new-product`)
	b.waitVisible(`.form-drawer input[name=code]`)
	b.typeInto(`.form-drawer input[name=code]`, "onsite-6h")
	b.typeInto(`.form-drawer input[name=name]`, "6 小时上门")
	b.click(`.form-drawer .add-target`)
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer .price-amount input`); got == "" {
		t.Errorf("a product without a price is not refused at the price:\n%s", b.visibleText())
	}
	b.typeInto(`.form-drawer .price-amount input`, "99\t")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('99.00')`)
	b.click(`.edit-product[data-code=onsite-6h]`)
	b.waitJS(`(() => { const d = ` + openDrawer + `; return !!d && d.querySelectorAll('.price-table tbody tr').length === 1 })()`)
	b.typeInto(`.form-drawer .new-price-amount input`, "129\t")
	b.click(`.form-drawer .set-price`)
	b.waitJS(`(() => { const d = ` + openDrawer + `; return d.querySelectorAll('.price-table tbody tr').length === 2 && d.querySelector('.price-table').innerText.includes('129.00') })()`)
	b.shot("express-product")
	b.closeDrawer()
	b.click(`.new-product`)
	b.waitVisible(`.form-drawer input[name=code]`)
	b.typeInto(`.form-drawer input[name=code]`, "care-2y")
	b.typeInto(`.form-drawer input[name=name]`, "两年延保")
	b.clickText(`.form-drawer .product-kind .el-radio-button__inner`, "Plan")
	b.typeInto(`.form-drawer .price-amount input`, "299\t")
	b.drawerSubmit() // a plan that grants nothing is refused at the tier
	if got := b.fieldError(`.form-drawer .product-tier`); got != "a plan grants a tier, SLA targets or coverage" {
		t.Errorf("a plan granting nothing shows %q at the tier", got)
	}
	b.click(`.form-drawer .add-target`)
	b.typeInto(`.form-drawer input[name=term_months]`, "24\t")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('24 months')`)
	b.shot("express-products")
	var products struct {
		Items []struct {
			Code, Kind string
			TermMonths int `json:"term_months"`
			Prices     []struct {
				UnitAmount int `json:"unit_amount"`
				Active     bool
			}
			Targets map[string]struct{ Minutes int }
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/express-products", Token: j.admin}).JSON(t, &products)
	got := map[string]string{}
	for _, p := range products.Items {
		active := 0
		for _, x := range p.Prices {
			if x.Active {
				active = x.UnitAmount
			}
		}
		got[p.Code] = fmt.Sprintf("%s %d months, %d prices, active %d, targets %v", p.Kind, p.TermMonths, len(p.Prices), active, p.Targets)
	}
	if want := "per_incident 0 months, 2 prices, active 12900, targets map[accept:{360}]"; got["onsite-6h"] != want {
		t.Errorf("onsite-6h is %q, want %q", got["onsite-6h"], want)
	}
	if want := "plan 24 months, 1 prices, active 29900, targets map[accept:{360}]"; got["care-2y"] != want {
		t.Errorf("care-2y is %q, want %q", got["care-2y"], want)
	}
	b.noConsoleProblems("express services")

	// 4. SLA settings: warn at 80 %; a chain whose second level comes before the first is
	// refused at that level, reordered, then saved (five levels at most); a stale save offers
	// the latest.
	b.open("/sla-settings")
	b.typeInto(`input[name=warn_percent]`, "80\t")
	b.click(`.add-level`)
	b.click(`.add-level`)
	b.typeInto(`input[name="escalation.0.after_minutes"]`, "60\t")
	b.typeInto(`input[name="escalation.1.after_minutes"]`, "30\t")
	b.click(`.save-sla`)
	if got := b.fieldError(`input[name="escalation.1.after_minutes"]`); got != "Not before the previous level" {
		t.Errorf("the out-of-order level shows %q", got)
	}
	b.click(`.escalation-row[data-level="1"] button[aria-label="Move up"]`)
	b.waitJS(`document.querySelector('input[name="escalation.0.after_minutes"]').value === '30'`)
	b.click(`.save-sla`)
	b.waitVisible(`.el-message--success`)
	b.shot("sla-settings")
	var sla struct {
		WarnPercent int `json:"warn_percent"`
		Escalation  []struct {
			Role         string
			AfterMinutes int `json:"after_minutes"`
		}
	}
	resp = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/settings", Token: j.admin})
	resp.JSON(t, &sla)
	// The tenant starts with a chain of three levels; the page added two at its end.
	if len(sla.Escalation) != 5 || sla.WarnPercent != 80 ||
		fmt.Sprint(sla.Escalation[:2]) != "[{outlet_manager 30} {engineer 60}]" {
		t.Errorf("the SLA settings are %d %v", sla.WarnPercent, sla.Escalation)
	}
	if b.js(`document.querySelector('.add-level').disabled ? 'off' : ''`) != "off" {
		t.Error("a sixth escalation level can be added")
	}
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/sla/settings", Token: j.admin, Header: map[string]string{"If-Match": resp.Header.Get("ETag")},
		Body: map[string]any{"warn_percent": 70, "pause_statuses": []string{"waiting_parts"}, "escalation": []any{}}})
	b.typeInto(`input[name=warn_percent]`, "85\t")
	b.click(`.save-sla`)
	b.waitVisible(`.sla-settings .problem-alert .el-button--primary`)
	b.click(`.sla-settings .problem-alert .el-button--primary`)
	b.waitJS(`document.querySelector('input[name=warn_percent]').value === '70' && !document.querySelector('.escalation-row') && !document.querySelector('.sla-settings .problem-alert')`)
	b.noConsoleProblems("SLA settings")

	// 6. Notification templates: a shipped text is previewed with the event's sample values,
	// then saved as the tenant's own.
	b.open("/notification-templates")
	b.waitVisible(`.edit-template`)
	key := b.js(`document.querySelector('.edit-template').dataset.key`)
	b.click(`.edit-template`)
	b.waitVisible(`.form-drawer textarea[name=body]`)
	b.typeInto(`.form-drawer textarea[name=body]`, "您的工单已更新，请留意。")
	b.click(`.form-drawer .preview-template`)
	b.waitJS(`(() => { const p = document.querySelector('.form-drawer .template-preview'); return !!p && p.innerText.includes('您的工单已更新，请留意。') })()`)
	b.shot("notification-template")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(fmt.Sprintf(`(() => { const e = document.querySelector('.edit-template[data-key=%q]'); return !!e && e.closest('tr').innerText.includes('Your own') })()`, key))
	var templates struct {
		Items []struct {
			EventType string `json:"event_type"`
			Channel   string
			Locale    string
			Body      string
			Default   bool
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/notification-templates", Token: j.admin}).JSON(t, &templates)
	own := 0
	for _, x := range templates.Items {
		if !x.Default {
			own++
			if x.EventType+"/"+x.Channel+"/"+x.Locale != key || x.Body != "您的工单已更新，请留意。" {
				t.Errorf("the tenant's template is %+v, want %s", x, key)
			}
		}
	}
	if own != 1 {
		t.Errorf("the tenant has %d templates of its own, want 1", own)
	}
	b.noConsoleProblems("notification templates")

	// 中文: every admin screen, and its drawer, in Chinese.
	b.chinese()
	for _, route := range adminRoutes {
		b.open(route)
		b.untranslated(route)
	}
	b.open("/catalog/models")
	b.click(fmt.Sprintf(`.edit-model[data-sku=%q]`, "KFR-35GW-"+U))
	b.waitJS(`document.querySelector('.form-drawer input[name=name]') && document.querySelector('.form-drawer input[name=name]').value === '挂式空调（新款）'`)
	b.typeInto(`.form-drawer input[name=try_serial]`, "KF1")
	b.untranslated("the model drawer")
	b.shot("zh-catalog-model")
	b.typeInto(`.form-drawer input[name=serial_pattern]`, "(")
	b.drawerSubmit()
	b.waitVisible(`.form-drawer .el-form-item.is-error`)
	if got := b.fieldError(`.form-drawer input[name=serial_pattern]`); got != "不是有效的正则表达式" {
		t.Errorf("the unreadable pattern shows %q in Chinese", got)
	}
	b.untranslated("the refused model")
	b.closeDrawer()
	b.open("/fault-codes?prefix=E")
	b.click(`.merge-fault[data-code=E1]`)
	b.waitVisible(`.form-drawer .merge-into`)
	b.untranslated("the fault merge drawer")
	b.closeDrawer()
	b.open("/express-products")
	b.click(`.edit-product[data-code=care-2y]`)
	b.waitJS(`(() => { const d = ` + openDrawer + `; return !!d && d.querySelector('input[name=name]').value === '两年延保' })()`)
	b.untranslated("the plan drawer")
	// The English templates' own text is data in English: the scan reads the Chinese rows.
	b.open("/notification-templates")
	b.js(`(() => { for (const r of document.querySelectorAll('.list-table tbody tr')) if (r.innerText.includes('(en)')) r.remove(); return '' })()`)
	b.untranslated("/notification-templates")
	b.js(`(() => { [...document.querySelectorAll('.edit-template')].find((e) => e.closest('tr').innerText.includes('(zh-CN)')).click(); return '' })()`)
	b.waitVisible(`.form-drawer textarea[name=body]`)
	b.clickOpens(`.form-drawer .preview-template`, `.form-drawer .template-preview`)
	b.untranslated("a Chinese template's preview")
	b.shot("zh-express-plan")
	b.noConsoleProblems("Chinese")

	// A phone (390 px): the lists fit, the drawer takes the screen.
	b.viewport(390, 844, true)
	for _, route := range adminRoutes {
		b.open(route)
		b.noSidewaysScroll(route)
		b.untranslated(route + " on a phone")
	}
	b.open("/catalog/models")
	b.click(`.new-model`)
	b.waitVisible(`.form-drawer input[name=sku]`)
	if w := b.js(`String(Math.round(document.querySelector('.form-drawer').getBoundingClientRect().width))`); w != "390" {
		t.Errorf("the drawer is %s px wide on a 390 px screen", w)
	}
	b.untranslated("the new model drawer on a phone")
	b.shot("phone-catalog-model")
	b.closeDrawer()

	// 5. People and API keys, in Chinese on the phone: an invitation gives its link; a new
	// key is shown once, then never again (not by the list, not by the API).
	b.open("/notification-templates")
	b.noSidewaysScroll("/notification-templates")
	for _, route := range []string{"/people", "/people/invitations", "/people/invite", "/api-keys", "/api-keys/new"} {
		b.open(route)
		b.noSidewaysScroll(route)
		b.untranslated(route + " on a phone")
	}
	b.open("/people/invite")
	b.typeInto(`input[name=email]`, "agent"+u+"@people.test")
	b.click(`button[type=submit]`)
	b.waitVisible(`input[name=accept_link]`)
	b.untranslated("the invitation's link on a phone")
	b.open("/api-keys/new")
	b.typeInto(`input[name=name]`, "呼叫中心对接")
	b.click(`button[type=submit]`)
	b.waitVisible(`input[name=api_key_token]`)
	token := b.js(`document.querySelector('input[name=api_key_token]').value`)
	if !strings.HasPrefix(token, "ask_") {
		t.Fatalf("the new key shows %q", token)
	}
	b.noSidewaysScroll("the new key")
	b.untranslated("the new key on a phone")
	b.shot("phone-api-key-once")
	b.open("/api-keys")
	b.waitJS(`document.querySelector('.list-table').innerText.includes('呼叫中心对接')`)
	if strings.Contains(b.js(`document.documentElement.outerHTML`), token) {
		t.Error("the key list shows the key's secret again")
	}
	if r := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/api-keys", Token: j.admin}); strings.Contains(string(r.Body), token) {
		t.Error("the API lists the key's secret")
	}
	b.noConsoleProblems("phone")
}

func TestJourneyBoardsShowEveryOrderTheirFiltersMatch(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	// More orders than one page of the API (200) and than the boards used to read (100).
	const n = 205
	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: j.admin, Body: map[string]any{
		"name": "张三", "phone": env.Phone()}}).Map(t)["id"].(string)
	for i := 0; i < n; i++ {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: j.admin, Body: map[string]any{
			"type": "repair_minor", "channel": "carry_in", "customer_id": customer, "fault_description": fmt.Sprintf("无法开机 %d", i)}})
	}
	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)

	b.open("/orders/board")
	b.waitJS(fmt.Sprintf(`document.querySelectorAll('.kanban-card').length === %d`, n))
	// The dispatch queue is ranked (paid promises first, then priority): it shows its best 200
	// and says more are waiting.
	b.open("/dispatch")
	b.waitJS(`document.querySelectorAll('.dispatch-list[data-list=waiting] .dispatch-item').length === 200`)
	if got := b.js(`document.querySelector('.board-more') ? document.querySelector('.board-more').innerText : ''`); !strings.Contains(got, "200") {
		t.Errorf("the dispatch board does not say it shows the first 200 of %d waiting: %q", n, got)
	}
	b.noConsoleProblems("boards")
}
