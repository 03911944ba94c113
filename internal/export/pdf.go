package export

// PDF: a small text document (receipts), A4 pages of lines in one font that holds Chinese
// and Latin. The font is Adobe's predefined STSong-Light (Adobe-GB1) with the UniGB-UCS2-H
// encoding, which PDF readers supply themselves (Acrobat, PDFium in Chrome, pdf.js, poppler
// with poppler-data): no glyphs are embedded, so a receipt weighs a few kilobytes instead of
// the megabytes a CJK font (or even a subset of one covering any customer's name) would add
// to every file and to the binary. Text is written as UCS-2 hex strings, so PDFText reads
// it back exactly.

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"
)

// A4 in points, and the margins.
const (
	pageW, pageH = 595.28, 841.89
	margin       = 50.0
)

// latinWidths are STSong-Light's advance widths (thousandths of an em) of U+0020..U+007E,
// CIDs 1-95 of Adobe-GB1; every other character is a full em.
var latinWidths = [95]int{207, 270, 342, 467, 462, 797, 710, 239, 374, 374, 423, 605, 238, 375, 238, 334, 462, 462, 462, 462,
	462, 462, 462, 462, 462, 462, 238, 238, 605, 605, 605, 344, 748, 684, 560, 695, 739, 563, 511, 729, 793, 318, 312, 666, 526, 896,
	758, 772, 544, 772, 628, 465, 607, 753, 711, 972, 647, 620, 607, 374, 333, 374, 606, 500, 239, 417, 503, 427, 529, 415, 264, 444,
	518, 241, 230, 495, 228, 793, 527, 524, 524, 504, 338, 336, 277, 517, 450, 652, 466, 452, 407, 370, 258, 370, 605}

// TextWidth is the width of s in points at size.
func TextWidth(s string, size float64) float64 {
	w := 0
	for _, r := range s {
		if r >= 0x20 && r <= 0x7e {
			w += latinWidths[r-0x20]
		} else {
			w += 1000
		}
	}
	return float64(w) * size / 1000
}

// PDF is a document being written: Line and friends go down the page from the top, and a
// new page starts when one is full.
type PDF struct {
	pages []*bytes.Buffer
	y     float64 // the baseline of the next line, from the bottom
}

// NewPDF starts a document with one empty page.
func NewPDF() *PDF {
	d := &PDF{}
	d.newPage()
	return d
}

func (d *PDF) newPage() {
	d.pages = append(d.pages, &bytes.Buffer{})
	d.y = pageH - margin
}

func (d *PDF) cur() *bytes.Buffer { return d.pages[len(d.pages)-1] }

// room starts a new page unless h points are left above the bottom margin.
func (d *PDF) room(h float64) {
	if d.y-h < margin {
		d.newPage()
	}
}

// hexText is s as a UCS-2 string of the content stream (characters beyond the BMP as '?').
func hexText(s string) string {
	var b strings.Builder
	b.WriteByte('<')
	for _, r := range s {
		if r > 0xffff || r < 0x20 {
			r = '?'
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteByte('>')
	return b.String()
}

func (d *PDF) text(x, y, size float64, s string) {
	fmt.Fprintf(d.cur(), "BT /F1 %.1f Tf %.2f %.2f Td %s Tj ET\n", size, x, y, hexText(s))
}

// Line writes one line of text at the left margin, at size points; a long line is cut to
// the page's width.
func (d *PDF) Line(size float64, s string) {
	d.room(size * 1.5)
	d.y -= size * 1.5
	d.text(margin, d.y, size, fit(s, size, pageW-2*margin))
}

// Pair writes a label at the left margin and a value after it at the column at (points
// from the margin); a long value is cut to the page's width.
func (d *PDF) Pair(size, at float64, label, value string) {
	d.room(size * 1.6)
	d.y -= size * 1.6
	d.text(margin, d.y, size, fit(label, size, at-6))
	d.text(margin+at, d.y, size, fit(value, size, pageW-2*margin-at))
}

// Row writes cells in columns: each cell starts at its column's offset from the margin, and
// a right-aligned column (right true) ends at the next column's start (or the margin).
func (d *PDF) Row(size float64, cols []float64, right []bool, cells ...string) {
	d.room(size * 1.6)
	d.y -= size * 1.6
	for i, c := range cells {
		if i >= len(cols) {
			break
		}
		end := pageW - 2*margin
		if i+1 < len(cols) {
			end = cols[i+1] - 6
		}
		c = fit(c, size, end-cols[i])
		x := margin + cols[i]
		if i < len(right) && right[i] {
			x = margin + end - TextWidth(c, size)
		}
		d.text(x, d.y, size, c)
	}
}

// Rule draws a thin line across the page.
func (d *PDF) Rule() {
	d.room(8)
	d.y -= 6
	fmt.Fprintf(d.cur(), "0.6 w %.2f %.2f m %.2f %.2f l S\n", margin, d.y, pageW-margin, d.y)
	d.y -= 2
}

// Gap leaves h points blank.
func (d *PDF) Gap(h float64) { d.y -= h }

// fit cuts s to width w at size, ending it with "…" when cut.
func fit(s string, size, w float64) string {
	if TextWidth(s, size) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && TextWidth(string(r)+"…", size) > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// WriteTo writes the document.
func (d *PDF) WriteTo(w io.Writer) (int64, error) {
	var out bytes.Buffer
	offsets := []int{}
	obj := func(body string) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(d.pages)
	// 1 catalog, 2 pages, 3 font, 4 CID font, 5 descriptor, then each page and its content.
	kids := make([]string, n)
	for i := range d.pages {
		kids[i] = fmt.Sprintf("%d 0 R", 6+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", n, strings.Join(kids, " ")))
	obj("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>")
	ws := make([]string, len(latinWidths))
	for i, v := range latinWidths {
		ws[i] = fmt.Sprint(v)
	}
	obj("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> " +
		"/FontDescriptor 5 0 R /DW 1000 /W [1 [" + strings.Join(ws, " ") + "]] >>")
	obj("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 " +
		"/Descent -120 /CapHeight 880 /StemV 93 >>")
	for i, p := range d.pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>",
			pageW, pageH, 7+2*i))
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		_, _ = zw.Write(p.Bytes())
		_ = zw.Close()
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", len(offsets), z.Len())
		out.Write(z.Bytes())
		out.WriteString("\nendstream\nendobj\n")
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return out.WriteTo(w)
}

var (
	pdfStream = regexp.MustCompile(`(?s)/FlateDecode >>\nstream\n(.*?)\nendstream`)
	pdfShow   = regexp.MustCompile(`<([0-9A-F]*)> Tj`)
)

// PDFText reads back the text of a document PDF wrote, a line per text shown, in order.
func PDFText(pdf []byte) (string, error) {
	var lines []string
	for _, m := range pdfStream.FindAllSubmatch(pdf, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			return "", err
		}
		content, err := io.ReadAll(zr)
		if err != nil {
			return "", err
		}
		for _, s := range pdfShow.FindAllSubmatch(content, -1) {
			raw, err := hex.DecodeString(string(s[1]))
			if err != nil {
				return "", err
			}
			u := make([]uint16, len(raw)/2)
			for i := range u {
				u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
			}
			lines = append(lines, string(utf16.Decode(u)))
		}
	}
	return strings.Join(lines, "\n"), nil
}
