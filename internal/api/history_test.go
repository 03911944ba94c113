package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// A brand moving onto the product brings its units' past: repairs with their fault, result
// and dates in and out, exchanges and refunds, from a file (imported in the background,
// with progress and an error report; the same file twice changes nothing) or a batch
// (pushing it again changes nothing). Decisions then count them.
func TestServiceHistoryImport(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newWarrantyFixture(t, env)
	imp := &importFixture{env: env, tn: f.tn}
	adm := f.tn.Admin
	reg := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: adm, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SNHIST0001", "purchase_date": day(200), "invoice_no": "INV-H1", "has_warranty_card": true}}).Map(t)
	regID := reg["id"].(string)
	check := func(faultCode string) map[string]any {
		t.Helper()
		return env.Must(200, apitest.Req{Method: "POST", Path: "/v1/entitlements/check", Token: adm,
			Body: map[string]any{"registration_id": regID, "fault_code": faultCode}}).Map(t)
	}
	if h := check("E1")["history"].(map[string]any); h["failed_repairs"].(float64) != 0 {
		t.Fatalf("before the import: %v", h)
	}

	file := "单号,型号,序列号,故障代码,结果,送修日期,取机日期\n" +
		fmt.Sprintf("OLD-1,KFR-35GW,SNHIST0001,e1,not_fixed,%s,%s\n", day(190), day(186)) +
		fmt.Sprintf("OLD-2,KFR-35GW,SNHIST0001,E1,未修好,%s,%s\n", day(150), day(148)) +
		fmt.Sprintf("OLD-3,KFR-35GW,SNHIST0001,E1,repaired badly,%s,%s\n", day(120), day(119)) +
		fmt.Sprintf("OLD-4,KFR-35GW,SNNOSUCH01,E1,fixed,%s,%s\n", day(120), day(119)) +
		fmt.Sprintf("OLD-5,KFR-35GW,SNHIST0001,E1,fixed,%s,%s\n", day(100), day(110)) +
		fmt.Sprintf("OLD-6,KFR-35GW,SNHIST0001,E1,fixed,%s,%s\n", day(300), day(290)) +
		fmt.Sprintf(",KFR-35GW,SNHIST0001,E1,fixed,%s,%s\n", day(90), day(89))
	resp := env.Do(apitest.Req{Method: "POST", Path: "/v1/imports/service-history?filename=history.csv", Token: adm,
		Body: []byte(file), Header: map[string]string{"Content-Type": "text/csv"}})
	if resp.Status != 201 {
		t.Fatalf("upload: %d %s", resp.Status, resp.Body)
	}
	up := resp.Map(t)
	id := up["id"].(string)
	if up["kind"] != "service_history" || up["status"] != "queued" {
		t.Fatalf("uploaded: %v", up)
	}
	imp.run(t, id, 2)
	imp.run(t, id, 0) // a job delivered twice changes nothing
	done := imp.get(t, id)
	wantCounts(t, done, "done", 7, 2, 0, 5)
	report := string(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/imports/" + id + "/errors.csv", Token: adm}).Body)
	for _, want := range []string{"4,result,", "5,serial,", "6,date_out,", "7,date_in,", "8,reference,"} {
		if !strings.Contains(report, want) {
			t.Errorf("error report lacks %q:\n%s", want, report)
		}
	}
	if again := env.Do(apitest.Req{Method: "POST", Path: "/v1/imports/service-history", Token: adm, Body: []byte(file),
		Header: map[string]string{"Content-Type": "text/csv"}}); again.Status != 200 || again.Map(t)["id"] != id {
		t.Fatalf("the same file again: %d %s", again.Status, again.Body)
	}

	// Two failed repairs of E1 (4 and 2 days in the outlet): exchange or refund.
	res := check("E1")
	h, dec := res["history"].(map[string]any), res["decision"].(map[string]any)
	if h["failed_repairs"].(float64) != 2 || h["days_in_repair"].(float64) != 6 || fmt.Sprint(dec["remedies"]) != "[exchange refund]" {
		t.Fatalf("after the import: history %v remedies %v", h, dec["remedies"])
	}

	// An ERP pushes the exchange that followed; pushing it again changes nothing.
	batch := map[string]any{"items": []map[string]any{
		{"registration_id": regID, "reference": "OLD-7", "result": "exchange", "date_out": day(80)},
		{"model_sku": "KFR-35GW", "serial": "SNHIST0001", "reference": "OLD-8", "result": "refund"},
	}}
	out := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/service-history/batch", Token: adm, Body: batch}).Map(t)
	items := out["items"].([]any)
	if out["created"].(float64) != 1 || out["invalid"].(float64) != 1 || items[0].(map[string]any)["status"] != "created" ||
		!strings.Contains(fmt.Sprint(items[1]), "date_out") {
		t.Fatalf("batch: %v", out)
	}
	batch["items"] = batch["items"].([]map[string]any)[:1]
	if again := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/service-history/batch", Token: adm, Body: batch}).Map(t); again["existing"].(float64) != 1 {
		t.Fatalf("the same batch again: %v", again)
	}
	res = check("E1")
	h = res["history"].(map[string]any)
	if h["failed_repairs"].(float64) != 0 || h["last_exchange"] != day(80) || fmt.Sprint(res["decision"].(map[string]any)["remedies"]) != "[repair]" {
		t.Fatalf("after the exchange: history %v remedies %v", h, res["decision"].(map[string]any)["remedies"])
	}

	// The unit's record lists what was brought in, oldest first.
	list := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/registrations/" + regID + "/service-history", Token: adm}).Map(t)["items"].([]any)
	var refs []string
	for _, it := range list {
		refs = append(refs, it.(map[string]any)["reference"].(string))
	}
	if fmt.Sprint(refs) != "[OLD-1 OLD-2 OLD-7]" {
		t.Fatalf("the unit's service history: %v", list)
	}
}

