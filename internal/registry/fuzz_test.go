package registry

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/customers"
)

// fuzzValidator checks rows against three models, as an import would: a split AC with a
// serial format, a phone checked by IMEI, a washer with any serial.
func fuzzValidator() *Validator {
	today := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	models := []catalog.Model{
		{ID: uuid.MustParse("0190d1c2-0000-7000-8000-000000000001"), ModelFields: catalog.ModelFields{SKU: "KFR-35GW", SerialPattern: "[A-Z0-9]{10,20}"}},
		{ID: uuid.MustParse("0190d1c2-0000-7000-8000-000000000002"), ModelFields: catalog.ModelFields{SKU: "PHONE-1", IMEI: true}},
		{ID: uuid.MustParse("0190d1c2-0000-7000-8000-000000000003"), ModelFields: catalog.ModelFields{SKU: "XQG100"}},
	}
	v := &Validator{bySKU: map[string]catalog.Model{}, byID: map[uuid.UUID]catalog.Model{}, serial: map[uuid.UUID]*regexp.Regexp{}, today: today}
	for _, m := range models {
		v.bySKU[m.SKU], v.byID[m.ID], v.serial[m.ID] = m, m, serialPattern(m)
	}
	return v
}

// importColumns are the columns an import's errors may name (columnOf of a problem's field):
// the file's own, or none for the row as a whole.
func importColumns() map[string]bool {
	out := map[string]bool{"": true}
	for _, c := range columnAliases {
		out[c] = true
	}
	return out
}

// checkImport reads a file as an import does (survey, then the rows, each converted and
// checked) and checks what an import relies on: the survey counts the rows the run reads,
// row numbers go up, every problem names a column of the file, and an accepted row is fit to
// store (checkAccepted).
func checkImport(t *testing.T, format string, content []byte) {
	tb, err := openTable(format, content)
	if err != nil {
		var fe *fileError
		if !errors.As(err, &fe) || fe.msg == "" {
			t.Fatalf("openTable: %v, want a file error", err)
		}
		return
	}
	defer tb.Close()
	cols, total, err := tb.survey(parseHeader)
	if err != nil {
		var fe *fileError
		if !errors.As(err, &fe) || fe.msg == "" {
			t.Fatalf("survey: %v, want a file error", err)
		}
		return
	}
	rows, err := tb.rows()
	if err != nil {
		t.Fatalf("rows after a survey that read them: %v", err)
	}
	defer rows.Close()
	v, known := fuzzValidator(), importColumns()
	read, last := 0, 0
	for header := true; ; header = false {
		cells, n, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if n <= last && format == FormatXLSX || (n < last && format == FormatCSV) {
			t.Fatalf("row %d after row %d", n, last)
		}
		last = n
		if header {
			continue
		}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			read++
			continue
		case err != nil:
			t.Fatalf("row %d: %v after a survey that read it", n, err)
		case blank(cells):
			continue
		}
		read++
		in, ps := cols.input(cells, tb.dates)
		c, more := v.Check(in)
		ps = mergeProblems(ps, more)
		for _, p := range ps {
			if !known[columnOf(p.Field)] {
				t.Fatalf("row %d: problem %q names %q, not a column of an import file", n, p.Message, columnOf(p.Field))
			}
			if p.Message == "" {
				t.Fatalf("row %d: problem of %q without a message", n, p.Field)
			}
		}
		if len(ps) == 0 {
			checkAccepted(t, v, in, c)
		}
	}
	if read != total {
		t.Fatalf("survey counted %d rows, the run reads %d", total, read)
	}
}

// checkAccepted checks a row the validator accepted: the serial is trimmed, stored text is
// valid UTF-8 without NUL and within its length, dates are not in the future, phones are in
// E.164, and checking the accepted values again accepts them unchanged.
func checkAccepted(t *testing.T, v *Validator, in Input, c Checked) {
	t.Helper()
	if c.Serial == "" || c.Serial != strings.TrimSpace(c.Serial) {
		t.Fatalf("accepted serial %q", c.Serial)
	}
	for _, s := range []string{c.Serial, c.InvoiceNo, c.Seller} {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			t.Fatalf("accepted text %q cannot be stored", s)
		}
	}
	if utf8.RuneCountInString(c.Serial) > 64 {
		t.Fatalf("accepted a serial of %d characters", utf8.RuneCountInString(c.Serial))
	}
	if c.Model.IMEI && !ValidIMEI(c.Serial) {
		t.Fatalf("accepted IMEI %q", c.Serial)
	}
	if c.Purchase.After(v.today) || (c.Invoice != nil && c.Invoice.After(v.today)) {
		t.Fatalf("accepted a date in the future: %v %v", c.Purchase, c.Invoice)
	}
	for _, p := range []*Party{c.Buyer, c.User} {
		if p == nil || p.Phone == "" {
			continue
		}
		if got, err := customers.NormalizePhone(p.Phone); err != nil || got != p.Phone {
			t.Fatalf("accepted phone %q normalises to %q, %v", p.Phone, got, err)
		}
	}
	again := in
	again.Serial, again.Buyer, again.User = c.Serial, c.Buyer, c.User
	c2, ps := v.Check(again)
	if len(ps) != 0 || c2.Serial != c.Serial || !c2.Purchase.Equal(c.Purchase) {
		t.Fatalf("the accepted row checked again: %+v %v", c2, ps)
	}
}

