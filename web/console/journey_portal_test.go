package console_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// portalKey is a portal message key shown as such.
var portalKey = regexp.MustCompile(`\bmy\.[a-zA-Z_]+[\w.-]*`)

// openPortal goes to a route of the consumers' portal, as a deep link.
func (b *browser) openPortal(route string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base + "/my" + route))
	b.settle()
}

// tapTargets checks that every visible button, link and tab on the page is at least 40 px
// both ways.
func (b *browser) tapTargets(page string) {
	b.t.Helper()
	small := b.js(`(() => [...document.querySelectorAll('button, a, [role=button], [role=tab], .van-tabbar-item, .van-nav-bar__left, label:has(input[type=file])')]
		.filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
		.filter((e) => { const r = e.getBoundingClientRect(); return r.width < 40 || r.height < 40 })
		.map((e) => { const r = e.getBoundingClientRect(); return e.className + ' "' + e.innerText.trim().slice(0, 20) + '" ' + Math.round(r.width) + 'x' + Math.round(r.height) })
		.join('; '))()`)
	if small != "" {
		b.t.Errorf("%s has tap targets smaller than 40 px: %s", page, small)
	}
}

// portalUntranslated is untranslated with the portal's own message keys.
func (b *browser) portalUntranslated(page string) {
	b.t.Helper()
	b.untranslated(page)
	if m := portalKey.FindAllString(b.visibleText(), -1); len(m) > 0 {
		b.t.Errorf("%s shows message keys %q", page, m)
	}
}

