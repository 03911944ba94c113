package stock

// Loaner units (备用机, docs/loaners.md). A loaner is a unit of a serial-tracked part kept in a
// warehouse whose owner is loaner (not valued: it is not stock for sale). Lending it to an
// order's customer takes the serial out of that warehouse (a loan_out movement; the serial is
// then on_loan, with the order); the return brings it back (loan_return). An optional deposit
// is taken at the counter (cash, or a card terminal with its reference) or paid online on a
// Stripe Checkout page (the DepositDesk), and recorded in the ledger as a payment naming the
// loan when the money is in; at the return it is given back (a refund entry; an online one
// asked of Stripe by a job) or kept with a reason. While a loan is out and not waived, the
// order's unit is not handed over (package orders, checkLoanerBack).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// LoanStatuses are the states of a loan; LoanFilters adds overdue (out and past due) for lists.
var (
	LoanStatuses       = []string{"out", "returned"}
	LoanFilters        = []string{"out", "overdue", "returned"}
	LoanDepositMethods = []string{"cash", "card", "online"}
	// LoanDepositOutcomes say what becomes of a deposit at the return.
	LoanDepositOutcomes = []string{"refund", "keep"}
	// LoanDepositStatuses are the states of a deposit: pending (an online deposit not paid
	// yet), held, refunding (an online refund asked of Stripe), refund_failed (Stripe refused
	// it: ask again), refunded, kept, and unpaid (the unit came back before it was paid).
	LoanDepositStatuses = []string{"pending", "held", "refunding", "refund_failed", "refunded", "kept", "unpaid"}
)

// DepositDesk takes loan deposits paid online: billing's Stripe desk. Its calls run in the
// loan's transaction, under the loan's lock, so a confirmation from Stripe waits for them.
type DepositDesk interface {
	// OpenLoanDeposit makes the Checkout page the customer pays the deposit on (closing the
	// one made before, if any) and returns its address.
	OpenLoanDeposit(ctx context.Context, tx *tenants.Tx, l db.Loan, o db.ServiceOrder) (string, error)
	// CloseLoanDeposit closes the deposit's Checkout page so that it can no longer be paid;
	// a conflict when it was paid meanwhile (Stripe's confirmation is on its way).
	CloseLoanDeposit(ctx context.Context, tx *tenants.Tx, l db.Loan) error
}

// LoanRefundArgs asks Stripe to give an online loan deposit back (the loan is refunding).
// It is inserted with the return, in its transaction, so a refund decided is never lost;
// billing runs it (it holds the Stripe client).
type LoanRefundArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	LoanID   uuid.UUID `json:"loan_id"`
}

// Kind names the job.
func (LoanRefundArgs) Kind() string { return "stock_loan_deposit_refund" }

// Loan is a loaner unit lent on an order.
type Loan struct {
	ID               uuid.UUID  `json:"id"`
	OrderID          uuid.UUID  `json:"order_id"`
	OutletID         *uuid.UUID `json:"outlet_id,omitempty"`
	CustomerID       uuid.UUID  `json:"customer_id"`
	WarehouseID      uuid.UUID  `json:"warehouse_id" doc:"The loaner warehouse the unit was lent from and returns to"`
	PartID           uuid.UUID  `json:"part_id"`
	Serial           string     `json:"serial"`
	Status           string     `json:"status" doc:"out or returned"`
	Overdue          bool       `json:"overdue" doc:"Out and past its due time"`
	DueAt            time.Time  `json:"due_at"`
	Currency         string     `json:"currency"`
	Deposit          int64      `json:"deposit" doc:"Minor units; 0: no deposit"`
	DepositMethod    string     `json:"deposit_method,omitempty" doc:"cash, card (a card terminal) or online (Stripe Checkout)"`
	DepositReference string     `json:"deposit_reference,omitempty"`
	DepositStatus    string     `json:"deposit_status,omitempty" doc:"pending (online, not paid yet), held, refunding, refund_failed, refunded, kept or unpaid"`
	// DepositPayURL is given when an online deposit's page is made (lending, a new link).
	DepositPayURL string     `json:"deposit_pay_url,omitempty" doc:"An online deposit's Checkout page for the customer; given when it is made"`
	DepositReason string     `json:"deposit_reason,omitempty" doc:"Why a deposit was kept"`
	LendNote      string     `json:"lend_note,omitempty"`
	ConditionNote string     `json:"condition_note,omitempty" doc:"The unit's condition when it came back"`
	WaiveReason   string     `json:"waive_reason,omitempty" doc:"Why a manager let the order's unit go while the loan is out"`
	WaivedBy      string     `json:"waived_by,omitempty"`
	WaivedAt      *time.Time `json:"waived_at,omitempty"`
	RemindedAt    *time.Time `json:"reminded_at,omitempty" doc:"When the customer was reminded it is overdue"`
	LentBy        string     `json:"lent_by,omitempty"`
	ReturnedBy    string     `json:"returned_by,omitempty"`
	LentAt        time.Time  `json:"lent_at"`
	ReturnedAt    *time.Time `json:"returned_at,omitempty"`
	Version       int32      `json:"version"`
}

