package main

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWarrantyDataNumbering(t *testing.T) {
	w := warrantyData{tenants: 100, perTenant: 10_000, customersPerTenant: 5_000}
	if got := w.slug(7); got != "bench-t007" {
		t.Fatalf("slug = %q", got)
	}
	// The SQL in insertWarranty writes 'SN' || lpad(n, 3, '0') || lpad(i, 7, '0').
	if got := w.serial(42, 123); got != "SN0420000123" {
		t.Fatalf("serial = %q", got)
	}
	seen := map[string]bool{}
	for tn := range 3 {
		for i := 1; i <= 3; i++ {
			s := w.serial(tn, i)
			if seen[s] {
				t.Fatalf("serial %s repeats across tenants", s)
			}
			seen[s] = true
		}
	}
	// Registration i's buyer is customer i % customersPerTenant, whose phone the SQL writes
	// as '+86139' || lpad(k, 8, '0').
	if got := phone(5_001 % 5_000); got != "+8613900000001" {
		t.Fatalf("phone = %q", got)
	}
	if got := w.phoneLast4(5_001); got != "0001" {
		t.Fatalf("phoneLast4(5001) = %q", got)
	}
	if got := w.phoneLast4(4_321); got != "4321" {
		t.Fatalf("phoneLast4(4321) = %q", got)
	}
	for range 1000 {
		tn, i := w.pick(10)
		if tn < 0 || tn >= 10 || i < 1 || i > w.perTenant {
			t.Fatalf("pick = %d, %d", tn, i)
		}
	}
}

func TestImportFile(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	file, typed := importFile(500, today)
	recs, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 501 || len(typed) != 500 {
		t.Fatalf("%d records, %d typed rows", len(recs), len(typed))
	}
	if strings.Join(recs[0], ",") != strings.Join(importColumns, ",") {
		t.Fatalf("header %v", recs[0])
	}
	serials := map[string]bool{}
	for n, r := range recs[1:] {
		ty := typed[n]
		if len(r) != len(importColumns) || len(ty) != len(importColumns) {
			t.Fatalf("row %d: %d cells, %d typed", n, len(r), len(ty))
		}
		// The COPY baseline stores the same values as the file holds.
		day := ty[2].(time.Time)
		card, _ := strconv.ParseBool(r[4])
		if r[0] != ty[0] || r[1] != ty[1] || r[2] != day.Format(time.DateOnly) || r[3] != ty[3] || card != ty[4] ||
			r[5] != ty[5] || r[6] != ty[6] {
			t.Fatalf("row %d: file %v, typed %v", n, r, ty)
		}
		if !day.Before(today) || day.Before(today.AddDate(-3, 0, -1)) {
			t.Fatalf("row %d: purchase %s not in the last three years", n, r[2])
		}
		if serials[r[1]] || !strings.HasPrefix(r[1], "IM") {
			t.Fatalf("row %d: serial %s repeats or collides with seeded ones", n, r[1])
		}
		serials[r[1]] = true
		if len(r[6]) != 11 || !strings.HasPrefix(r[6], "137") {
			t.Fatalf("row %d: phone %s", n, r[6])
		}
	}
}

func TestParseProcStat(t *testing.T) {
	// A command name with spaces and parentheses, as postgres backends have.
	line := "4242 (postgres: app bench (x)) S 1 4242 4242 0 -1 4194560 500 0 0 0 1234 56 0 0 20 0 1 0 100 0 0"
	d, err := parseProcStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if d != (1234+56)*clockTick {
		t.Fatalf("cpu = %s", d)
	}
	if _, err := parseProcStat("4242 (short) S 1"); err == nil {
		t.Fatal("no error on a short line")
	}
	if pid := parseRedisPID("# Server\r\nredis_version:7.0.15\r\nprocess_id:1234\r\nrun_id:abc\r\n"); pid != 1234 {
		t.Fatalf("redis pid = %d", pid)
	}
	if pid := parseRedisPID("# Server\r\n"); pid != 0 {
		t.Fatalf("redis pid = %d", pid)
	}
}

func TestStmtLabel(t *testing.T) {
	for in, want := range map[string]string{
		"-- name: GetModel :one\nSELECT * FROM product_models WHERE id = $1": "GetModel",
		"BEGIN; SET LOCAL app.tenant_id = '0193aa'; SET LOCAL x = ''":        "BEGIN; SET LOCAL app.tenant_id = '?'; SET LOCAL x = '?'",
		"commit": "commit",
		"INSERT INTO registrations (tenant_id, id, model_id, serial, purchase_date)\n  SELECT 1": "INSERT INTO registrations (tenant_id, id, model_id, serial, ...",
	} {
		if got := stmtLabel(in); got != want {
			t.Fatalf("stmtLabel(%q) = %q, want %q", in, got, want)
		}
	}
	tm := newStmtTimer()
	tm.add("a", time.Millisecond)
	tm.add("b", 3*time.Millisecond)
	tm.add("a", time.Millisecond)
	if top := tm.top(1); len(top) != 1 || top[0].label != "b" || tm.count() != 3 {
		t.Fatalf("top %v, count %d", top, tm.count())
	}
	tm.reset()
	if tm.count() != 0 {
		t.Fatal("reset kept statements")
	}
}

func TestVerdict(t *testing.T) {
	for _, tc := range []struct {
		ratio, target float64
		want          string
	}{{0.7, 0.5, ">= 0.5: met"}, {0.5, 0.5, ">= 0.5: met"}, {0.03, 0.5, ">= 0.5: MISSED"}, {0.03, 0, ""}} {
		if got := verdict(tc.ratio, tc.target); got != tc.want {
			t.Fatalf("verdict(%v, %v) = %q, want %q", tc.ratio, tc.target, got, tc.want)
		}
	}
}
