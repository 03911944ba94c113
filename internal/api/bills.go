package api

// Customers' bills at the counter: billing an order, discounts and their approval, issuing,
// payments (cash, card terminal, online by the pay link), refunds, releasing a pickup unpaid,
// receivables and the daily cash-up.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/export"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// BillOutput is one bill with its ETag.
type BillOutput struct {
	ETag string `header:"ETag"`
	Body billing.Bill
}

func billOut(b billing.Bill) *BillOutput { return &BillOutput{ETag: etag(b.Version), Body: b} }

// BillPaymentOutput is one payment or refund (a receipt).
type BillPaymentOutput struct {
	Body billing.BillPayment
}

// registerBillRoutes adds bills, payments and the pay link.
func registerBillRoutes(api huma.API, s *Server) {
	tags := []string{"Bills"}
	register(api, s, huma.Operation{OperationID: "create-bill", Method: http.MethodPost, Path: "/orders/{id}/bill", Tags: tags,
		Summary: "Bill an order's customer from its approved quote", DefaultStatus: 201, Errors: []int{404, 409, 422},
		Description: "Lines come from the approved quote (and the tenant's labour rate and visit fee when it names none); each " +
			"line's payer follows the order's warranty decision and only the customer's share is billed. One bill per order: " +
			"asking again returns it."},
		route{perm: access.BillsWrite, idem: true}, s.createBill)
	register(api, s, huma.Operation{OperationID: "take-order-deposit", Method: http.MethodPost, Path: "/orders/{id}/deposits", Tags: tags,
		Summary: "Take a deposit at check-in, held as the customer's credit that the order's bill spends", DefaultStatus: 201,
		Errors: []int{404, 409, 422},
		Description: "Cash, or a card terminal with its reference. There is no bill before the quote is approved, so the deposit " +
			"is a credit of the order's customer: issuing the bill spends it (credit_applied), soonest to expire first."},
		route{perm: access.BillsWrite, idem: true}, s.takeDeposit)
	register(api, s, huma.Operation{OperationID: "get-order-bill", Method: http.MethodGet, Path: "/orders/{id}/bill", Tags: tags,
		Summary: "Get an order's bill", Errors: []int{404}},
		route{perm: access.BillsRead}, s.getOrderBill)
	register(api, s, huma.Operation{OperationID: "get-bill", Method: http.MethodGet, Path: "/bills/{id}", Tags: tags,
		Summary: "Get a bill", Errors: []int{404}},
		route{perm: access.BillsRead}, s.getBill)
	register(api, s, huma.Operation{OperationID: "update-bill", Method: http.MethodPut, Path: "/bills/{id}", Tags: tags,
		Summary: "Edit a draft bill: staff lines, discount, 发票 data", Errors: []int{404, 409, 412, 422, 428},
		Description: "A discount above the caller's role limit (billing settings) stays pending until a manager approves it."},
		route{perm: access.BillsWrite}, s.updateBill)
	register(api, s, huma.Operation{OperationID: "decide-bill-discount", Method: http.MethodPost, Path: "/bills/{id}/discount-decision", Tags: tags,
		Summary: "Approve or reject a bill's pending discount", Errors: []int{404, 409}},
		route{perm: access.BillsApprove}, s.decideBillDiscount)
	register(api, s, huma.Operation{OperationID: "issue-bill", Method: http.MethodPost, Path: "/bills/{id}/issue", Tags: tags,
		Summary: "Issue a bill: the customer's credit pays what it can, the pay link is made", Errors: []int{404, 409, 412},
		Description: "The pay link is returned once, in pay_url."},
		route{perm: access.BillsWrite}, s.issueBill)
	register(api, s, huma.Operation{OperationID: "release-bill", Method: http.MethodPost, Path: "/bills/{id}/release", Tags: tags,
		Summary: "Let the unit go while the bill is unsettled (a manager, with a reason)", Errors: []int{404, 412, 422}},
		route{perm: access.BillsApprove}, s.releaseBill)
	register(api, s, huma.Operation{OperationID: "list-bill-payments", Method: http.MethodGet, Path: "/bills/{id}/payments", Tags: tags,
		Summary: "A bill's payments and refunds, each with its receipt number", Errors: []int{404}},
		route{perm: access.BillsRead}, s.listBillPayments)
	register(api, s, huma.Operation{OperationID: "take-bill-payment", Method: http.MethodPost, Path: "/bills/{id}/payments", Tags: tags,
		Summary: "Take a payment at the counter (cash or card terminal), in full or in part", DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{perm: access.BillsWrite, idem: true}, s.takeBillPayment)
	register(api, s, huma.Operation{OperationID: "refund-bill-payment", Method: http.MethodPost, Path: "/bills/{id}/refunds", Tags: tags,
		Summary: "Give back part or all of a payment", DefaultStatus: 201, Errors: []int{404, 409, 422, 502, 503},
		Description: "Cash and card refunds are recorded at once; an online payment's refund is asked of Stripe."},
		route{perm: access.BillsApprove, idem: true}, s.refundBillPayment)
	register(api, s, huma.Operation{OperationID: "get-bill-payment", Method: http.MethodGet, Path: "/bill-payments/{id}", Tags: tags,
		Summary: "Get a payment or refund (its receipt)", Errors: []int{404}},
		route{perm: access.BillsRead}, s.getBillPayment)
	register(api, s, huma.Operation{OperationID: "list-receivables", Method: http.MethodGet, Path: "/receivables", Tags: tags,
		Summary: "Issued bills with money owed, newest first", Description: "Outlet staff see their outlet's bills only."},
		route{perm: access.BillsRead}, s.listReceivables)
	register(api, s, huma.Operation{OperationID: "export-receivables", Method: http.MethodGet, Path: "/receivables/export", Tags: tags,
		Summary: "Export the receivables as XLSX or CSV", Errors: []int{422},
		Description: fmt.Sprintf("Issued bills with money owed, newest first, at most %d; amounts in major units of the currency, "+
			"with the 发票 buyer name and tax id. Outlet staff export their outlet's bills only.", export.MaxRows)},
		route{perm: access.BillsRead}, s.exportReceivables)
	register(api, s, huma.Operation{OperationID: "get-cash-up", Method: http.MethodGet, Path: "/cash-up", Tags: tags,
		Summary: "A day's money per outlet and method: taken in, given back, net", Errors: []int{422}},
		route{perm: access.BillsRead}, s.getCashUp)
	register(api, s, huma.Operation{OperationID: "export-cash-up", Method: http.MethodGet, Path: "/cash-up/export", Tags: tags,
		Summary: "Export a day's cash-up as XLSX or CSV", Errors: []int{422},
		Description: "One row per outlet, method and kind (payment or refund), then the net; amounts in major units of the currency."},
		route{perm: access.BillsRead}, s.exportCashUp)

	ptags := []string{"Public"}
	register(api, s, huma.Operation{OperationID: "public-get-bill", Method: http.MethodGet, Path: "/public/pay/{token}", Tags: ptags,
		Summary: "See a bill sent to me by its pay link", Errors: []int{404}},
		route{public: true}, s.publicGetBill)
	register(api, s, huma.Operation{OperationID: "public-pay-bill", Method: http.MethodPost, Path: "/public/pay/{token}/checkout", Tags: ptags,
		Summary: "Pay a bill online (all or part of the balance) through Stripe Checkout", DefaultStatus: 201,
		Errors: []int{404, 409, 422, 502, 503}},
		route{public: true}, s.publicPayBill)
}

func (s *Server) createBill(ctx context.Context, in *IDPath) (*BillOutput, error) {
	b, err := within(ctx, s, func(tx *tenants.Tx) (billing.Bill, error) { return billing.CreateBill(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return billOut(b), nil
}

func (s *Server) getOrderBill(ctx context.Context, in *IDPath) (*BillOutput, error) {
	b, err := within(ctx, s, func(tx *tenants.Tx) (billing.Bill, error) { return billing.BillOfOrder(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return billOut(b), nil
}

func (s *Server) getBill(ctx context.Context, in *IDPath) (*BillOutput, error) {
	b, err := within(ctx, s, func(tx *tenants.Tx) (billing.Bill, error) { return billing.GetBill(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return billOut(b), nil
}

type updateBillIn struct {
	IDPath
	IfMatch
	Body billing.BillEdit
}

func (s *Server) updateBill(ctx context.Context, in *updateBillIn) (*BillOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	role := principal(ctx).Role
	b, err := within(ctx, s, func(tx *tenants.Tx) (billing.Bill, error) {
		return billing.UpdateBill(ctx, tx, in.id(), v, role, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return billOut(b), nil
}

type discountDecisionIn struct {
	IDPath
	Body struct {
		Approve bool `json:"approve"`
	}
}

func (s *Server) decideBillDiscount(ctx context.Context, in *discountDecisionIn) (*BillOutput, error) {
	b, err := within(ctx, s, func(tx *tenants.Tx) (billing.Bill, error) {
		return billing.DecideDiscount(ctx, tx, in.id(), in.Body.Approve)
	})
	if err != nil {
		return nil, err
	}
	return billOut(b), nil
}

type issueBillIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional"`
}

func (s *Server) issueBill(ctx context.Context, in *issueBillIn) (*BillOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	b, err := within(ctx, s, func(tx *tenants.Tx) (billing.Bill, error) { return s.Billing.IssueBill(ctx, tx, in.id(), v) })
	if err != nil {
		return nil, err
	}
	return billOut(b), nil
}

type releaseBillIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional"`
	Body    billing.ReleaseInput
}

func (s *Server) releaseBill(ctx context.Context, in *releaseBillIn) (*BillOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	b, err := within(ctx, s, func(tx *tenants.Tx) (billing.Bill, error) { return billing.ReleaseBill(ctx, tx, in.id(), v, in.Body) })
	if err != nil {
		return nil, err
	}
	return billOut(b), nil
}

func (s *Server) listBillPayments(ctx context.Context, in *IDPath) (*ItemsOutput[billing.BillPayment], error) {
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.BillPayment, error) {
		if _, err := billing.GetBill(ctx, tx, in.id()); err != nil {
			return nil, err
		}
		return billing.BillPayments(ctx, tx, in.id())
	})
	if err != nil {
		return nil, err
	}
	return &ItemsOutput[billing.BillPayment]{Body: Items[billing.BillPayment]{Items: items}}, nil
}

type takePaymentIn struct {
	IDPath
	Body struct {
		Method    counterMethod `json:"method" doc:"cash, or card (a card terminal)"`
		Amount    int64         `json:"amount" minimum:"1" maximum:"100000000000" doc:"Minor units; at most the balance"`
		Reference string        `json:"reference,omitempty" maxLength:"100" doc:"The card terminal's transaction reference; required for card"`
	}
}

func (s *Server) takeBillPayment(ctx context.Context, in *takePaymentIn) (*BillPaymentOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (billing.BillPayment, error) {
		return billing.TakeCounterPayment(ctx, tx, in.id(), billing.CounterPayment{Method: string(in.Body.Method), Amount: in.Body.Amount,
			Reference: in.Body.Reference})
	})
	if err != nil {
		return nil, err
	}
	return &BillPaymentOutput{Body: p}, nil
}

type takeDepositIn struct {
	IDPath
	Body struct {
		Method    counterMethod `json:"method" doc:"cash, or card (a card terminal)"`
		Amount    int64         `json:"amount" minimum:"1" maximum:"100000000" doc:"Minor units"`
		Reference string        `json:"reference,omitempty" maxLength:"100" doc:"The card terminal's transaction reference; required for card"`
	}
}

type depositOut struct{ Body billing.Deposit }

func (s *Server) takeDeposit(ctx context.Context, in *takeDepositIn) (*depositOut, error) {
	d, err := within(ctx, s, func(tx *tenants.Tx) (billing.Deposit, error) {
		return billing.TakeDeposit(ctx, tx, in.id(), billing.DepositInput{Method: string(in.Body.Method), Amount: in.Body.Amount,
			Reference: in.Body.Reference})
	})
	if err != nil {
		return nil, err
	}
	return &depositOut{Body: d}, nil
}

type refundIn struct {
	IDPath
	Body struct {
		PaymentID string `json:"payment_id" format:"uuid" doc:"The payment given back"`
		Amount    int64  `json:"amount" minimum:"1" maximum:"100000000000" doc:"Minor units; at most what is left of the payment"`
		Reason    string `json:"reason" minLength:"1" maxLength:"1000"`
	}
}

func (s *Server) refundBillPayment(ctx context.Context, in *refundIn) (*BillPaymentOutput, error) {
	scope := principal(ctx).Scope(actorMeta(ctx))
	// The bill must be in scope before anything is asked of Stripe.
	if err := s.tx(ctx, func(tx *tenants.Tx) error {
		_, err := billing.GetBill(ctx, tx, in.id())
		return err
	}); err != nil {
		return nil, err
	}
	p, err := s.Billing.RefundBillPayment(ctx, scope, in.id(), billing.RefundInput{PaymentID: uuid.MustParse(in.Body.PaymentID),
		Amount: in.Body.Amount, Reason: in.Body.Reason})
	if err != nil {
		return nil, err
	}
	return &BillPaymentOutput{Body: p}, nil
}

func (s *Server) getBillPayment(ctx context.Context, in *IDPath) (*BillPaymentOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (billing.BillPayment, error) { return billing.GetBillPayment(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &BillPaymentOutput{Body: p}, nil
}

type receivablesIn struct {
	PageQuery
	Outlet string `query:"outlet_id" format:"uuid" doc:"Bills of this outlet"`
}

func (s *Server) listReceivables(ctx context.Context, in *receivablesIn) (*PageOutput[billing.Bill], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.Bill, error) {
		return billing.Receivables(ctx, tx, billing.ReceivablesFilter{Outlet: optionalID(in.Outlet), BeforeID: before, Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(b billing.Bill) uuid.UUID { return b.ID }), nil
}

type cashUpIn struct {
	Day    string `query:"day" format:"date" doc:"The tenant's day (default: today)"`
	Outlet string `query:"outlet_id" format:"uuid"`
}

type cashUpOut struct{ Body billing.CashUp }

func (s *Server) getCashUp(ctx context.Context, in *cashUpIn) (*cashUpOut, error) {
	out, err := within(ctx, s, func(tx *tenants.Tx) (billing.CashUp, error) { return cashUpOf(ctx, tx, in) })
	if err != nil {
		return nil, err
	}
	return &cashUpOut{Body: out}, nil
}

// cashUpOf reads the cash-up the query asks for: the day given, else the tenant's today.
func cashUpOf(ctx context.Context, tx *tenants.Tx, in *cashUpIn) (billing.CashUp, error) {
	var day time.Time
	if in.Day != "" {
		d, err := time.Parse(time.DateOnly, in.Day)
		if err != nil {
			return billing.CashUp{}, fault.Invalid("day", "must be a date, e.g. 2026-12-07")
		}
		day = d
	} else {
		now, err := tx.Now(ctx)
		if err != nil {
			return billing.CashUp{}, err
		}
		loc, err := tenants.Location(ctx, tx)
		if err != nil {
			return billing.CashUp{}, err
		}
		day = now.In(loc)
	}
	return billing.DailyCashUp(ctx, tx, day, optionalID(in.Outlet))
}

type exportCashUpIn struct {
	ExportQuery
	Day    string `query:"day" format:"date" doc:"The tenant's day (default: today)"`
	Outlet string `query:"outlet_id" format:"uuid"`
}

// cashUpColumns are the cash-up export's columns: zh-CN and en headers.
var cashUpColumns = [][2]string{{"日期", "Day"}, {"网点", "Outlet"}, {"方式", "Method"}, {"类型", "Kind"}, {"币种", "Currency"},
	{"笔数", "Count"}, {"金额", "Amount"}}

func (s *Server) exportCashUp(ctx context.Context, in *exportCashUpIn) (*huma.StreamResponse, error) {
	var lang string
	outlets := map[uuid.UUID]string{}
	c, err := within(ctx, s, func(tx *tenants.Tx) (billing.CashUp, error) {
		var err error
		if lang, _, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return billing.CashUp{}, err
		}
		c, err := cashUpOf(ctx, tx, &cashUpIn{Day: in.Day, Outlet: in.Outlet})
		if err != nil {
			return c, err
		}
		return c, nameOutlets(ctx, tx, c.Lines, func(l billing.CashUpLine) *uuid.UUID { return l.OutletID }, outlets)
	})
	if err != nil {
		return nil, err
	}
	name := pick(lang, [2]string{"日结", "cash-up"})
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		w, ok := in.open(hctx, "cash-up", name, c.Day)
		if !ok {
			return
		}
		if err := w.Row(headers(lang, cashUpColumns...)...); err != nil {
			return
		}
		currency := ""
		for _, l := range c.Lines {
			outlet := ""
			if l.OutletID != nil {
				outlet = outlets[*l.OutletID]
			}
			currency = l.Currency
			if err := w.Row(c.Day, outlet, orders.Label(lang, "payment_method", l.Method), orders.Label(lang, "payment_kind", l.Kind), l.Currency,
				l.Count, major(l.Amount)); err != nil {
				return
			}
		}
		if err := w.Row(c.Day, "", "", pick(lang, [2]string{"净额", "Net"}), currency, "", major(c.Net)); err != nil {
			return
		}
		_ = w.Close()
	}}, nil
}

// payLinkTx runs fn in the tenant of a pay link, as the customer holding the link.
func (s *Server) payLinkTx(ctx context.Context, token string, fn func(tx *tenants.Tx, b billing.Bill) error) error {
	tenantID, billID, hash, err := billing.ParsePayLink(token)
	if err != nil {
		return err
	}
	meta := actorMeta(ctx)
	meta.Kind, meta.Label = "consumer", "pay link"
	return s.DB.Tx(ctx, tenants.Scope{TenantID: tenantID, Actor: meta}, func(tx *tenants.Tx) error {
		b, err := billing.BillByLink(ctx, tx, billID, hash)
		if err != nil {
			return err
		}
		return fn(tx, b)
	})
}

// PublicBill is what the pay link shows: the bill's lines and money, nothing about the tenant's staff.
type PublicBill struct {
	Tenant   string             `json:"tenant" doc:"The brand's slug: its portal is /my/{tenant}"`
	Number   string             `json:"number"`
	Currency string             `json:"currency"`
	Status   string             `json:"status"`
	Lines    []billing.BillLine `json:"lines"`
	Subtotal int64              `json:"subtotal"`
	Discount int64              `json:"discount"`
	Credit   int64              `json:"credit_applied"`
	Total    int64              `json:"total"`
	Paid     int64              `json:"paid"`
	Refunded int64              `json:"refunded"`
	Balance  int64              `json:"balance"`
}

type publicBillOut struct{ Body PublicBill }

func (s *Server) publicGetBill(ctx context.Context, in *trackIn) (*publicBillOut, error) {
	out := &publicBillOut{}
	err := s.payLinkTx(ctx, in.Token, func(tx *tenants.Tx, b billing.Bill) error {
		t, err := tenants.GetTenant(ctx, tx)
		if err != nil {
			return err
		}
		discount := int64(0)
		if b.DiscountStatus == "approved" {
			discount = b.Discount
		}
		out.Body = PublicBill{Tenant: t.Slug, Number: b.Number, Currency: b.Currency, Status: b.Status, Lines: b.Lines, Subtotal: b.Subtotal, Discount: discount,
			Credit: b.CreditApplied, Total: b.Total, Paid: b.Paid, Refunded: b.Refunded, Balance: b.Balance}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type publicPayIn struct {
	Token string `path:"token" maxLength:"200"`
	Body  struct {
		Amount int64 `json:"amount,omitempty" minimum:"0" maximum:"100000000000" doc:"Minor units; 0 or absent: the whole balance"`
	}
}

type payCheckoutOut struct{ Body billing.PayCheckout }

func (s *Server) publicPayBill(ctx context.Context, in *publicPayIn) (*payCheckoutOut, error) {
	out := &payCheckoutOut{}
	err := s.payLinkTx(ctx, in.Token, func(tx *tenants.Tx, b billing.Bill) (err error) {
		// Checkout returns the customer to the pay link's page, which shows the payment.
		back := strings.TrimRight(s.Config.PublicURL, "/") + "/my/pay/" + url.PathEscape(in.Token)
		out.Body, err = s.Billing.StartBillCheckout(ctx, tx, b, in.Body.Amount, back)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type exportReceivablesIn struct {
	ExportQuery
	Outlet string `query:"outlet_id" format:"uuid" doc:"Bills of this outlet"`
}

// receivableColumns are the receivables export's columns: zh-CN and en headers.
var receivableColumns = [][2]string{
	{"单号", "Number"}, {"网点", "Outlet"}, {"币种", "Currency"}, {"应收", "Total"}, {"已收", "Paid"}, {"已退", "Refunded"},
	{"欠款", "Balance"}, {"购方名称", "Buyer"}, {"纳税人识别号", "Tax id"}, {"开单时间", "Issued"}, {"放行原因", "Released"},
}

// major writes minor units as the currency's major units (2 decimals).
func major(v int64) float64 { return float64(v) / 100 }

func (s *Server) exportReceivables(ctx context.Context, in *exportReceivablesIn) (*huma.StreamResponse, error) {
	f := billing.ReceivablesFilter{Outlet: optionalID(in.Outlet), Limit: exportPage}
	var lang string
	var loc *time.Location
	outlets := map[uuid.UUID]string{} // the names of the outlets the pages so far name
	read := func(tx *tenants.Tx) ([]billing.Bill, error) {
		page, err := billing.Receivables(ctx, tx, f)
		if err != nil {
			return nil, err
		}
		return page, nameOutlets(ctx, tx, page, func(b billing.Bill) *uuid.UUID { return b.OutletID }, outlets)
	}
	first, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.Bill, error) {
		var err error
		if lang, loc, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return nil, err
		}
		return read(tx)
	})
	if err != nil {
		return nil, err
	}
	name := pick(lang, [2]string{"应收账款", "receivables"})
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		w, ok := in.open(hctx, "receivables", name, nowStamp(loc))
		if !ok {
			return
		}
		exportPages(ctx, s.Log, w, exportPaging[billing.Bill]{what: "receivables", header: headers(lang, receivableColumns...), first: first,
			next: func(last billing.Bill) ([]billing.Bill, error) {
				f.BeforeID = uuid.NullUUID{UUID: last.ID, Valid: true}
				return within(ctx, s, read)
			},
			cut: pick(lang, [2]string{fmt.Sprintf("仅导出前 %d 张：请按网点筛选", export.MaxRows),
				fmt.Sprintf("Only the first %d bills: filter by outlet", export.MaxRows)}),
			row: func(b billing.Bill) []any {
				outlet := ""
				if b.OutletID != nil {
					outlet = outlets[*b.OutletID]
				}
				var issued any
				if b.IssuedAt != nil {
					issued = b.IssuedAt.In(loc)
				}
				return []any{b.Number, outlet, b.Currency, major(b.Total), major(b.Paid), major(b.Refunded), major(b.Balance),
					b.BuyerName, b.BuyerTaxID, issued, b.ReleaseReason}
			}})
	}}, nil
}
