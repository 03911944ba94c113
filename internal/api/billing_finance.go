package api

// Finance's lists beyond the ledger: the refunds asked of Stripe, and each money list
// (purchases, refunds, compensations, flagged payments) as a spreadsheet, in the reader's
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

// registerFinanceListRoutes adds the refund list and the money lists' exports.
func registerFinanceListRoutes(api huma.API, s *Server) {
	ptags, mtags := []string{"Purchases"}, []string{"Billing"}
	register(api, s, huma.Operation{OperationID: "list-refunds", Method: http.MethodGet, Path: "/refunds", Tags: ptags,
		Summary: "Refunds asked of Stripe (cancellations, compensation), oldest first"},
		route{perm: access.PurchasesRead}, s.listRefunds)
	desc := func(what string) string {
		return fmt.Sprintf("The list's filters; every %s, oldest first, at most %d (a last row says when there were more). "+
			"Columns and codes in the language asked for (lang, else Accept-Language, else the tenant's); times in the "+
			"tenant's time zone; amounts in major units.", what, export.MaxRows)
	}
	register(api, s, huma.Operation{OperationID: "export-purchases", Method: http.MethodGet, Path: "/purchases/export", Tags: ptags,
		Summary: "Export purchases as XLSX or CSV", Description: desc("purchase"), Errors: []int{422}},
		route{perm: access.PurchasesRead}, s.exportPurchases)
	register(api, s, huma.Operation{OperationID: "export-refunds", Method: http.MethodGet, Path: "/refunds/export", Tags: ptags,
		Summary: "Export refunds as XLSX or CSV", Description: desc("refund"), Errors: []int{422}},
		route{perm: access.PurchasesRead}, s.exportRefunds)
	register(api, s, huma.Operation{OperationID: "export-compensations", Method: http.MethodGet, Path: "/compensations/export", Tags: ptags,
		Summary: "Export compensations as XLSX or CSV", Description: desc("compensation"), Errors: []int{422}},
		route{perm: access.PurchasesRead}, s.exportCompensations)
	register(api, s, huma.Operation{OperationID: "export-payment-flags", Method: http.MethodGet, Path: "/billing/payment-flags/export",
		Tags: mtags, Summary: "Export flagged payments as XLSX or CSV", Description: desc("flagged payment"), Errors: []int{422}},
		route{perm: access.LedgerRead}, s.exportPaymentFlags)
}

type listRefundsIn struct {
	PageQuery
	RefundFilterQuery
}

// RefundFilterQuery is the refund list's filters, shared with its export (exported: huma reads the query of exported embedded structs only).
type RefundFilterQuery struct {
	Purchase string       `query:"purchase_id" format:"uuid" doc:"Refunds of this purchase"`
	Status   refundStatus `query:"status"`
}

func (q RefundFilterQuery) filter(after uuid.NullUUID, limit int32) billing.RefundFilter {
	return billing.RefundFilter{After: after, PurchaseID: optionalID(q.Purchase), Status: optional(q.Status), Limit: limit}
}

func (s *Server) listRefunds(ctx context.Context, in *listRefundsIn) (*PageOutput[billing.Refund], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.Refund, error) {
		return billing.ListRefunds(ctx, tx, in.filter(after, in.limit()+1))
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(r billing.Refund) uuid.UUID { return r.ID }), nil
}

// moneyExport is one money list's export: its file's names, its columns, how to read a
// page after an id and how to write a row.
type moneyExport[T any] struct {
	ascii string    // the file's ASCII name
	name  [2]string // the file's name in zh-CN and en
	cols  [][2]string
	read  func(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID) ([]T, error)
	id    func(T) uuid.UUID
	row   func(lang string, loc *time.Location, r T) []any
}

// exportMoney streams a money list: the first page and the tenant's language and zone are
// read before anything is written, so a refusal is a problem, not a broken file.
func exportMoney[T any](ctx context.Context, s *Server, q ExportQuery, e moneyExport[T]) (*huma.StreamResponse, error) {
	var lang string
	var loc *time.Location
	first, err := within(ctx, s, func(tx *tenants.Tx) ([]T, error) {
		var err error
		if lang, loc, err = reportContext(ctx, tx, q); err != nil {
			return nil, err
		}
		return e.read(ctx, tx, uuid.NullUUID{})
	})
	if err != nil {
		return nil, err
	}
	name := pick(lang, e.name)
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		w, ok := q.open(hctx, e.ascii, name, nowStamp(loc))
		if !ok {
			return
		}
		exportPages(ctx, s.Log, w, exportPaging[T]{what: e.ascii, header: headers(lang, e.cols...), first: first,
			next: func(last T) ([]T, error) {
				return within(ctx, s, func(tx *tenants.Tx) ([]T, error) {
					return e.read(ctx, tx, uuid.NullUUID{UUID: e.id(last), Valid: true})
				})
			},
			cut: pick(lang, [2]string{fmt.Sprintf("仅导出前 %d 条：请加筛选条件", export.MaxRows),
				fmt.Sprintf("Only the first %d rows: add a filter", export.MaxRows)}),
			row: func(r T) []any { return e.row(lang, loc, r) }})
	}}, nil
}

