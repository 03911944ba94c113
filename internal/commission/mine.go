package commission

import (
	"context"
	"fmt"
	"time"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// MyMonth is the signed-in engineer's pay of the tenant's current month so far: the lines
// earned from the first of the month to today (the tenant's day, by the tenant's clock), the
// commission (base) and the deductions and rewards apart, and the total.
type MyMonth struct {
	Month       string    `json:"month" doc:"YYYY-MM in the tenant's zone"`
	From        string    `json:"from" format:"date"`
	To          string    `json:"to" format:"date" doc:"Today, the tenant's day"`
	Currency    string    `json:"currency"`
	Base        int64     `json:"base" doc:"Commission lines, minor units"`
	Adjustments int64     `json:"adjustments" doc:"Deductions (negative) and rewards, minor units"`
	Total       int64     `json:"total" doc:"Minor units"`
	Lines       []PayLine `json:"lines"`
}

// MyMonthSoFar reads the transaction user's own engineer lines of the month so far; a user
// with no lines (or not an engineer) gets an empty month.
func MyMonthSoFar(ctx context.Context, tx *tenants.Tx) (MyMonth, error) {
	_, day, err := today(ctx, tx)
	if err != nil {
		return MyMonth{}, err
	}
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	cur, err := currency(ctx, tx)
	if err != nil {
		return MyMonth{}, err
	}
	out := MyMonth{Month: first.Format("2006-01"), From: first.Format(time.DateOnly), To: day.Format(time.DateOnly), Currency: cur, Lines: []PayLine{}}
	rows, err := tx.Q.MyPayEntries(ctx, tx, db.MyPayEntriesParams{TenantID: tx.Scope.TenantID, UserID: tx.Scope.UserID, FromDay: first, ToDay: day})
	if err != nil {
		return MyMonth{}, fmt.Errorf("my pay lines: %w", err)
	}
	for _, r := range rows {
		l := lineFromRow(r)
		out.Lines = append(out.Lines, l)
		if l.Kind == "commission" {
			out.Base += l.Amount
		} else {
			out.Adjustments += l.Amount
		}
		out.Total += l.Amount
	}
	return out, nil
}
