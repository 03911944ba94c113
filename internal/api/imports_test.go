package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

const importHeader = "model_sku,serial,purchase_date,invoice_no,invoice_date,has_warranty_card,seller,buyer_name,buyer_phone," +
	"user_name,user_phone,install_date,remark\n"

// importFixture is a tenant with an air conditioner (serials [A-Z0-9]{8,20}) and a phone
// (IMEI serials) in its catalog.
type importFixture struct {
	env *apitest.Env
	tn  *apitest.Tenant
}

func newImportFixture(t *testing.T, env *apitest.Env) *importFixture {
	t.Helper()
	f := &importFixture{env: env, tn: env.NewTenant()}
	adm := f.tn.Admin
	ac := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: adm, Body: map[string]any{"code": "ac", "name": "空调"}}).Map(t)["id"]
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: adm, Body: map[string]any{"category_id": ac, "sku": "KFR-35GW",
		"name": "Split AC 1.5P", "serial_pattern": "[A-Z0-9]{8,20}", "components": []any{}}})
	ph := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: adm, Body: map[string]any{"code": "phone", "name": "手机"}}).Map(t)["id"]
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: adm, Body: map[string]any{"category_id": ph, "sku": "X1",
		"name": "Phone X1", "imei": true, "components": []any{}}})
	return f
}

// day is n days before the tenant's today (negative: in the future), as YYYY-MM-DD.
func day(n int) string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Now().In(loc).AddDate(0, 0, -n).Format(time.DateOnly)
}

// imei returns a valid IMEI (Luhn check digit) numbered n.
func imei(n int) string {
	base := fmt.Sprintf("35693803%06d", n)
	sum := 0
	for i := 0; i < 14; i++ {
		d := int(base[i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return base + fmt.Sprint((10-sum%10)%10)
}

func (f *importFixture) upload(t *testing.T, content []byte, ctype, name string) *apitest.Response {
	t.Helper()
	return f.env.Do(apitest.Req{Method: "POST", Path: "/v1/imports/registrations?filename=" + name, Token: f.tn.Admin,
		Body: content, Header: map[string]string{"Content-Type": ctype}})
}

// importNow uploads a file and runs its import in this goroutine (the worker's code, without
// River), returning the finished import.
func (f *importFixture) importNow(t *testing.T, content []byte, ctype string) map[string]any {
	t.Helper()
	resp := f.upload(t, content, ctype, "sales.csv")
	if resp.Status != 201 {
		t.Fatalf("upload: %d %s", resp.Status, resp.Body)
	}
	id := resp.Map(t)["id"].(string)
	f.run(t, id, 0)
	return f.get(t, id)
}

func (f *importFixture) run(t *testing.T, id string, chunk int) {
	t.Helper()
	if err := registry.RunImport(context.Background(), f.env.Tenants, uuid.MustParse(f.tn.ID), uuid.MustParse(id), chunk, nil); err != nil {
		t.Fatal(err)
	}
}

func (f *importFixture) get(t *testing.T, id string) map[string]any {
	t.Helper()
	return f.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/imports/" + id, Token: f.tn.Admin}).Map(t)
}

// count runs a count query in the tenant's scope (RLS applies), with the tenant as $1.
func (f *importFixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	f.exec(t, func(tx *tenants.Tx) error {
		return tx.QueryRow(context.Background(), query, append([]any{f.tn.ID}, args...)...).Scan(&n)
	})
	return n
}

// exec runs fn in a transaction in the tenant's scope.
func (f *importFixture) exec(t *testing.T, fn func(tx *tenants.Tx) error) {
	t.Helper()
	if err := f.env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(f.tn.ID)}, fn); err != nil {
		t.Fatal(err)
	}
}

func wantCounts(t *testing.T, imp map[string]any, status string, total, created, existing, failed int) {
	t.Helper()
	got := fmt.Sprint(imp["status"], imp["rows_total"], imp["rows_done"], imp["rows_created"], imp["rows_existing"], imp["rows_failed"])
	want := fmt.Sprint(status, total, total, created, existing, failed)
	if got != want {
		t.Fatalf("import status/total/done/created/existing/failed = %s, want %s: %v", got, want, imp)
	}
}

// errorPairs lists an import's errors as "row field" through the paged JSON endpoint.
func (f *importFixture) errorPairs(t *testing.T, id string, limit int) []string {
	t.Helper()
	var out []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("error pages never end")
		}
		var page struct {
			Items []struct {
				Row            int
				Field, Message string
			}
			NextCursor string `json:"next_cursor"`
		}
		f.env.Must(200, apitest.Req{Method: "GET", Path: fmt.Sprintf("/v1/imports/%s/errors?limit=%d&cursor=%s", id, limit, cursor),
			Token: f.tn.Admin}).JSON(t, &page)
		for _, e := range page.Items {
			if e.Message == "" {
				t.Fatalf("error without message: %+v", e)
			}
			out = append(out, fmt.Sprint(e.Row, " ", e.Field))
		}
		if cursor = page.NextCursor; cursor == "" {
			return out
		}
	}
}