func loanFromRow(r db.Loan, now time.Time) Loan {
	return Loan{ID: r.ID, OrderID: r.OrderID, OutletID: ptr(r.OutletID), CustomerID: r.CustomerID, WarehouseID: r.WarehouseID,
		PartID: r.PartID, Serial: r.Serial, Status: r.Status, Overdue: r.Status == "out" && r.DueAt.Before(now), DueAt: r.DueAt,
		Currency: r.Currency, Deposit: r.Deposit, DepositMethod: r.DepositMethod, DepositReference: r.DepositReference,
		DepositStatus: r.DepositStatus, DepositReason: r.DepositReason, LendNote: r.LendNote, ConditionNote: r.ConditionNote,
		WaiveReason: r.WaiveReason, WaivedBy: r.WaivedBy, WaivedAt: r.WaivedAt, RemindedAt: r.RemindedAt, LentBy: r.LentBy,
		ReturnedBy: r.ReturnedBy, LentAt: r.LentAt, ReturnedAt: r.ReturnedAt, Version: r.Version}
}

// LendInput lends a loaner unit on an order.
type LendInput struct {
	WarehouseID      uuid.UUID `json:"warehouse_id" doc:"A loaner warehouse of the order's outlet"`
	PartID           uuid.UUID `json:"part_id" doc:"The loaner's part (serial-tracked)"`
	Serial           string    `json:"serial" minLength:"1" maxLength:"100" doc:"The unit lent; it must be in stock at the warehouse"`
	DueAt            time.Time `json:"due_at" doc:"When the unit is due back; after now"`
	Deposit          int64     `json:"deposit,omitempty" minimum:"0" maximum:"100000000" doc:"Minor units; 0 or omitted: no deposit"`
	DepositMethod    string    `json:"deposit_method,omitempty" doc:"With a deposit: cash, card (a card terminal), or online (the customer pays on a Stripe Checkout page; the deposit is pending until Stripe confirms it)"`
	DepositReference string    `json:"deposit_reference,omitempty" maxLength:"100" doc:"The card terminal's transaction reference; required for card"`
	Note             string    `json:"note,omitempty" maxLength:"1000" doc:"The unit's condition and accessories when lent"`
}