// TestJourneyConsumerPortalOnAPhone: on a 390x844 phone, a consumer of a brand signs in with a
// code sent by SMS, registers the unit they bought with a photo of the invoice, and sees its
// coverage in plain words; the public warranty check finds it by serial and the last four
// digits of the phone, and answers a wrong phone exactly as an unknown serial. Then the same
// in Chinese.
func TestJourneyConsumerPortalOnAPhone(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := strings.ToUpper(env.Unique())
	var tn struct{ Slug string }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tenant", Token: j.admin}).JSON(t, &tn)
	if tn.Slug == "" {
		t.Fatal("the tenant has no slug")
	}
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: j.admin, Body: map[string]any{
		"code": "ac-" + strings.ToLower(u), "name": "空调"}}).Map(t)["id"].(string)
	sku := "KFR-" + u
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: j.admin, Body: map[string]any{
		"category_id": cat, "sku": sku, "name": "壁挂空调",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}})
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: j.admin}).Map(t)
	free := map[string]any{"mode": "free"}
	rules["terms"] = append(rules["terms"].([]any), map[string]any{"component": "compressor", "months": 36, "basis": "invoice",
		"covered": map[string]any{"parts": free, "labour": free, "visit": free, "shipping": map[string]any{"mode": "charged"}}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: j.admin, Body: map[string]any{
		"name": "三包", "category_ids": []string{cat}, "effective_from": "2020-01-01", "rules": rules}})

	e164 := env.Phone()
	phone := e164[3:] // the national form a consumer types
	serial := "SN" + u
	invoice := filepath.Join(t.TempDir(), "invoice.png")
	if err := os.WriteFile(invoice, invoicePNG, 0o644); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, env.Server.URL)
	b.viewport(390, 844, true)

	// Signed out, the brand's portal asks for a code.
	b.openPortal("/" + tn.Slug)
	b.waitVisible(`.my-login input[name=destination]`)
	b.tapTargets("the sign-in page")
	b.shot("portal-sign-in")
	b.typeInto(`input[name=destination]`, phone)
	b.click(`.login-send`)
	b.waitVisible(`input[name=code]`)
	code := ""
	for deadline := time.Now().Add(10 * time.Second); code == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		code = regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(e164))
	}
	if code == "" {
		t.Fatalf("no code was sent to %s", e164)
	}
	b.typeInto(`input[name=code]`, code)
	b.click(`.login-verify`)
	b.waitVisible(`.my-units .units-register`)
	if got := b.js(`document.querySelector('.units-who').innerText`); strings.Contains(got, phone) {
		t.Errorf("the page shows the whole phone number: %q", got)
	}
	b.noSidewaysScroll("my units")
	b.tapTargets("my units")

	// Register the unit with the invoice photo.
	b.click(`.units-register`)
	b.waitVisible(`.my-register input[name=model_sku]`)
	b.typeInto(`input[name=model_sku]`, sku)
	b.typeInto(`input[name=serial]`, serial)
	b.typeInto(`input[name=invoice_no]`, "INV-"+u)
	b.click(`.register-card`)
	b.do(chromedp.SetUploadFiles(chromedp.CSS(`.register-photo input[type=file]`), []string{invoice}))
	b.waitVisible(`.register-preview`)
	b.tapTargets("registering a unit")
	b.noSidewaysScroll("registering a unit")
	b.shot("portal-register")
	b.click(`.register-submit`)
	card := fmt.Sprintf(`.unit-card[data-serial=%q]`, serial)
	b.waitVisible(card)
	text := b.js(`document.querySelector('` + card + `').innerText`)
	for _, want := range []string{sku, "Manufacturer warranty", "covered until", "Repairs of faults are free", "Invoice photo on file"} {
		if !strings.Contains(text, want) {
			t.Errorf("the unit shows %q, want %q in it", text, want)
		}
	}
	b.shot("portal-units")
	b.noConsoleProblems("signing in and registering a unit")

	// The public check: found by serial and the phone's last four digits.
	last4 := phone[len(phone)-4:]
	wrong := fmt.Sprintf("%04d", (atoi(last4)+1)%10000)
	check := func(serial, last4 string) string {
		b.t.Helper()
		b.openPortal("/" + tn.Slug + "/check")
		b.typeInto(`input[name=serial]`, serial)
		b.typeInto(`input[name=phone_last4]`, last4)
		b.click(`.check-submit`)
		b.waitVisible(`.check-answer`)
		return b.js(`document.querySelector('.check-answer').innerText`)
	}
	found := check(serial, last4)
	if !strings.Contains(found, sku) || !strings.Contains(found, "Manufacturer warranty") {
		t.Errorf("the check found %q, want the model and its warranty", found)
	}
	b.tapTargets("the warranty check")
	b.shot("portal-check")
	wrongPhone := check(serial, wrong)
	unknown := check("NOPE"+u, last4)
	if wrongPhone != unknown || strings.Contains(wrongPhone, sku) {
		t.Errorf("a wrong phone answers %q, an unknown serial %q: want the same, without the model", wrongPhone, unknown)
	}
	b.noConsoleProblems("the warranty check")

	// The same in Chinese.
	b.js(`(() => { localStorage.setItem('aftersales.lang', 'zh-CN'); return '' })()`)
	b.openPortal("/" + tn.Slug)
	b.waitJS(`document.documentElement.lang === 'zh-CN'`)
	b.waitVisible(card)
	if got := b.js(`document.querySelector('` + card + `').innerText`); !strings.Contains(got, "故障维修免费") {
		t.Errorf("in Chinese the unit shows %q", got)
	}
	b.portalUntranslated("my units")
	b.shot("portal-units-zh")
	b.openPortal("/" + tn.Slug + "/units/new")
	b.waitVisible(`.my-register input[name=model_sku]`)
	b.portalUntranslated("registering a unit")
	b.tapTargets("registering a unit in Chinese")
	if got := check("NOPE"+u, last4); !strings.Contains(got, "没有与该序列号") {
		t.Errorf("the check in Chinese answers %q", got)
	}
	b.portalUntranslated("the warranty check")
	b.shot("portal-check-zh")
	b.noConsoleProblems("the portal in Chinese")

	// On a desktop the portal keeps its one column, centred.
	b.viewport(1400, 900, false)
	b.openPortal("/" + tn.Slug)
	b.waitVisible(card)
	if w := b.js(`String(Math.round(document.querySelector('.my-units').getBoundingClientRect().width))`); atoi(w) > 720 {
		t.Errorf("on a desktop the portal is %s px wide, want at most 720", w)
	}
	b.noConsoleProblems("the portal on a desktop")
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// invoicePNG is a 1x1 PNG, the invoice photo.
var invoicePNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
