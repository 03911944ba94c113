package api

// The ledger as a spreadsheet: the ledger list's date range, every entry, in the reader's
// language and the tenant's time zone, amounts in major units.

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/export"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

func registerLedgerExportRoutes(api huma.API, s *Server) {
	register(api, s, huma.Operation{OperationID: "export-ledger-sheet", Method: http.MethodGet, Path: "/billing/ledger/export",
		Tags: []string{"Billing"}, Summary: "Export the ledger as XLSX or CSV",
		Description: fmt.Sprintf("The ledger list's date range; every entry in it, oldest first, at most %d (a last row says when "+
			"there were more). Columns and kinds in the language asked for (lang, else Accept-Language, else the tenant's); "+
			"times in the tenant's time zone; amounts signed, in major units.", export.MaxRows),
		Errors: []int{422}},
		route{perm: access.LedgerRead}, s.exportLedgerSheet)
}

type exportLedgerIn struct {
	dateRange
	ExportQuery
}

// ledgerColumns are the ledger export's columns: zh-CN and en headers.
var ledgerColumns = [][2]string{
	{"时间", "Occurred"}, {"类型", "Kind"}, {"金额", "Amount"}, {"币种", "Currency"},
	{"购买单", "Purchase"}, {"Stripe 对象", "Stripe object"}, {"备注", "Memo"},
}

func (s *Server) exportLedgerSheet(ctx context.Context, in *exportLedgerIn) (*huma.StreamResponse, error) {
	from, to := in.bounds()
	var lang string
	var loc *time.Location
	after := uuid.NullUUID{}
	read := func(tx *tenants.Tx) ([]billing.LedgerEntry, error) {
		return billing.ListLedger(ctx, tx, from, to, after, exportPage)
	}
	// The first page and the tenant are read before anything is written, so a refusal is a
	// problem, not a broken file.
	first, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.LedgerEntry, error) {
		var err error
		if lang, loc, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return nil, err
		}
		return read(tx)
	})
	if err != nil {
		return nil, err
	}
	name := pick(lang, [2]string{"资金流水", "ledger"})
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		w, ok := in.open(hctx, "ledger", name, from.Format("20060102")+"-"+to.AddDate(0, 0, -1).Format("20060102"))
		if !ok {
			return
		}
		exportPages(ctx, s.Log, w, exportPaging[billing.LedgerEntry]{what: "ledger", header: headers(lang, ledgerColumns...), first: first,
			next: func(last billing.LedgerEntry) ([]billing.LedgerEntry, error) {
				after = uuid.NullUUID{UUID: last.ID, Valid: true}
				return within(ctx, s, read)
			},
			cut: pick(lang, [2]string{fmt.Sprintf("仅导出前 %d 条：请缩小日期范围", export.MaxRows),
				fmt.Sprintf("Only the first %d entries: narrow the dates", export.MaxRows)}),
			row: func(e billing.LedgerEntry) []any {
				purchase := ""
				if e.PurchaseID != nil {
					purchase = e.PurchaseID.String()
				}
				return []any{e.OccurredAt.In(loc), orders.Label(lang, "ledger_kind", e.Kind), major(e.Amount), e.Currency,
					purchase, e.StripeObjectID, e.Memo}
			}})
	}}, nil
}
