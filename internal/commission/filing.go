package commission

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// insertLines stores a set of lines (an order's audit, its reversal, a refund's share),
// each once by its key, the accrued ones filed on their party's statement of the month they
// accrued in (the next open month after it when that one is approved): the statements are
// opened with the lines' amounts first (openStatements), then the lines are written already
// filed, each set in one multi-row statement. Lines whose keys were taken (a repeated
// delivery) are not written and are taken back from their statements, so a statement's
// total and count stay its lines'.
func insertLines(ctx context.Context, tx *tenants.Tx, lines []db.InsertPayLineParams, now time.Time) error {
	if len(lines) == 0 {
		return nil
	}
	if err := openStatements(ctx, tx, lines, now); err != nil {
		return err
	}
	var ins tenants.MultiInsert
	for _, l := range lines {
		if err := tx.Q.InsertPayLine(ctx, &ins, l); err != nil {
			return fmt.Errorf("write pay lines: %w", err)
		}
	}
	rows, err := ins.SendQuery(ctx, tx)
	if err != nil {
		return fmt.Errorf("write pay lines: %w", err)
	}
	written := make(map[uuid.UUID]bool, len(lines))
	var id uuid.UUID
	if _, err := pgx.ForEachRow(rows, []any{&id}, func() error { written[id] = true; return nil }); err != nil {
		return fmt.Errorf("write pay lines: %w", err)
	}
	if len(written) == len(lines) {
		return nil
	}
	// Written before: take the lines counted on their statements back off them.
	type tally struct {
		amount int64
		lines  int32
	}
	back := map[uuid.UUID]*tally{}
	var ids []uuid.UUID
	for _, l := range lines {
		if written[l.ID] || !l.StatementID.Valid {
			continue
		}
		t := back[l.StatementID.UUID]
		if t == nil {
			t = &tally{}
			back[l.StatementID.UUID] = t
			ids = append(ids, l.StatementID.UUID)
		}
		t.amount += l.Amount
		t.lines++
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	for _, sid := range ids {
		t := back[sid]
		if err := tx.Q.TakeFromPayStatement(ctx, tx, db.TakeFromPayStatementParams{TenantID: tx.Scope.TenantID, ID: sid, Amount: t.amount,
			Lines: t.lines, Now: now}); err != nil {
			return fmt.Errorf("file pay lines: %w", err)
		}
	}
	return nil
}

// pileKey names a party's statement of a month.
type pileKey struct {
	kind  string
	party uuid.UUID
	month time.Time
}

// pile is the accrued lines of a set that go on one statement.
type pile struct {
	outlet   uuid.NullUUID
	currency string
	total    int64
	lines    int32
	idx      []int // the lines' indexes
}

// monthOf is the first day of the month of day, at UTC midnight.
func monthOf(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// openStatements sets the statement of each accrued line: its party's statement of the month
// it accrued in, created or added to with the amounts and count of the party's lines there,
// or, when that statement is no longer open (approved), of the next open month after it.
// One statement opens the parties' statements (in the order of their keys: a stable lock
// order), and one more for each month a statement was found approved. Lines that have not
// accrued are left without a statement.
func openStatements(ctx context.Context, tx *tenants.Tx, lines []db.InsertPayLineParams, now time.Time) error {
	piles := map[pileKey]*pile{}
	for i, l := range lines {
		if l.AccruedOn == nil {
			continue
		}
		k := pileKey{kind: l.PartyKind, party: l.PartyID, month: monthOf(*l.AccruedOn)}
		p := piles[k]
		if p == nil {
			p = &pile{outlet: l.OutletID, currency: l.Currency}
			piles[k] = p
		}
		p.total += l.Amount
		p.lines++
		p.idx = append(p.idx, i)
	}
	for range 120 {
		if len(piles) == 0 {
			return nil
		}
		keys := make([]pileKey, 0, len(piles))
		for k := range piles {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b pileKey) int {
			return cmp.Or(cmp.Compare(a.kind, b.kind), bytes.Compare(a.party[:], b.party[:]), a.month.Compare(b.month))
		})
		var ins tenants.MultiInsert
		for _, k := range keys {
			p := piles[k]
			if err := tx.Q.OpenPayStatement(ctx, &ins, db.OpenPayStatementParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
				PartyKind: k.kind, PartyID: k.party, OutletID: p.outlet, Month: k.month, Currency: p.currency, Total: p.total,
				Lines: p.lines, Now: now}); err != nil {
				return fmt.Errorf("file pay lines: %w", err)
			}
		}
		rows, err := ins.SendQuery(ctx, tx)
		if err != nil {
			return fmt.Errorf("file pay lines: %w", err)
		}
		var (
			id, party uuid.UUID
			kind      string
			month     time.Time
		)
		if _, err := pgx.ForEachRow(rows, []any{&id, &kind, &party, &month}, func() error {
			k := pileKey{kind: kind, party: party, month: monthOf(month)}
			p := piles[k]
			if p == nil {
				return fmt.Errorf("statement %s of %s %s %s opened for no lines", id, kind, party, k.month.Format(time.DateOnly))
			}
			for _, i := range p.idx {
				lines[i].StatementID = nullID(id)
			}
			delete(piles, k)
			return nil
		}); err != nil {
			return fmt.Errorf("file pay lines: %w", err)
		}
		// The statements left are no longer open: their lines go to the next month.
		next := make(map[pileKey]*pile, len(piles))
		for k, p := range piles {
			k.month = k.month.AddDate(0, 1, 0)
			if q := next[k]; q != nil {
				q.total += p.total
				q.lines += p.lines
				q.idx = append(q.idx, p.idx...)
				continue
			}
			next[k] = p
		}
		piles = next
	}
	return fmt.Errorf("file pay lines: no open statement within ten years")
}
