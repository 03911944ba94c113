// Package export writes lists as spreadsheets people open in Excel or WPS: CSV (UTF-8 with a
// byte-order mark, so Excel reads Chinese right) and XLSX (excelize's stream writer, so a
// long list costs a row's memory, not the list's). Endpoints read their list a page at a
// time and hand each row to a Writer.
package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// Formats are the formats an export can be asked for.
var Formats = []string{"xlsx", "csv"}

// MaxRows is the most rows one export writes; a longer list ends with a row saying so
// (narrow the filters, or page through the API).
const MaxRows = 100_000

// Writer takes the rows of one table, the header first, then writes the file on Close.
type Writer interface {
	// Row adds a row. Cells are strings, integers, floats, booleans, times or nil.
	Row(cells ...any) error
	// Close finishes the file and writes what is left of it.
	Close() error
	// ContentType is the file's media type.
	ContentType() string
}

// New returns a Writer of format ("xlsx" or "csv") writing to w; sheet names the XLSX sheet.
func New(format string, w io.Writer, sheet string) (Writer, error) {
	switch format {
	case "csv":
		return newCSV(w)
	case "xlsx":
		return newXLSX(w, sheet)
	}
	return nil, fmt.Errorf("export: unknown format %q", format)
}

type csvWriter struct {
	w   *csv.Writer
	buf *bufio.Writer
}

// newCSV starts a CSV file with a byte-order mark (so that Excel reads it as UTF-8). The
// mark is buffered with the rows, not written at once: a response's headers (its
// Content-Type and file name) can still be set after New, until the first rows go out.
func newCSV(w io.Writer) (*csvWriter, error) {
	buf := bufio.NewWriter(w)
	if _, err := buf.WriteString("\ufeff"); err != nil {
		return nil, fmt.Errorf("export: csv: %w", err)
	}
	return &csvWriter{w: csv.NewWriter(buf), buf: buf}, nil
}

func (c *csvWriter) Row(cells ...any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		switch v := v.(type) {
		case nil:
		case string:
			rec[i] = v
		case time.Time:
			rec[i] = v.Format("2006-01-02 15:04:05")
		default:
			rec[i] = fmt.Sprint(v)
		}
	}
	return c.w.Write(rec)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.buf.Flush()
}

func (c *csvWriter) ContentType() string { return "text/csv; charset=utf-8" }

type xlsxWriter struct {
	f    *excelize.File
	s    *excelize.StreamWriter
	out  io.Writer
	row  int
	time int // style of date-time cells
}

func newXLSX(w io.Writer, sheet string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("export: xlsx sheet: %w", err)
	}
	s, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm:ss")})
	if err != nil {
		return nil, fmt.Errorf("export: xlsx style: %w", err)
	}
	return &xlsxWriter{f: f, s: s, out: w, time: style}, nil
}

func ptr[T any](v T) *T { return &v }

func (x *xlsxWriter) Row(cells ...any) error {
	x.row++
	row := make([]any, len(cells))
	for i, v := range cells {
		if t, ok := v.(time.Time); ok {
			if t.IsZero() {
				continue
			}
			// Excel has no time zones: the cell shows the wall time it is given.
			row[i] = excelize.Cell{StyleID: x.time, Value: time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)}
			continue
		}
		row[i] = v
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return fmt.Errorf("export: xlsx row %d: %w", x.row, err)
	}
	if err := x.s.SetRow(cell, row); err != nil {
		return fmt.Errorf("export: xlsx row %d: %w", x.row, err)
	}
	return nil
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.s.Flush(); err != nil {
		return fmt.Errorf("export: xlsx flush: %w", err)
	}
	if _, err := x.f.WriteTo(x.out); err != nil {
		return fmt.Errorf("export: xlsx write: %w", err)
	}
	return nil
}

func (x *xlsxWriter) ContentType() string {
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}