// idText is an optional id as a cell.
func idText(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

// timeCell is an optional time as a cell in loc.
func timeCell(t *time.Time, loc *time.Location) any {
	if t == nil {
		return ""
	}
	return t.In(loc)
}

type exportPurchasesIn struct {
	Status purchaseStatus `query:"status"`
	ExportQuery
}

func (s *Server) exportPurchases(ctx context.Context, in *exportPurchasesIn) (*huma.StreamResponse, error) {
	return exportMoney(ctx, s, in.ExportQuery, moneyExport[billing.Purchase]{ascii: "purchases", name: [2]string{"购买记录", "purchases"},
		cols: [][2]string{{"购买单", "Purchase"}, {"产品", "Product"}, {"类型", "Kind"}, {"渠道", "Channel"}, {"状态", "Status"},
			{"金额", "Amount"}, {"已退", "Refunded"}, {"币种", "Currency"}, {"付款时间", "Paid"}, {"生效", "Valid from"},
			{"到期", "Valid until"}, {"工单", "Order"}, {"创建时间", "Created"}},
		read: func(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID) ([]billing.Purchase, error) {
			return billing.ListPurchases(ctx, tx, billing.PurchaseFilter{After: after, Status: optional(in.Status), Limit: exportPage})
		},
		id: func(p billing.Purchase) uuid.UUID { return p.ID },
		row: func(lang string, loc *time.Location, p billing.Purchase) []any {
			return []any{p.ID.String(), p.ProductCode, orders.Label(lang, "product_kind", p.Kind), orders.Label(lang, "purchase_channel", p.Channel),
				orders.Label(lang, "purchase_status", p.Status), major(p.Amount), major(p.RefundedAmount), p.Currency,
				timeCell(p.PaidAt, loc), p.ValidFrom, p.ValidUntil, idText(p.OrderID), p.CreatedAt.In(loc)}
		}})
}

type exportRefundsIn struct {
	RefundFilterQuery
	ExportQuery
}

func (s *Server) exportRefunds(ctx context.Context, in *exportRefundsIn) (*huma.StreamResponse, error) {
	return exportMoney(ctx, s, in.ExportQuery, moneyExport[billing.Refund]{ascii: "refunds", name: [2]string{"退款记录", "refunds"},
		cols: [][2]string{{"退款", "Refund"}, {"购买单", "Purchase"}, {"原因", "Reason"}, {"状态", "Status"}, {"金额", "Amount"},
			{"币种", "Currency"}, {"Stripe 退款", "Stripe refund"}, {"失败原因", "Failure"}, {"创建时间", "Created"}, {"确认时间", "Confirmed"}},
		read: func(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID) ([]billing.Refund, error) {
			return billing.ListRefunds(ctx, tx, in.filter(after, exportPage))
		},
		id: func(r billing.Refund) uuid.UUID { return r.ID },
		row: func(lang string, loc *time.Location, r billing.Refund) []any {
			return []any{r.ID.String(), r.PurchaseID.String(), orders.Label(lang, "refund_reason", r.Reason),
				orders.Label(lang, "refund_status", r.Status), major(r.Amount), r.Currency, r.StripeRefundID, r.FailureReason,
				r.CreatedAt.In(loc), timeCell(r.ConfirmedAt, loc)}
		}})
}

func (s *Server) exportCompensations(ctx context.Context, in *ExportQuery) (*huma.StreamResponse, error) {
	return exportMoney(ctx, s, *in, moneyExport[billing.CompensationView]{ascii: "compensations", name: [2]string{"赔付记录", "compensations"},
		cols: [][2]string{{"赔付", "Compensation"}, {"购买单", "Purchase"}, {"工单", "Order"}, {"时效", "Target"}, {"方式", "Kind"},
			{"状态", "Status"}, {"金额", "Amount"}, {"币种", "Currency"}, {"创建时间", "Created"}, {"发放时间", "Issued"}},
		read: func(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID) ([]billing.CompensationView, error) {
			return billing.ListCompensations(ctx, tx, after, exportPage)
		},
		id: func(c billing.CompensationView) uuid.UUID { return c.ID },
		row: func(lang string, loc *time.Location, c billing.CompensationView) []any {
			return []any{c.ID.String(), c.PurchaseID.String(), c.OrderID.String(), orders.Label(lang, "sla_target", c.Target),
				orders.Label(lang, "payout_kind", c.Kind), orders.Label(lang, "compensation_status", c.Status), major(c.Amount),
				c.Currency, c.CreatedAt.In(loc), timeCell(c.IssuedAt, loc)}
		}})
}

type exportFlagsIn struct {
	Status flagStatus `query:"status"`
	ExportQuery
}

func (s *Server) exportPaymentFlags(ctx context.Context, in *exportFlagsIn) (*huma.StreamResponse, error) {
	return exportMoney(ctx, s, in.ExportQuery, moneyExport[billing.PaymentFlag]{ascii: "payment-flags", name: [2]string{"异常收款", "payment-flags"},
		cols: [][2]string{{"异常", "Flag"}, {"购买单", "Purchase"}, {"类型", "Kind"}, {"状态", "Status"}, {"应收", "Expected"},
			{"应收币种", "Expected currency"}, {"实收", "Received"}, {"实收币种", "Received currency"}, {"处理说明", "Resolution"},
			{"创建时间", "Created"}, {"处理时间", "Resolved"}},
		read: func(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID) ([]billing.PaymentFlag, error) {
			return billing.ListPaymentFlags(ctx, tx, optional(in.Status), after, exportPage)
		},
		id: func(f billing.PaymentFlag) uuid.UUID { return f.ID },
		row: func(lang string, loc *time.Location, f billing.PaymentFlag) []any {
			return []any{f.ID.String(), f.PurchaseID.String(), orders.Label(lang, "flag_kind", f.Kind),
				orders.Label(lang, "flag_status", f.Status), major(f.ExpectedAmount), f.ExpectedCurrency, major(f.ReceivedAmount),
				f.ReceivedCurrency, f.Resolution, f.CreatedAt.In(loc), timeCell(f.ResolvedAt, loc)}
		}})
}
