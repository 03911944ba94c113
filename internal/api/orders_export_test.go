package api_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestExportOrders: the order list as XLSX and CSV, with the list's filters, in the language
// asked for, and only the caller's tenant's orders.
func TestExportOrders(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newOrderWorld(t, env)
	var numbers []string
	for range 3 {
		numbers = append(numbers, str(a.order(t, nil)["order"].(map[string]any)["number"]))
	}
	cancelled := a.order(t, nil)["order"].(map[string]any)
	if r := a.move(t, str(cancelled["id"]), "cancelled", "customer withdrew"); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}

	r := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/export?format=xlsx&lang=zh-CN", Token: a.tn.Admin})
	if ct := r.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		t.Errorf("content type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="orders-`) || !strings.Contains(cd, "filename*=UTF-8''%E5%B7%A5%E5%8D%95-") || !strings.HasSuffix(cd, ".xlsx") {
		t.Errorf("content disposition %q", cd)
	}
	// A CSV names itself too: its byte-order mark must not go out before the headers.
	c := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/export?format=csv&lang=en", Token: a.tn.Admin})
	if ct, cd := c.Header.Get("Content-Type"), c.Header.Get("Content-Disposition"); !strings.HasPrefix(ct, "text/csv") ||
		!strings.HasSuffix(cd, ".csv") || !strings.HasPrefix(string(c.Body), "\ufeffNumber,") {
		t.Errorf("csv: content type %q, disposition %q, body %.20q", ct, cd, c.Body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("the file does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][0] != "单号" || rows[0][1] != "状态" {
		t.Fatalf("xlsx rows: %q", rows)
	}
	if rows[1][0] != str(cancelled["number"]) || rows[1][1] != "已取消" || rows[2][1] != "待修" {
		t.Errorf("newest first with the status in Chinese: %q", rows[1:3])
	}
	for i, n := range []string{numbers[2], numbers[1], numbers[0]} {
		if rows[i+2][0] != n {
			t.Errorf("xlsx row %d: %q, want %s", i+2, rows[i+2][0], n)
		}
	}

	// CSV in English by Accept-Language, with the list's status filter.
	r = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/export?format=csv&status=waiting", Token: a.tn.Admin,
		Header: map[string]string{"Accept-Language": "en-GB,en;q=0.8"}})
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.Body), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[0][0] != "Number" || recs[1][1] != "Waiting" {
		t.Fatalf("csv records: %q", recs)
	}
	for i, n := range []string{numbers[2], numbers[1], numbers[0]} {
		if recs[i+1][0] != n {
			t.Errorf("csv row %d: %q, want %s", i+1, recs[i+1][0], n)
		}
	}

	// Another tenant's export holds none of these orders.
	b := env.NewTenant()
	r = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/export?format=csv&lang=en", Token: b.Admin})
	if recs, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.Body), "\ufeff"))).ReadAll(); len(recs) != 1 {
		t.Errorf("another tenant exports %d rows: %q", len(recs)-1, recs)
	}

	// Bad input is a problem naming the parameter, before any file.
	for _, c := range []struct{ query, loc string }{{"format=pdf", "query.format"}, {"lang=fr", "query.lang"}, {"from=yesterday", "query.from"}} {
		body := string(env.Must(422, apitest.Req{Method: "GET", Path: "/v1/orders/export?" + c.query, Token: a.tn.Admin}).Body)
		if !strings.Contains(body, c.loc) {
			t.Errorf("%s: %s does not name %s", c.query, body, c.loc)
		}
	}
}
