package export_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/export"
)

// TestPDFReadsBackWhatItWrote: Chinese and Latin come back exactly, a long document goes on
// to a second page, a line too long for the page is cut with an ellipsis, and the file has
// its header, cross-reference table and end.
func TestPDFReadsBackWhatItWrote(t *testing.T) {
	t.Parallel()
	d := export.NewPDF()
	d.Line(18, "收据 Receipt")
	d.Pair(10, 170, "金额 Amount", "CNY 768.00")
	d.Row(9, []float64{0, 300, 360}, []bool{false, true, true}, "配件 Part · 压缩机", "1", "CNY 450.00")
	for range 80 {
		d.Line(10, "行 line")
	}
	d.Line(10, strings.Repeat("很长的一行", 60))
	var buf bytes.Buffer
	if _, err := d.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if !bytes.HasPrefix(raw, []byte("%PDF-1.4")) || !bytes.Contains(raw, []byte("/Count 2")) || !bytes.Contains(raw, []byte("\nxref\n")) ||
		!bytes.HasSuffix(raw, []byte("%%EOF\n")) {
		t.Fatalf("not a two-page PDF:\n%s", raw[:min(len(raw), 600)])
	}
	text, err := export.PDFText(raw)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(text, "\n")
	if lines[0] != "收据 Receipt" || lines[1] != "金额 Amount" || lines[2] != "CNY 768.00" || lines[3] != "配件 Part · 压缩机" || lines[5] != "CNY 450.00" {
		t.Errorf("read back %q", lines[:6])
	}
	if last := lines[len(lines)-1]; !strings.HasSuffix(last, "…") || export.TextWidth(last, 10) > 500 {
		t.Errorf("the long line: %q (%.0f pt), want it cut to the page", last, export.TextWidth(last, 10))
	}
}