// TestImportUploadProgressAndErrorReports walks an import through the routes: the upload
// answers 201 with the queued import, its Location and links, and queues one job; progress,
// the paged errors and the CSV report follow. What the rows store and why they fail is
// internal/registry TestImportRowsGoodAndBad.
func TestImportUploadProgressAndErrorReports(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newImportFixture(t, env)
	p1, p2, p3 := env.Phone(), env.Phone(), env.Phone()
	badIMEI := imei(2)[:14] + fmt.Sprint((int(imei(2)[14]-'0')+1)%10)
	rows := []string{
		/* 2 */ "KFR-35GW,SNA0000001," + day(10) + ",INV-1," + day(10) + ",是,国美,王芳," + p1 + ",李雷," + p2 + "," + day(9) + ",note",
		/* 3 */ "KFR-35GW,SNA0000002," + strings.ReplaceAll(day(20), "-", "/") + ",,,true,,王芳," + p1 + ",,,,",
		/* 4 */ "X1," + imei(1) + "," + day(5) + ",,,1,,,,,,,",
		/* 5 */ "X1," + badIMEI + "," + day(5),
		/* 6 */ "KFR-35GW,SNA0000003,2024-13-45",
		/* 7 */ "NOPE-1,SNA0000004," + day(5),
		/* 8 */ "KFR-35GW,SNA0000005," + day(-3),
		/* 9 */ "KFR-35GW,," + day(5),
		/* 10 */ "KFR-35GW,SNA0000001," + day(5),
		/* 11 */ "KFR-35GW,SNA0000006," + day(5) + ",,,maybe",
		/* 12 */ "KFR-35GW,SNA0000007," + day(5) + ",,,,,张三,12345",
		/* 13 */ "",
		/* 14 */ "KFR-35GW,SNA0000008," + day(5) + ",,,,,,,,," + day(6),
		/* 15 */ "KFR-35GW,SNA0000009," + day(5) + ",,,,,," + p3,
		/* 16 */ "KFR-35GW,sn-lower," + day(5),
	}
	content := []byte(importHeader + strings.Join(rows, "\n") + "\n")
	resp := f.upload(t, content, "text/csv; charset=utf-8", "sales.csv")
	if resp.Status != 201 {
		t.Fatalf("upload: %d %s", resp.Status, resp.Body)
	}
	imp := resp.Map(t)
	id := imp["id"].(string)
	links, _ := imp["links"].(map[string]any)
	if imp["status"] != "queued" || imp["filename"] != "sales.csv" || imp["format"] != "csv" || resp.Header.Get("Location") != "/v1/imports/"+id ||
		links["errors_csv"] != "/v1/imports/"+id+"/errors.csv" {
		t.Fatalf("queued import: %v %v", imp, resp.Header)
	}
	if n := f.count(t, `SELECT count(*) FROM river.river_job WHERE kind = 'registration_import' AND args->>'tenant_id' = $1`); n != 1 {
		t.Fatalf("%d import jobs queued, want 1", n)
	}

	f.run(t, id, 4) // small chunks: several transactions, progress in between
	imp = f.get(t, id)
	wantCounts(t, imp, "done", 14, 3, 1, 10)
	if imp["finished_at"] == nil || imp["error"] != nil {
		t.Fatalf("finished import: %v", imp)
	}
	wantErrs := []string{"5 serial", "6 purchase_date", "7 model_sku", "8 purchase_date", "9 serial", "11 has_warranty_card",
		"12 buyer_phone", "14 install_date", "15 buyer_name", "16 serial"}
	if got := f.errorPairs(t, id, 3); strings.Join(got, ",") != strings.Join(wantErrs, ",") {
		t.Fatalf("errors %v, want %v", got, wantErrs)
	}

	// The CSV report: a header and one line per error, in row order.
	rep := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/imports/" + id + "/errors.csv", Token: f.tn.Admin})
	if !strings.HasPrefix(rep.Header.Get("Content-Type"), "text/csv") || !strings.Contains(rep.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("report headers: %v", rep.Header)
	}
	lines, err := csv.NewReader(bytes.NewReader(rep.Body)).ReadAll()
	if err != nil || len(lines) != 11 || strings.Join(lines[0], ",") != "row,field,message" || lines[1][0] != "5" || lines[1][1] != "serial" ||
		!strings.Contains(lines[1][2], "IMEI") || lines[9][0] != "15" || lines[9][2] != "is required for a new customer" {
		t.Fatalf("report: %v %q", err, rep.Body)
	}
}

