package api

import (
	"context"
	"log/slog"

	"github.com/aftersales/aftersales/internal/export"
)

// exportPaging is what a paged export writes: its header, its first page (read before the
// response starts, so that a refused read is still a problem), how to read the page after
// a row and how to write a row.
type exportPaging[T any] struct {
	what   string                    // what the file lists, for the log
	header []any                     // the columns' names in the reader's language
	first  []T                       // the first page
	next   func(last T) ([]T, error) // the page after last; nil: the first page is the whole file
	row    func(T) []any             // one row's cells
	cut    string                    // the last row when export.MaxRows were written: how to narrow
}

// exportPages writes a paged export's file and closes it: the header, then each page's
// rows, reading on after a full page (exportPage rows), up to export.MaxRows rows, after
// which the cut row says the file stops there. A page that fails to read leaves the file
// incomplete (logged): the client sees a broken download, not a short list.
func exportPages[T any](ctx context.Context, log *slog.Logger, w export.Writer, p exportPaging[T]) {
	if err := w.Row(p.header...); err != nil {
		return
	}
	page, written := p.first, 0
	for len(page) > 0 {
		for _, r := range page {
			if written == export.MaxRows {
				_ = w.Row(p.cut)
				_ = w.Close()
				return
			}
			if err := w.Row(p.row(r)...); err != nil {
				return
			}
			written++
		}
		if len(page) < exportPage || p.next == nil {
			break
		}
		var err error
		if page, err = p.next(page[len(page)-1]); err != nil {
			log.ErrorContext(ctx, "export "+p.what+": next page", "err", err)
			return
		}
	}
	_ = w.Close()
}
