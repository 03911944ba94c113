package console_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// returnCodes are the returns' API values that must never reach the consumer as such.
var returnCodes = regexp.MustCompile(`\b(quality_fault|not_as_described|transport_damage|advance_exchange|returned_to_customer|drop_off|return\.[a-z_]+)\b|\d{4,} CNY`)

// TestJourneyConsumerDisputesWithPhotosAndAsksForAReturn: on a 390x844 phone, a consumer whose
// repair was refused as misuse disputes the decision with a photo (staff see the photo on the
// dispute and on the order), then asks for a return of the unit bought two days ago with a
// photo; staff approve it and the portal shows the new step, in words. Then the same pages in
// Chinese.
func TestJourneyConsumerDisputesWithPhotosAndAsksForAReturn(t *testing.T) {
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
	e164 := env.Phone()
	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: j.admin, Body: map[string]any{
		"name": "李女士", "phone": e164, "province_code": "310000", "city_code": "310100", "district_code": "310115",
		"address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"].(string)
	unit := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: j.admin, Body: map[string]any{
		"model_id": model, "serial": "SN" + u, "purchase_date": time.Now().AddDate(0, 0, -2).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "has_warranty_card": true, "buyer": map[string]any{"customer_id": customer}}}).Map(t)["id"].(string)
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: j.admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "customer_id": customer, "registration_id": unit,
		"fault_description": "不制冷"}}).Map(t)["order"].(map[string]any)["id"].(string)
	evidence := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/attachments?kind=evidence", Token: j.admin,
		Body: invoicePNG, Header: map[string]string{"Content-Type": "image/png"}}).Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/transitions", Token: j.admin, Body: map[string]any{"to": "repairing"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/completion", Token: j.admin, Body: map[string]any{
		"diagnosis": "外壳有摔痕", "work_done": "检查", "result": "not_fixed", "exclusion": "misuse", "evidence_ids": []string{evidence}}})
	// A photo on the phone: 2000x1500, which the portal shrinks and sends as a JPEG.
	img := image.NewRGBA(image.Rect(0, 0, 2000, 1500))
	for x := 0; x < 2000; x++ {
		for y := 0; y < 1500; y++ {
			img.Set(x, y, color.RGBA{uint8(x % 256), uint8(y % 256), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(photo, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, env.Server.URL)
	b.viewport(390, 844, true)
	b.portalSignIn(env, tn.Slug, e164)

	// The order says what was found, and offers the dispute and a return.
	b.openPortal("/" + tn.Slug + "/orders/" + order)
	b.waitVisible(`.order-after-sales .after-dispute-open`)
	if got := b.js(`document.querySelector('.after-exclusion').innerText`); !strings.Contains(got, "signs of misuse") {
		t.Errorf("the decision reads %q", got)
	}
	b.tapTargets("the order with a misuse decision")
	b.noSidewaysScroll("the order with a misuse decision")
	b.shot("portal-returns-order")

	// Dispute with a photo.
	b.clickOpens(`.after-dispute-open`, `.my-dispute .dispute-statement textarea`)
	b.typeInto(`.dispute-statement textarea`, "从未摔过 it was never dropped")
	b.do(chromedp.SetUploadFiles(chromedp.CSS(`.my-dispute .photo-input`), []string{photo}))
	b.waitVisible(`.my-dispute .photo-item img`)
	b.tapTargets("disputing the decision")
	b.noSidewaysScroll("disputing the decision")
	b.shot("portal-returns-dispute")
	b.clickOpens(`.dispute-submit`, `.after-dispute[data-status=open]`)
	var disputes struct {
		Items []struct {
			Status        string
			AttachmentIDs []string `json:"attachment_ids"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + order + "/disputes", Token: j.admin}).JSON(t, &disputes)
	if len(disputes.Items) != 1 || disputes.Items[0].Status != "open" || len(disputes.Items[0].AttachmentIDs) != 1 {
		t.Fatalf("staff see the dispute %+v", disputes)
	}
	var atts struct {
		Items []struct {
			ID         string
			ByCustomer bool `json:"by_customer"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + order + "/attachments", Token: j.admin}).JSON(t, &atts)
	var seen bool
	for _, a := range atts.Items {
		seen = seen || (a.ID == disputes.Items[0].AttachmentIDs[0] && a.ByCustomer)
	}
	if !seen {
		t.Errorf("staff do not see the consumer's photo on the order: %+v", atts)
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/attachments/" + disputes.Items[0].AttachmentIDs[0], Token: j.admin}); got.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("the photo arrives as %q, want the phone's JPEG", got.Header.Get("Content-Type"))
	}

	// Ask for a return (bought two days ago: the decision allows it), with a photo.
	b.clickOpens(`.after-return-ask`, `.my-return-ask .ask-kind`)
	b.click(`.ask-kind[data-kind=return]`)
	b.click(`.ask-reason[data-reason=quality_fault]`)
	b.typeInto(`.ask-description textarea`, "买来两天就不制冷")
	b.do(chromedp.SetUploadFiles(chromedp.CSS(`.my-return-ask .photo-input`), []string{photo}))
	b.waitVisible(`.my-return-ask .photo-item img`)
	b.tapTargets("asking for a return")
	b.noSidewaysScroll("asking for a return")
	b.shot("portal-returns-ask")
	b.clickOpens(`.ask-submit`, `.my-return .return-status[data-status=applied]`)
	caseID := b.js(`location.pathname.split('/').pop()`)
	page := b.visibleText()
	for _, want := range []string{"Request received", "It has a quality fault", "1 photo(s)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the case reads %q, want %q in it", page, want)
		}
	}

	// Staff approve it; the portal shows the new step.
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/returns/" + caseID + "/review", Token: j.admin, Body: map[string]any{"decision": "approve"}})
	b.openPortal("/" + tn.Slug + "/returns/" + caseID)
	b.waitVisible(`.return-status[data-status=approved]`)
	progress := b.js(`document.querySelector('.return-progress').innerText`)
	for _, want := range []string{"Request received", "Request approved"} {
		if !strings.Contains(progress, want) {
			t.Errorf("the progress reads %q, want %q", progress, want)
		}
	}
	if m := returnCodes.FindAllString(b.visibleText(), -1); len(m) > 0 {
		t.Errorf("the case page shows raw codes %q", m)
	}
	b.tapTargets("the case")
	b.noSidewaysScroll("the case")
	b.shot("portal-returns-case")
	b.openPortal("/" + tn.Slug + "/returns")
	b.waitVisible(`.my-returns .return-card`)
	b.tapTargets("my returns")
	b.noConsoleProblems("disputing and asking for a return")

	// In Chinese.
	b.js(`(() => { localStorage.setItem('aftersales.lang', 'zh-CN'); return '' })()`)
	b.openPortal("/" + tn.Slug + "/returns/" + caseID)
	b.waitJS(`document.documentElement.lang === 'zh-CN'`)
	b.waitVisible(`.return-status[data-status=approved]`)
	page = b.visibleText()
	for _, want := range []string{"已同意", "申请已同意", "质量问题", "退货退款"} {
		if !strings.Contains(page, want) {
			t.Errorf("in Chinese the case reads %q, want %q in it", page, want)
		}
	}
	if m := returnCodes.FindAllString(page, -1); len(m) > 0 {
		t.Errorf("the case page in Chinese shows raw codes %q", m)
	}
	b.portalUntranslated("the case in Chinese")
	b.tapTargets("the case in Chinese")
	b.noSidewaysScroll("the case in Chinese")
	b.shot("portal-returns-case-zh")
	b.openPortal("/" + tn.Slug + "/orders/" + order)
	b.waitVisible(`.after-dispute[data-status=open]`)
	if got := b.js(`document.querySelector('.order-after-sales').innerText`); !strings.Contains(got, "人为损坏") || !strings.Contains(got, "审核中") {
		t.Errorf("in Chinese the order's decision reads %q", got)
	}
	b.portalUntranslated("the order in Chinese")
	b.tapTargets("the order in Chinese")
	b.shot("portal-returns-order-zh")
	b.openPortal("/" + tn.Slug + "/returns")
	b.waitVisible(`.my-returns .return-card`)
	b.portalUntranslated("my returns in Chinese")
	b.tapTargets("my returns in Chinese")
	// The dispute and the request pages, now that both are open: they say so, in Chinese.
	b.openPortal("/" + tn.Slug + "/orders/" + order + "/dispute")
	b.waitVisible(`.my-dispute [role=alert]`)
	b.portalUntranslated("the dispute page in Chinese")
	b.openPortal("/" + tn.Slug + "/orders/" + order + "/return")
	b.waitVisible(`.my-return-ask [role=alert]`)
	b.portalUntranslated("the request page in Chinese")
	b.noConsoleProblems("in Chinese")

	// At the brand, on a desktop: the order page shows the dispute with the customer's photo;
	// the manager overturns the exclusion with a note, which the customer then reads.
	s := newBrowser(t, env.Server.URL)
	s.signIn(j.email)
	s.js(`(() => { localStorage.setItem('aftersales.lang', 'zh-CN'); return '' })()`)
	s.open("/orders/" + order)
	s.waitJS(`!!document.querySelector('.order-evidence .dispute[data-status=open] .evidence-photo img')`)
	s.untranslated("the order's photos and dispute")
	s.shot("order-dispute-photo")
	s.clickOpens(`.dispute-decide`, `.dispute-form .dispute-outcome`)
	s.js(`(() => { document.querySelectorAll('.dispute-outcome .el-radio')[1].click(); return '' })()`)
	s.typeInto(`.dispute-form textarea[name=note]`, "照片显示无摔痕，按保修免费维修。")
	// The required outcome is marked, and choosing it (and leaving the note) raises no message
	// of the form's own: the API is what checks a form, in the user's language.
	if got := s.js(`(() => { const f = document.querySelector('.dispute-form'); return f.querySelectorAll('.el-form-item.is-required').length + '/' + f.querySelectorAll('.el-form-item__error').length })()`); got != "1/0" {
		t.Errorf("the dispute drawer's required fields / messages after choosing: %s, want 1/0", got)
	}
	s.untranslated("the dispute drawer, its outcome chosen")
	s.js(`(() => { document.querySelector('.dispute-form').closest('.el-drawer').querySelector('.drawer-submit').click(); return '' })()`)
	s.waitJS(`!!document.querySelector('.order-evidence .dispute[data-status=overturned]')`)
	s.noConsoleProblems("the dispute decided")
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + order + "/disputes", Token: j.admin}).JSON(t, &disputes)
	if len(disputes.Items) != 1 || disputes.Items[0].Status != "overturned" {
		t.Errorf("the dispute after the manager's decision: %+v", disputes.Items)
	}
	b.openPortal("/" + tn.Slug + "/orders/" + order)
	b.waitVisible(`.after-dispute[data-status=overturned]`)
}
