package console_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// portalSignIn signs the consumer with phone e164 in to the brand's portal with the code
// sent by SMS.
func (b *browser) portalSignIn(env *apitest.Env, slug, e164 string) {
	b.t.Helper()
	b.openPortal("/" + slug)
	b.waitVisible(`.my-login input[name=destination]`)
	b.typeInto(`input[name=destination]`, e164[3:])
	b.click(`.login-send`)
	b.waitVisible(`input[name=code]`)
	code := ""
	for deadline := time.Now().Add(10 * time.Second); code == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		code = regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(e164))
	}
	if code == "" {
		b.t.Fatalf("no code was sent to %s", e164)
	}
	b.typeInto(`input[name=code]`, code)
	b.click(`.login-verify`)
	b.waitVisible(`.my-units .units-register`)
}

// rawCodes are API values that must never reach the consumer as such.
var rawCodes = regexp.MustCompile(`\b(repair_minor|carry_in|on_site|ready_for_pickup|waiting_parts|labour|part)\b|\d{4,} CNY`)

// TestJourneyConsumerBooksApprovesAndRates: on a 390x844 phone, a consumer asks for a repair
// of their unit, books a time from the outlet's free windows and then moves it, sees who
// serves them and the brand's promise, approves the quote the outlet sends, and rates the
// service once it is done; staff see the rating on the order. Then the order page in Chinese.
func TestJourneyConsumerBooksApprovesAndRates(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := strings.ToUpper(env.Unique())
	var tn struct{ Slug string }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tenant", Token: j.admin}).JSON(t, &tn)
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: j.admin, Body: map[string]any{
		"code": "ac-" + strings.ToLower(u), "name": "空调"}}).Map(t)["id"].(string)
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: j.admin, Body: map[string]any{
		"category_id": cat, "sku": "KFR-" + u, "name": "壁挂空调",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"].(string)
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: j.admin}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: j.admin, Body: map[string]any{
		"name": "三包", "category_ids": []string{cat}, "effective_from": "2015-01-01", "rules": rules}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets/" + j.outletID + "/coverage", Token: j.admin, Body: map[string]any{"region_code": "31"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/outlets/" + j.outletID + "/authorizations", Token: j.admin,
		Body: map[string]any{"category_id": cat, "authorized": true}})
	e164 := env.Phone()
	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: j.admin, Body: map[string]any{
		"name": "李女士", "phone": e164, "province_code": "310000", "city_code": "310100", "district_code": "310115",
		"address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"].(string)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: j.admin, Body: map[string]any{
		"model_id": model, "serial": "SN" + u, "purchase_date": "2019-03-01", "invoice_no": "INV-" + u,
		"buyer": map[string]any{"customer_id": customer}}})

	b := newBrowser(t, env.Server.URL)
	b.viewport(390, 844, true)
	b.portalSignIn(env, tn.Slug, e164)

	// Ask for a repair at the outlet.
	b.click(`.unit-service`)
	b.waitVisible(`.my-book textarea[name=fault_description]`)
	b.click(`.book-visit`) // bring it in rather than a visit
	b.typeInto(`textarea[name=fault_description]`, "不制冷 does not cool")
	b.tapTargets("asking for service")
	b.noSidewaysScroll("asking for service")
	b.shot("portal-service-book")
	b.click(`.book-submit`)

	// Book a time from the free windows, then move it.
	b.waitVisible(`.my-order .order-slots .slot`)
	orderID := b.js(`location.pathname.split('/').pop()`)
	if got := b.js(`document.querySelector('.order-appointment').innerText`); !strings.Contains(got, "No time booked") {
		t.Errorf("before booking the appointment says %q", got)
	}
	b.tapTargets("picking a time")
	b.click(`.order-slots .slot`)
	b.click(`.slot-book`)
	b.waitVisible(`.order-reschedule`)
	first := b.js(`document.querySelector('.order-appointment').innerText`)
	if !regexp.MustCompile(`\d{2}:\d{2} – \d{2}:\d{2}`).MatchString(first) {
		t.Errorf("the appointment reads %q, want a window", first)
	}
	b.click(`.order-reschedule`)
	b.waitVisible(`.order-slots .slot:nth-child(2)`)
	b.click(`.order-slots .slot:nth-child(2)`)
	b.typeInto(`.order-slots input[name=reason]`, "away that day")
	b.click(`.slot-book`)
	b.waitJS(fmt.Sprintf(`document.querySelector('.order-appointment').innerText !== %q && !document.querySelector('.order-slots')`, first))
	svc := b.js(`document.querySelector('.order-service').innerText`)
	for _, want := range []string{"上海服务中心", "We promise", "Asia/Shanghai"} {
		if !strings.Contains(svc, want) {
			t.Errorf("who serves the order reads %q, want %q in it", svc, want)
		}
	}
	b.tapTargets("the order")
	b.noSidewaysScroll("the order")
	b.shot("portal-service-order")

	// The outlet quotes; the consumer approves.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/quotes", Token: j.admin, Body: map[string]any{
		"lines": []map[string]any{{"kind": "part", "description": "压缩机启动电容", "quantity": 1, "unit_price": 12000},
			{"kind": "labour", "description": "更换", "quantity": 1, "unit_price": 8000}}}})
	b.openPortal("/" + tn.Slug + "/orders/" + orderID)
	b.waitVisible(`.order-quote[data-status=sent] .quote-approve`)
	quote := b.js(`document.querySelector('.order-quote').innerText`)
	if !strings.Contains(quote, "200.00") || rawCodes.MatchString(quote) {
		t.Errorf("the quote reads %q: want the total in money, no raw codes", quote)
	}
	b.tapTargets("the quote")
	b.shot("portal-service-quote")
	b.click(`.quote-approve`)
	b.waitVisible(`.order-quote[data-status=approved]`)

	// Staff repair it; the consumer rates the service.
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/transitions", Token: j.admin, Body: map[string]any{"to": "repairing"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/completion", Token: j.admin, Body: map[string]any{
		"diagnosis": "启动电容损坏", "work_done": "更换电容", "result": "fixed"}})
	b.openPortal("/" + tn.Slug + "/orders/" + orderID)
	b.waitVisible(`.order-rate .rate-star`)
	if st := b.js(`document.querySelector('.order-status').innerText`); st != "Ready for you to collect" {
		t.Errorf("the status reads %q", st)
	}
	b.click(`.rate-star:nth-child(4)`)
	b.typeInto(`.order-rate textarea[name=comment]`, "修得很快")
	b.tapTargets("rating the service")
	b.shot("portal-service-rate")
	b.click(`.rate-submit`)
	b.waitVisible(`.order-rated`)
	if got := b.js(`document.querySelector('.order-rated').innerText`); !strings.Contains(got, "4 of 5") {
		t.Errorf("after rating: %q", got)
	}
	progress := b.js(`document.querySelector('.order-progress').innerText`)
	for _, want := range []string{"Received", "Being repaired", "Ready for you to collect"} {
		if !strings.Contains(progress, want) {
			t.Errorf("the progress reads %q, want %q", progress, want)
		}
	}
	if rawCodes.MatchString(b.visibleText()) {
		t.Errorf("the order page shows raw codes: %q", rawCodes.FindAllString(b.visibleText(), -1))
	}
	var survey struct {
		Answered bool
		Response struct {
			Score   float64
			Channel string
			Comment string
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID + "/survey", Token: j.admin}).JSON(t, &survey)
	if !survey.Answered || survey.Response.Score != 4 || survey.Response.Channel != "portal" || survey.Response.Comment != "修得很快" {
		t.Errorf("staff see the survey %+v", survey)
	}
	b.noConsoleProblems("getting service")

	// My orders, and the order in Chinese.
	b.click(`.my-tab-orders`)
	b.waitVisible(`.my-orders .order-card`)
	if n := b.js(`String(document.querySelectorAll('.order-card').length)`); n != "1" {
		t.Errorf("my orders lists %s orders, want 1", n)
	}
	b.tapTargets("my orders")
	b.shot("portal-service-orders")
	b.js(`(() => { localStorage.setItem('aftersales.lang', 'zh-CN'); return '' })()`)
	b.openPortal("/" + tn.Slug + "/orders/" + orderID)
	b.waitJS(`document.documentElement.lang === 'zh-CN'`)
	b.waitVisible(`.order-rated`)
	page := b.visibleText()
	for _, want := range []string{"已修好，请取机", "上海服务中心", "服务承诺", "您的评分：4 / 5", "报价已同意"} {
		if !strings.Contains(page, want) {
			t.Errorf("in Chinese the order page reads %q, want %q in it", page, want)
		}
	}
	b.portalUntranslated("the order in Chinese")
	b.click(`.my-tab-orders`)
	b.waitVisible(`.order-card`)
	b.portalUntranslated("my orders in Chinese")
	b.openPortal("/" + tn.Slug + "/orders/" + orderID)
	b.waitVisible(`.order-rated`)
	b.tapTargets("the order in Chinese")
	b.noSidewaysScroll("the order in Chinese")
	b.shot("portal-service-order-zh")
	b.openPortal("/" + tn.Slug)
	b.waitVisible(`.unit-service`)
	b.click(`.unit-service`)
	b.waitVisible(`.my-book textarea[name=fault_description]`)
	b.portalUntranslated("asking for service in Chinese")
	b.tapTargets("asking for service in Chinese")
	b.shot("portal-service-book-zh")
	b.noConsoleProblems("getting service in Chinese")
}