// Lend lends a loaner unit to the order's customer: the serial leaves the loaner warehouse
// (loan_out) and the deposit, if any, is recorded in the ledger. The order (in the caller's
// scope, open) is locked first, so two lends on one order are serial; the serial's row lock
// and the partial unique indexes make two lends of one unit serial too.
func (s *Service) Lend(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, in LendInput) (Loan, error) {
	in.Serial = strings.TrimSpace(in.Serial)
	in.DepositReference = strings.TrimSpace(in.DepositReference)
	if in.Serial == "" {
		return Loan{}, fault.Invalid("serial", "is required")
	}
	switch {
	case in.Deposit < 0:
		return Loan{}, fault.Invalid("deposit", "must not be negative")
	case in.Deposit == 0 && in.DepositMethod != "":
		return Loan{}, fault.Invalid("deposit_method", "is only for a deposit above zero")
	case in.Deposit > 0 && !slices.Contains(LoanDepositMethods, in.DepositMethod):
		return Loan{}, fault.Invalid("deposit_method", "must be cash, card or online for a deposit")
	case in.DepositMethod == "online" && s.Deposits == nil:
		return Loan{}, fault.Invalid("deposit_method", "online payments are not set up here: take the deposit in cash or by card")
	case in.DepositMethod == "card" && in.DepositReference == "":
		return Loan{}, fault.Invalid("deposit_reference", "give the card terminal's transaction reference")
	case in.DepositMethod != "card" && in.DepositReference != "":
		return Loan{}, fault.Invalid("deposit_reference", "is only for a card deposit")
	}
	o, err := tx.Q.GetOrderForUpdate(ctx, tx, db.GetOrderForUpdateParams{TenantID: tx.Scope.TenantID, ID: orderID})
	if err != nil {
		return Loan{}, fault.DBError(err, "", "")
	}
	if !orders.IsOpen(o.Status) {
		return Loan{}, &fault.ConflictError{Detail: "order " + o.Number + " is " + o.Status + ": a loaner is lent while the customer's unit is in repair"}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Loan{}, err
	}
	if !in.DueAt.After(now) {
		return Loan{}, fault.Invalid("due_at", "must be after now")
	}
	if out, err := tx.Q.OrderLoanOut(ctx, tx, db.OrderLoanOutParams{TenantID: tx.Scope.TenantID, OrderID: o.ID}); err != nil {
		return Loan{}, fmt.Errorf("loan of order: %w", err)
	} else if out != "" {
		return Loan{}, &fault.ConflictError{Detail: "order " + o.Number + " already has the loaner unit " + out + " out: take it back first"}
	}
	w, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: in.WarehouseID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Loan{}, fault.Invalid("warehouse_id", "does not exist")
	} else if err != nil {
		return Loan{}, fmt.Errorf("warehouse: %w", err)
	}
	if w.Owner != "loaner" {
		return Loan{}, fault.Invalid("warehouse_id", "is not a loaner warehouse (its owner must be loaner)")
	}
	if w.OutletID != o.OutletID {
		return Loan{}, fault.Invalid("warehouse_id", "is not a loaner warehouse of the order's outlet")
	}
	pr, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: in.PartID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Loan{}, fault.Invalid("part_id", "does not exist")
	} else if err != nil {
		return Loan{}, fmt.Errorf("part: %w", err)
	}
	if !pr.SerialTracked {
		return Loan{}, fault.Invalid("part_id", "is not serial-tracked: a loaner is lent by its serial")
	}
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return Loan{}, err
	}
	id := platform.NewID()
	if _, _, err := post(ctx, tx, posting{Key: "loan:" + id.String() + ":out", Type: "loan_out", WarehouseID: w.ID, PartID: pr.ID, Qty: -1,
		Serial: in.Serial, SerialPlace: "on_loan", OrderID: uuid.NullUUID{UUID: o.ID, Valid: true}, Reason: "lent on order " + o.Number}); err != nil {
		return Loan{}, err
	}
	depStatus := ""
	switch {
	case in.DepositMethod == "online":
		depStatus = "pending"
	case in.Deposit > 0:
		depStatus = "held"
	}
	r, err := tx.Q.InsertLoan(ctx, tx, db.InsertLoanParams{TenantID: tx.Scope.TenantID, ID: id, OrderID: o.ID, OutletID: o.OutletID,
		CustomerID: o.CustomerID, WarehouseID: w.ID, PartID: pr.ID, Serial: in.Serial, DueAt: in.DueAt, Currency: t.Currency,
		Deposit: in.Deposit, DepositMethod: in.DepositMethod, DepositReference: in.DepositReference, DepositStatus: depStatus,
		LendNote: strings.TrimSpace(in.Note), LentBy: tx.Scope.Actor.Label, LentAt: now})
	if err != nil {
		return Loan{}, fault.DBError(err, "the unit or the order already has a loan out", "")
	}
	if depStatus == "held" {
		if err := loanLedger(ctx, tx, r, "payment", in.Deposit, fmt.Sprintf("%s deposit for loaner %s on order %s", in.DepositMethod,
			in.Serial, o.Number), now); err != nil {
			return Loan{}, err
		}
	}
	l := loanFromRow(r, now)
	if depStatus == "pending" {
		if l.DepositPayURL, err = s.Deposits.OpenLoanDeposit(ctx, tx, r, o); err != nil {
			return Loan{}, err
		}
	}
	if err := orders.Record(ctx, tx, o.ID, orders.Entry{Kind: "loaner", To: "lent", Public: true,
		Data: map[string]any{"loan_id": l.ID, "serial": l.Serial, "due_at": l.DueAt, "deposit": l.Deposit}}); err != nil {
		return Loan{}, err
	}
	return l, tx.Audit(ctx, "loan.lend", "loan", l.ID, nil, l)
}

