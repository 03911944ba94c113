package claims

// Statements: approved claims gather into a monthly statement per counterparty, payable at
// the payer and receivable at a partner claimant; payments are recorded against it. The
// payer decides: a claim joins the payer's statement of the month it became settleable (in
// the payer's zone), and a partner's claim and every payment travel to the claimant as
// messages, which keeps its own copy of the statement under the same id.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Directions of a statement, as a tenant keeps it.
const (
	DirectionReceivable = "receivable" // 应收: a partner owes us for our claims
	DirectionPayable    = "payable"    // 应付: we owe a partner (or our outlet) for its claims
)

// StatementDirections lists the directions.
var StatementDirections = []string{DirectionReceivable, DirectionPayable}

// Statement statuses, by what was paid of it.
const (
	StatementOpen       = "open"
	StatementPartlyPaid = "partly_paid"
	StatementPaid       = "paid"
)

// StatementStatuses lists the statement statuses.
var StatementStatuses = []string{StatementOpen, StatementPartlyPaid, StatementPaid}

// Message kinds of statements between tenants.
const (
	KindStatementClaim   = "claim.statement.added"
	KindStatementPayment = "claim.statement.paid"
)

// Events of statements.
const (
	EventStatementClaim   = "claim.statement.added"
	EventStatementPayment = "claim.statement.paid"
)

// StatementLine is a claim settled in a statement, at its approved amount.
type StatementLine struct {
	ClaimID uuid.UUID `json:"claim_id"`
	OrderID uuid.UUID `json:"order_id"`
	Number  string    `json:"number" doc:"The claim's number"`
	Amount  int64     `json:"amount" doc:"The approved amount, minor units"`
}

