package console_test

// The brand administrator's setup screens on a fresh tenant (webhooks with their delivery
// log, outlets, calendars, service tiers' time targets), in English, then in Chinese
// (scanned for raw codes), then on a 390 px phone.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

func TestJourneyAdminConnectsAWebhookAndReadsItsDeliveries(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)

	// A new endpoint: an address that is not a URL is refused at its field; the saved one's
	// signing secret shows once, never in the list or the API.
	b.open("/webhooks")
	b.click(`.new-endpoint`)
	b.waitVisible(`.form-drawer input[name=url]`)
	b.typeInto(`.form-drawer input[name=url]`, "erp")
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer input[name=url]`); got == "" {
		t.Errorf("the address erp is not refused at its field:\n%s", b.visibleText())
	}
	b.typeInto(`.form-drawer input[name=url]`, "https://erp.example.com/aftersales/hooks")
	b.typeInto(`.form-drawer input[name=description]`, "ERP 工单同步")
	b.drawerSubmit()
	b.waitVisible(`.secret-dialog input[name=webhook_secret]`)
	secret := b.js(`document.querySelector('.secret-dialog input[name=webhook_secret]').value`)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("the new endpoint's secret shows as %q", secret)
	}
	b.shot("webhook-secret-once")
	b.click(`.secret-dialog .secret-stored`)
	b.waitJS(`document.querySelector('.list-table').innerText.includes('https://erp.example.com/aftersales/hooks') && document.querySelector('.list-table').innerText.includes('All events')`)
	if strings.Contains(b.js(`document.documentElement.outerHTML`), secret) {
		t.Error("the endpoint list shows the secret again")
	}
	var eps struct {
		Items []struct {
			ID, URL, Description string
			Events               []string
		}
	}
	r := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints", Token: j.admin})
	r.JSON(t, &eps)
	if strings.Contains(string(r.Body), secret) || len(eps.Items) != 1 || eps.Items[0].Description != "ERP 工单同步" {
		t.Fatalf("the API lists the endpoints %s", r.Body)
	}
	epID := eps.Items[0].ID

	// Edited: only two events now (saved with If-Match).
	b.settle()
	b.click(`.edit-endpoint`)
	b.waitJS(`(() => { const d = ` + openDrawer + `; return !!d && d.querySelector('input[name=url]').value === 'https://erp.example.com/aftersales/hooks' })()`)
	b.settle()
	b.click(`.form-drawer .endpoint-events .el-tag__close`) // drops "All events"
	b.click(`.form-drawer .endpoint-events`)
	b.clickText(`.el-select-dropdown__item`, "Order received")
	b.clickText(`.el-select-dropdown__item`, "Time limit breached")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('Time limit breached')`)
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints/" + epID, Token: j.admin}).JSON(t, &eps.Items[0])
	if got := strings.Join(eps.Items[0].Events, ","); got != "order.created,sla.breached" {
		t.Errorf("the endpoint receives %q after the edit", got)
	}
	b.shot("webhooks")

	// The delivery log: a test event is queued; it is sent again (a new delivery of the same
	// event); the status filter lives in the URL.
	b.click(`.endpoint-deliveries`)
	b.waitJS(`location.pathname.endsWith('/webhooks/` + epID + `')`)
	b.settle()
	b.click(`.ping-endpoint`)
	b.waitJS(`document.querySelectorAll('.list-table tbody tr').length === 1 && document.querySelector('.list-table').innerText.includes('Test event')`)
	// The row's Redeliver button answers at once: the log read again after the ping keeps
	// its rows without a loading mask over them (the fading mask used to take this click).
	b.onTop(`.list-table .redeliver`)
	b.click(`.list-table .redeliver`)
	b.waitJS(`[...document.querySelectorAll('.el-message--success')].some((e) => e.innerText.includes('Queued for redelivery'))`)
	b.waitJS(`document.querySelectorAll('.list-table tbody tr').length === 2`)
	var dels struct {
		Items []struct {
			ID           string
			EventID      string `json:"event_id"`
			Status       string
			RedeliveryOf string `json:"redelivery_of"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints/" + epID + "/deliveries", Token: j.admin}).JSON(t, &dels)
	if len(dels.Items) != 2 || (dels.Items[0].RedeliveryOf == "") == (dels.Items[1].RedeliveryOf == "") ||
		dels.Items[0].EventID != dels.Items[1].EventID {
		t.Errorf("the endpoint's deliveries are %+v, want a ping and its redelivery", dels.Items)
	}
	b.click(`.list-table .delivery-details`)
	b.waitVisible(`.delivery-dialog .delivery-body`)
	b.shot("webhook-delivery")
	b.js(`(() => { document.querySelector('.delivery-dialog .el-dialog__headerbtn').click(); return '' })()`)
	b.open("/webhooks/" + epID + "?status=succeeded")
	b.waitJS(`document.querySelectorAll('.list-table tbody tr').length === 0 && document.querySelector('.delivery-status').innerText.includes('Delivered')`)
	b.noConsoleProblems("webhooks")

	// 中文, then a phone.
	b.chinese()
	for _, route := range []string{"/webhooks", "/webhooks/" + epID} {
		b.open(route)
		b.untranslated(route)
	}
	b.open("/webhooks")
	b.click(`.edit-endpoint`)
	b.waitVisible(`.form-drawer input[name=url]`)
	b.untranslated("the endpoint drawer")
	b.closeDrawer()
	b.open("/webhooks/" + epID)
	b.click(`.list-table .delivery-details`)
	b.waitVisible(`.delivery-dialog .delivery-body`)
	b.untranslated("a delivery")
	b.viewport(390, 844, true)
	for _, route := range []string{"/webhooks", "/webhooks/" + epID} {
		b.open(route)
		b.noSidewaysScroll(route)
		b.untranslated(route + " on a phone")
	}
	b.shot("phone-webhook-deliveries")
	b.noConsoleProblems("webhooks in Chinese")
}

func TestJourneyAdminGivesAnOutletItsAreasCategoriesCapacityAndEngineers(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	tn := &apitest.Tenant{ID: env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tenant", Token: j.admin}).Map(t)["id"].(string)}
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: j.admin, Body: map[string]any{"code": "ac", "name": "空调"}}).Map(t)["id"].(string)
	engEmail, engTok := env.Person(tn, "engineer", j.outletID)
	engID := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: engTok}).Map(t)["id"].(string)
	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)
	outlet := "/outlets/" + j.outletID

	// A coverage area picked by name: Shanghai › Pudong New Area, for air conditioners.
	b.open(outlet)
	// The outlet's own place reads by name (its province, 310000, is Shanghai), not as codes.
	b.waitJS(`!!document.querySelector('.region-codes input') && document.querySelector('.region-codes input').value === '上海市'`)
	b.waitVisible(`.outlet-coverage .area-picker`)
	b.click(`.outlet-coverage .add-area-submit`) // nothing picked: refused at the area
	if got := b.fieldError(`.outlet-coverage .area-picker`); got == "" {
		t.Errorf("an empty area is not refused at its field:\n%s", b.visibleText())
	}
	b.click(`.outlet-coverage .area-picker`)
	// Menus of the page's other cascader (the outlet's own place) are in the page too, hidden.
	shown := `[...document.querySelectorAll('.el-cascader-menu')].filter((m) => m.offsetParent !== null)`
	b.clickText(`.el-cascader-node__label`, "上海市")
	b.waitJS(shown + `.length >= 2`)
	b.js(`(() => { [...(` + shown + `)[1].querySelectorAll('.el-cascader-node__label')].find((e) => e.innerText.trim() === '上海市').click(); return '' })()`)
	b.waitJS(shown + `.length >= 3`)
	b.clickText(`.el-cascader-node__label`, "浦东新区")
	b.js(`(() => { [...(` + shown + `)[2].querySelectorAll('.el-cascader-node')].find((e) => e.innerText.trim() === '浦东新区').querySelector('.el-radio').click(); return '' })()`)
	b.waitJS(`document.querySelector('.outlet-coverage .area-picker input').value.includes('浦东新区')`)
	b.click(`.outlet-coverage .area-categories`)
	b.clickText(`.el-select-dropdown__item`, "空调")
	// The categories' list stays open after a pick (several may be picked): close it, or it
	// may lie over the button below.
	b.click(`.outlet-coverage .el-card__header`)
	b.waitJS(`![...document.querySelectorAll('.el-select-dropdown, .el-cascader__dropdown')].some((e) => e.offsetParent !== null)`)
	b.click(`.outlet-coverage .add-area-submit`)
	b.waitJS(`document.querySelector('.coverage-table').innerText.includes('上海市 / 上海市 / 浦东新区')`)
	var cov struct {
		Items []struct {
			RegionCode  string   `json:"region_code"`
			CategoryIDs []string `json:"category_ids"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + j.outletID + "/coverage", Token: j.admin}).JSON(t, &cov)
	if len(cov.Items) != 1 || cov.Items[0].RegionCode != "310115" || len(cov.Items[0].CategoryIDs) != 1 || cov.Items[0].CategoryIDs[0] != cat {
		t.Errorf("the outlet covers %+v, want 310115 for %s", cov.Items, cat)
	}

	// Authorized for air conditioners; 30 orders a day; the engineer's profile.
	b.click(`.outlet-dispatch .authorization[data-category="空调"] .el-checkbox`)
	b.waitJS(`document.querySelector('.outlet-dispatch .authorization[data-category="空调"] .el-checkbox').classList.contains('is-checked')`)
	b.typeInto(`.outlet-dispatch input[name=daily_capacity]`, "30\t")
	b.click(`.outlet-dispatch .save-capacity`)
	b.waitVisible(`.el-message--success`)
	b.click(fmt.Sprintf(`.edit-engineer[data-email=%q]`, engEmail))
	b.waitVisible(`.form-drawer input[name=level]`)
	b.typeInto(`.form-drawer input[name=level]`, "11\t") // past the highest level: held at 10
	b.waitJS(`document.querySelector('.form-drawer input[name=level]').value === '10'`)
	b.typeInto(`.form-drawer input[name=level]`, "3\t")
	b.click(`.form-drawer .engineer-skills`)
	b.clickText(`.el-select-dropdown__item`, "gas")
	b.click(`.form-drawer input[name=level]`) // closes the skills' list
	b.waitJS(`![...document.querySelectorAll('.el-select-dropdown')].some((e) => e.offsetParent !== null)`)
	b.click(`.form-drawer .engineer-default`)
	// The areas served, picked by name: the city of Shanghai (3101).
	b.click(`.form-drawer .engineer-area-picker`)
	visibleMenus := `[...document.querySelectorAll('.el-cascader-menu')].filter((m) => m.offsetParent !== null)`
	b.waitJS(visibleMenus + `.length >= 1`)
	b.js(`(() => { [...(` + visibleMenus + `)[0].querySelectorAll('.el-cascader-node__label')].find((e) => e.innerText.trim() === '上海市').click(); return '' })()`)
	b.waitJS(visibleMenus + `.length >= 2`)
	b.js(`(() => { [...(` + visibleMenus + `)[1].querySelectorAll('.el-cascader-node')].find((e) => e.innerText.trim() === '上海市').querySelector('.el-checkbox').click(); return '' })()`)
	b.click(`.form-drawer input[name=level]`) // closes the areas' menus
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.engineer-table').innerText.includes('gas') && document.querySelector('.engineer-table').innerText.includes('上海市 / 上海市')`)
	b.shot("outlet-network")
	var auths struct {
		CategoryIDs []string `json:"category_ids"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + j.outletID + "/authorizations", Token: j.admin}).JSON(t, &auths)
	var capacity struct {
		DailyCapacity int `json:"daily_capacity"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + j.outletID + "/capacity", Token: j.admin}).JSON(t, &capacity)
	var prof struct {
		Level     int
		Skills    []string
		Areas     []string
		IsDefault bool `json:"is_default"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/engineers/" + engID, Token: j.admin}).JSON(t, &prof)
	if fmt.Sprint(auths.CategoryIDs) != "["+cat+"]" || capacity.DailyCapacity != 30 || prof.Level != 3 ||
		fmt.Sprint(prof.Skills) != "[gas]" || fmt.Sprint(prof.Areas) != "[3101]" || !prof.IsDefault {
		t.Errorf("the outlet is authorized for %v with capacity %d; the engineer's profile is %+v", auths.CategoryIDs, capacity.DailyCapacity, prof)
	}
	// The outlet's own form still saves: the capacity moved its version, the page read it again.
	b.click(`.section-card button[type=submit]`)
	b.waitVisible(`.el-message--success`)
	b.noConsoleProblems("outlet network")

	// 中文, then a phone.
	b.chinese()
	b.open(outlet)
	b.waitJS(`document.querySelector('.coverage-table').innerText.includes('浦东新区')`)
	b.untranslated(outlet)
	b.viewport(390, 844, true)
	b.open(outlet)
	b.waitJS(`document.querySelector('.coverage-table').innerText.includes('浦东新区')`)
	b.noSidewaysScroll(outlet)
	b.untranslated(outlet + " on a phone")
	b.shot("phone-outlet-network")
	b.noConsoleProblems("outlet network in Chinese")
}

func TestJourneyAdminImportsAYearOfHolidaysIntoTheMonthView(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	// The tenant's default calendar (made at onboarding).
	var cals struct{ Items []struct{ ID string } }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/calendars", Token: j.admin}).JSON(t, &cals)
	if len(cals.Items) == 0 {
		t.Fatal("the new tenant has no calendar")
	}
	cal := cals.Items[0].ID
	file := filepath.Join(t.TempDir(), "holidays-2027.csv")
	if err := os.WriteFile(file, []byte("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,休,春节\n2027-02-07,班,春节调休\n2027-02-30,holiday,不存在\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)

	// The file's three readable days land in the calendar; the fourth line is reported.
	b.open("/calendars/" + cal)
	b.waitVisible(`.days-month`)
	b.do(chromedp.SetUploadFiles(chromedp.CSS(`.import-days input[type=file]`), []string{file}))
	b.waitJS(`!!document.querySelector('.month-cell[data-day="2027-01-01"]') && document.querySelector('.month-cell[data-day="2027-01-01"]').innerText.includes('元旦')`)
	if got := b.js(`document.querySelector('.import-unreadable') ? document.querySelector('.import-unreadable').innerText : ''`); !strings.Contains(got, "Line 5") {
		t.Errorf("the unreadable line is reported as %q", got)
	}
	b.shotAt("calendar-month", ".section-card:has(.days-month)")
	var days struct {
		Items []struct{ Day, Kind, Name string }
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/calendars/" + cal + "/days?from=2027-01-01&to=2027-12-31", Token: j.admin}).JSON(t, &days)
	if got := fmt.Sprint(days.Items); got != "[{2027-01-01 holiday 元旦} {2027-02-06 holiday 春节} {2027-02-07 workday 春节调休}]" {
		t.Errorf("the calendar holds the days %s", got)
	}
	b.noConsoleProblems("calendar import")

	// 中文, then a phone.
	b.chinese()
	b.open("/calendars/" + cal)
	b.waitVisible(`.days-month`)
	b.untranslated("the calendar's month")
	b.viewport(390, 844, true)
	b.open("/calendars/" + cal)
	b.waitVisible(`.days-month`)
	b.noSidewaysScroll("the calendar's month")
	b.shot("phone-calendar-month")
	b.noConsoleProblems("calendar in Chinese")
}

// TestJourneyAdminSetsATiersTimeTargets edits a tier's time targets on the tier settings
// screen: a minute count with its clock, and a cleared target that is no longer tracked.
func TestJourneyAdminSetsATiersTimeTargets(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)

	// Gold: arrival within 240 minutes round the clock, no callback target.
	b.open("/tiers")
	arrival := `.tier-row[data-tier=gold] .tier-target[data-target=arrival]`
	b.typeInto(arrival+` input`, "240\t")
	b.waitVisible(arrival + ` .target-clock`)
	b.click(arrival + ` .target-clock`)
	b.clickText(`.el-select-dropdown__item`, "Round the clock")
	b.typeInto(`.tier-row[data-tier=gold] .tier-target[data-target=callback] input`, "")
	b.js(`(() => { document.activeElement.blur(); return '' })()`) // the number input takes the empty value on leaving it
	b.clickText(`.tiers-form .form-actions .el-button--primary`, "Save")
	b.waitVisible(`.el-message--success`)
	// The saved tiers are drawn again: the cleared target reads as none, not as it was.
	b.waitJS(`document.querySelector('.tier-row[data-tier=gold] .tier-target[data-target=callback] input').value === '' &&
		document.querySelector('.tier-row[data-tier=gold] .tier-target[data-target=arrival] input').value === '240'`)
	var out struct {
		Tiers []struct {
			Code    string
			Targets map[string]struct {
				Minutes int
				Clock   string
			}
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tiers", Token: j.admin}).JSON(t, &out)
	for _, x := range out.Tiers {
		if x.Code == "gold" {
			if got := fmt.Sprint(x.Targets["arrival"]); got != "{240 clock}" {
				t.Errorf("gold's arrival target is %s", got)
			}
			if _, ok := x.Targets["callback"]; ok {
				t.Errorf("gold keeps a callback target: %v", x.Targets)
			}
		}
	}
	b.shot("tier-targets")
	b.noConsoleProblems("tier targets")
	b.chinese()
	b.open("/tiers")
	b.untranslated("/tiers")
	b.viewport(390, 844, true)
	b.open("/tiers")
	b.noSidewaysScroll("/tiers")
	b.noConsoleProblems("tier targets in Chinese")
}
