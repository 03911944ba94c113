package commission

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Parties of pay lines: an engineer (a user) or an outlet.
const (
	PartyEngineer = "engineer"
	PartyOutlet   = "outlet"
)

// Parties lists the parties, in the order the API documents them.
var Parties = []string{PartyEngineer, PartyOutlet}

// Causes: what wrote a line.
const (
	CauseAudit         = "audit"
	CauseAuditReversed = "audit_reversed"
	CauseRefund        = "refund"
	CauseBreach        = "breach"
	CauseCompensation  = "compensation"
	CauseCallback      = "callback" // the customer's survey answer (package callbacks)
)

// Causes lists the causes, in the order the API documents them.
var Causes = []string{CauseAudit, CauseAuditReversed, CauseRefund, CauseBreach, CauseCompensation, CauseCallback}

// PayLine is one stored line of pay: an amount for an engineer or an outlet, naming the order,
// the rule and the version of the rules it comes from, and how it was reckoned.
type PayLine struct {
	ID             uuid.UUID  `json:"id"`
	PartyKind      string     `json:"party_kind"`
	PartyID        uuid.UUID  `json:"party_id" doc:"The engineer (user) or the outlet"`
	OutletID       *uuid.UUID `json:"outlet_id,omitempty"`
	OrderID        uuid.UUID  `json:"order_id" doc:"The order that caused the line"`
	OrderNumber    string     `json:"order_number"`
	RelatedOrderID *uuid.UUID `json:"related_order_id,omitempty" doc:"A repeat's earlier repair, which the line charges for"`
	Kind           string     `json:"kind"`
	Rule           string     `json:"rule" doc:"The rule's id in the rules version"`
	RuleVersion    int        `json:"rule_version"`
	Cause          string     `json:"cause"`
	Amount         int64      `json:"amount" doc:"Minor units; negative: a deduction or a reversal"`
	Currency       string     `json:"currency"`
	Detail         string     `json:"detail" doc:"How it was reckoned"`
	Reverses       bool       `json:"reverses,omitempty"`
	AccruedOn      string     `json:"accrued_on,omitempty" format:"date" doc:"The day it was earned; absent while commission waits for the customer's money"`
	StatementID    *uuid.UUID `json:"statement_id,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

func lineFromRow(r db.PayEntry) PayLine {
	l := PayLine{ID: r.ID, PartyKind: r.PartyKind, PartyID: r.PartyID, OutletID: ptr(r.OutletID), OrderID: r.OrderID, OrderNumber: r.OrderNumber,
		RelatedOrderID: ptr(r.RelatedOrderID), Kind: r.Kind, Rule: r.Rule, RuleVersion: int(r.RuleVersion), Cause: r.Cause, Amount: r.Amount,
		Currency: r.Currency, Detail: r.Detail, Reverses: r.Reverses, StatementID: ptr(r.StatementID), CreatedAt: r.CreatedAt}
	if r.AccruedOn != nil {
		l.AccruedOn = r.AccruedOn.Format(time.DateOnly)
	}
	return l
}

func ptr(id uuid.NullUUID) *uuid.UUID {
	if !id.Valid {
		return nil
	}
	return &id.UUID
}

func nullID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

// OrderLines lists the pay lines an order caused, oldest first.
func OrderLines(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]PayLine, error) {
	rows, err := tx.Q.PayEntriesOfOrder(ctx, tx, db.PayEntriesOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("pay lines of order: %w", err)
	}
	out := make([]PayLine, len(rows))
	for i, r := range rows {
		out[i] = lineFromRow(r)
	}
	return out, nil
}

// audited reports whether an order's audit stands: approved, or closed after approval.
func audited(status string) bool { return status == "approved" || status == "closed" }

// today is the tenant's calendar day of now, as a date at UTC midnight.
func today(ctx context.Context, tx *tenants.Tx) (time.Time, time.Time, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	y, m, d := now.In(loc).Date()
	return now, time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// versionsInForce are the tenant's versions for InForce.
func versionsInForce(ctx context.Context, tx *tenants.Tx) ([]Version, error) {
	vs, err := Versions(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]Version, 0, len(vs))
	for _, v := range vs {
		from, err := time.Parse(time.DateOnly, v.EffectiveFrom)
		if err != nil {
			return nil, fmt.Errorf("commission version %d: %w", v.Version, err)
		}
		out = append(out, Version{Number: v.Version, EffectiveFrom: from, Rules: v.Rules})
	}
	return out, nil
}

// labourCharged sums the labour lines charged (quantity × unit price, all payers: the work's
// worth, not only the customer's share).
func labourCharged(lines []byte) int64 {
	var ls []struct {
		Kind      string `json:"kind"`
		Quantity  int64  `json:"quantity"`
		UnitPrice int64  `json:"unit_price"`
	}
	_ = json.Unmarshal(lines, &ls)
	var sum int64
	for _, l := range ls {
		if l.Kind == "labour" {
			sum += l.Quantity * l.UnitPrice
		}
	}
	return sum
}

// PayOrder brings an order's pay in line with its audit, whatever delivery of whatever event
// asks: an audited order (approved, or closed after it) whose pay is not computed is paid
// once under the rules in force on the day (its lines written, each once by its key); an
// order whose audit no longer stands (reopened) has its lines reversed by negative lines.
// Anything else changes nothing, so a redelivered or late event is harmless. It returns
// what it did.
func PayOrder(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (string, error) {
	t := tx.Scope.TenantID
	// The order (locked) with its engineers, then its bill (locked) with its labour, then its
	// pay state (locked), in this order as before: three round trips.
	a, err := tx.Q.PayAuditFacts(ctx, tx, db.PayAuditFactsParams{TenantID: t, OrderID: orderID})
	if errors.Is(err, pgx.ErrNoRows) {
		return "no such order", nil
	}
	if err != nil {
		return "", fmt.Errorf("pay facts: %w", err)
	}
	o := db.PayFactsRow{ID: a.ID, Number: a.Number, TypeCode: a.TypeCode, Flow: a.Flow, OutletID: a.OutletID, Status: a.Status,
		RepeatOf: a.RepeatOf, CreatedAt: a.CreatedAt, CompletedAt: a.CompletedAt, CompletionDue: a.CompletionDue,
		EarlierCompletedAt: a.EarlierCompletedAt}
	lab, err := tx.Q.LockBillLabour(ctx, tx, db.LockBillLabourParams{TenantID: t, OrderID: orderID})
	if err != nil {
		return "", fmt.Errorf("lock bill: %w", err)
	}
	po, err := tx.Q.GetPayOrderForUpdate(ctx, tx, db.GetPayOrderForUpdateParams{TenantID: t, OrderID: orderID})
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("pay state: %w", err)
	}
	switch {
	case audited(o.Status) && (!found || po.State == "reversed"):
		now, err := tx.Now(ctx)
		if err != nil {
			return "", err
		}
		y, m, d := now.In(zone(a.TenantTimezone)).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		round := int32(1)
		if found {
			round = po.Round + 1
		}
		return compute(ctx, tx, o, a, lab, round, now, day)
	case !audited(o.Status) && found && po.State == "computed":
		now, day, err := today(ctx, tx)
		if err != nil {
			return "", err
		}
		if err := reverseRound(ctx, tx, o, po, now, day); err != nil {
			return "", err
		}
		return fmt.Sprintf("audit %d reversed", po.Round), nil
	}
	return "nothing to do", nil
}

func compute(ctx context.Context, tx *tenants.Tx, o db.PayFactsRow, a db.PayAuditFactsRow, lab db.LockBillLabourRow, round int32,
	now, day time.Time) (string, error) {
	t := tx.Scope.TenantID
	var stored []struct {
		Version       int      `json:"version"`
		EffectiveFrom string   `json:"effective_from"`
		Rules         PayRules `json:"rules"`
	}
	if err := json.Unmarshal(a.Versions, &stored); err != nil {
		return "", fmt.Errorf("commission versions: %w", err)
	}
	versions := make([]Version, 0, len(stored))
	for _, sv := range stored {
		from, err := time.Parse(time.DateOnly, sv.EffectiveFrom)
		if err != nil {
			return "", fmt.Errorf("commission version %d: %w", sv.Version, err)
		}
		versions = append(versions, Version{Number: sv.Version, EffectiveFrom: from, Rules: sv.Rules})
	}
	v, ok := InForce(versions, day)
	if !ok {
		return "no pay rules in force", nil
	}
	f, err := auditFacts(o, a, v.Rules)
	if err != nil {
		return "", err
	}
	f.LabourNet = NetOfTax(labourCharged(lab.Lines), v.Rules.TaxBasisPoints)
	// Accrual on money received: commission waits (no day) while the bill is owed.
	hold := v.Rules.Accrual == AccrueOnReceived && lab.BillStatus != "" && lab.BillStatus != "paid"
	w := writer{tx: tx, order: o, version: int32(v.Number), round: round, currency: a.TenantCurrency, now: now}
	for i, e := range v.Rules.Compute(f) {
		accrued := &day
		if hold && e.Kind == KindCommission {
			accrued = nil
		}
		w.add(e, CauseAudit, fmt.Sprintf("audit:%s:%d:%d", o.ID, round, i), accrued)
	}
	if err := w.write(ctx); err != nil {
		return "", err
	}
	if err := tx.Q.PutPayOrder(ctx, tx, db.PutPayOrderParams{TenantID: t, OrderID: o.ID, OutletID: o.OutletID, RuleVersion: int32(v.Number),
		Round: round, LabourNet: f.LabourNet, Now: now}); err != nil {
		return "", fmt.Errorf("pay state: %w", err)
	}
	// Money already given back before the audit reverses its share at once.
	if lab.Refunded > 0 {
		if err := reverseRefunds(ctx, tx, o, round, int32(v.Number), lab.Paid, lab.Refunded, now, day); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("audit %d paid under version %d", round, v.Number), nil
}

// zones are the time zones loaded, by name (time.LoadLocation reads the zone's file).
var zones sync.Map

// zone is the named time zone, UTC when this machine does not know it (as tenants.Location).
func zone(name string) *time.Location {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = time.UTC
	}
	zones.Store(name, l)
	return l
}

// auditFacts are what the engine knows of the order, from what PayAuditFacts read: its
// engineers with their levels, how late it finished against its completion target, and the
// earlier repair it repeats.
func auditFacts(o db.PayFactsRow, a db.PayAuditFactsRow, rules PayRules) (Facts, error) {
	f := Facts{OrderID: o.ID, OrderType: o.TypeCode, Mode: o.Flow}
	if err := json.Unmarshal(a.Engineers, &f.Engineers); err != nil {
		return f, fmt.Errorf("engineers of order: %w", err)
	}
	if o.CompletedAt != nil && o.CompletionDue.Unix() > 0 && o.CompletedAt.After(o.CompletionDue) {
		f.LateMinutes = int(o.CompletedAt.Sub(o.CompletionDue) / time.Minute)
	}
	if o.RepeatOf.Valid && o.EarlierCompletedAt.Unix() > 0 && rules.Repeat != nil {
		var earlier []Engineer
		if err := json.Unmarshal(a.EarlierEngineers, &earlier); err != nil {
			return f, fmt.Errorf("engineers of earlier order: %w", err)
		}
		days := int(o.CreatedAt.Sub(o.EarlierCompletedAt) / (24 * time.Hour))
		f.Repeats = &Earlier{OrderID: o.RepeatOf.UUID, Days: max(days, 0), Engineers: earlier}
	}
	return f, nil
}

func engineersOf(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]Engineer, error) {
	rows, err := tx.Q.PayEngineers(ctx, tx, db.PayEngineersParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("engineers of order: %w", err)
	}
	out := make([]Engineer, len(rows))
	for i, r := range rows {
		out[i] = Engineer{UserID: r.UserID, Role: r.Role, Level: int(r.Level)}
	}
	return out, nil
}

func currency(ctx context.Context, tx *tenants.Tx) (string, error) {
	tn, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return "", err
	}
	return tn.Currency, nil
}

// writer gathers the lines one order causes and writes them together, each once, the
// accrued ones filed on their party's statement (insertLines).
type writer struct {
	tx       *tenants.Tx
	order    db.PayFactsRow
	version  int32
	round    int32
	currency string
	now      time.Time
	lines    []db.InsertPayLineParams
}

// add gathers e (a line of the engine: a repeat's line names the earlier order in OrderID
// and this one in Related; stored, it is filed under this order and names the earlier one).
func (w *writer) add(e PayEntry, cause, key string, accrued *time.Time) {
	related := uuid.NullUUID{}
	if e.Related != nil && e.OrderID != w.order.ID {
		related = nullID(e.OrderID)
	}
	kind := PartyEngineer
	if e.Kind == KindBreach || e.Kind == KindCompensate {
		kind = PartyOutlet
	}
	w.lines = append(w.lines, db.InsertPayLineParams{TenantID: w.tx.Scope.TenantID, ID: platform.NewID(), PartyKind: kind, PartyID: e.Party,
		OutletID: w.order.OutletID, OrderID: w.order.ID, OrderNumber: w.order.Number, RelatedOrderID: related, Kind: e.Kind, Rule: e.Rule,
		RuleVersion: w.version, Round: w.round, Cause: cause, Amount: e.Amount, Currency: w.currency, Detail: e.Detail, Reverses: e.Reverses,
		EffectKey: key, AccruedOn: accrued})
}

// write writes the lines gathered.
func (w *writer) write(ctx context.Context) error {
	err := insertLines(ctx, w.tx, w.lines, w.now)
	w.lines = nil
	return err
}

// group is the net of one party's lines of one kind and rule in one round, kept apart by
// whether they have accrued.
type group struct {
	kind, party, rule, related string
	held                       bool
}

// reverseRound writes, for the order's paid round, a negative line for every party, kind
// and rule whose lines do not already net to zero (refunds may have reversed part of the
// commission), so that after it the round nets to exactly zero.
func reverseRound(ctx context.Context, tx *tenants.Tx, o db.PayFactsRow, po db.PayOrder, now, day time.Time) error {
	rows, err := tx.Q.PayEntriesOfOrder(ctx, tx, db.PayEntriesOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: o.ID})
	if err != nil {
		return fmt.Errorf("pay lines of order: %w", err)
	}
	net := map[group]int64{}
	first := map[group]db.PayEntry{}
	var keys []group
	for _, r := range rows {
		if r.Round != po.Round || r.PartyKind != PartyEngineer {
			continue
		}
		g := group{kind: r.Kind, party: r.PartyID.String() + "/" + r.PartyKind, rule: r.Rule, related: r.RelatedOrderID.UUID.String(), held: r.AccruedOn == nil}
		if _, ok := first[g]; !ok {
			first[g] = r
			keys = append(keys, g)
		}
		net[g] += r.Amount
	}
	slices.SortFunc(keys, func(a, b group) int {
		return cmp.Or(cmp.Compare(a.party, b.party), cmp.Compare(a.kind, b.kind), cmp.Compare(a.rule, b.rule), cmp.Compare(a.related, b.related))
	})
	cur, err := currency(ctx, tx)
	if err != nil {
		return err
	}
	var lines []db.InsertPayLineParams
	for i, g := range keys {
		if net[g] == 0 {
			continue
		}
		r := first[g]
		var accrued *time.Time
		if !g.held {
			accrued = &day
		}
		lines = append(lines, db.InsertPayLineParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), PartyKind: r.PartyKind,
			PartyID: r.PartyID, OutletID: r.OutletID, OrderID: o.ID, OrderNumber: o.Number, RelatedOrderID: r.RelatedOrderID, Kind: r.Kind,
			Rule: r.Rule, RuleVersion: po.RuleVersion, Round: po.Round, Cause: CauseAuditReversed, Amount: -net[g], Currency: cur,
			Detail: fmt.Sprintf("audit reversed (order %s reopened): reverses %s", o.Number, money(net[g])), Reverses: true,
			EffectKey: fmt.Sprintf("reverse:%s:%d:%d", o.ID, po.Round, i), AccruedOn: accrued})
	}
	if err := insertLines(ctx, tx, lines, now); err != nil {
		return err
	}
	if err := tx.Q.ReversePayOrder(ctx, tx, db.ReversePayOrderParams{TenantID: tx.Scope.TenantID, OrderID: o.ID, Now: &now}); err != nil {
		return fmt.Errorf("pay state: %w", err)
	}
	return nil
}

// reverseRefunds brings the commission of the order's round down in the proportion of the
// money given back: each commission line's reversal is its amount × refunded / paid (rounded
// down; all of it on a full refund) less what refunds already reversed of it. Keys carry
// the refunded total, so each refund state is applied once.
func reverseRefunds(ctx context.Context, tx *tenants.Tx, o db.PayFactsRow, round, version int32, paid, refunded int64, now, day time.Time) error {
	rows, err := tx.Q.PayEntriesOfOrder(ctx, tx, db.PayEntriesOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: o.ID})
	if err != nil {
		return fmt.Errorf("pay lines of order: %w", err)
	}
	type key struct {
		party uuid.UUID
		rule  string
	}
	already := map[key]int64{}
	var earned []db.PayEntry
	for _, r := range rows {
		if r.Round != round || r.Kind != KindCommission {
			continue
		}
		switch r.Cause {
		case CauseAudit:
			earned = append(earned, r)
		case CauseRefund:
			already[key{r.PartyID, r.Rule}] += -r.Amount
		}
	}
	var lines []db.InsertPayLineParams
	for i, r := range earned {
		back := ReverseRefund([]PayEntry{{Party: r.PartyID, OrderID: o.ID, Kind: r.Kind, Rule: r.Rule, Amount: r.Amount, Detail: r.Detail}}, refunded, paid)
		if len(back) == 0 {
			continue
		}
		delta := -back[0].Amount - already[key{r.PartyID, r.Rule}]
		if delta <= 0 {
			continue
		}
		accrued := &day
		if r.AccruedOn == nil {
			accrued = nil
		}
		lines = append(lines, db.InsertPayLineParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), PartyKind: r.PartyKind,
			PartyID: r.PartyID, OutletID: r.OutletID, OrderID: o.ID, OrderNumber: o.Number, Kind: r.Kind, Rule: r.Rule, RuleVersion: version,
			Round: round, Cause: CauseRefund, Amount: -delta, Currency: r.Currency, Detail: back[0].Detail, Reverses: true,
			EffectKey: fmt.Sprintf("refund:%s:%d:%d:%d", o.ID, round, refunded, i), AccruedOn: accrued})
	}
	return insertLines(ctx, tx, lines, now)
}

// MoneyMoved follows money taken or given back on an order's bill, in the transaction that
// settled it (under the bill's lock): a refund reverses the commission in proportion, and a
// bill paid in full lets commission that waited for the money accrue (accrual on money
// received). Orders whose pay is not computed are left alone: their audit reads the bill.
func MoneyMoved(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) error {
	t := tx.Scope.TenantID
	po, err := tx.Q.GetPayOrderForUpdate(ctx, tx, db.GetPayOrderForUpdateParams{TenantID: t, OrderID: orderID})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pay state: %w", err)
	}
	if po.State != "computed" {
		return nil
	}
	lab, err := tx.Q.PayLabourLines(ctx, tx, db.PayLabourLinesParams{TenantID: t, OrderID: orderID})
	if err != nil {
		return fmt.Errorf("bill of order: %w", err)
	}
	now, day, err := today(ctx, tx)
	if err != nil {
		return err
	}
	o, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: t, ID: orderID})
	if err != nil {
		return fmt.Errorf("order: %w", err)
	}
	facts := db.PayFactsRow{ID: o.ID, Number: o.Number, OutletID: o.OutletID}
	if lab.Refunded > 0 {
		if err := reverseRefunds(ctx, tx, facts, po.Round, po.RuleVersion, lab.Paid, lab.Refunded, now, day); err != nil {
			return err
		}
	}
	if lab.BillStatus == "paid" {
		held, err := tx.Q.HeldPayEntries(ctx, tx, db.HeldPayEntriesParams{TenantID: t, OrderID: orderID})
		if err != nil {
			return fmt.Errorf("held pay lines: %w", err)
		}
		lines := make([]db.InsertPayLineParams, len(held))
		for i, h := range held {
			lines[i] = db.InsertPayLineParams{PartyKind: h.PartyKind, PartyID: h.PartyID, OutletID: h.OutletID, Amount: h.Amount,
				Currency: h.Currency, AccruedOn: &day}
		}
		if err := openStatements(ctx, tx, lines, now); err != nil {
			return err
		}
		for i, h := range held {
			if err := tx.Q.AccrueFiledPayEntry(ctx, tx, db.AccrueFiledPayEntryParams{TenantID: t, ID: h.ID, AccruedOn: &day,
				StatementID: lines[i].StatementID}); err != nil {
				return fmt.Errorf("accrue pay line: %w", err)
			}
		}
	}
	return nil
}