// StatementPayment is a payment against a statement.
type StatementPayment struct {
	ID         uuid.UUID `json:"id"`
	Reference  string    `json:"reference" doc:"The bank reference of the transfer"`
	Amount     int64     `json:"amount" doc:"Minor units"`
	PaidOn     string    `json:"paid_on" doc:"The day it was paid, YYYY-MM-DD"`
	Note       string    `json:"note,omitempty"`
	RecordedBy string    `json:"recorded_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Statement is a month's settled claims with one counterparty, as this tenant keeps it.
type Statement struct {
	ID                   uuid.UUID          `json:"id"`
	Direction            string             `json:"direction" doc:"receivable (应收: our claims, owed to us) or payable (应付: claims on us)"`
	Number               string             `json:"number"`
	Period               string             `json:"period" doc:"The month, YYYY-MM"`
	AgreementID          *uuid.UUID         `json:"agreement_id,omitempty"`
	CounterpartyTenantID *uuid.UUID         `json:"counterparty_tenant_id,omitempty"`
	OutletID             *uuid.UUID         `json:"outlet_id,omitempty" doc:"Our outlet the statement pays (its own work)"`
	CounterpartyName     string             `json:"counterparty_name,omitempty"`
	Currency             string             `json:"currency"`
	Amount               int64              `json:"amount" doc:"The approved claims' total, minor units"`
	Paid                 int64              `json:"paid" doc:"Paid so far, minor units"`
	Outstanding          int64              `json:"outstanding" doc:"Amount less paid"`
	Claims               int32              `json:"claims" doc:"How many claims"`
	Status               string             `json:"status" doc:"open, partly_paid or paid"`
	Lines                []StatementLine    `json:"lines,omitempty" doc:"The claims (one statement's read, not the list)"`
	Payments             []StatementPayment `json:"payments,omitempty" doc:"The payments (one statement's read, not the list)"`
	Version              int32              `json:"version"`
	CreatedAt            time.Time          `json:"created_at"`
	UpdatedAt            time.Time          `json:"updated_at"`
}

func statementFromRow(r db.ClaimStatement) Statement {
	return Statement{ID: r.ID, Direction: r.Direction, Number: r.Number, Period: r.Period.Format("2006-01"),
		AgreementID: idPtr(r.AgreementID), CounterpartyTenantID: idPtr(r.CounterpartyTenantID), OutletID: idPtr(r.OutletID),
		CounterpartyName: r.CounterpartyName, Currency: r.Currency, Amount: r.Amount, Paid: r.Paid, Outstanding: r.Amount - r.Paid,
		Claims: r.Claims, Status: r.Status, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func statusOf(amount, paid int64) string {
	switch {
	case paid == 0:
		return StatementOpen
	case paid < amount:
		return StatementPartlyPaid
	default:
		return StatementPaid
	}
}

// statementAddedBody tells the claimant which statement of the payer its claim joined.
type statementAddedBody struct {
	StatementID uuid.UUID `json:"statement_id"`
	Number      string    `json:"number"`
	Period      string    `json:"period"`
	Currency    string    `json:"currency"`
	ClaimID     uuid.UUID `json:"claim_id"`
	Amount      int64     `json:"amount"`
}

// statementPaidBody is a payment the payer recorded against a statement.
type statementPaidBody struct {
	StatementID uuid.UUID `json:"statement_id"`
	PaymentID   uuid.UUID `json:"payment_id"`
	Reference   string    `json:"reference"`
	Amount      int64     `json:"amount"`
	PaidOn      string    `json:"paid_on"`
	Note        string    `json:"note,omitempty"`
}

// month is the first day of the month of t in the tenant's zone.
func month(ctx context.Context, tx *tenants.Tx, t time.Time) (time.Time, error) {
	tn, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	loc, err := time.LoadLocation(tn.Timezone)
	if err != nil {
		loc = time.UTC
	}
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, time.UTC), nil
}

// settle puts a claim the payer side has settled (approved, or an adjustment accepted) into
// the payer's statement of the month with its counterparty, and tells a partner claimant.
// A claim settled for nothing (an accepted rejection) joins no statement.
func (s *Service) settle(ctx context.Context, tx *tenants.Tx, c Claim) error {
	if c.Side == SideClaimant || c.Approved == 0 {
		return nil
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	period, err := month(ctx, tx, now)
	if err != nil {
		return err
	}
	key := db.StatementOfKeyParams{TenantID: tx.Scope.TenantID, Direction: DirectionPayable, Period: period, Currency: c.Currency}
	fresh := db.InsertStatementParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), Direction: DirectionPayable, Period: period,
		Currency: c.Currency, CounterpartyName: c.CounterpartyName}
	if c.Side == SidePayer {
		key.AgreementID = uuid.NullUUID{UUID: *c.AgreementID, Valid: true}
		fresh.AgreementID, fresh.CounterpartyTenantID = key.AgreementID, uuid.NullUUID{UUID: *c.CounterpartyTenantID, Valid: true}
	} else {
		key.OutletID = uuid.NullUUID{UUID: *c.OutletID, Valid: true}
		fresh.OutletID = key.OutletID
		o, err := tx.Q.GetOutlet(ctx, tx, db.GetOutletParams{TenantID: tx.Scope.TenantID, ID: *c.OutletID})
		if err != nil {
			return fmt.Errorf("outlet %s: %w", *c.OutletID, err)
		}
		fresh.CounterpartyName = o.Name
	}
	st, err := s.statementFor(ctx, tx, key, fresh)
	if err != nil {
		return err
	}
	st, err = addLine(ctx, tx, st, c.ID, c.OrderID, c.Number, c.Approved, now)
	if err != nil {
		return err
	}
	if err := s.statementStep(ctx, tx, st, EventStatementClaim, map[string]any{"claim_id": c.ID, "claim_amount": c.Approved}); err != nil {
		return err
	}
	if c.Side != SidePayer {
		return nil
	}
	return s.Network.Send(ctx, tx, *c.AgreementID, KindStatementClaim, statementAddedBody{StatementID: st.ID, Number: st.Number,
		Period: period.Format("2006-01"), Currency: st.Currency, ClaimID: c.ID, Amount: c.Approved})
}

// statementFor is the statement of a key, made if there is none yet.
func (s *Service) statementFor(ctx context.Context, tx *tenants.Tx, key db.StatementOfKeyParams, fresh db.InsertStatementParams) (db.ClaimStatement, error) {
	st, err := tx.Q.StatementOfKey(ctx, tx, key)
	if err == nil {
		return st, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return db.ClaimStatement{}, fmt.Errorf("statement of %s: %w", key.Period.Format("2006-01"), err)
	}
	fresh.Number = statementNumber(fresh.Direction, fresh.Period, fresh.ID)
	st, err = tx.Q.InsertStatement(ctx, tx, fresh)
	if errors.Is(err, pgx.ErrNoRows) {
		// Another settlement made the month's statement since we looked: take it (the
		// insert waited for that transaction, so it is committed and visible now).
		if st, err = tx.Q.StatementOfKey(ctx, tx, key); err != nil {
			return db.ClaimStatement{}, fmt.Errorf("statement of %s made concurrently: %w", key.Period.Format("2006-01"), err)
		}
		return st, nil
	}
	if err != nil {
		return db.ClaimStatement{}, fmt.Errorf("make statement: %w", err)
	}
	return st, tx.Audit(ctx, "claim_statement.create", "claim_statement", st.ID, nil, statementFromRow(st))
}

func statementNumber(direction string, period time.Time, id uuid.UUID) string {
	p := "AP"
	if direction == DirectionReceivable {
		p = "AR"
	}
	return fmt.Sprintf("%s-%s-%s", p, period.Format("200601"), strings.ToUpper(id.String()[:8]))
}

// addLine adds a claim to a locked statement at its amount; a claim is in one statement at
// most, and adding it again changes nothing.
func addLine(ctx context.Context, tx *tenants.Tx, st db.ClaimStatement, claim, order uuid.UUID, number string, amount int64, now time.Time) (db.ClaimStatement, error) {
	n, err := tx.Q.InsertStatementLine(ctx, tx, db.InsertStatementLineParams{TenantID: tx.Scope.TenantID, ClaimID: claim,
		StatementID: st.ID, OrderID: order, Number: number, Amount: amount})
	if err != nil {
		return st, fmt.Errorf("add claim %s to statement %s: %w", number, st.Number, err)
	}
	if n == 0 {
		return st, nil
	}
	amt := st.Amount + amount
	return tx.Q.SaveStatementTotals(ctx, tx, db.SaveStatementTotalsParams{TenantID: tx.Scope.TenantID, ID: st.ID, Amount: amt,
		Paid: st.Paid, Claims: st.Claims + 1, Status: statusOf(amt, st.Paid), UpdatedAt: now})
}

// statementStep records a statement's step as an event of the tenant (signed webhooks).
func (s *Service) statementStep(ctx context.Context, tx *tenants.Tx, st db.ClaimStatement, event string, extra map[string]any) error {
	if s.Jobs == nil {
		return nil
	}
	data := map[string]any{"statement_id": st.ID, "number": st.Number, "direction": st.Direction, "period": st.Period.Format("2006-01"),
		"amount": st.Amount, "paid": st.Paid, "status": st.Status, "currency": st.Currency}
	for k, v := range extra {
		data[k] = v
	}
	_, err := s.emit(ctx, tx, event, "claim_statement", st.ID, data)
	return err
}

// applyStatementClaim records, on the claimant's copy of the payer's statement, that the
// payer settled one of our claims in it.
func (s *Service) applyStatementClaim(ctx context.Context, tx *tenants.Tx, a db.PartnerAgreement, m db.NetworkInbox) error {
	var b statementAddedBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return network.Refuse("statement body: %v", err)
	}
	c, err := tx.Q.GetClaim(ctx, tx, db.GetClaimParams{TenantID: tx.Scope.TenantID, ID: b.ClaimID})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (c.Side != SideClaimant || c.AgreementID.UUID != a.ID)) {
		return network.Refuse("claim %s was not made to this partner under the agreement", b.ClaimID)
	}
	if err != nil {
		return fmt.Errorf("claim %s: %w", b.ClaimID, err)
	}
	if (c.Status != StatusApproved && c.Status != StatusAccepted) || c.Approved != b.Amount || b.Currency != c.Currency {
		return network.Refuse("claim %s is %s, approved for %d %s; a settlement of %d %s does not apply", c.Number, c.Status,
			c.Approved, c.Currency, b.Amount, b.Currency)
	}
	period, err := time.Parse("2006-01", b.Period)
	if err != nil {
		return network.Refuse("statement period %q: %v", b.Period, err)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	st, err := tx.Q.LockStatement(ctx, tx, db.LockStatementParams{TenantID: tx.Scope.TenantID, ID: b.StatementID})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		st, err = tx.Q.InsertStatement(ctx, tx, db.InsertStatementParams{TenantID: tx.Scope.TenantID, ID: b.StatementID,
			Direction: DirectionReceivable, Number: statementNumber(DirectionReceivable, period, b.StatementID), Period: period,
			AgreementID: uuid.NullUUID{UUID: a.ID, Valid: true}, CounterpartyTenantID: uuid.NullUUID{UUID: a.PartnerTenantID, Valid: true},
			CounterpartyName: a.PartnerName, Currency: b.Currency})
		if errors.Is(err, pgx.ErrNoRows) {
			return network.Refuse("a statement of %s with the partner exists under another id than %s", b.Period, b.StatementID)
		}
		if err != nil {
			return fmt.Errorf("make statement %s: %w", b.StatementID, err)
		}
		if err := tx.Audit(ctx, "claim_statement.create", "claim_statement", st.ID, nil, statementFromRow(st)); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("statement %s: %w", b.StatementID, err)
	case st.Direction != DirectionReceivable || st.AgreementID.UUID != a.ID || st.Currency != b.Currency:
		return network.Refuse("statement %s is not this partner's statement to us", b.StatementID)
	}
	if st, err = addLine(ctx, tx, st, c.ID, c.OrderID, c.Number, b.Amount, now); err != nil {
		return err
	}
	return s.statementStep(ctx, tx, st, EventStatementClaim, map[string]any{"claim_id": c.ID, "claim_amount": b.Amount})
}

// PaymentInput records a payment against a statement.
type PaymentInput struct {
	Reference string `json:"reference" minLength:"1" maxLength:"100" doc:"The bank reference of the transfer"`
	Amount    int64  `json:"amount" minimum:"1" doc:"Minor units; at most what is outstanding"`
	PaidOn    string `json:"paid_on" doc:"The day it was paid, YYYY-MM-DD"`
	Note      string `json:"note,omitempty" maxLength:"500"`
}

// Pay records a payment against one of our payable statements: a part or all of what is
// outstanding (more is refused at amount), a ledger entry paid out, and, to a partner, a
// message the partner's receivable copy applies. A bank reference is used once per statement.
func (s *Service) Pay(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in PaymentInput) (Statement, error) {
	in.Reference, in.Note = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Note)
	if in.Reference == "" {
		return Statement{}, fault.Invalid("reference", "give the bank reference of the payment")
	}
	if in.Amount <= 0 {
		return Statement{}, fault.Invalid("amount", "must be more than 0")
	}
	paidOn, err := time.Parse(time.DateOnly, in.PaidOn)
	if err != nil {
		return Statement{}, fault.Invalid("paid_on", "must be a day, YYYY-MM-DD")
	}
	st, err := tx.Q.LockStatement(ctx, tx, db.LockStatementParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Statement{}, fault.DBError(err, "", "")
	}
	if version != 0 && st.Version != version {
		return Statement{}, fault.ErrStale
	}
	if st.Direction != DirectionPayable {
		return Statement{}, &fault.ConflictError{Detail: "statement " + st.Number + " is owed to us; the partner records its payments, which arrive as messages"}
	}
	if out := st.Amount - st.Paid; in.Amount > out {
		return Statement{}, fault.Invalid("amount", fmt.Sprintf("is more than the %d outstanding of statement %s", out, st.Number))
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Statement{}, err
	}
	if paidOn.After(now.AddDate(0, 0, 1)) {
		return Statement{}, fault.Invalid("paid_on", "must not be in the future")
	}
	p, err := tx.Q.InsertStatementPayment(ctx, tx, db.InsertStatementPaymentParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		StatementID: st.ID, Reference: in.Reference, Amount: in.Amount, PaidOn: paidOn, Note: in.Note, RecordedBy: tx.Scope.Actor.Label})
	if err != nil {
		if errors.Is(fault.DBError(err, "dup", ""), fault.ErrConflict) {
			return Statement{}, fault.Invalid("reference", "bank reference "+in.Reference+" is recorded on this statement already")
		}
		return Statement{}, fmt.Errorf("record payment: %w", err)
	}
	after, err := s.paid(ctx, tx, st, p, billing.LedgerClaimPayment, -in.Amount, now)
	if err != nil {
		return Statement{}, err
	}
	if st.AgreementID.Valid {
		if err := s.Network.Send(ctx, tx, st.AgreementID.UUID, KindStatementPayment, statementPaidBody{StatementID: st.ID,
			PaymentID: p.ID, Reference: p.Reference, Amount: p.Amount, PaidOn: in.PaidOn, Note: p.Note}); err != nil {
			return Statement{}, err
		}
	}
	return GetStatement(ctx, tx, after.ID)
}

// paid writes a recorded payment's effects: the statement's totals, the ledger, the audit
// and the event.
func (s *Service) paid(ctx context.Context, tx *tenants.Tx, st db.ClaimStatement, p db.ClaimStatementPayment, kind string, signed int64, now time.Time) (db.ClaimStatement, error) {
	paid := st.Paid + p.Amount
	after, err := tx.Q.SaveStatementTotals(ctx, tx, db.SaveStatementTotalsParams{TenantID: tx.Scope.TenantID, ID: st.ID, Amount: st.Amount,
		Paid: paid, Claims: st.Claims, Status: statusOf(st.Amount, paid), UpdatedAt: now})
	if err != nil {
		return st, fmt.Errorf("statement totals: %w", err)
	}
	memo := fmt.Sprintf("statement %s, bank reference %s", st.Number, p.Reference)
	if err := billing.RecordClaimSettlement(ctx, tx, kind, signed, st.Currency, "claim-statement-payment:"+p.ID.String(), memo, now); err != nil {
		return st, err
	}
	if err := tx.Audit(ctx, "claim_statement.pay", "claim_statement", st.ID, statementFromRow(st), statementFromRow(after)); err != nil {
		return st, err
	}
	return after, s.statementStep(ctx, tx, after, EventStatementPayment, map[string]any{"payment_id": p.ID, "reference": p.Reference,
		"payment_amount": p.Amount, "paid_on": p.PaidOn.Format(time.DateOnly)})
}

// applyStatementPayment records, on the claimant's receivable copy, a payment the payer
// recorded: the same payment id, and a ledger entry received.
func (s *Service) applyStatementPayment(ctx context.Context, tx *tenants.Tx, a db.PartnerAgreement, m db.NetworkInbox) error {
	var b statementPaidBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return network.Refuse("payment body: %v", err)
	}
	st, err := tx.Q.LockStatement(ctx, tx, db.LockStatementParams{TenantID: tx.Scope.TenantID, ID: b.StatementID})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (st.Direction != DirectionReceivable || st.AgreementID.UUID != a.ID)) {
		return network.Refuse("statement %s is not this partner's statement to us", b.StatementID)
	}
	if err != nil {
		return fmt.Errorf("statement %s: %w", b.StatementID, err)
	}
	if _, err := tx.Q.GetStatementPayment(ctx, tx, db.GetStatementPaymentParams{TenantID: tx.Scope.TenantID, ID: b.PaymentID}); err == nil {
		return network.Refuse("payment %s was received already", b.PaymentID)
	}
	paidOn, err := time.Parse(time.DateOnly, b.PaidOn)
	if err != nil || b.Amount <= 0 || b.Amount > st.Amount-st.Paid || strings.TrimSpace(b.Reference) == "" {
		return network.Refuse("payment %s of %d against statement %s (outstanding %d) does not apply", b.PaymentID, b.Amount, st.Number, st.Amount-st.Paid)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	p, err := tx.Q.InsertStatementPayment(ctx, tx, db.InsertStatementPaymentParams{TenantID: tx.Scope.TenantID, ID: b.PaymentID,
		StatementID: st.ID, Reference: b.Reference, Amount: b.Amount, PaidOn: paidOn, Note: b.Note, RecordedBy: a.PartnerName})
	if err != nil {
		return fault.DBError(err, "the payment's bank reference is recorded on the statement already", "")
	}
	_, err = s.paid(ctx, tx, st, p, billing.LedgerClaimReceipt, b.Amount, now)
	return err
}

// GetStatement reads one statement with its claims and payments.
func GetStatement(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Statement, error) {
	r, err := tx.Q.GetStatement(ctx, tx, db.GetStatementParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Statement{}, fault.DBError(err, "", "")
	}
	st := statementFromRow(r)
	lines, err := tx.Q.StatementLines(ctx, tx, db.StatementLinesParams{TenantID: tx.Scope.TenantID, StatementID: id})
	if err != nil {
		return Statement{}, fmt.Errorf("statement lines: %w", err)
	}
	st.Lines = make([]StatementLine, len(lines))
	for i, l := range lines {
		st.Lines[i] = StatementLine{ClaimID: l.ClaimID, OrderID: l.OrderID, Number: l.Number, Amount: l.Amount}
	}
	pays, err := tx.Q.StatementPayments(ctx, tx, db.StatementPaymentsParams{TenantID: tx.Scope.TenantID, StatementID: id})
	if err != nil {
		return Statement{}, fmt.Errorf("statement payments: %w", err)
	}
	st.Payments = make([]StatementPayment, len(pays))
	for i, p := range pays {
		st.Payments[i] = StatementPayment{ID: p.ID, Reference: p.Reference, Amount: p.Amount, PaidOn: p.PaidOn.Format(time.DateOnly),
			Note: p.Note, RecordedBy: p.RecordedBy, CreatedAt: p.CreatedAt}
	}
	return st, nil
}

// StatementFilter narrows the list of statements.
type StatementFilter struct {
	Direction    string
	Status       string
	Period       string // YYYY-MM
	Counterparty uuid.UUID
	After        uuid.UUID
	Limit        int
}

// ListStatements lists the tenant's statements, newest first (without lines and payments).
func ListStatements(ctx context.Context, tx *tenants.Tx, f StatementFilter) ([]Statement, error) {
	p := db.ListStatementsParams{TenantID: tx.Scope.TenantID, Lim: int32(max(1, min(f.Limit, 1000)))}
	if f.Direction != "" {
		if !slices.Contains(StatementDirections, f.Direction) {
			return nil, fault.Invalid("direction", "must be receivable or payable")
		}
		p.Direction = &f.Direction
	}
	if f.Status != "" {
		p.Status = &f.Status
	}
	if f.Period != "" {
		t, err := time.Parse("2006-01", f.Period)
		if err != nil {
			return nil, fault.Invalid("period", "must be a month, YYYY-MM")
		}
		p.Period = &t
	}
	if f.After != uuid.Nil {
		p.After = uuid.NullUUID{UUID: f.After, Valid: true}
	}
	if f.Counterparty != uuid.Nil {
		p.CounterpartyTenantID = uuid.NullUUID{UUID: f.Counterparty, Valid: true}
	}
	tx.PlanForValues()
	rows, err := tx.Q.ListStatements(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list statements: %w", err)
	}
	out := make([]Statement, len(rows))
	for i, r := range rows {
		out[i] = statementFromRow(r)
	}
	return out, nil
}

// SettledTwice is an order of ours that more than one claim was settled for (不结算检查:
// paid twice), with each claim and the statement it is in.
type SettledTwice struct {
	OrderID uuid.UUID          `json:"order_id"`
	Total   int64              `json:"total" doc:"What the claims settle for the order together, minor units"`
	Claims  []SettledTwiceLine `json:"claims"`
}

// SettledTwiceLine is one of the claims settled for an order.
type SettledTwiceLine struct {
	ClaimID          uuid.UUID `json:"claim_id"`
	Number           string    `json:"number"`
	Amount           int64     `json:"amount"`
	StatementID      uuid.UUID `json:"statement_id"`
	StatementNumber  string    `json:"statement_number"`
	StatementStatus  string    `json:"statement_status"`
	CounterpartyName string    `json:"counterparty_name"`
}

// PaidTwice lists the orders of ours more than one claim was settled for in our payable
// statements: the same work paid to our outlet and to a partner, or to two partners.
func PaidTwice(ctx context.Context, tx *tenants.Tx, limit int) ([]SettledTwice, error) {
	rows, err := tx.Q.ClaimsSettledTwice(ctx, tx, db.ClaimsSettledTwiceParams{TenantID: tx.Scope.TenantID, Lim: int32(max(1, min(limit, 5000)))})
	if err != nil {
		return nil, fmt.Errorf("claims settled twice: %w", err)
	}
	out := []SettledTwice{}
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].OrderID != r.OrderID {
			out = append(out, SettledTwice{OrderID: r.OrderID})
		}
		o := &out[len(out)-1]
		o.Total += r.Amount
		o.Claims = append(o.Claims, SettledTwiceLine{ClaimID: r.ClaimID, Number: r.Number, Amount: r.Amount, StatementID: r.StatementID,
			StatementNumber: r.StatementNumber, StatementStatus: r.Status, CounterpartyName: r.CounterpartyName})
	}
	return out, nil
}