// loanLedger records a deposit's money (payment or refund) in the ledger, once per loan and
// kind; an online deposit's entry names its Stripe object (payment intent or refund).
func loanLedger(ctx context.Context, tx *tenants.Tx, l db.Loan, kind string, amount int64, memo string, now time.Time) error {
	stripeObject := ""
	if l.DepositMethod == "online" {
		stripeObject = l.StripePaymentIntentID
		if kind == "refund" {
			stripeObject = l.StripeRefundID
		}
	}
	if _, err := tx.Q.InsertLoanLedgerEntry(ctx, tx, db.InsertLoanLedgerEntryParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		Kind: kind, LoanID: uuid.NullUUID{UUID: l.ID, Valid: true}, Amount: amount, Currency: l.Currency, StripeObjectID: stripeObject,
		EffectKey: "loan:" + kind + ":" + l.ID.String(), Memo: memo, OccurredAt: now}); err != nil {
		return fmt.Errorf("ledger of loan: %w", err)
	}
	return nil
}

// askRefund queues the job that asks Stripe to give an online deposit back, in the
// transaction that decided it.
func (s *Service) askRefund(ctx context.Context, tx *tenants.Tx, l db.Loan) error {
	if s.Orders == nil || s.Orders.Jobs == nil {
		return errors.New("loan deposit refund: no job queue")
	}
	if _, err := tx.Insert(ctx, s.Orders.Jobs, LoanRefundArgs{TenantID: tx.Scope.TenantID, LoanID: l.ID}, nil); err != nil {
		return fmt.Errorf("queue loan deposit refund: %w", err)
	}
	return nil
}

// NewDepositLink makes a new Checkout page for an online deposit not paid yet (the old page
// is closed): the customer lost the link, or the page expired.
func (s *Service) NewDepositLink(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Loan, error) {
	r, err := lockLoan(ctx, tx, id, 0)
	if err != nil {
		return Loan{}, err
	}
	if r.DepositStatus != "pending" {
		return Loan{}, &fault.ConflictError{Detail: "the loan's deposit is " + depositWord(r) + ": there is nothing to pay online"}
	}
	if s.Deposits == nil {
		return Loan{}, &fault.ConflictError{Detail: "online payments are not set up here"}
	}
	o, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: tx.Scope.TenantID, ID: r.OrderID})
	if err != nil {
		return Loan{}, fault.DBError(err, "", "")
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Loan{}, err
	}
	l := loanFromRow(r, now)
	if l.DepositPayURL, err = s.Deposits.OpenLoanDeposit(ctx, tx, r, o); err != nil {
		return Loan{}, err
	}
	return l, tx.Audit(ctx, "loan.deposit_link", "loan", l.ID, nil, l)
}

// RetryDepositRefund asks Stripe again for an online deposit's refund that it refused.
func (s *Service) RetryDepositRefund(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32) (Loan, error) {
	r, err := lockLoan(ctx, tx, id, version)
	if err != nil {
		return Loan{}, err
	}
	if r.DepositStatus != "refund_failed" {
		return Loan{}, &fault.ConflictError{Detail: "the loan's deposit is " + depositWord(r) + ": only a refund Stripe refused is asked again"}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Loan{}, err
	}
	row, err := tx.Q.MoveLoanDeposit(ctx, tx, db.MoveLoanDepositParams{TenantID: tx.Scope.TenantID, ID: r.ID, FromStatus: "refund_failed",
		ToStatus: "refunding", ClearRefund: true, Now: now})
	if err != nil {
		return Loan{}, fault.StaleIfMissing(err)
	}
	if err := s.askRefund(ctx, tx, row); err != nil {
		return Loan{}, err
	}
	l := loanFromRow(row, now)
	return l, tx.Audit(ctx, "loan.deposit_refund_retry", "loan", l.ID, loanFromRow(r, now), l)
}

func depositWord(r db.Loan) string {
	if r.DepositStatus == "" {
		return "none"
	}
	return strings.ReplaceAll(r.DepositStatus, "_", " ")
}

// DepositMismatch is a Stripe payment or refund that disagrees with the loan it names (an
// amount or currency other than the deposit's, a payment after the unit came back unpaid):
// nothing of it is applied, and billing reports it for a person to look at.
type DepositMismatch struct{ Detail string }

func (e *DepositMismatch) Error() string { return e.Detail }

