package commission

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// Statement statuses: open (lines are added), approved by the outlet manager, approved by
// finance (locked: later lines go to the next month), paid (the payout recorded).
const (
	StatementOpen            = "open"
	StatementManagerApproved = "manager_approved"
	StatementApproved        = "approved"
	StatementPaid            = "paid"
)

// StatementStatuses lists the statuses, in the order the API documents them.
var StatementStatuses = []string{StatementOpen, StatementManagerApproved, StatementApproved, StatementPaid}

// PayStatement is an engineer's or an outlet's pay of one month: its total and lines, who
// approved it and when, and its payout.
type PayStatement struct {
	ID                uuid.UUID  `json:"id"`
	PartyKind         string     `json:"party_kind"`
	PartyID           uuid.UUID  `json:"party_id"`
	PartyName         string     `json:"party_name,omitempty"`
	OutletID          *uuid.UUID `json:"outlet_id,omitempty"`
	Month             string     `json:"month" doc:"The month, as its first day (2026-11-01)"`
	Currency          string     `json:"currency"`
	Status            string     `json:"status"`
	Total             int64      `json:"total" doc:"Sum of the lines (minor units); negative when deductions exceed pay"`
	LineCount         int        `json:"line_count"`
	ManagerApprovedBy string     `json:"manager_approved_by,omitempty"`
	ManagerApprovedAt *time.Time `json:"manager_approved_at,omitempty"`
	FinanceApprovedBy string     `json:"finance_approved_by,omitempty"`
	FinanceApprovedAt *time.Time `json:"finance_approved_at,omitempty"`
	PaidOn            string     `json:"paid_on,omitempty" format:"date"`
	PaidReference     string     `json:"paid_reference,omitempty"`
	PaidBy            string     `json:"paid_by,omitempty"`
	Version           int32      `json:"version"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	Lines             []PayLine  `json:"lines,omitempty" doc:"Every line, each naming its order, rule and how it was reckoned (one statement only)"`
}

func statementFromRow(r db.PayStatement) PayStatement {
	s := PayStatement{ID: r.ID, PartyKind: r.PartyKind, PartyID: r.PartyID, OutletID: ptr(r.OutletID), Month: r.Month.Format(time.DateOnly),
		Currency: r.Currency, Status: r.Status, Total: r.Total, LineCount: int(r.Lines), ManagerApprovedBy: r.ManagerApprovedBy,
		ManagerApprovedAt: r.ManagerApprovedAt, FinanceApprovedBy: r.FinanceApprovedBy, FinanceApprovedAt: r.FinanceApprovedAt,
		PaidReference: r.PaidReference, PaidBy: r.PaidBy, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.PaidOn != nil {
		s.PaidOn = r.PaidOn.Format(time.DateOnly)
	}
	return s
}

// StatementFilter narrows the statement list; zero values do not filter.
type StatementFilter struct {
	Month     *time.Time
	PartyKind string
	PartyID   uuid.NullUUID
	Status    string
	Outlet    uuid.NullUUID
	BeforeID  uuid.NullUUID
	Limit     int32
}

// ParseMonth reads a month given as 2026-11 or as its first day (2026-11-01).
func ParseMonth(field, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	m, err := time.Parse("2006-01", v)
	if err != nil {
		d, derr := time.Parse(time.DateOnly, v)
		if derr != nil || d.Day() != 1 {
			return nil, fault.Invalid(field, "must be a month, e.g. 2026-11")
		}
		m = d
	}
	return &m, nil
}

// Statements lists statements, newest first, with the party's name (the engineer's or the
// outlet's). Outlet staff see their outlet's (row-level security).
func Statements(ctx context.Context, tx *tenants.Tx, f StatementFilter) ([]PayStatement, error) {
	p := db.ListPayStatementsParams{TenantID: tx.Scope.TenantID, Month: f.Month, PartyID: f.PartyID, OutletID: f.Outlet,
		BeforeID: f.BeforeID, Lim: f.Limit}
	if f.PartyKind != "" {
		p.PartyKind = &f.PartyKind
	}
	if f.Status != "" {
		p.Status = &f.Status
	}
	tx.PlanForValues()
	rows, err := tx.Q.ListPayStatements(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("pay statements: %w", err)
	}
	out := make([]PayStatement, len(rows))
	for i, r := range rows {
		out[i] = statementFromRow(r.PayStatement)
		out[i].PartyName = r.PartyName
	}
	return out, nil
}

// GetStatement reads one statement with all its lines.
func GetStatement(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (PayStatement, error) {
	r, err := tx.Q.GetPayStatement(ctx, tx, db.GetPayStatementParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return PayStatement{}, fault.DBError(err, "", "")
	}
	s := statementFromRow(r.PayStatement)
	s.PartyName = r.PartyName
	rows, err := tx.Q.PayStatementLines(ctx, tx, db.PayStatementLinesParams{TenantID: tx.Scope.TenantID, StatementID: nullID(id)})
	if err != nil {
		return PayStatement{}, fmt.Errorf("statement lines: %w", err)
	}
	s.Lines = make([]PayLine, len(rows))
	for i, l := range rows {
		s.Lines[i] = lineFromRow(l)
	}
	return s, nil
}

// Approve takes a statement one step further: an open one is approved by its outlet's
// manager (or a tenant admin), then finance (or a tenant admin, not the first approver)
// approves it, which locks it. Which role takes which step is checked in the statement's
// update itself against the approver's membership; a person who may not take the step gets
// fault.ErrForbidden, a statement no longer at that step a conflict.
func Approve(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (PayStatement, error) {
	t := tx.Scope.TenantID
	cur, err := tx.Q.GetPayStatement(ctx, tx, db.GetPayStatementParams{TenantID: t, ID: id})
	if err != nil {
		return PayStatement{}, fault.DBError(err, "", "")
	}
	if tx.Scope.UserID == uuid.Nil {
		return PayStatement{}, fmt.Errorf("%w: a statement is approved by a person signed in, not a key", fault.ErrForbidden)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return PayStatement{}, err
	}
	var row db.PayStatement
	var step string
	switch cur.PayStatement.Status {
	case StatementOpen:
		step = "the first approval is the outlet manager's (or a tenant admin's)"
		row, err = tx.Q.ApprovePayStatementAsManager(ctx, tx, db.ApprovePayStatementAsManagerParams{TenantID: t, ID: id,
			Actor: tx.Scope.Actor.Label, UserID: nullID(tx.Scope.UserID), Now: &now})
	case StatementManagerApproved:
		step = "the second approval is finance's (or a tenant admin's), by someone other than the first approver"
		row, err = tx.Q.ApprovePayStatementAsFinance(ctx, tx, db.ApprovePayStatementAsFinanceParams{TenantID: t, ID: id,
			Actor: tx.Scope.Actor.Label, UserID: tx.Scope.UserID, Now: &now})
	default:
		return PayStatement{}, &fault.ConflictError{Detail: "statement is already " + cur.PayStatement.Status}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return PayStatement{}, fmt.Errorf("%w: %s", fault.ErrForbidden, step)
	}
	if err != nil {
		return PayStatement{}, fmt.Errorf("approve statement: %w", err)
	}
	out := statementFromRow(row)
	return out, tx.Audit(ctx, "pay_statement.approve", "pay_statement", id, map[string]string{"status": cur.PayStatement.Status}, map[string]string{"status": row.Status})
}

// Payout records that an approved statement was paid: the day and the bank or payroll
// reference.
type Payout struct {
	PaidOn    string `json:"paid_on" format:"date" doc:"The day the money went out"`
	Reference string `json:"reference" minLength:"1" maxLength:"200" doc:"The bank transfer's or payroll run's reference"`
}

// MarkPaid records the payout of an approved statement, by finance or a tenant admin
// (checked against the person's membership in the update).
func MarkPaid(ctx context.Context, tx *tenants.Tx, id uuid.UUID, in Payout) (PayStatement, error) {
	day, err := time.Parse(time.DateOnly, in.PaidOn)
	if err != nil {
		return PayStatement{}, fault.Invalid("paid_on", "must be a date, e.g. 2026-12-05")
	}
	in.Reference = strings.TrimSpace(in.Reference)
	if in.Reference == "" {
		return PayStatement{}, fault.Invalid("reference", "give the transfer's or payroll run's reference")
	}
	t := tx.Scope.TenantID
	cur, err := tx.Q.GetPayStatement(ctx, tx, db.GetPayStatementParams{TenantID: t, ID: id})
	if err != nil {
		return PayStatement{}, fault.DBError(err, "", "")
	}
	if cur.PayStatement.Status != StatementApproved {
		return PayStatement{}, &fault.ConflictError{Detail: "only an approved statement is paid; this one is " + cur.PayStatement.Status}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return PayStatement{}, err
	}
	row, err := tx.Q.MarkPayStatementPaid(ctx, tx, db.MarkPayStatementPaidParams{TenantID: t, ID: id, PaidOn: &day, PaidReference: in.Reference,
		Actor: tx.Scope.Actor.Label, UserID: tx.Scope.UserID, Now: now})
	if errors.Is(err, pgx.ErrNoRows) {
		return PayStatement{}, fmt.Errorf("%w: payouts are recorded by finance or a tenant admin", fault.ErrForbidden)
	}
	if err != nil {
		return PayStatement{}, fmt.Errorf("record payout: %w", err)
	}
	return statementFromRow(row), tx.Audit(ctx, "pay_statement.paid", "pay_statement", id, nil, in)
}

// OutletPenaltyKinds are the kinds of line the outlet penalties list shows.
var OutletPenaltyKinds = []string{KindBreach, KindCompensate}

// OutletPenalty is one line of an outlet's statement (a breach of the brand's time limits
// or compensation carried back to the outlet), with its outlet and its statement's month
// and status, so the list reads without opening each statement.
type OutletPenalty struct {
	PayLine
	OutletName      string `json:"outlet_name"`
	Month           string `json:"month" doc:"The statement's month, as its first day (2026-11-01)"`
	StatementStatus string `json:"statement_status"`
}

// PenaltyFilter narrows the outlet penalties list; zero values do not filter.
type PenaltyFilter struct {
	Month    *time.Time
	Outlet   uuid.NullUUID
	Status   string
	Kind     string
	BeforeID uuid.NullUUID
	Limit    int32
}

// OutletPenalties lists the lines of outlets' statements, newest first. Outlet staff see
// their outlet's (row-level security).
func OutletPenalties(ctx context.Context, tx *tenants.Tx, f PenaltyFilter) ([]OutletPenalty, error) {
	p := db.ListOutletPenaltiesParams{TenantID: tx.Scope.TenantID, Month: f.Month, OutletID: f.Outlet, BeforeID: f.BeforeID, Lim: f.Limit}
	if f.Status != "" {
		p.Status = &f.Status
	}
	if f.Kind != "" {
		p.Kind = &f.Kind
	}
	tx.PlanForValues()
	rows, err := tx.Q.ListOutletPenalties(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("outlet penalties: %w", err)
	}
	out := make([]OutletPenalty, len(rows))
	for i, r := range rows {
		out[i] = OutletPenalty{PayLine: lineFromRow(r.PayEntry), OutletName: r.OutletName,
			Month: r.StatementMonth.Format(time.DateOnly), StatementStatus: r.StatementStatus}
	}
	return out, nil
}