// TestImportSameFileAndList: the same file uploaded again answers 200 with the first import
// and queues nothing; the list pages newest first. (Which units an overlapping file stores:
// internal/registry TestImportSameAndOverlappingFiles.)
func TestImportSameFileAndList(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newImportFixture(t, env)
	fileA := []byte(importHeader + "KFR-35GW,SND0000001," + day(5) + "\nKFR-35GW,SND0000002," + day(5) + "\nX1," + imei(20) + "," + day(5) + "\n")
	a := f.importNow(t, fileA, "text/csv")
	wantCounts(t, a, "done", 3, 3, 0, 0)

	again := f.upload(t, fileA, "text/csv", "renamed.csv")
	if again.Status != 200 || again.Map(t)["id"] != a["id"] || again.Map(t)["filename"] != "sales.csv" || again.Map(t)["status"] != "done" {
		t.Fatalf("re-upload: %d %s", again.Status, again.Body)
	}
	if n := f.count(t, `SELECT count(*) FROM river.river_job WHERE kind = 'registration_import' AND args->>'tenant_id' = $1`); n != 1 {
		t.Fatalf("%d jobs after re-upload, want 1", n)
	}
	b := f.upload(t, []byte(importHeader+"KFR-35GW,SND0000003,"+day(5)+"\n"), "text/csv", "b.csv")
	if b.Status != 201 || b.Map(t)["id"] == a["id"] {
		t.Fatalf("another file: %d %s", b.Status, b.Body)
	}

	// The list shows both, newest first, in pages.
	var page struct {
		Items []struct {
			ID string `json:"id"`
		}
		NextCursor string `json:"next_cursor"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/imports?limit=1", Token: f.tn.Admin}).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != b.Map(t)["id"] || page.NextCursor == "" {
		t.Fatalf("first page %+v", page)
	}
	next := page.NextCursor
	page.NextCursor = ""
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/imports?limit=1&cursor=" + next, Token: f.tn.Admin}).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != a["id"] || page.NextCursor != "" {
		t.Fatalf("second page %+v", page)
	}
}

func TestImportFileProblems(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newImportFixture(t, env)

	// An XLSX workbook is taken by its media type. (Files that fail as a whole once read:
	// internal/registry TestImportFileProblems.)
	x := excelize.NewFile()
	if err := x.SetSheetRow(x.GetSheetName(0), "A1", &[]any{"model_sku", "serial", "purchase_date"}); err != nil {
		t.Fatal(err)
	}
	var book bytes.Buffer
	if err := x.Write(&book); err != nil {
		t.Fatal(err)
	}
	xlsx := f.upload(t, book.Bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "sales.xlsx")
	if xlsx.Status != 201 || xlsx.Map(t)["format"] != "xlsx" {
		t.Fatalf("xlsx upload: %d %s", xlsx.Status, xlsx.Body)
	}
	imp := xlsx.Map(t)

	for _, c := range []struct {
		name, ctype string
		body        []byte
		want        int
	}{
		{"json", "application/json", []byte(`{"a":1}`), 415},
		{"empty", "text/csv", nil, 400},
		{"old xls", "application/vnd.ms-excel", []byte("\xd0\xcf\x11\xe0rest"), 422},
		{"not a workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []byte("a,b\n"), 422},
	} {
		if resp := f.upload(t, c.body, c.ctype, "x"); resp.Status != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, resp.Status, resp.Body, c.want)
		}
	}
	// CSV sent as application/vnd.ms-excel (as Windows browsers do) is accepted.
	if resp := f.upload(t, []byte("model_sku,serial,purchase_date\nKFR-35GW,SNE0000002,"+day(1)+"\n"), "application/vnd.ms-excel", "w.csv"); resp.Status != 201 ||
		resp.Map(t)["format"] != "csv" {
		t.Fatalf("vnd.ms-excel CSV: %d %s", resp.Status, resp.Body)
	}
	// Importing needs imports:manage; reading progress needs registrations:read.
	_, agent := env.Person(f.tn, "agent", "")
	if resp := env.Do(apitest.Req{Method: "POST", Path: "/v1/imports/registrations", Token: agent, Body: []byte("a"),
		Header: map[string]string{"Content-Type": "text/csv"}}); resp.Status != 403 {
		t.Fatalf("agent upload: %d", resp.Status)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/imports/" + imp["id"].(string), Token: agent})
	if resp := env.Do(apitest.Req{Method: "POST", Path: "/v1/registrations/batch", Token: agent, Body: map[string]any{"items": []any{}}}); resp.Status != 403 {
		t.Fatalf("agent batch: %d", resp.Status)
	}
}

func TestImportCrossTenant(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newImportFixture(t, env)
	b := newImportFixture(t, env)
	imp := a.importNow(t, []byte("model_sku,serial,purchase_date\nKFR-35GW,bad,"+day(1)+"\n"), "text/csv")
	id := imp["id"].(string)
	wantCounts(t, imp, "done", 1, 0, 0, 1)
	for _, p := range []string{"/v1/imports/" + id, "/v1/imports/" + id + "/errors", "/v1/imports/" + id + "/errors.csv"} {
		if resp := env.Do(apitest.Req{Method: "GET", Path: p, Token: b.tn.Admin}); resp.Status != 404 {
			t.Fatalf("tenant B GET %s: %d %s", p, resp.Status, resp.Body)
		}
		env.Must(200, apitest.Req{Method: "GET", Path: p, Token: a.tn.Admin})
	}
	if items := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/imports", Token: b.tn.Admin})); len(items) != 0 {
		t.Fatalf("tenant B lists %d imports", len(items))
	}
	// The same file in tenant B is B's own new import, not A's.
	resp := b.upload(t, []byte("model_sku,serial,purchase_date\nKFR-35GW,bad,"+day(1)+"\n"), "text/csv", "x.csv")
	if resp.Status != 201 || resp.Map(t)["id"] == id {
		t.Fatalf("same file in tenant B: %d %s", resp.Status, resp.Body)
	}
}

func TestBatchRegistrations(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newImportFixture(t, env)
	phone := env.Phone()
	cust := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: f.tn.Admin, Body: map[string]any{"name": "老客户", "phone": phone}}).Map(t)["id"]
	old := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: f.tn.Admin, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SNF0000000", "purchase_date": day(50)}}).Map(t)["id"]

	items := []map[string]any{
		/* 0 */ {"model_sku": "KFR-35GW", "serial": "SNF0000001", "purchase_date": day(3), "buyer": map[string]any{"phone": phone}},
		/* 1 */ {"model_sku": "KFR-35GW", "serial": "SNF0000000", "purchase_date": day(50)},
		/* 2 */ {"model_sku": "X1", "serial": imei(40)[:14] + fmt.Sprint((int(imei(40)[14]-'0')+1)%10), "purchase_date": day(3)},
		/* 3 */ {"model_sku": "KFR-35GW", "serial": "SNF0000001", "purchase_date": day(3)},
		/* 4 */ {"model_sku": "KFR-35GW", "serial": "SNF0000002", "purchase_date": "2024-02-30", "buyer": map[string]any{"phone": "12"}},
		/* 5 */ {"model_sku": "KFR-35GW", "serial": "SNF0000003", "purchase_date": day(3), "user": map[string]any{"customer_id": uuid.NewString()}},
		/* 6 */ {"model_id": "not-a-uuid", "serial": "SNF0000004", "purchase_date": day(3)},
		/* 7 */ {"model_sku": "X1", "serial": imei(30), "purchase_date": day(3), "invoice_date": day(3), "has_warranty_card": true,
			"buyer": map[string]any{"name": "新客户", "phone": env.Phone()}, "user": map[string]any{"customer_id": cust}},
	}
	type result struct {
		Index          int
		Status         string
		RegistrationID string `json:"registration_id"`
		Errors         []struct{ Field, Message string }
	}
	var out struct {
		Items                      []result
		Created, Existing, Invalid int
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/registrations/batch", Token: f.tn.Admin, Body: map[string]any{"items": items}}).JSON(t, &out)
	summary := func(rs []result) string {
		var s []string
		for i, r := range rs {
			if r.Index != i {
				t.Fatalf("result %d has index %d", i, r.Index)
			}
			x := r.Status
			for _, e := range r.Errors {
				x += " " + e.Field
			}
			s = append(s, x)
		}
		return strings.Join(s, ", ")
	}
	want := "created, existing, invalid serial, existing, invalid buyer.phone purchase_date, invalid user.customer_id, invalid model_id, created"
	if got := summary(out.Items); got != want || out.Created != 2 || out.Existing != 2 || out.Invalid != 4 {
		t.Fatalf("results %s (%d/%d/%d), want %s", got, out.Created, out.Existing, out.Invalid, want)
	}
	if out.Items[1].RegistrationID != old || out.Items[3].RegistrationID != out.Items[0].RegistrationID || out.Items[2].RegistrationID != "" {
		t.Fatalf("registration ids: %+v", out.Items)
	}
	reg := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/registrations/" + out.Items[0].RegistrationID, Token: f.tn.Admin}).Map(t)
	if reg["buyer_id"] != cust || reg["channel"] != "api" {
		t.Fatalf("batch registration: %v", reg)
	}
	reg = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/registrations/" + out.Items[7].RegistrationID, Token: f.tn.Admin}).Map(t)
	if reg["user_id"] != cust || reg["buyer_id"] == nil || reg["buyer_id"] == cust || reg["has_warranty_card"] != true {
		t.Fatalf("batch registration 7: %v", reg)
	}

	// The same push again creates nothing.
	var again struct{ Items []result }
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/registrations/batch", Token: f.tn.Admin, Body: map[string]any{"items": items}}).JSON(t, &again)
	if got := summary(again.Items); got != strings.ReplaceAll(want, "created", "existing") {
		t.Fatalf("repeat: %s", got)
	}
	if again.Items[0].RegistrationID != out.Items[0].RegistrationID || again.Items[7].RegistrationID != out.Items[7].RegistrationID {
		t.Fatal("repeat names other registrations")
	}
	if n := (&importFixture{env: env, tn: f.tn}).count(t, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'registration.batch'`); n != 2 {
		t.Fatalf("%d batch audit entries, want 2", n)
	}

	// 1000 items in one request, quickly; 1001 is too many.
	big := make([]map[string]any, 1000)
	for i := range big {
		big[i] = map[string]any{"model_sku": "X1", "serial": imei(1000 + i), "purchase_date": day(i % 300),
			"buyer": map[string]any{"name": fmt.Sprint("买家", i), "phone": fmt.Sprintf("+86137%08d", i)}}
	}
	start := time.Now()
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/registrations/batch", Token: f.tn.Admin, Body: map[string]any{"items": big}}).JSON(t, &out)
	t.Logf("batch of 1000 with new buyers: %v", time.Since(start))
	if out.Created != 1000 {
		t.Fatalf("big batch: %d created, %d existing, %d invalid", out.Created, out.Existing, out.Invalid)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("batch of 1000 took %v", time.Since(start))
	}
	big = append(big, big[0])
	if resp := env.Do(apitest.Req{Method: "POST", Path: "/v1/registrations/batch", Token: f.tn.Admin, Body: map[string]any{"items": big}}); resp.Status != 422 {
		t.Fatalf("1001 items: %d", resp.Status)
	}
}