// DepositPaid records Stripe's confirmation of an online deposit: the deposit is held and the
// ledger has its payment, once however often Stripe says so. at is when the money came in.
func DepositPaid(ctx context.Context, tx *tenants.Tx, id uuid.UUID, intent string, amount int64, currency string, at time.Time) (string, error) {
	r, err := tx.Q.LockLoan(ctx, tx, db.LockLoanParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return "", &DepositMismatch{"names loan " + id.String() + ", which the tenant does not have"}
	}
	switch {
	case r.DepositMethod != "online":
		return "", &DepositMismatch{"names loan " + id.String() + ", whose deposit is not paid online"}
	case !strings.EqualFold(currency, r.Currency) || amount != r.Deposit:
		return "", &DepositMismatch{fmt.Sprintf("paid %d %s for the deposit of loan %s, which is %d %s", amount, currency, id, r.Deposit, r.Currency)}
	case r.StripePaymentIntentID != "" && intent != "" && r.StripePaymentIntentID != intent:
		return "", &DepositMismatch{fmt.Sprintf("payment intent %s paid the deposit of loan %s, which %s paid", intent, id, r.StripePaymentIntentID)}
	case r.DepositStatus == "unpaid":
		return "", &DepositMismatch{"paid the deposit of loan " + id.String() + " after the unit came back unpaid: give it back in Stripe"}
	case r.DepositStatus != "pending":
		return "loan deposit already recorded", nil
	}
	row, err := tx.Q.MoveLoanDeposit(ctx, tx, db.MoveLoanDepositParams{TenantID: tx.Scope.TenantID, ID: r.ID, FromStatus: "pending",
		ToStatus: "held", PaymentIntentID: intent, Now: at})
	if err != nil {
		return "", fmt.Errorf("loan deposit paid: %w", err)
	}
	o, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: tx.Scope.TenantID, ID: r.OrderID})
	if err != nil {
		return "", fmt.Errorf("order of loan: %w", err)
	}
	if err := loanLedger(ctx, tx, row, "payment", row.Deposit, fmt.Sprintf("online deposit for loaner %s on order %s", row.Serial, o.Number), at); err != nil {
		return "", err
	}
	if err := orders.Record(ctx, tx, r.OrderID, orders.Entry{Kind: "loaner", From: "lent", To: "deposit_paid", Public: true,
		Data: map[string]any{"loan_id": r.ID, "serial": r.Serial, "deposit": r.Deposit}}); err != nil {
		return "", err
	}
	return fmt.Sprintf("loan deposit of %d recorded", amount), tx.Audit(ctx, "loan.deposit_paid", "loan", r.ID, nil, loanFromRow(row, at))
}

// DepositRefunded applies Stripe's answer about an online deposit's refund: succeeded gives
// it back (the ledger's refund, once), failed or canceled leaves it for staff to ask again;
// another status is awaited.
func DepositRefunded(ctx context.Context, tx *tenants.Tx, id uuid.UUID, status, refundID string, at time.Time) (string, error) {
	r, err := tx.Q.LockLoan(ctx, tx, db.LockLoanParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return "", &DepositMismatch{"names loan " + id.String() + ", which the tenant does not have"}
	}
	if r.DepositStatus != "refunding" {
		return "loan deposit refund: the deposit is " + depositWord(r), nil
	}
	if refundID != "" && r.StripeRefundID != "" && refundID != r.StripeRefundID {
		return "loan deposit refund: news of an earlier refund (" + refundID + "), not the one asked", nil
	}
	var to string
	switch status {
	case "succeeded":
		to = "refunded"
	case "failed", "canceled":
		to = "refund_failed"
	default:
		if refundID != "" && r.StripeRefundID != refundID {
			_, err := tx.Q.MoveLoanDeposit(ctx, tx, db.MoveLoanDepositParams{TenantID: tx.Scope.TenantID, ID: r.ID, FromStatus: "refunding",
				ToStatus: "refunding", RefundID: refundID, Now: at})
			return "loan deposit refund " + status + ": awaiting Stripe", err
		}
		return "loan deposit refund " + status + ": awaiting Stripe", nil
	}
	row, err := tx.Q.MoveLoanDeposit(ctx, tx, db.MoveLoanDepositParams{TenantID: tx.Scope.TenantID, ID: r.ID, FromStatus: "refunding",
		ToStatus: to, RefundID: refundID, Now: at})
	if err != nil {
		return "", fmt.Errorf("loan deposit refund: %w", err)
	}
	if to == "refund_failed" {
		return "loan deposit refund " + status, tx.Audit(ctx, "loan.deposit_refund_failed", "loan", r.ID, nil, loanFromRow(row, at))
	}
	o, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: tx.Scope.TenantID, ID: r.OrderID})
	if err != nil {
		return "", fmt.Errorf("order of loan: %w", err)
	}
	if err := loanLedger(ctx, tx, row, "refund", -row.Deposit, fmt.Sprintf("online deposit for loaner %s on order %s given back",
		row.Serial, o.Number), at); err != nil {
		return "", err
	}
	if err := orders.Record(ctx, tx, r.OrderID, orders.Entry{Kind: "loaner", From: "returned", To: "deposit_refunded", Public: true,
		Data: map[string]any{"loan_id": r.ID, "serial": r.Serial, "deposit": r.Deposit}}); err != nil {
		return "", err
	}
	return "loan deposit refund recorded", tx.Audit(ctx, "loan.deposit_refunded", "loan", r.ID, nil, loanFromRow(row, at))
}

