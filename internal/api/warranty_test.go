package api_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/platform"
)

// warrantyFixture is a brand with a catalog and the national 三包 policy (compressor 36 months).
type warrantyFixture struct {
	tn              *apitest.Tenant
	category, model string
	imeiModel       string
	policy          string
}

func newWarrantyFixture(t *testing.T, env *apitest.Env) warrantyFixture {
	t.Helper()
	f := warrantyFixture{tn: env.NewTenant()}
	adm := f.tn.Admin
	f.category = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: adm, Body: map[string]any{"code": "ac", "name": "空调"}}).Map(t)["id"].(string)
	f.model = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: adm, Body: map[string]any{
		"category_id": f.category, "sku": "KFR-35GW", "name": "Split AC 1.5P", "serial_pattern": "[A-Z0-9]{8,20}",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}, {"code": "mainboard", "name": "主板"}}}}).Map(t)["id"].(string)
	phones := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: adm, Body: map[string]any{"code": "phone", "name": "手机"}}).Map(t)["id"].(string)
	f.imeiModel = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: adm, Body: map[string]any{
		"category_id": phones, "sku": "X1", "name": "Phone X1", "imei": true, "components": []any{}}}).Map(t)["id"].(string)

	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: adm}).Map(t)
	free := map[string]any{"mode": "free"}
	rules["terms"] = append(rules["terms"].([]any), map[string]any{"component": "compressor", "months": 36, "basis": "invoice",
		"covered": map[string]any{"parts": free, "labour": free, "visit": free, "shipping": map[string]any{"mode": "charged"}}})
	rules["fees"] = map[string]any{"currency": "CNY", "labour_rate": 8000, "visit_fee": 5000, "shipping_fee": 2000}
	f.policy = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: adm, Body: map[string]any{
		"name": "空调三包", "category_ids": []string{f.category, phones}, "effective_from": "2020-01-01", "rules": rules}}).Map(t)["id"].(string)
	return f
}

func daysAgo(n int) string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Now().In(loc).AddDate(0, 0, -n).Format(time.DateOnly)
}

