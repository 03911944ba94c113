package tenants

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
)

// ErrNotSandbox is returned when a production tenant asks to move its clock: production
// tenants run on the wall clock, which nobody moves.
var ErrNotSandbox = &fault.ConflictError{Detail: "the tenant is not a sandbox: it runs on the wall clock, which cannot be moved"}

// clocks remembers, for one DB, the tenants known to run on the wall clock. Whether a
// tenant is a sandbox never changes after onboarding, so once a production tenant is seen
// its transactions answer Now without reading its row again; a sandbox tenant's test clock
// is read once per transaction.
type clocks struct{ wall sync.Map } // tenant id -> struct{}

// Clock is a tenant's "now" and where it comes from.
type Clock struct {
	Sandbox bool      `json:"sandbox" doc:"Whether the tenant runs on a test clock (a sandbox) rather than the wall clock"`
	Now     time.Time `json:"now" doc:"The tenant's now: its test clock, or the wall clock of a production tenant"`
}

// Now is the moment the transaction's business rules act at: the wall clock for a
// production tenant (and for platform work, which has no tenant), a sandbox tenant's test
// clock otherwise. Due times, warnings, breaches, escalations, cooling-off periods and the
// days of validity all ask it, so that a sandbox tenant's admin can play days in seconds
// (docs/sla.md, Sandbox tenants). Audit columns (created_at, updated_at) keep the wall clock.
func (t *Tx) Now(ctx context.Context) (time.Time, error) {
	id := t.Scope.TenantID
	if id == uuid.Nil {
		return time.Now(), nil
	}
	if t.clocks != nil {
		if _, ok := t.clocks.wall.Load(id); ok {
			return time.Now(), nil
		}
	}
	if t.testNow != nil {
		return *t.testNow, nil
	}
	c, err := t.Q.GetTenantClock(ctx, t, id)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the tenant's clock: %w", fault.DBError(err, "", ""))
	}
	if !c.Sandbox || c.TestClock == nil {
		if t.clocks != nil {
			t.clocks.wall.Store(id, struct{}{})
		}
		return time.Now(), nil
	}
	now := *c.TestClock
	t.testNow = &now
	return now, nil
}

// Sandbox reports whether the transaction's tenant runs on a test clock.
func (t *Tx) Sandbox(ctx context.Context) (bool, error) {
	if _, err := t.Now(ctx); err != nil {
		return false, err
	}
	return t.testNow != nil, nil
}

// GetClock returns the scope's tenant's clock.
func GetClock(ctx context.Context, tx *Tx) (Clock, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return Clock{}, err
	}
	return Clock{Sandbox: tx.testNow != nil, Now: now}, nil
}

// AdvanceClock moves a sandbox tenant's test clock forward to moment (moving it to where
// it is changes nothing). A production tenant gets ErrNotSandbox; a moment before the
// clock gets a fault.FieldError on field: a test clock never goes back, as nothing that
// happened can be undone. It fires nothing by itself and audits nothing: the caller
// (package sandbox) runs the work that falls due and audits the advance as a whole.
func AdvanceClock(ctx context.Context, tx *Tx, moment time.Time, field string) (Clock, error) {
	before, err := GetClock(ctx, tx)
	if err != nil {
		return Clock{}, err
	}
	if !before.Sandbox {
		return Clock{}, ErrNotSandbox
	}
	if moment.Before(before.Now) {
		return Clock{}, fault.Invalid(field, "is before the tenant's clock ("+before.Now.UTC().Format(time.RFC3339)+"): a test clock only moves forward")
	}
	if moment.Equal(before.Now) {
		return before, nil
	}
	at, err := tx.Q.AdvanceTestClock(ctx, tx, db.AdvanceTestClockParams{TenantID: tx.Scope.TenantID, Moment: moment})
	if errors.Is(err, pgx.ErrNoRows) {
		// Another advance went further in the meantime.
		return Clock{}, fault.ErrStale
	}
	if err != nil {
		return Clock{}, fmt.Errorf("advance the test clock: %w", err)
	}
	tx.Forget()
	tx.testNow = &at
	return Clock{Sandbox: true, Now: at}, nil
}

// Clock is the tenant's clock outside a transaction of the caller (background work that
// acts at the tenant's moment, such as the SLA wake): see Tx.Now. A production tenant known
// to this DB costs no round trip.
func (d *DB) Clock(ctx context.Context, tenantID uuid.UUID) (Clock, error) {
	if _, ok := d.clocks.wall.Load(tenantID); ok || tenantID == uuid.Nil {
		return Clock{Now: time.Now()}, nil
	}
	var c Clock
	err := d.Tx(ctx, Scope{TenantID: tenantID, Actor: SystemActor}, func(tx *Tx) (err error) {
		c, err = GetClock(ctx, tx)
		return err
	})
	return c, err
}