// LoanReturnInput takes a loaner unit back.
type LoanReturnInput struct {
	ConditionNote string `json:"condition_note" minLength:"1" maxLength:"1000" doc:"The unit's condition as it came back"`
	Deposit       string `json:"deposit,omitempty" doc:"With a deposit held: give it back (refund) or keep it (with a reason)"`
	Reason        string `json:"reason,omitempty" maxLength:"1000" doc:"Why the deposit is kept"`
}

// lockLoan reads a loan for a change and checks the caller's version (0: any).
func lockLoan(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32) (db.Loan, error) {
	r, err := tx.Q.LockLoan(ctx, tx, db.LockLoanParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return db.Loan{}, fault.DBError(err, "", "")
	}
	if version != 0 && r.Version != version {
		return db.Loan{}, fault.ErrStale
	}
	return r, nil
}

// ReturnLoan takes the unit back into the warehouse it was lent from (loan_return) and settles
// the deposit: refunded (a refund entry in the ledger) or kept with a reason.
func (s *Service) ReturnLoan(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in LoanReturnInput) (Loan, error) {
	in.ConditionNote, in.Reason = strings.TrimSpace(in.ConditionNote), strings.TrimSpace(in.Reason)
	if in.ConditionNote == "" {
		return Loan{}, fault.Invalid("condition_note", "say in what condition the unit came back")
	}
	r, err := lockLoan(ctx, tx, id, version)
	if err != nil {
		return Loan{}, err
	}
	if r.Status != "out" {
		return Loan{}, &fault.ConflictError{Detail: "the loaner unit " + r.Serial + " was already returned"}
	}
	depStatus := ""
	switch {
	case r.Deposit == 0 && in.Deposit != "":
		return Loan{}, fault.Invalid("deposit", "there is no deposit on this loan")
	case r.DepositStatus == "pending" && in.Deposit != "":
		return Loan{}, fault.Invalid("deposit", "the online deposit was never paid: there is nothing to refund or keep")
	case r.DepositStatus == "pending":
		// The unit is back before the deposit was paid: its page is closed first, so it
		// cannot be paid later (a payment that just went through is a conflict: its
		// confirmation waits for this loan's lock and makes the deposit held).
		if in.Reason != "" {
			return Loan{}, fault.Invalid("reason", "is only for a deposit kept")
		}
		if err := s.Deposits.CloseLoanDeposit(ctx, tx, r); err != nil {
			return Loan{}, err
		}
		depStatus = "unpaid"
	case r.Deposit > 0 && in.Deposit == "refund":
		depStatus = "refunded"
		if r.DepositMethod == "online" {
			depStatus = "refunding" // asked of Stripe by a job, below
		}
		if in.Reason != "" {
			return Loan{}, fault.Invalid("reason", "is only for a deposit kept")
		}
	case r.Deposit > 0 && in.Deposit == "keep":
		depStatus = "kept"
		if in.Reason == "" {
			return Loan{}, fault.Invalid("reason", "say why the deposit is kept")
		}
	case r.Deposit > 0:
		return Loan{}, fault.Invalid("deposit", "say whether the deposit is refunded or kept")
	case in.Reason != "":
		return Loan{}, fault.Invalid("reason", "is only for a deposit kept")
	}
	o, err := tx.Q.GetOrderForUpdate(ctx, tx, db.GetOrderForUpdateParams{TenantID: tx.Scope.TenantID, ID: r.OrderID})
	if err != nil {
		return Loan{}, fault.DBError(err, "", "")
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Loan{}, err
	}
	if _, _, err := post(ctx, tx, posting{Key: "loan:" + r.ID.String() + ":return", Type: "loan_return", WarehouseID: r.WarehouseID,
		PartID: r.PartID, Qty: 1, Serial: r.Serial, OrderID: uuid.NullUUID{UUID: r.OrderID, Valid: true},
		Reason: "returned from order " + o.Number}); err != nil {
		return Loan{}, err
	}
	row, err := tx.Q.ReturnLoan(ctx, tx, db.ReturnLoanParams{TenantID: tx.Scope.TenantID, ID: r.ID, ConditionNote: in.ConditionNote,
		DepositStatus: depStatus, DepositReason: in.Reason, ReturnedBy: tx.Scope.Actor.Label, Now: now})
	if err != nil {
		return Loan{}, fault.StaleIfMissing(err)
	}
	switch depStatus {
	case "refunded":
		if err := loanLedger(ctx, tx, row, "refund", -row.Deposit, fmt.Sprintf("%s deposit for loaner %s on order %s given back",
			row.DepositMethod, row.Serial, o.Number), now); err != nil {
			return Loan{}, err
		}
	case "refunding":
		if err := s.askRefund(ctx, tx, row); err != nil {
			return Loan{}, err
		}
	}
	l := loanFromRow(row, now)
	if err := orders.Record(ctx, tx, o.ID, orders.Entry{Kind: "loaner", From: "lent", To: "returned", Public: true, Reason: in.Reason,
		Data: map[string]any{"loan_id": l.ID, "serial": l.Serial, "condition_note": l.ConditionNote, "deposit": depStatus}}); err != nil {
		return Loan{}, err
	}
	return l, tx.Audit(ctx, "loan.return", "loan", l.ID, loanFromRow(r, now), l)
}

