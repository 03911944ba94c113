package api

// Loaner units (备用机): lending one on an order, taking it back, a manager's waiver of the
// hand-over block, and the list of loans (out, overdue, returned). Who sees a loan is the
// data layer's: a loan belongs to its order's outlet.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// LoanOutput is one loan with its ETag.
type LoanOutput struct {
	ETag string `header:"ETag"`
	Body stock.Loan
}

func loanOut(l stock.Loan) *LoanOutput { return &LoanOutput{ETag: etag(l.Version), Body: l} }

func registerLoanRoutes(api huma.API, s *Server) {
	tags := []string{"Loaners"}
	register(api, s, huma.Operation{OperationID: "lend-loaner", Method: http.MethodPost, Path: "/orders/{id}/loans", Tags: tags,
		Summary:       "Lend a loaner unit (备用机) to the order's customer while their unit is in repair",
		DefaultStatus: 201, Errors: []int{404, 409, 422},
		Description: "The unit (a serial of a serial-tracked part) leaves a loaner warehouse of the order's outlet (a loan_out " +
			"movement). An optional deposit is taken in cash or on a card terminal and recorded in the ledger, or paid online: " +
			"the answer's deposit_pay_url is a Stripe Checkout page for the customer (show it as a QR code), and the deposit " +
			"is pending until Stripe confirms it. One loan is out per order and per unit at a time; while it is out the " +
			"order's unit is not handed over or the order closed."},
		route{perm: access.StockMove, idem: true}, s.lendLoaner)
	register(api, s, huma.Operation{OperationID: "list-order-loans", Method: http.MethodGet, Path: "/orders/{id}/loans", Tags: tags,
		Summary: "An order's loaner units, newest first", Errors: []int{404}},
		route{perm: access.OrdersRead}, s.listOrderLoans)
	register(api, s, huma.Operation{OperationID: "list-loans", Method: http.MethodGet, Path: "/loans", Tags: tags,
		Summary: "Loaner units lent, newest first: out, overdue or returned", Errors: []int{422},
		Description: "Outlet staff see their outlet's loans only."},
		route{perm: access.StockRead}, s.listLoans)
	register(api, s, huma.Operation{OperationID: "get-loan", Method: http.MethodGet, Path: "/loans/{id}", Tags: tags,
		Summary: "Get a loan", Errors: []int{404}},
		route{perm: access.StockRead}, s.getLoan)
	register(api, s, huma.Operation{OperationID: "return-loan", Method: http.MethodPost, Path: "/loans/{id}/return", Tags: tags,
		Summary: "Take a loaner unit back, with its condition, and refund or keep the deposit", Errors: []int{404, 409, 412, 422},
		Description: "The unit returns to the warehouse it was lent from (a loan_return movement). A deposit is refunded (a " +
			"refund in the ledger) or kept with a reason. An online deposit's refund is asked of Stripe (the deposit is " +
			"refunding until Stripe confirms it); an online deposit never paid is left unpaid and its page closed."},
		route{perm: access.StockMove}, s.returnLoan)
	register(api, s, huma.Operation{OperationID: "new-loan-deposit-link", Method: http.MethodPost, Path: "/loans/{id}/deposit/link", Tags: tags,
		Summary: "Make a new page for an online deposit not paid yet (the old one is closed)", Errors: []int{404, 409, 422},
		Description: "For a customer who lost the link or whose page expired. The answer's deposit_pay_url is the new page."},
		route{perm: access.StockMove}, s.newLoanDepositLink)
	register(api, s, huma.Operation{OperationID: "retry-loan-deposit-refund", Method: http.MethodPost, Path: "/loans/{id}/deposit/refund",
		Tags: tags, Summary: "Ask Stripe again for an online deposit's refund it refused", Errors: []int{404, 409, 412}},
		route{perm: access.StockMove}, s.retryLoanDepositRefund)
	register(api, s, huma.Operation{OperationID: "waive-loan", Method: http.MethodPost, Path: "/loans/{id}/waiver", Tags: tags,
		Summary: "Let the order's unit be handed over while its loaner is out (a manager, with a reason)",
		Errors:  []int{404, 409, 412, 422},
		Description: "Recorded on the order's timeline. The loan stays out until the unit comes back; the reminder still goes " +
			"out when it is overdue."},
		route{perm: access.OrdersAudit}, s.waiveLoan)
}

