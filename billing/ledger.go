package billing

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// LedgerEntry is one money movement of the tenant: signed minor units, + received by the
// tenant (payments), - paid out or given up (refunds, compensation, credits, disputes,
// platform fees).
type LedgerEntry struct {
	ID             uuid.UUID  `json:"id"`
	Kind           string     `json:"kind"`
	PurchaseID     *uuid.UUID `json:"purchase_id,omitempty"`
	Amount         int64      `json:"amount" doc:"Signed minor units"`
	Currency       string     `json:"currency"`
	StripeObjectID string     `json:"stripe_object_id,omitempty"`
	Memo           string     `json:"memo,omitempty"`
	OccurredAt     time.Time  `json:"occurred_at"`
}

// ledger records a movement once: effectKey names the effect (e.g. "payment:pi_123"), so a
// repeated webhook or job adds nothing.
func ledger(ctx context.Context, tx *tenants.Tx, kind string, purchase uuid.UUID, amount int64, currency, stripeID, effectKey, memo string, at time.Time) error {
	_, err := tx.Q.InsertLedgerEntry(ctx, tx, db.InsertLedgerEntryParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), Kind: kind, PurchaseID: nullID(purchase),
		Amount: amount, Currency: strings.ToUpper(currency), StripeObjectID: stripeID, EffectKey: effectKey, Memo: memo, OccurredAt: at})
	return err
}

// ListLedger lists entries that occurred in [from, to), by id.
func ListLedger(ctx context.Context, tx *tenants.Tx, from, to time.Time, after uuid.NullUUID, limit int32) ([]LedgerEntry, error) {
	rows, err := tx.Q.ListLedger(ctx, tx, db.ListLedgerParams{TenantID: tx.Scope.TenantID,
		FromAt: from, ToAt: to, After: after, Lim: limit})
	if err != nil {
		return nil, err
	}
	out := make([]LedgerEntry, len(rows))
	for i, r := range rows {
		out[i] = LedgerEntry{ID: r.ID, Kind: r.Kind, PurchaseID: idPtr(r.PurchaseID), Amount: r.Amount, Currency: r.Currency,
			StripeObjectID: r.StripeObjectID, Memo: r.Memo, OccurredAt: r.OccurredAt}
	}
	return out, nil
}

