package registry

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestImportHeaderAliasesAndMissingColumns(t *testing.T) {
	cols, err := parseHeader([]string{"\ufeff型号", " 串号 ", "购买日期", "Remark", "Buyer Phone", "保修卡"})
	if err != nil {
		t.Fatal(err)
	}
	want := columns{colModelSKU: 0, colSerial: 1, colPurchaseDate: 2, colBuyerPhone: 4, colWarrantyCard: 5}
	if len(cols) != len(want) {
		t.Fatalf("columns %v, want %v", cols, want)
	}
	for k, v := range want {
		if cols[k] != v {
			t.Fatalf("columns %v, want %v", cols, want)
		}
	}
	if _, err := parseHeader([]string{"MODEL_SKU", "IMEI", "PURCHASE_DATE"}); err != nil {
		t.Fatalf("upper-case headers: %v", err)
	}

	_, err = parseHeader([]string{"model_sku", "seller"})
	var fe *fileError
	if !errors.As(err, &fe) || !strings.Contains(fe.msg, "serial (序列号)") || !strings.Contains(fe.msg, "purchase_date (购买日期)") ||
		strings.Contains(fe.msg, "model_sku") {
		t.Fatalf("missing columns: %v", err)
	}
	if _, err := parseHeader([]string{"model_sku", "serial", "IMEI", "purchase_date"}); !errors.As(err, &fe) || !strings.Contains(fe.msg, "both serial") {
		t.Fatalf("serial twice: %v", err)
	}
}

func TestImportRowToInput(t *testing.T) {
	cols, err := parseHeader([]string{"model_sku", "serial", "purchase_date", "invoice_date", "has_warranty_card", "buyer_name",
		"buyer_phone", "user_phone", "install_date"})
	if err != nil {
		t.Fatal(err)
	}
	in, ps := cols.input([]string{" KFR-35GW ", "SN1", "2024/1/5", "2024-01-05 10:30:00", "是", "王芳", "13812345678", "", "2024-02-01"}, nil)
	if len(ps) != 0 || in.ModelSKU != "KFR-35GW" || in.PurchaseDate != "2024-01-05" || in.InvoiceDate != "2024-01-05" ||
		!in.HasWarrantyCard || in.Buyer == nil || in.Buyer.Name != "王芳" || in.User != nil || in.InstallDate != "2024-02-01" {
		t.Fatalf("input %+v buyer %+v problems %v", in, in.Buyer, ps)
	}
	// Short rows are fine; bad booleans are a problem of their column.
	in, ps = cols.input([]string{"", "SN2", "15/01/2024", "", "maybe"}, nil)
	if len(ps) != 2 || ps[0].Field != "model_sku" || ps[1].Field != colWarrantyCard || in.PurchaseDate != "15/01/2024" {
		t.Fatalf("input %+v problems %v", in, ps)
	}
}

func TestImportDatesAndNumbers(t *testing.T) {
	x := &excelDates{}
	for _, c := range []struct {
		in   string
		xlsx bool
		want string
	}{
		{"2024-01-15", false, "2024-01-15"}, {"2024/1/5", false, "2024-01-05"}, {"2024-01-15T08:00:00Z", false, "2024-01-15"},
		{"45306", true, "2024-01-15"}, {"45306", false, "45306"}, {"45306.75", true, "2024-01-15"}, {"2024-02-30", false, "2024-02-30"},
		{"yesterday", true, "yesterday"},
	} {
		var d *excelDates
		if c.xlsx {
			d = x
		}
		if got := normalizeDate(c.in, d); got != c.want {
			t.Errorf("normalizeDate(%q, xlsx=%v) = %q, want %q", c.in, c.xlsx, got, c.want)
		}
	}
	if got := normalizeDate("45306", &excelDates{date1904: true}); got != "2028-01-16" {
		t.Errorf("1904 date system: %s", got)
	}
	if got := plainNumber("3.56938035643809E+14", x); got != "356938035643809" {
		t.Errorf("plainNumber: %s", got)
	}
	if got := plainNumber("1E5", nil); got != "1E5" {
		t.Errorf("plainNumber in CSV: %s", got)
	}
}

func TestImportSafeCell(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+86": "'+86", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\t=x": "'\t=x", "serial": "serial", "": "", "a=b": "a=b"} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func readAll(t *testing.T, tb *table) [][]string {
	t.Helper()
	rows, err := tb.rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for {
		cells, _, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, cells)
	}
}

func TestImportCSVEncodings(t *testing.T) {
	text := "型号,串号,购买日期\nKFR-35GW,SN1,2024-01-05\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"utf8": []byte(text), "bom": []byte("\ufeff" + text), "gb18030": []byte(gb)} {
		tb, err := openTable(FormatCSV, content)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows := readAll(t, tb)
		if len(rows) != 2 || rows[0][0] != "型号" || rows[1][1] != "SN1" {
			t.Fatalf("%s: %q", name, rows)
		}
		cols, total, err := tb.survey(parseHeader)
		if err != nil || total != 1 || cols[colSerial] != 1 {
			t.Fatalf("%s: survey %v %d %v", name, cols, total, err)
		}
	}
	if _, err := openTable(FormatCSV, []byte{0xff, 0xfe, 0xfd, 0x80, 0x81}); err == nil {
		t.Fatal("binary garbage accepted as CSV")
	}
}

func TestImportCSVRowNumbersAreLines(t *testing.T) {
	tb, err := openTable(FormatCSV, []byte("model_sku,serial,purchase_date\n\nA,\"multi\nline\",2024-01-01\nB,S2,2024-01-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := tb.rows()
	var lines []int
	for {
		_, n, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		lines = append(lines, n)
	}
	if len(lines) != 3 || lines[0] != 1 || lines[1] != 3 || lines[2] != 5 {
		t.Fatalf("row numbers %v, want [1 3 5]", lines)
	}
}

func TestImportXLSX(t *testing.T) {
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	day, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	_ = f.SetSheetRow(sheet, "A1", &[]any{"型号", "IMEI", "购买日期", "购买人电话"})
	_ = f.SetSheetRow(sheet, "A2", &[]any{"X1", 356938035643809, time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), 13812345678})
	_ = f.SetCellStyle(sheet, "C2", "C2", day)
	_ = f.SetSheetRow(sheet, "A4", &[]any{"X1", "356938035643817", "2024/02/01"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	tb, err := openTable(FormatXLSX, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	cols, total, err := tb.survey(parseHeader)
	if err != nil || total != 2 {
		t.Fatalf("survey: %v %d %v", cols, total, err)
	}
	rows, _ := tb.rows()
	var got []Input
	var nums []int
	for {
		cells, n, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 || blank(cells) {
			continue
		}
		in, ps := cols.input(cells, tb.dates)
		if len(ps) > 0 {
			t.Fatalf("row %d: %v", n, ps)
		}
		got, nums = append(got, in), append(nums, n)
	}
	if len(got) != 2 || nums[0] != 2 || nums[1] != 4 {
		t.Fatalf("rows %v %+v", nums, got)
	}
	if got[0].Serial != "356938035643809" || got[0].PurchaseDate != "2024-01-15" || got[0].Buyer == nil || got[0].Buyer.Phone != "13812345678" {
		t.Fatalf("row 2: %+v %+v", got[0], got[0].Buyer)
	}
	if got[1].PurchaseDate != "2024-02-01" {
		t.Fatalf("row 4: %+v", got[1])
	}
	if _, err := openTable(FormatXLSX, []byte("PK\x03\x04 not really")); err == nil {
		t.Fatal("broken workbook accepted")
	}
}