// Another tenant can neither bring history onto a tenant's units (by id or by serial, in a
// batch or a file) nor read it: to it the units do not exist.
func TestServiceHistoryAcrossTenants(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a, b := newWarrantyFixture(t, env), newWarrantyFixture(t, env)
	regID := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: a.tn.Admin, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SNCROSS001", "purchase_date": day(100), "invoice_no": "INV-X", "has_warranty_card": true}}).Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/service-history/batch", Token: a.tn.Admin, Body: map[string]any{"items": []map[string]any{
		{"registration_id": regID, "reference": "A-1", "result": "fixed", "date_in": day(50), "date_out": day(49)}}}})

	out := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/service-history/batch", Token: b.tn.Admin, Body: map[string]any{"items": []map[string]any{
		{"registration_id": regID, "reference": "B-1", "fault_code": "E1", "result": "not_fixed", "date_in": day(20), "date_out": day(18)},
		{"model_sku": "KFR-35GW", "serial": "SNCROSS001", "reference": "B-2", "fault_code": "E1", "result": "not_fixed", "date_in": day(20), "date_out": day(18)},
	}}}).Map(t)
	items := fmt.Sprint(out["items"])
	if out["invalid"].(float64) != 2 || !strings.Contains(items, "registration_id") || !strings.Contains(items, "serial") {
		t.Fatalf("tenant B's batch on tenant A's unit: %v", out)
	}
	file := "reference,model_sku,serial,fault_code,result,date_in,date_out\n" + fmt.Sprintf("B-3,KFR-35GW,SNCROSS001,E1,not_fixed,%s,%s\n", day(20), day(18))
	up := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/imports/service-history", Token: b.tn.Admin, Body: []byte(file),
		Header: map[string]string{"Content-Type": "text/csv"}}).Map(t)
	(&importFixture{env: env, tn: b.tn}).run(t, up["id"].(string), 0)
	wantCounts(t, (&importFixture{env: env, tn: b.tn}).get(t, up["id"].(string)), "done", 1, 0, 0, 1)
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/imports/" + up["id"].(string), Token: a.tn.Admin}); r.Status != 404 {
		t.Fatalf("tenant A reads tenant B's import: %d", r.Status)
	}

	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/registrations/" + regID + "/service-history", Token: b.tn.Admin}); r.Status != 404 {
		t.Fatalf("tenant B reads tenant A's unit history: %d %s", r.Status, r.Body)
	}
	list := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/registrations/" + regID + "/service-history", Token: a.tn.Admin}).Map(t)["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["reference"] != "A-1" {
		t.Fatalf("tenant A's unit history: %v", list)
	}
	res := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/entitlements/check", Token: a.tn.Admin,
		Body: map[string]any{"registration_id": regID, "fault_code": "E1"}}).Map(t)
	if h := res["history"].(map[string]any); h["failed_repairs"].(float64) != 0 {
		t.Fatalf("tenant A's decision after tenant B's attempts: %v", h)
	}
}