// WaiveLoan lets the order's unit be handed over while its loaner is still out: a manager's
// decision with a reason, recorded on the order's timeline. The loan stays out (and overdue
// reminders still go out) until the unit comes back.
func (s *Service) WaiveLoan(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, reason string) (Loan, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Loan{}, fault.Invalid("reason", "say why the order may be handed over without the loaner back")
	}
	r, err := lockLoan(ctx, tx, id, version)
	if err != nil {
		return Loan{}, err
	}
	if r.Status != "out" {
		return Loan{}, &fault.ConflictError{Detail: "the loaner unit " + r.Serial + " is already back; there is nothing to waive"}
	}
	if r.WaivedAt != nil {
		return Loan{}, &fault.ConflictError{Detail: "the return of the loaner unit " + r.Serial + " was already waived"}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Loan{}, err
	}
	row, err := tx.Q.WaiveLoan(ctx, tx, db.WaiveLoanParams{TenantID: tx.Scope.TenantID, ID: r.ID, WaiveReason: reason,
		WaivedBy: tx.Scope.Actor.Label, Now: now})
	if err != nil {
		return Loan{}, fault.StaleIfMissing(err)
	}
	l := loanFromRow(row, now)
	if err := orders.Record(ctx, tx, r.OrderID, orders.Entry{Kind: "loaner", From: "lent", To: "waived", Reason: reason,
		Data: map[string]any{"loan_id": l.ID, "serial": l.Serial}}); err != nil {
		return Loan{}, err
	}
	return l, tx.Audit(ctx, "loan.waive", "loan", l.ID, loanFromRow(r, now), l)
}

// GetLoan returns one loan in scope.
func GetLoan(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Loan, error) {
	r, err := tx.Q.GetLoan(ctx, tx, db.GetLoanParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Loan{}, fault.DBError(err, "", "")
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Loan{}, err
	}
	return loanFromRow(r, now), nil
}

// OrderLoans lists an order's loans, newest first (the order must be in scope).
func OrderLoans(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]Loan, error) {
	if _, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: tx.Scope.TenantID, ID: orderID}); err != nil {
		return nil, fault.DBError(err, "", "")
	}
	rows, err := tx.Q.ListOrderLoans(ctx, tx, db.ListOrderLoansParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("loans of order: %w", err)
	}
	return loansFromRows(ctx, tx, rows)
}

func loansFromRows(ctx context.Context, tx *tenants.Tx, rows []db.Loan) ([]Loan, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Loan, len(rows))
	for i, r := range rows {
		out[i] = loanFromRow(r, now)
	}
	return out, nil
}

// LoanFilter narrows the loans list.
type LoanFilter struct {
	Status string // out, overdue, returned; empty: all
	Outlet uuid.NullUUID
	Order  uuid.NullUUID
	Serial string
	Before uuid.NullUUID
	Limit  int32
}