// TestImportThroughRiver10k uploads 10,000 rows (two chunks) and lets a real River worker
// run the import, polling the progress until it is done. Throughput at volume is measured
// by the benchmark (bench/import.go, 100k rows against COPY), not here.
func TestImportThroughRiver10k(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	f := newImportFixture(t, env)
	worker, err := jobs.NewClient(env.DB.App, env.Tenants, env.Log, true)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Stop(ctx) })

	const n = 10000
	var b strings.Builder
	b.WriteString(importHeader)
	for i := range n {
		switch {
		case i%1000 == 999: // one bad row in 1000: an IMEI with a wrong check digit
			fmt.Fprintf(&b, "X1,%s0,%s\n", imei(i)[:14], day(i%700))
		case i%2 == 0: // buyers repeat: 5000 distinct phones
			fmt.Fprintf(&b, "X1,%s,%s,INV-%d,,是,京东,买家%d,+86136%08d,,,,\n", imei(i), day(i%700), i, i/2%5000, i/2%5000)
		default:
			fmt.Fprintf(&b, "KFR-35GW,SNG%07d,%s,,,0,,,,,,%s,\n", i, day(i%700+1), day(i%700))
		}
	}
	content := []byte(b.String())
	start := time.Now()
	resp := f.upload(t, content, "text/csv", "big.csv")
	if resp.Status != 201 {
		t.Fatalf("upload: %d %s", resp.Status, resp.Body)
	}
	id := resp.Map(t)["id"].(string)
	var imp map[string]any
	seen := map[string]bool{}
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		imp = f.get(t, id)
		seen[fmt.Sprint(imp["status"], imp["rows_done"])] = true
		if imp["status"] == "done" || imp["status"] == "failed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("import not done after 3 minutes: %v", imp)
		}
	}
	elapsed := time.Since(start)
	bad := 0
	for i := 999; i < n; i += 1000 {
		if imei(i)[14] != '0' { // else the "bad" IMEI happens to be valid
			bad++
		}
	}
	wantCounts(t, imp, "done", n, n-bad, 0, bad)
	created, _ := time.Parse(time.RFC3339Nano, imp["created_at"].(string))
	finished, _ := time.Parse(time.RFC3339Nano, imp["finished_at"].(string))
	t.Logf("%d-row CSV (%d KiB): upload to done in %v (%.0f rows/s), stored to finished %v; progress states seen: %d", n,
		len(content)>>10, elapsed, float64(n)/elapsed.Seconds(), finished.Sub(created).Round(time.Millisecond), len(seen))
	if c := f.count(t, `SELECT count(*) FROM customers WHERE tenant_id = $1`); c != 5000 {
		t.Fatalf("%d customers, want 5000", c)
	}
	if c := f.count(t, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'registration.import'`); c != 2 {
		t.Fatalf("%d chunk audit entries, want 2", c)
	}
}