type lendIn struct {
	IDPath
	Body stock.LendInput
}

func (s *Server) lendLoaner(ctx context.Context, in *lendIn) (*LoanOutput, error) {
	l, err := within(ctx, s, func(tx *tenants.Tx) (stock.Loan, error) { return s.stock().Lend(ctx, tx, in.id(), in.Body) })
	if err != nil {
		return nil, err
	}
	return loanOut(l), nil
}

func (s *Server) listOrderLoans(ctx context.Context, in *IDPath) (*ItemsOutput[stock.Loan], error) {
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.Loan, error) { return stock.OrderLoans(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &ItemsOutput[stock.Loan]{Body: Items[stock.Loan]{Items: items}}, nil
}

type listLoansIn struct {
	PageQuery
	Status loanFilter `query:"status" doc:"out, overdue (out and past due) or returned; all when omitted"`
	Outlet string     `query:"outlet_id" format:"uuid" doc:"Loans of this outlet"`
	Order  string     `query:"order_id" format:"uuid" doc:"Loans of this order"`
	Serial string     `query:"serial" maxLength:"100" doc:"Loans of this unit"`
}

func (s *Server) listLoans(ctx context.Context, in *listLoansIn) (*PageOutput[stock.Loan], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.Loan, error) {
		return stock.ListLoans(ctx, tx, stock.LoanFilter{Status: string(in.Status), Outlet: optionalID(in.Outlet), Order: optionalID(in.Order),
			Serial: in.Serial, Before: before, Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(l stock.Loan) uuid.UUID { return l.ID }), nil
}

func (s *Server) getLoan(ctx context.Context, in *IDPath) (*LoanOutput, error) {
	l, err := within(ctx, s, func(tx *tenants.Tx) (stock.Loan, error) { return stock.GetLoan(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return loanOut(l), nil
}

type returnLoanIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional"`
	Body    stock.LoanReturnInput
}

func (s *Server) returnLoan(ctx context.Context, in *returnLoanIn) (*LoanOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	l, err := within(ctx, s, func(tx *tenants.Tx) (stock.Loan, error) { return s.stock().ReturnLoan(ctx, tx, in.id(), v, in.Body) })
	if err != nil {
		return nil, err
	}
	return loanOut(l), nil
}

type waiveLoanIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional"`
	Body    struct {
		Reason string `json:"reason" minLength:"1" maxLength:"1000" doc:"Why the order may be handed over without the loaner back"`
	}
}

func (s *Server) waiveLoan(ctx context.Context, in *waiveLoanIn) (*LoanOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	l, err := within(ctx, s, func(tx *tenants.Tx) (stock.Loan, error) {
		return s.stock().WaiveLoan(ctx, tx, in.id(), v, in.Body.Reason)
	})
	if err != nil {
		return nil, err
	}
	return loanOut(l), nil
}

func (s *Server) newLoanDepositLink(ctx context.Context, in *IDPath) (*LoanOutput, error) {
	l, err := within(ctx, s, func(tx *tenants.Tx) (stock.Loan, error) { return s.stock().NewDepositLink(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return loanOut(l), nil
}

type retryLoanRefundIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional"`
}

func (s *Server) retryLoanDepositRefund(ctx context.Context, in *retryLoanRefundIn) (*LoanOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	l, err := within(ctx, s, func(tx *tenants.Tx) (stock.Loan, error) { return s.stock().RetryDepositRefund(ctx, tx, in.id(), v) })
	if err != nil {
		return nil, err
	}
	return loanOut(l), nil
}