// ListLoans lists the loans in scope, newest first.
func ListLoans(ctx context.Context, tx *tenants.Tx, f LoanFilter) ([]Loan, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return nil, err
	}
	p := db.ListLoansParams{TenantID: tx.Scope.TenantID, Now: now, OutletID: f.Outlet, OrderID: f.Order, Before: f.Before, Lim: f.Limit}
	if f.Status != "" {
		p.Status = &f.Status
	}
	if f.Serial != "" {
		p.Serial = &f.Serial
	}
	rows, err := tx.Q.ListLoans(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list loans: %w", err)
	}
	return loansFromRows(ctx, tx, rows)
}

// RemindOverdue tells the customer of each loan past due (on the tenant's clock, so a sandbox
// tenant's advanced clock counts) that the unit is due back, once per loan: the reminder is
// marked in the same transaction as its event. It returns how many were reminded.
func RemindOverdue(ctx context.Context, tx *tenants.Tx, jobs events.Inserter) (int, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return 0, err
	}
	rows, err := tx.Q.DueLoans(ctx, tx, db.DueLoansParams{TenantID: tx.Scope.TenantID, Now: now, Lim: 500})
	if err != nil {
		return 0, fmt.Errorf("due loans: %w", err)
	}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		marked, err := tx.Q.MarkLoanReminded(ctx, tx, db.MarkLoanRemindedParams{TenantID: tx.Scope.TenantID, ID: r.ID, Now: now})
		if err != nil {
			return n, fmt.Errorf("mark loan reminded: %w", err)
		}
		if marked == 0 {
			continue
		}
		o, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: tx.Scope.TenantID, ID: r.OrderID})
		if err != nil {
			return n, fmt.Errorf("order of loan: %w", err)
		}
		outlet := uuid.Nil
		if r.OutletID.Valid {
			outlet = r.OutletID.UUID
		}
		if _, err := events.Emit(ctx, tx, jobs, notify.LoanerOverdue, "loan", r.ID, outlet, map[string]any{
			"loan_id": r.ID, "order_id": r.OrderID, "serial": r.Serial, "due_at": r.DueAt,
			"recipients": []notify.Recipient{notify.Customer(r.CustomerID)},
			"vars": map[string]string{"order_number": o.Number, "serial": r.Serial,
				"due_date": r.DueAt.In(loc).Format("2006-01-02 15:04")},
		}); err != nil {
			return n, err
		}
		if err := orders.Record(ctx, tx, r.OrderID, orders.Entry{Kind: "loaner", From: "lent", To: "reminded",
			Data: map[string]any{"loan_id": r.ID, "serial": r.Serial}}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// LoanRemindEvery is how often the overdue job looks at every tenant's loans.
const LoanRemindEvery = 15 * time.Minute

// LoanRemindArgs reminds every tenant's customers of overdue loaners.
type LoanRemindArgs struct{}

// Kind names the job.
func (LoanRemindArgs) Kind() string { return "stock_loan_reminders" }

// LoanRemindWorker runs LoanRemindArgs.
type LoanRemindWorker struct {
	river.WorkerDefaults[LoanRemindArgs]
	DB  *tenants.DB
	Log *slog.Logger
}

// Work reminds each tenant's overdue loans in turn; one tenant's failure does not stop the
// others. The events go out through the job's client, in each tenant's transaction.
func (w *LoanRemindWorker) Work(ctx context.Context, _ *river.Job[LoanRemindArgs]) error {
	jobs, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("loan reminders: no job client: %w", err)
	}
	return RemindAllOverdue(ctx, w.DB, jobs, w.Log)
}

// RemindAllOverdue runs RemindOverdue for every tenant, each in its own transaction.
func RemindAllOverdue(ctx context.Context, d *tenants.DB, jobs events.Inserter, log *slog.Logger) error {
	var errs []error
	after := uuid.NullUUID{}
	for {
		list, err := d.ListTenants(ctx, after, 200)
		if err != nil {
			return err
		}
		for _, t := range list {
			err := d.Tx(ctx, tenants.Scope{TenantID: t.ID, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
				_, err := RemindOverdue(ctx, tx, jobs)
				return err
			})
			if err != nil {
				log.ErrorContext(ctx, "loan reminders", "tenant", t.ID, "err", err)
				errs = append(errs, fmt.Errorf("tenant %s: %w", t.ID, err))
			}
		}
		if len(list) < 200 {
			return errors.Join(errs...)
		}
		after = uuid.NullUUID{UUID: list[len(list)-1].ID, Valid: true}
	}
}