func TestRegistrationsAndEntitlements(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newWarrantyFixture(t, env)
	adm := f.tn.Admin
	phone := env.Phone()

	// Register a unit bought 3 days ago (day 4 counting the purchase day): return window.
	reg := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SN12345678", "purchase_date": daysAgo(3), "invoice_no": "INV-1", "has_warranty_card": true,
		"buyer": map[string]any{"name": "王芳", "phone": phone}, "user": map[string]any{"name": "王老先生", "phone": env.Phone()}}}).Map(t)
	regID := reg["id"].(string)
	if reg["buyer_id"] == nil || reg["user_id"] == nil || reg["buyer_id"] == reg["user_id"] || reg["channel"] != "staff" {
		t.Fatalf("registration: %v", reg)
	}

	// The same unit again is a 409 naming the existing record.
	dup := env.Do(apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: map[string]any{
		"model_id": f.model, "serial": "SN12345678", "purchase_date": daysAgo(3)}})
	if dup.Status != 409 || !strings.Contains(string(dup.Body), regID) || dup.Header.Get("Location") != "/v1/registrations/"+regID {
		t.Fatalf("duplicate: %d %s", dup.Status, dup.Body)
	}
	// The buyer's phone finds the existing customer: a repeat customer.
	reg2 := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SN87654321", "purchase_date": daysAgo(400), "invoice_no": "INV-2", "has_warranty_card": true,
		"buyer": map[string]any{"name": "王芳", "phone": phone}}}).Map(t)
	if reg2["buyer_id"] != reg["buyer_id"] {
		t.Fatalf("repeat customer not recognised: %v vs %v", reg2["buyer_id"], reg["buyer_id"])
	}
	look := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/customers/lookup?phone=" + phone[3:], Token: adm}).Map(t)
	if look["repeat"] != true || look["units"].(float64) != 2 {
		t.Fatalf("lookup by phone: %v", look)
	}
	look = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/customers/lookup?phone=" + env.Phone(), Token: adm}).Map(t)
	if look["repeat"] != false {
		t.Fatalf("new caller flagged as repeat: %v", look)
	}

	// Refused facts are 422 problems naming the body field (the rules themselves:
	// internal/registry TestRegisterChecksFactsDuplicatesAndRepeatCustomers).
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"bad IMEI check digit", map[string]any{"model_id": f.imeiModel, "serial": "490154203237519", "purchase_date": daysAgo(1)}, "body.serial"},
		{"unknown sku", map[string]any{"model_sku": "NOPE", "serial": "SN00000003", "purchase_date": daysAgo(1)}, "body.model_sku"},
	} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: c.body})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"`+c.field+`"`) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}

	// The check names its decision, the policy version and tier it used, and the rules behind
	// it (the 三包 windows, terms, grants and tiers: internal/coverage and internal/warranty).
	check := func(body map[string]any) map[string]any {
		t.Helper()
		return env.Must(200, apitest.Req{Method: "POST", Path: "/v1/entitlements/check", Token: adm, Body: body}).Map(t)
	}
	res := check(map[string]any{"registration_id": regID})
	dec := res["decision"].(map[string]any)
	if dec["class"] != "manufacturer" || fmt.Sprint(dec["remedies"]) != "[refund exchange repair]" || dec["day_number"].(float64) != 4 {
		t.Fatalf("day 4: %v", dec)
	}
	if res["policy"].(map[string]any)["version"].(float64) != 1 || res["tier"].(map[string]any)["code"] != "standard" {
		t.Fatalf("policy/tier: %v %v", res["policy"], res["tier"])
	}
	reasons := fmt.Sprint(dec["reasons"])
	if !strings.Contains(reasons, "sanbao.return_days") || !strings.Contains(reasons, "空调三包 v1, sanbao.return_days") ||
		!strings.Contains(reasons, "《部分商品修理更换退货责任规定》第九条") || !strings.Contains(reasons, "zh-CN:购买后第 4 天") {
		t.Fatalf("reasons do not cite the policy by name, version and clause, and the national article, in both languages: %s", reasons)
	}
	// Judged on a later day, by serial: past the exchange window, free repair.
	later := time.Now().AddDate(0, 2, 0).Format(time.DateOnly)
	res = check(map[string]any{"serial": "SN12345678", "date": later})
	if d := res["decision"].(map[string]any); fmt.Sprint(d["remedies"]) != "[repair]" || d["class"] != "manufacturer" {
		t.Fatalf("two months later: %v", d)
	}
	ensure := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/fault-codes", Token: adm, Body: map[string]any{"code": "e-7", "name": "压缩机不启动", "component": "compressor"}}).Map(t)
	if ensure["code"] != "E7" {
		t.Fatalf("fault code not normalised: %v", ensure)
	}
	// A grant and a tier rule added through their routes reach the check: an accidental-damage
	// plan covers misuse, and its plan code earns the gold tier.
	free := map[string]any{"mode": "free"}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations/" + regID + "/grants", Token: adm, Body: map[string]any{
		"kind": "accidental", "valid_from": daysAgo(3), "valid_until": daysAgo(-700), "source": "plan ADP-2Y", "plan_code": "gold-express",
		"covered": map[string]any{"parts": free, "labour": free, "visit": free, "shipping": free}}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/tier-rules", Token: adm, Body: map[string]any{"tier": "gold", "kind": "plan", "match": "gold-express"}})
	res = check(map[string]any{"registration_id": regID, "exclusion": "misuse"})
	if d := res["decision"].(map[string]any); d["class"] != "contract" || res["tier"].(map[string]any)["code"] != "gold" {
		t.Fatalf("accidental plan: %v tier %v", d, res["tier"])
	}

	// A new policy version cannot be backdated: 422 naming the field.
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: adm}).Map(t)
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/policies/" + f.policy + "/versions", Token: adm,
		Body: map[string]any{"effective_from": daysAgo(10), "rules": rules}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.effective_from") {
		t.Fatalf("backdated version: %d %s", r.Status, r.Body)
	}
}

func TestPublicCoverageAndConsumerUnits(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newWarrantyFixture(t, env)
	phone := env.Phone()
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: f.tn.Admin, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SNPUBLIC01", "purchase_date": daysAgo(20), "invoice_no": "INV-9", "has_warranty_card": true,
		"buyer": map[string]any{"name": "李雷", "phone": phone}}})
	path := "/v1/public/tenants/" + f.tn.Slug + "/coverage?serial=SNPUBLIC01&phone_last4="
	ok := env.Must(200, apitest.Req{Method: "GET", Path: path + phone[len(phone)-4:]})
	m := ok.Map(t)
	if m["coverage_class"] != "manufacturer" || m["model_sku"] != "KFR-35GW" || len(m) != 4 {
		t.Fatalf("public check reveals %v", m)
	}
	if strings.Contains(string(ok.Body), phone[3:]) || strings.Contains(string(ok.Body), "李雷") {
		t.Fatalf("public check leaks personal data: %s", ok.Body)
	}
	wrong := env.Do(apitest.Req{Method: "GET", Path: path + "0000"})
	missing := env.Do(apitest.Req{Method: "GET", Path: "/v1/public/tenants/" + f.tn.Slug + "/coverage?serial=NOPE&phone_last4=0000"})
	if wrong.Status != 404 || missing.Status != 404 || string(wrong.Body) != string(missing.Body) {
		t.Fatalf("wrong phone vs unknown serial must look the same: %d %s / %d %s", wrong.Status, wrong.Body, missing.Status, missing.Body)
	}

	// The consumer signs in with a code to the buyer's phone and sees the unit.
	env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": phone}})
	code := regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(phone))
	var sess struct{ Token string }
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": phone, "code": code}}).JSON(t, &sess)
	units := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units", Token: sess.Token}).Map(t)["items"].([]any)
	if len(units) != 1 || units[0].(map[string]any)["coverage_class"] != "manufacturer" {
		t.Fatalf("my units: %v", units)
	}
	// Registers another unit themself.
	mine := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units", Token: sess.Token, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SNMINE0001", "purchase_date": daysAgo(2), "invoice_no": "INV-10", "has_warranty_card": true}}).Map(t)
	if mine["channel"] != "consumer" {
		t.Fatalf("consumer registration: %v", mine)
	}
	units = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units", Token: sess.Token}).Map(t)["items"].([]any)
	var remedies []string
	for _, u := range units {
		if u.(map[string]any)["registration"].(map[string]any)["serial"] == "SNMINE0001" {
			for _, r := range u.(map[string]any)["remedies"].([]any) {
				remedies = append(remedies, r.(string))
			}
		}
	}
	if len(units) != 2 || !slices.Contains(remedies, "refund") {
		t.Fatalf("after self-registration: %v", units)
	}
	// The consumer uploads the invoice of their own unit; staff can read it back.
	up := env.Do(apitest.Req{Method: "PUT", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units/" + mine["id"].(string) + "/invoice-image",
		Token: sess.Token, Body: isoPNG, Header: map[string]string{"Content-Type": "image/png"}})
	if up.Status != 200 || !strings.Contains(string(up.Body), "/invoice-image") {
		t.Fatalf("consumer invoice upload: %d %s", up.Status, up.Body)
	}
	img := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/registrations/" + mine["id"].(string) + "/invoice-image", Token: f.tn.Admin})
	if img.Header.Get("Content-Type") != "image/png" || string(img.Body) != string(isoPNG) {
		t.Fatalf("invoice image read back: %q %d bytes", img.Header.Get("Content-Type"), len(img.Body))
	}
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/registrations/" + mine["id"].(string) + "/invoice-image", Token: f.tn.Admin,
		Body: "not an image at all", Header: map[string]string{"Content-Type": "image/png"}}); r.Status != 422 {
		t.Fatalf("text posing as an image: %d %s", r.Status, r.Body)
	}
	// A unit of someone else is not theirs to touch: the same 404 as no unit at all.
	strangers := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: f.tn.Admin, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SNSTRANGER", "purchase_date": daysAgo(5), "buyer": map[string]any{"name": "路人", "phone": env.Phone()}}}).Map(t)
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units/" + strangers["id"].(string) + "/invoice-image",
		Token: sess.Token, Body: isoPNG, Header: map[string]string{"Content-Type": "image/png"}}); r.Status != 404 {
		t.Fatalf("consumer upload to a stranger's unit: %d %s", r.Status, r.Body)
	}

	// Another tenant's portal knows nothing of them; staff tokens cannot use consumer routes.
	other := env.NewTenant()
	none := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + other.Slug + "/units", Token: sess.Token}).Map(t)["items"].([]any)
	if len(none) != 0 {
		t.Fatalf("other tenant shows units: %v", none)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units", Token: f.tn.Admin}); r.Status != 403 {
		t.Fatalf("staff on consumer route: %d", r.Status)
	}
}

func TestPublicCoverageIsRateLimited(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{Configure: func(c *platform.Config) { c.RatePublicPerMinute = 3 }})
	tn := env.NewTenant()
	serial := "SNLIMIT" + env.Unique()
	statuses := []int{}
	began := time.Now()
	for i := 0; i < 5; i++ {
		statuses = append(statuses, env.Do(apitest.Req{Method: "GET", Path: "/v1/public/tenants/" + tn.Slug + "/coverage?serial=" + serial + "&phone_last4=1234"}).Status)
	}
	if !limited(statuses, 404, 3, 3, time.Since(began)) {
		t.Fatalf("statuses %v: want three answers then 429", statuses)
	}
}

// The check takes a date or a date-time: a moment is judged on the tenant's local date
// (01:30 in Shanghai is already the next day there, not in UTC). A moment before the
// purchase is refused at the field, not answered.
func TestCheckAtAMoment(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newWarrantyFixture(t, env)
	adm := f.tn.Admin
	regID := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SNMOMENT01", "purchase_date": daysAgo(3), "invoice_no": "INV-M", "has_warranty_card": true}}).Map(t)["id"].(string)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	bought, _ := time.ParseInLocation(time.DateOnly, daysAgo(3), sh)
	// 01:30 on day 7 in Shanghai is 17:30 on day 6 in UTC: day 7, the last day of the return window.
	moment := time.Date(bought.Year(), bought.Month(), bought.Day()+6, 1, 30, 0, 0, sh).UTC()
	res := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/entitlements/check", Token: adm,
		Body: map[string]any{"registration_id": regID, "date": moment.Format(time.RFC3339)}}).Map(t)
	dec := res["decision"].(map[string]any)
	if res["date"] != bought.AddDate(0, 0, 6).Format(time.DateOnly) || dec["day_number"].(float64) != 7 ||
		fmt.Sprint(dec["remedies"]) != "[refund exchange repair]" {
		t.Fatalf("at %s: date %v, day %v, remedies %v", moment.Format(time.RFC3339), res["date"], dec["day_number"], dec["remedies"])
	}
	for _, c := range []struct{ name, date string }{
		{"a day before the purchase", daysAgo(30)},
		{"a moment before the purchase", bought.Add(-time.Hour).Format(time.RFC3339)},
		{"not a date", "2026-13-01"},
		{"a time without a zone", bought.Format("2006-01-02T15:04:05")},
	} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/entitlements/check", Token: adm, Body: map[string]any{"registration_id": regID, "date": c.date}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"body.date"`) {
			t.Errorf("%s (%s): %d %s", c.name, c.date, r.Status, r.Body)
		}
	}
}

