package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/export"
)

func write(t *testing.T, format string, rows ...[]any) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	w, err := export.New(format, &buf, "工单")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

var shanghai = time.FixedZone("CST", 8*3600)

func TestXLSXOpensWithItsRows(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 6, 9, 30, 0, 0, shanghai)
	buf := write(t, "xlsx", []any{"单号", "状态", "金额", "下单时间"}, []any{"SO-2026-000001", "待修", 12800, at}, []any{"SO-2026-000002", nil, 0, time.Time{}})
	f, err := excelize.OpenReader(buf)
	if err != nil {
		t.Fatalf("the file does not open: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "工单" {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("工单")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][1] != "状态" || rows[1][1] != "待修" || rows[1][2] != "12800" {
		t.Fatalf("rows %q", rows)
	}
	if rows[1][3] != "2026-12-06 09:30:00" {
		t.Errorf("the time shows %q, want the wall time 2026-12-06 09:30:00", rows[1][3])
	}
	if len(rows[2]) > 3 && rows[2][3] != "" {
		t.Errorf("a zero time shows %q, want an empty cell", rows[2][3])
	}
}

func TestCSVHasABOMAndQuotes(t *testing.T) {
	t.Parallel()
	buf := write(t, "csv", []any{"单号", "故障"}, []any{"SO-1", `不制冷, "E1"`}, []any{"SO-2", time.Date(2026, 1, 2, 3, 4, 5, 0, shanghai)})
	s := buf.String()
	if !strings.HasPrefix(s, "\ufeff") {
		t.Fatalf("no byte-order mark: Excel would read the Chinese as Latin-1")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][1] != `不制冷, "E1"` || recs[2][1] != "2026-01-02 03:04:05" {
		t.Fatalf("records %q", recs)
	}
}

func TestUnknownFormat(t *testing.T) {
	t.Parallel()
	if _, err := export.New("pdf", &bytes.Buffer{}, "x"); err == nil {
		t.Fatal("pdf accepted")
	}
}