// WriteLedgerCSV writes the entries of [from, to) as CSV (cells that a spreadsheet would
// run as formulas are escaped).
func WriteLedgerCSV(ctx context.Context, tx *tenants.Tx, from, to time.Time, w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "occurred_at", "kind", "amount_minor", "currency", "purchase_id", "stripe_object_id", "memo"})
	after := uuid.NullUUID{}
	for {
		page, err := ListLedger(ctx, tx, from, to, after, 1000)
		if err != nil {
			return err
		}
		for _, e := range page {
			pid := ""
			if e.PurchaseID != nil {
				pid = e.PurchaseID.String()
			}
			_ = cw.Write([]string{e.ID.String(), e.OccurredAt.UTC().Format(time.RFC3339), e.Kind, strconv.FormatInt(e.Amount, 10),
				e.Currency, pid, cell(e.StripeObjectID), cell(e.Memo)})
		}
		if len(page) < 1000 {
			break
		}
		after = uuid.NullUUID{UUID: page[len(page)-1].ID, Valid: true}
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses spreadsheet formulas.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Mismatch is one ledger entry that Stripe's balance transactions do not confirm.
type Mismatch struct {
	LedgerID       uuid.UUID `json:"ledger_id"`
	StripeObjectID string    `json:"stripe_object_id"`
	Problem        string    `json:"problem"`
	LedgerAmount   int64     `json:"ledger_amount"`
	StripeAmount   int64     `json:"stripe_amount,omitempty"`
	// Resolution is what finance did about the entry, once it is resolved (in this run or
	// another: an entry is resolved once, and every run that reported it shows it).
	Resolution *Resolution `json:"resolution,omitempty"`
}

// Resolution is finance's answer to a mismatch: the ledger or Stripe corrected, the
// difference explained (timing, a fee, a test payment), or written off, with a note.
type Resolution struct {
	Outcome          string    `json:"outcome"`
	Note             string    `json:"note"`
	ReconciliationID uuid.UUID `json:"reconciliation_id" doc:"The run it was resolved from"`
	ResolvedBy       string    `json:"resolved_by"`
	ResolvedAt       time.Time `json:"resolved_at"`
}

// ResolutionOutcomes are the ways a mismatch is resolved (Resolution.Outcome), in the
// order the API documents them.
var ResolutionOutcomes = []string{"corrected", "explained", "written_off"}

// Reconciliation is the result of one check.
type Reconciliation struct {
	ID         uuid.UUID  `json:"id"`
	From       time.Time  `json:"from"`
	To         time.Time  `json:"to"`
	Checked    int        `json:"checked"`
	Matched    int        `json:"matched"`
	Mismatches []Mismatch `json:"mismatches"`
	Open       int        `json:"open" doc:"Mismatches not resolved yet"`
	CreatedAt  time.Time  `json:"created_at"`
}

func reconciliationFromRow(r db.Reconciliation) Reconciliation {
	out := Reconciliation{ID: r.ID, From: r.FromAt, To: r.ToAt, Checked: int(r.Checked), Matched: int(r.Matched), CreatedAt: r.CreatedAt}
	_ = json.Unmarshal(r.Mismatches, &out.Mismatches)
	if out.Mismatches == nil {
		out.Mismatches = []Mismatch{}
	}
	return out
}

// Reconcile checks the tenant's Stripe-backed ledger entries of [from, to) against Stripe's
// balance transactions of the platform account (matched by source: charge, refund,
// dispute, or the payment intent of a charge) and stores the result. Credits have no Stripe
// object and are not checked.
func (s *Service) Reconcile(ctx context.Context, scope tenants.Scope, from, to time.Time) (Reconciliation, error) {
	sc, err := s.api()
	if err != nil {
		return Reconciliation{}, err
	}
	// Stripe first (no transaction open during the calls), then the ledger.
	type bt struct {
		amount   int64
		currency string
	}
	bySource := map[string]bt{}
	params := &stripe.BalanceTransactionListParams{}
	params.Filters.AddFilter("created", "gte", strconv.FormatInt(from.Add(-24*time.Hour).Unix(), 10))
	params.Filters.AddFilter("created", "lt", strconv.FormatInt(to.Add(24*time.Hour).Unix(), 10))
	params.AddExpand("data.source")
	params.Context = ctx
	it := sc.BalanceTransactions.List(params)
	for it.Next() {
		t := it.BalanceTransaction()
		v := bt{amount: t.Amount, currency: strings.ToUpper(string(t.Currency))}
		if t.Source == nil {
			continue
		}
		bySource[t.Source.ID] = v
		if t.Source.Charge != nil && t.Source.Charge.PaymentIntent != nil {
			bySource[t.Source.Charge.PaymentIntent.ID] = v
		}
	}
	if err := it.Err(); err != nil {
		return Reconciliation{}, stripeError(err)
	}
	var out Reconciliation
	err = s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		mism := []Mismatch{}
		checked, matched := 0, 0
		after := uuid.NullUUID{}
		for {
			page, err := ListLedger(ctx, tx, from, to, after, 1000)
			if err != nil {
				return err
			}
			for _, e := range page {
				if e.StripeObjectID == "" || e.Kind == "credit" {
					continue
				}
				checked++
				b, ok := bySource[e.StripeObjectID]
				switch {
				case !ok:
					mism = append(mism, Mismatch{LedgerID: e.ID, StripeObjectID: e.StripeObjectID, Problem: "missing", LedgerAmount: e.Amount})
				case b.currency != e.Currency:
					mism = append(mism, Mismatch{LedgerID: e.ID, StripeObjectID: e.StripeObjectID, Problem: "currency", LedgerAmount: e.Amount, StripeAmount: b.amount})
				case abs(b.amount) != abs(e.Amount):
					mism = append(mism, Mismatch{LedgerID: e.ID, StripeObjectID: e.StripeObjectID, Problem: "amount", LedgerAmount: e.Amount, StripeAmount: b.amount})
				default:
					matched++
				}
			}
			if len(page) < 1000 {
				break
			}
			after = uuid.NullUUID{UUID: page[len(page)-1].ID, Valid: true}
		}
		body, _ := json.Marshal(mism)
		row, err := tx.Q.CreateReconciliation(ctx, tx, db.CreateReconciliationParams{TenantID: tx.Scope.TenantID,
			ID: platform.NewID(), FromAt: from, ToAt: to,
			Checked: int32(checked), Matched: int32(matched), Mismatches: body})
		if err != nil {
			return err
		}
		runs := []Reconciliation{reconciliationFromRow(row)}
		if err := withResolutions(ctx, tx, runs); err != nil {
			return err
		}
		out = runs[0]
		return nil
	})
	return out, err
}