// A second policy for a category or a model is refused; a policy for a model takes
// precedence over its category's, and the decision says so. Versions, the first included,
// may be back-dated until a unit they would cover is sold under a policy.
func TestPolicyPrecedenceAndBackdating(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newWarrantyFixture(t, env)
	adm := f.tn.Admin
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: adm}).Map(t)
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/policies", Token: adm, Body: map[string]any{
		"name": "Another", "category_ids": []string{f.category}, "effective_from": "2024-01-01", "rules": rules}}); r.Status != 409 ||
		!strings.Contains(string(r.Body), "空调三包") {
		t.Fatalf("a second policy for the category: %d %s", r.Status, r.Body)
	}
	byModel := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: adm, Body: map[string]any{
		"name": "KFR 专用", "model_ids": []string{f.model}, "effective_from": "2020-01-01", "rules": rules}}).Map(t)["id"].(string)
	// Nothing sold yet: the policy's history goes in, back-dated.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies/" + byModel + "/versions", Token: adm,
		Body: map[string]any{"effective_from": "2022-01-01", "rules": rules}})
	get := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policies/" + f.policy, Token: adm})
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/policies/" + f.policy, Token: adm, Header: map[string]string{"If-Match": get.Header.Get("ETag")},
		Body: map[string]any{"name": "空调三包", "category_ids": []string{f.category}, "model_ids": []string{f.model}}}); r.Status != 409 {
		t.Fatalf("the category's policy extended to the model: %d %s", r.Status, r.Body)
	}

	regID := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SNPREC0001", "purchase_date": daysAgo(3), "invoice_no": "INV-P", "has_warranty_card": true}}).Map(t)["id"].(string)
	res := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/entitlements/check", Token: adm, Body: map[string]any{"registration_id": regID}}).Map(t)
	pol := res["policy"].(map[string]any)
	if pol["id"] != byModel || pol["version"].(float64) != 2 || pol["matched_by"] != "model" {
		t.Fatalf("the unit's policy: %v", pol)
	}
	if reasons := fmt.Sprint(res["decision"].(map[string]any)["reasons"]); !strings.Contains(reasons, "policy_precedence") ||
		!strings.Contains(reasons, "KFR 专用") || !strings.Contains(reasons, "空调三包") {
		t.Fatalf("the decision does not show the precedence: %s", reasons)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/policies/" + byModel + "/versions", Token: adm,
		Body: map[string]any{"effective_from": daysAgo(30), "rules": rules}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.effective_from") {
		t.Fatalf("a version back-dated over a unit sold: %d %s", r.Status, r.Body)
	}
}