// FuzzImportCSV reads CSV files as an import does.
func FuzzImportCSV(f *testing.F) {
	for _, s := range []string{
		"model_sku,serial,purchase_date\nKFR-35GW,KFR35GW26110001,2024-01-05\n",
		"型号,串号,购买日期,购买人电话\nPHONE-1,356938035643809,2024/1/5,13812345678\n",
		"\ufeffmodel_sku,serial,purchase_date,buyer_name,buyer_phone,has_warranty_card\nXQG100, SN 1 ,2024-01-05 10:00,王芳,+86 138-1234-5678,是\n",
		"model_sku,serial,purchase_date\n\"KFR-35GW\",\"multi\nline\",2024-01-01\n,,\n",
		"model_sku,serial,purchase_date\nKFR-35GW,\"unterminated,2024-01-01\n",
		"model_sku,serial,serial,purchase_date\n",
		"=cmd,serial,purchase_date\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		checkImport(t, FormatCSV, content)
	})
}

// FuzzImportXLSX writes the fuzzed cells into a workbook (text, a number, a date) and reads
// it as an import does.
func FuzzImportXLSX(f *testing.F) {
	f.Add("KFR-35GW", "KFR35GW26110001", "2024-01-05", "13812345678", 45000.0)
	f.Add("PHONE-1", "356938035643809", "45000", "8.6138E+12", 356938035643809.0)
	f.Add("XQG100", " sn ", "2024/1/5 10:30", "", -1.0)
	f.Fuzz(func(t *testing.T, sku, serial, date, phone string, num float64) {
		x := excelize.NewFile()
		sheet := x.GetSheetName(0)
		if err := x.SetSheetRow(sheet, "A1", &[]any{"model_sku", "serial", "purchase_date", "buyer_phone", "invoice_no"}); err != nil {
			t.Fatal(err)
		}
		// Text excelize cannot write is not a file a spreadsheet makes: skip it.
		if x.SetSheetRow(sheet, "A2", &[]any{sku, serial, date, phone, num}) != nil ||
			x.SetSheetRow(sheet, "A3", &[]any{sku, num, num, num}) != nil {
			return
		}
		var buf bytes.Buffer
		if err := x.Write(&buf); err != nil {
			return
		}
		checkImport(t, FormatXLSX, buf.Bytes())
	})
}

// FuzzIMEI: ValidIMEI is "15 digits with a correct Luhn check digit": of the ten last
// digits after any 14, exactly one is valid, and changing any one digit of a valid IMEI makes
// it invalid.
func FuzzIMEI(f *testing.F) {
	for _, s := range []string{"356938035643809", "356938035643808", "35693803564380", "３５６９３８０３５６４３８０９", "35693803564380a", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := ValidIMEI(s)
		digits := len(s) == 15 && strings.Trim(s, "0123456789") == ""
		if ok && !digits {
			t.Fatalf("ValidIMEI(%q): not 15 digits", s)
		}
		if !digits {
			return
		}
		n := 0
		for d := '0'; d <= '9'; d++ {
			if ValidIMEI(s[:14] + string(d)) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d valid check digits after %s", n, s[:14])
		}
		if !ok {
			return
		}
		for i := range 15 {
			for d := byte('0'); d <= '9'; d++ {
				if d != s[i] && ValidIMEI(s[:i]+string(d)+s[i+1:]) {
					t.Fatalf("%s and %s are both valid", s, s[:i]+string(d)+s[i+1:])
				}
			}
		}
	})
}

// FuzzCheck checks one unit as the API and imports do: problems name input fields (JSON
// names), and an accepted unit is fit to store and checks again the same.
func FuzzCheck(f *testing.F) {
	f.Add("KFR-35GW", "KFR35GW26110001", "2024-01-05", "", "13812345678", "")
	f.Add("PHONE-1", "356938035643809", "2024-01-05", "2024-01-06", "+14155552671", "")
	f.Add("XQG100", "  ", "2030-01-01", "2020-01-01", "123", "not-a-uuid")
	f.Add("KFR-35GW", "kfr35gw26110001", "2024-02-30", "", "", "0190d1c2-0000-7000-8000-000000000001")
	f.Fuzz(func(t *testing.T, sku, serial, purchase, install, phone, customerID string) {
		v := fuzzValidator()
		in := Input{ModelSKU: sku, Serial: serial, PurchaseDate: purchase, InstallDate: install,
			Buyer: &Party{Phone: phone, CustomerID: customerID}}
		c, ps := v.Check(in)
		fields := map[string]bool{"": true}
		for _, k := range []string{"model_id", "model_sku", "serial", "purchase_date", "invoice_no", "invoice_date", "invoice_image",
			"seller", "install_date", "buyer.customer_id", "buyer.name", "buyer.phone", "user.customer_id", "user.name", "user.phone"} {
			fields[k] = true
		}
		for _, p := range ps {
			if !fields[p.Field] {
				t.Fatalf("problem %q names %q, not an input field", p.Message, p.Field)
			}
		}
		if len(ps) == 0 {
			checkAccepted(t, v, in, c)
		}
	})
}
