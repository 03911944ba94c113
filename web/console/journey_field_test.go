package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// call runs one protocol command against the tab.
func (b *browser) call(fn func(ctx context.Context, s cdp.Session) error) error {
	_, err := chromedp.Run(b.ctx, chromedp.Action[chromedp.Void](func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		return chromedp.Void{}, fn(ctx, t)
	}))
	return err
}

// offline drops the tab's network (requests fail, navigator.onLine turns false) or restores it.
func (b *browser) offline(off bool) {
	b.t.Helper()
	err := b.call(func(ctx context.Context, s cdp.Session) error {
		if _, err := cdp.Call(ctx, s, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		rules := []*network.Conditions{}
		if off {
			rules = append(rules, &network.Conditions{Offline: true, Latency: 0, DownloadThroughput: -1, UploadThroughput: -1})
		}
		sw := off
		if _, err := cdp.Call(ctx, s, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &sw, MatchedNetworkConditions: rules}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, s, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
	if err != nil {
		b.t.Fatalf("network offline=%v: %v", off, err)
	}
}

// smallTargets lists the visible tap targets smaller than 40x40 px.
func (b *browser) smallTargets() string {
	return b.js(`[...document.querySelectorAll('button, a[href], .van-radio, .van-stepper__minus, .van-stepper__plus, .van-nav-bar__left, .van-nav-bar__right, label.field-link')]
		.filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
		.map((e) => { const r = e.getBoundingClientRect(); return [e, r] })
		.filter(([, r]) => r.width < 40 || r.height < 40)
		.map(([e, r]) => (e.className || e.tagName) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height)).join('; ')`)
}

func (b *browser) bigTargets(page string) {
	b.t.Helper()
	if small := b.smallTargets(); small != "" {
		b.t.Errorf("%s: tap targets smaller than 40 px: %s", page, small)
	}
}

// TestJourneyEngineerCompletesAJobOnThePhone: an engineer signs in on a phone (390x844) in
// the engineers' app, accepts the job offered, sets off, checks in with the phone's position,
// and on site records two parts with their old and new serials; then the network drops: the
// photo, the customer's signature and the report are taken offline, and the app says three
// actions wait. When the network returns they are sent, and the order is completed once, with
// one photo, one signature and both parts. English first, then Chinese.
func TestJourneyEngineerCompletesAJobOnThePhone(t *testing.T) {
	j := newJourney(t)
	env := j.env
	builtOrSkip(t, env)
	adm := j.admin
	u := env.Unique()

	// The brand's catalogue, policy and a registered unit, as in the order journeys.
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: adm, Body: map[string]any{"code": "ac-" + u, "name": "空调"}}).Map(t)["id"].(string)
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: adm, Body: map[string]any{
		"category_id": cat, "sku": "KFR-" + u, "name": "挂式空调",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"].(string)
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: adm}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: adm, Body: map[string]any{
		"name": "国家三包", "category_ids": []string{cat}, "effective_from": "2020-01-01", "rules": rules}})
	phone := env.Phone()
	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: adm, Body: map[string]any{
		"name": "张三", "phone": phone, "province_code": "310000", "city_code": "310100", "district_code": "310115",
		"address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"].(string)
	unit := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: map[string]any{
		"model_id": model, "serial": "SN" + u, "purchase_date": time.Now().AddDate(0, 0, -60).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "has_warranty_card": true, "buyer": map[string]any{"customer_id": customer}}}).Map(t)["id"].(string)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets/" + j.outletID + "/coverage", Token: adm, Body: map[string]any{"region_code": "31"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/outlets/" + j.outletID + "/authorizations", Token: adm,
		Body: map[string]any{"category_id": cat, "authorized": true}})
	tn := &apitest.Tenant{ID: j.tenantID}
	engEmail, engTok := env.Person(tn, "engineer", j.outletID)
	engID := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: engTok}).Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + engID, Token: adm, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"outlet_id": j.outletID, "skills": []string{}, "level": 2, "active": true, "is_default": true}})
	// An on-site repair, accepted by the brand and offered to the engineer.
	o := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: adm, Body: map[string]any{
		"type": "repair_minor", "channel": "on_site", "customer_id": customer, "registration_id": unit,
		"fault_description": "空调不制冷，外机不启动", "fault_code": "E1", "designated_engineer_id": engID,
		"location": map[string]any{"province_code": "310000", "city_code": "310100", "district_code": "310115",
			"address": "上海市浦东新区世纪大道100号", "latitude": 31.2354, "longitude": 121.5055}}}).Map(t)["order"].(map[string]any)
	orderID, number := o["id"].(string), o["number"].(string)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/transitions", Token: adm, Body: map[string]any{"to": "accepted"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/engineers", Token: adm, Body: map[string]any{"role": "lead"}})

	// A photo on the phone: 1200x900, which the app shrinks and sends as a JPEG.
	img := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	for x := 0; x < 1200; x++ {
		for y := 0; y < 900; y++ {
			img.Set(x, y, color.RGBA{uint8(x % 256), uint8(y % 256), 120, 255})
		}
	}
	photo := filepath.Join(t.TempDir(), "unit.png")
	f, err := os.Create(photo)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()

	b := newBrowser(t, env.Server.URL)
	b.viewport(390, 844, true)
	// The phone knows where it is, and the app may ask.
	lat, lon, acc := 31.2353, 121.5054, 10.0
	if err := b.call(func(ctx context.Context, s cdp.Session) error {
		if _, err := cdp.Call(ctx, s, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: "granted", Origin: env.Server.URL}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, s, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc})
		return err
	}); err != nil {
		t.Fatalf("the phone's position: %v", err)
	}

	// 1. Signed out, /field/ asks to sign in, in English (the browser's language).
	b.do(chromedp.Navigate(env.Server.URL + "/field/"))
	b.waitJS(`location.pathname === '/field/login' && document.body.innerText.includes('Engineer sign-in')`)
	b.bigTargets("sign-in (en)")
	b.noConsoleProblems("sign-in (en)")
	// The manifest makes it installable; the service worker keeps the shell.
	var manifest struct {
		StartURL string `json:"start_url"`
		Scope    string `json:"scope"`
		Display  string `json:"display"`
	}
	href := b.js(`new URL(document.querySelector('link[rel=manifest]').href).pathname`)
	if err := json.Unmarshal(env.Must(200, apitest.Req{Method: "GET", Path: href}).Body, &manifest); err != nil ||
		manifest.StartURL != "/field/" || manifest.Scope != "/field/" || manifest.Display != "standalone" {
		t.Errorf("the web manifest at %s: %+v %v", href, manifest, err)
	}
	b.waitJS(`navigator.serviceWorker.getRegistration('/field/').then((r) => !!r && !!r.active)`)

	// 2. Switch to Chinese and sign in once: the phone stays signed in.
	b.click(`.lang-switch`)
	b.waitJS(`document.documentElement.lang === 'zh-CN' && document.body.innerText.includes('工程师登录')`)
	b.untranslated("the field sign-in")
	b.typeInto(`input[name=email]`, engEmail)
	b.typeInto(`input[name=password]`, apitest.Password)
	b.click(`.login-submit`)
	card := fmt.Sprintf(`.job-card[data-order=%q]`, orderID)
	b.waitVisible(card)
	b.waitJS(`document.querySelector('` + card + `').innerText.includes('待您接单')`)
	b.waitJS(fmt.Sprintf(`document.querySelector(%q).innerText.includes(%q)`, card, number))
	if got := b.js(fmt.Sprintf(`document.querySelector(%q + ' .job-map').href`, card)); !strings.HasPrefix(got, "https://uri.amap.com/marker?position=121.5055,31.2354") {
		t.Errorf("the map link is %q", got)
	}
	// The engineer offered the job calls the customer: the link dials the number, which the
	// screen does not show.
	if got := b.js(fmt.Sprintf(`document.querySelector(%q).innerText`, card)); !strings.Contains(got, "张三") || strings.Contains(got, phone[len(phone)-8:]) ||
		b.js(fmt.Sprintf(`(document.querySelector(%q + ' a.job-call') || {}).href || ''`, card)) != "tel:"+phone {
		t.Errorf("an engineer gets a call link to %s and the screen keeps the number hidden: %q, link %q", phone, got,
			b.js(fmt.Sprintf(`(document.querySelector(%q + ' a.job-call') || {}).href || ''`, card)))
	}
	b.untranslated("my day")
	b.bigTargets("my day")
	b.noSidewaysScroll("my day")
	b.shot("field-my-day")

	// 3. Accept the offer; the brand books the visit; set off; check in with the position.
	// eventually waits until what the phone sent shows in the API.
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 20 s\npage:\n%s", what, b.visibleText())
			}
		}
	}
	status := func() string {
		var o struct {
			Status string `json:"status"`
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID, Token: adm}).JSON(t, &o)
		return o.Status
	}
	b.click(card + ` .job-accept`)
	b.waitJS(`!document.querySelector('` + card + ` .job-offer')`)
	eventually("the offer accepted from the phone", func() bool {
		var engineers struct {
			Items []struct {
				State string `json:"state"`
			}
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID + "/engineers", Token: adm}).JSON(t, &engineers)
		return len(engineers.Items) == 1 && engineers.Items[0].State == "accepted"
	})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/transitions", Token: adm, Body: map[string]any{"to": "scheduled"}})
	b.refreshDay()
	b.click(card + ` .job-set-off`)
	eventually("set off from the phone", func() bool { return status() == "en_route" })
	b.click(card + ` .job-check-in`)
	eventually("checked in from the phone", func() bool { return status() == "on_site" })
	b.waitJS(`document.querySelector('` + card + `').dataset.status === 'on_site' && !document.querySelector('.outbox-count')`)
	var prof struct {
		Latitude *float64 `json:"latitude"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/engineers/" + engID, Token: adm}).JSON(t, &prof)
	if prof.Latitude == nil || *prof.Latitude < 31.23 || *prof.Latitude > 31.24 {
		t.Errorf("the check-in did not report the phone's position: %+v", prof.Latitude)
	}
	b.noConsoleProblems("my day")

	// 4. The job: unit, warranty decision, fault and history; two parts with their serials.
	b.click(card + ` .job-open`)
	b.waitVisible(`.job-unit .job-warranty`)
	b.waitJS(`document.querySelector('.job-unit').innerText.includes('SN` + u + `') && document.querySelector('.job-unit').innerText.includes('空调不制冷')`)
	b.untranslated("the job")
	for i, p := range []struct{ code, name, old, new string }{{"CAP-35", "启动电容", "OLD-CAP-1", "NEW-CAP-1"}, {"FAN-12", "外机风扇电机", "OLD-FAN-1", "NEW-FAN-1"}} {
		b.click(`.add-part`)
		b.typeInto(fmt.Sprintf(`input[name=part-%d-code]`, i), p.code)
		b.typeInto(fmt.Sprintf(`input[name=part-%d-name]`, i), p.name)
		b.typeInto(fmt.Sprintf(`input[name=part-%d-old]`, i), p.old)
		b.typeInto(fmt.Sprintf(`input[name=part-%d-new]`, i), p.new)
	}
	b.bigTargets("the job on site")
	b.noSidewaysScroll("the job on site")
	b.shot("field-job")
	b.noConsoleProblems("the job")

	// 5. The network drops: photo, signature and report are taken offline and wait.
	b.offline(true)
	b.waitJS(`!navigator.onLine`)
	b.do(chromedp.SetUploadFiles(`input.photo-input`, []string{photo}))
	b.waitVisible(`.job-photos .photo img`)
	b.js(`(() => { const c = document.querySelector('.signature-canvas'); const r = c.getBoundingClientRect();
		const ev = (type, x, y) => c.dispatchEvent(new PointerEvent(type, { bubbles: true, cancelable: true, pointerId: 1, clientX: r.left + x, clientY: r.top + y }));
		ev('pointerdown', 20, 100); for (let i = 1; i <= 20; i++) ev('pointermove', 20 + i * 12, 100 + Math.sin(i) * 40); ev('pointerup', 260, 100); return '' })()`)
	b.click(`.signature-keep`)
	b.waitVisible(`.signature-kept img`)
	b.click(`.result-fixed`)
	b.typeInto(`textarea[name=diagnosis]`, "压缩机启动电容失效，外机风扇电机卡死")
	b.typeInto(`textarea[name=work_done]`, "更换启动电容和风扇电机，试机制冷正常")
	b.click(`.job-complete`)
	b.waitVisible(`.report-queued`)
	b.waitJS(`document.querySelector('.outbox-count') && document.querySelector('.outbox-count').dataset.waiting === '3'`)
	if got := b.js(`document.querySelector('.outbox').innerText`); !strings.Contains(got, "离线") || !strings.Contains(got, "等待发送：3 项") {
		t.Errorf("offline, the banner says %q", got)
	}
	b.untranslated("offline with three actions waiting")
	b.shot("field-offline")
	if now := status(); now != "on_site" {
		t.Fatalf("offline, the order moved to %s", now)
	}

	// 6. The network returns: everything is sent, in order, and applied once.
	b.offline(false)
	b.waitJS(`!document.querySelector('.outbox') && !!document.querySelector('.report-filed')`)
	var done struct {
		Status     string `json:"status"`
		Completion struct {
			Result      string   `json:"result"`
			PhotoIDs    []string `json:"photo_ids"`
			SignatureID string   `json:"signature_id"`
			Parts       []struct {
				Code      string `json:"code"`
				OldSerial string `json:"old_serial"`
				NewSerial string `json:"new_serial"`
			} `json:"parts"`
		} `json:"completion"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID, Token: adm}).JSON(t, &done)
	c := done.Completion
	if done.Status != "completed" || c.Result != "fixed" || len(c.PhotoIDs) != 1 || c.SignatureID == "" || len(c.Parts) != 2 ||
		c.Parts[0].OldSerial != "OLD-CAP-1" || c.Parts[1].NewSerial != "NEW-FAN-1" {
		t.Fatalf("after the network returned: %+v", done)
	}
	var atts struct {
		Items []struct {
			Kind string `json:"kind"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID + "/attachments", Token: adm}).JSON(t, &atts)
	if len(atts.Items) != 2 {
		t.Errorf("the order has %d attachments, want the photo and the signature once each: %+v", len(atts.Items), atts.Items)
	}
	var tl struct {
		Items []struct {
			Kind string `json:"kind"`
			To   string `json:"to"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID + "/timeline", Token: adm}).JSON(t, &tl)
	completed, reports := 0, 0
	for _, e := range tl.Items {
		if e.To == "completed" {
			completed++
		}
		if e.Kind == "completion" {
			reports++
		}
	}
	if completed != 1 || reports != 1 {
		t.Errorf("the timeline has %d moves to completed and %d reports, want one each: %+v", completed, reports, tl.Items)
	}
	b.untranslated("the job done")
	b.bigTargets("the job done")
	b.noConsoleProblems("the job done")

	// 7. In English, the job says the report was filed.
	b.click(`.van-nav-bar__left`)
	b.waitVisible(`.lang-switch`)
	b.click(`.lang-switch`)
	b.waitJS(`document.documentElement.lang === 'en' && document.body.innerText.includes('My day')`)
	b.shot("field-my-day-en")
	// On a desktop screen the app is one centred column.
	b.viewport(1400, 900, false)
	b.refreshDay()
	b.waitJS(`document.querySelector('.my-day').getBoundingClientRect().width <= 720`)
	if w := b.js(`String(document.documentElement.scrollWidth - window.innerWidth)`); w != "0" {
		t.Errorf("my day is %s px wider than a 1400 px screen", w)
	}
	b.shot("field-my-day-desktop")
	b.noConsoleProblems("my day (en)")

	// An engineer who opens the staff console is sent to the phone app.
	b.do(chromedp.Navigate(env.Server.URL + "/console/"))
	// The console's page loads, then sends the browser on: wait out both navigations.
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(b.location(), "/field/"); time.Sleep(300 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the console kept the engineer at %s", b.location())
		}
	}
	b.waitJS(`!!document.querySelector('.my-day')`)
	b.noConsoleProblems("the console sends the engineer to /field")
}

// refreshDay presses My day's refresh once the board is not loading: a press on the button
// while it spins (a load an earlier action started) does nothing, and that load may have
// read the board before the change the journey wants to see.
func (b *browser) refreshDay() {
	b.t.Helper()
	b.waitJS(`!!document.querySelector('.day-refresh') && !document.querySelector('.day-refresh').classList.contains('van-button--loading')`)
	b.click(`.day-refresh`)
}