// ListReconciliations returns the latest checks, newest first, their mismatches with what
// finance resolved.
func ListReconciliations(ctx context.Context, tx *tenants.Tx, limit int32) ([]Reconciliation, error) {
	rows, err := tx.Q.ListReconciliations(ctx, tx, db.ListReconciliationsParams{TenantID: tx.Scope.TenantID, Lim: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Reconciliation, len(rows))
	for i, r := range rows {
		out[i] = reconciliationFromRow(r)
	}
	return out, withResolutions(ctx, tx, out)
}

// withResolutions fills in the resolutions of the runs' mismatches (one query) and counts
// what is still open.
func withResolutions(ctx context.Context, tx *tenants.Tx, runs []Reconciliation) error {
	var ids []uuid.UUID
	for _, r := range runs {
		for _, m := range r.Mismatches {
			ids = append(ids, m.LedgerID)
		}
	}
	found := map[uuid.UUID]*Resolution{}
	if len(ids) > 0 {
		rows, err := tx.Q.ListLedgerResolutions(ctx, tx, db.ListLedgerResolutionsParams{TenantID: tx.Scope.TenantID, LedgerIds: ids})
		if err != nil {
			return fmt.Errorf("ledger resolutions: %w", err)
		}
		for _, r := range rows {
			found[r.LedgerID] = &Resolution{Outcome: r.Outcome, Note: r.Note, ReconciliationID: r.ReconciliationID,
				ResolvedBy: r.ResolvedBy, ResolvedAt: r.ResolvedAt}
		}
	}
	for i := range runs {
		runs[i].Open = 0
		for j := range runs[i].Mismatches {
			m := &runs[i].Mismatches[j]
			m.Resolution = found[m.LedgerID]
			if m.Resolution == nil {
				runs[i].Open++
			}
		}
	}
	return nil
}

// GetReconciliation returns one run with its mismatches' resolutions.
func GetReconciliation(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Reconciliation, error) {
	row, err := tx.Q.GetReconciliation(ctx, tx, db.GetReconciliationParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Reconciliation{}, fault.DBError(err, "", "")
	}
	runs := []Reconciliation{reconciliationFromRow(row)}
	if err := withResolutions(ctx, tx, runs); err != nil {
		return Reconciliation{}, err
	}
	return runs[0], nil
}

// ResolveMismatch records finance's resolution of a ledger entry that the reconciliation run
// reported: once per entry (409 when it was resolved already, from this run or another), and
// only for an entry the run reported (422 otherwise). It returns the run as it now reads.
func ResolveMismatch(ctx context.Context, tx *tenants.Tx, runID, ledgerID uuid.UUID, outcome, note string) (Reconciliation, error) {
	if !slices.Contains(ResolutionOutcomes, outcome) {
		return Reconciliation{}, fault.Invalid("body.outcome", "must be one of "+strings.Join(ResolutionOutcomes, ", "))
	}
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 1000 {
		return Reconciliation{}, fault.Invalid("body.note", "say what was done or why (1 to 1000 characters)")
	}
	run, err := GetReconciliation(ctx, tx, runID)
	if err != nil {
		return Reconciliation{}, err
	}
	if !slices.ContainsFunc(run.Mismatches, func(m Mismatch) bool { return m.LedgerID == ledgerID }) {
		return Reconciliation{}, fault.Invalid("body.ledger_id", "this run reported no mismatch for that ledger entry")
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Reconciliation{}, err
	}
	_, err = tx.Q.CreateLedgerResolution(ctx, tx, db.CreateLedgerResolutionParams{TenantID: tx.Scope.TenantID, LedgerID: ledgerID,
		ReconciliationID: runID, Outcome: outcome, Note: note, ResolvedBy: tx.Scope.Actor.Label, ResolvedAt: now})
	if errors.Is(err, pgx.ErrNoRows) {
		return Reconciliation{}, &fault.ConflictError{Detail: "this ledger entry was resolved already"}
	}
	if err != nil {
		return Reconciliation{}, fmt.Errorf("resolve ledger entry %s: %w", ledgerID, err)
	}
	runs := []Reconciliation{run}
	if err := withResolutions(ctx, tx, runs); err != nil {
		return Reconciliation{}, err
	}
	return runs[0], nil
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// LedgerKinds are the kinds of ledger entries (LedgerEntry.Kind), in the order the API documents them.
var LedgerKinds = []string{"payment", "refund", "compensation", "credit", "dispute", "platform_fee", "refund_failed", "credit_redeemed",
	"credit_expired", LedgerClaimPayment, LedgerClaimReceipt}

// MismatchProblems are what reconciliation found wrong (Mismatch.Problem), in the order the API documents them.
var MismatchProblems = []string{"missing", "amount", "currency"}

// Ledger kinds of warranty claim settlement (internal/claims): a payment against a claim
// statement paid out by the payer (negative) and received by the claimant (positive).
const (
	LedgerClaimPayment = "claim_payment"
	LedgerClaimReceipt = "claim_receipt"
)

// RecordClaimSettlement writes a claim statement's payment to the ledger once (effectKey
// names it): paid out (LedgerClaimPayment, a negative amount) or received
// (LedgerClaimReceipt, positive).
func RecordClaimSettlement(ctx context.Context, tx *tenants.Tx, kind string, amount int64, currency, effectKey, memo string, at time.Time) error {
	if kind != LedgerClaimPayment && kind != LedgerClaimReceipt {
		return fmt.Errorf("ledger: %s is not a claim settlement kind", kind)
	}
	if err := ledger(ctx, tx, kind, uuid.Nil, amount, currency, "", effectKey, memo, at); err != nil {
		return fmt.Errorf("ledger %s: %w", effectKey, err)
	}
	return nil
}
