package console_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestJourneyConsumerFollowsTheSMSLinks: on a 390x844 phone, without signing in, a customer
// opens the tracking link an SMS carried (the old /track/ address) and sees the order in the
// brand's portal frame; then opens the quote link (/quote/), gets a code on the phone on file
// and declines with a reason, which staff see on the quote. Then both pages in Chinese.
func TestJourneyConsumerFollowsTheSMSLinks(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := strings.ToUpper(env.Unique())
	var tn struct{ Slug, Name string }
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
	e164 := env.Phone()
	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: j.admin, Body: map[string]any{
		"name": "李女士", "phone": e164, "province_code": "310000", "city_code": "310100", "district_code": "310115",
		"address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"].(string)
	unit := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: j.admin, Body: map[string]any{
		"model_id": model, "serial": "SN" + u, "purchase_date": "2019-03-01", "invoice_no": "INV-" + u,
		"buyer": map[string]any{"customer_id": customer}}}).Map(t)["id"].(string)
	// The customer asks for service through the API (signed in there, not in the browser).
	env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": e164}})
	var sess struct{ Token string }
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": e164,
		"code": regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(e164))}}).JSON(t, &sess)
	c := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + tn.Slug + "/orders", Token: sess.Token, Body: map[string]any{
		"registration_id": unit, "type": "repair_minor", "fault_description": "不制冷"}}).Map(t)
	orderID := c["order"].(map[string]any)["id"].(string)
	tracking := c["tracking_url"].(string)
	ti := strings.Index(tracking, "/track/")
	if ti < 0 {
		t.Fatalf("the tracking link %q", tracking)
	}
	trackPath := tracking[ti:]

	b := newBrowser(t, env.Server.URL)
	b.viewport(390, 844, true)
	b.openPortal("/")
	b.js(`(() => { localStorage.setItem('aftersales.lang', 'en'); return '' })()`)

	// The tracking link: the old address leads to the portal's page, with the brand's name.
	b.do(chromedp.Navigate(b.base + trackPath))
	b.settle()
	b.waitVisible(`.my-track .track-status`)
	if !strings.HasPrefix(b.location(), env.Server.URL+"/my/track/") {
		t.Errorf("the tracking link landed on %s", b.location())
	}
	b.waitJS(`document.querySelector('.my-brand-name').innerText.trim() !== ''`)
	if got := b.js(`document.querySelector('.my-track').innerText`); !strings.Contains(got, "不制冷") || rawCodes.MatchString(got) {
		t.Errorf("the tracking page reads %q", got)
	}
	if b.js(`document.querySelector('.my-tabbar') ? 'tabs' : ''`) != "" {
		t.Error("the tracking page shows the portal's tabs to someone not signed in")
	}
	b.tapTargets("the tracking page")
	b.noSidewaysScroll("the tracking page")
	b.noConsoleProblems("the tracking page")
	b.shot("portal-link-track")

	// The quote link: a code to the phone on file, then declining with a reason.
	q := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/quotes", Token: j.admin, Body: map[string]any{
		"lines": []map[string]any{{"kind": "shipping", "description": "快递", "quantity": 1, "unit_price": 2000}}}}).Map(t)
	approval := q["approval_url"].(string)
	qi := strings.Index(approval, "/quote/")
	if qi < 0 {
		t.Fatalf("the approval link %q", approval)
	}
	quotePath := approval[qi:]
	b.do(chromedp.Navigate(b.base + quotePath))
	b.settle()
	b.waitVisible(`.my-quote .quote-send-code`)
	if got := b.js(`document.querySelector('.quote-card').innerText`); !strings.Contains(got, "20.00") || rawCodes.MatchString(got) {
		t.Errorf("the quote reads %q", got)
	}
	before := env.Sender.Last(e164)
	b.click(`.quote-send-code`)
	code := ""
	for deadline := time.Now().Add(10 * time.Second); code == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if last := env.Sender.Last(e164); last != before {
			code = regexp.MustCompile(`\d{6}`).FindString(last)
		}
	}
	if code == "" {
		t.Fatal("no code was sent to the phone on file")
	}
	b.typeInto(`.quote-answer input[name=code]`, code)
	b.click(`.quote-decline`)
	b.waitVisible(`.quote-answer textarea[name=reason]`)
	if b.js(`document.querySelector('.quote-decline-sure').disabled ? 'off' : 'on'`) != "off" {
		t.Error("declining is possible without a reason")
	}
	b.typeInto(`.quote-answer textarea[name=reason]`, "太贵了 too dear")
	b.tapTargets("declining the quote")
	b.noSidewaysScroll("declining the quote")
	b.shot("portal-link-quote-decline")
	b.click(`.quote-decline-sure`)
	b.waitVisible(`.quote-card[data-status=declined]`)
	b.waitVisible(`.quote-done`)
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/quotes/" + q["id"].(string), Token: j.admin}).Map(t)
	if got["status"] != "declined" || got["decided_reason"] != "太贵了 too dear" || got["decided_channel"] != "link" {
		t.Errorf("staff see the quote as %v", got)
	}
	b.noConsoleProblems("the quote page")
	b.shot("portal-link-quote-declined")

	// Both pages in Chinese.
	b.js(`(() => { localStorage.setItem('aftersales.lang', 'zh-CN'); return '' })()`)
	b.do(chromedp.Navigate(b.base + trackPath))
	b.settle()
	b.waitJS(`document.documentElement.lang === 'zh-CN'`)
	b.waitVisible(`.my-track .track-status`)
	b.portalUntranslated("the tracking page")
	b.tapTargets("the tracking page in Chinese")
	b.shot("portal-link-track-zh")
	b.do(chromedp.Navigate(b.base + quotePath))
	b.settle()
	b.waitVisible(`.quote-card[data-status=declined]`)
	b.portalUntranslated("the answered quote")
	b.shot("portal-link-quote-zh")
	b.noConsoleProblems("the pages in Chinese")
}
