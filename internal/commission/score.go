package commission

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// ScoreEntries are the lines of the callback score alone (the poor_score and good_score
// rules), split among the order's engineers like every deduction and reward.
func (r PayRules) ScoreEntries(f Facts) []PayEntry {
	only := PayRules{Shares: r.Shares, PoorScore: r.PoorScore, GoodScore: r.GoodScore}
	return only.Compute(Facts{OrderID: f.OrderID, Engineers: f.Engineers, Score: f.Score})
}

// ScoreOrder writes the pay lines of an order's callback score (1 to 5), once: the survey
// answer arrives after the audit paid the order, so its deduction or reward is a line of its
// own (cause callback, key callback:<order>:<n>) under the rules in force on the day it
// arrives, accrued that day. A redelivery finds the keys taken and writes nothing; an order
// has one survey answer, so one score. The lines stand when the audit is reversed: they are
// for the work, like the other deductions and rewards.
func ScoreOrder(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, score int) (string, error) {
	if score < 1 || score > 5 {
		return "no score", nil
	}
	t := tx.Scope.TenantID
	o, err := tx.Q.PayFacts(ctx, tx, db.PayFactsParams{TenantID: t, OrderID: orderID})
	if errors.Is(err, pgx.ErrNoRows) {
		return "no such order", nil
	}
	if err != nil {
		return "", fmt.Errorf("pay facts: %w", err)
	}
	now, day, err := today(ctx, tx)
	if err != nil {
		return "", err
	}
	versions, err := versionsInForce(ctx, tx)
	if err != nil {
		return "", err
	}
	v, ok := InForce(versions, day)
	if !ok {
		return "no pay rules in force", nil
	}
	es, err := engineersOf(ctx, tx, o.ID)
	if err != nil {
		return "", err
	}
	entries := v.Rules.ScoreEntries(Facts{OrderID: o.ID, Engineers: es, Score: score})
	if len(entries) == 0 {
		return fmt.Sprintf("score %d: no rule applies", score), nil
	}
	cur, err := currency(ctx, tx)
	if err != nil {
		return "", err
	}
	w := writer{tx: tx, order: o, version: int32(v.Number), currency: cur, now: now}
	for i, e := range entries {
		w.add(e, CauseCallback, fmt.Sprintf("callback:%s:%d", o.ID, i), &day)
	}
	if err := w.write(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("score %d: %d lines under version %d", score, len(entries), v.Number), nil
}
