package tenants

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// errRolledBack ends a Rollback transaction without committing it.
var errRolledBack = errors.New("tenants: rolled back")

// Rollback runs fn in a transaction confined to scope exactly as Tx does (the same pool and
// role, the same BEGIN with SET LOCAL app.tenant_id, app.outlet_id and app.user_id, so the
// same row-level security), then rolls the transaction back whatever fn returns: nothing fn
// does is ever committed. Writes queued by Later and jobs queued by Job are dropped with it
// unless fn sends them first with Flush.
//
// It exists for tests (internal/testfactory opens one per test and rolls it back in
// t.Cleanup); request code has no use for a transaction that cannot commit. It returns fn's
// error, or nil.
func (d *DB) Rollback(ctx context.Context, scope Scope, fn func(tx *Tx) error) error {
	if scope.TenantID == uuid.Nil {
		return errors.New("tenants: transaction without a tenant")
	}
	err := d.run(ctx, scope, func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRolledBack
	})
	if errors.Is(err, errRolledBack) {
		return nil
	}
	return err
}

// Flush sends now what commit would send first: the jobs queued by Job (to their inserter)
// and the writes queued by Later, in the same order as at commit. A transaction that will
// commit has no need of it; a test reads back in the transaction what the change queued
// (an intake's timeline, an audit entry) before Rollback drops it.
func (t *Tx) Flush(ctx context.Context) error {
	if err := t.flushJobs(ctx); err != nil {
		return err
	}
	return t.flush(ctx)
}

// Savepoint runs fn in a savepoint of t as if fn had a transaction of its own: when fn fails,
// everything it did is rolled back and t stays usable; when it succeeds, its queued writes
// and jobs are sent and the savepoint is released. It returns fn's error. Tx runs so under
// Enclose; tests use it to try a change that must fail inside their one rolled-back
// transaction.
func (t *Tx) Savepoint(ctx context.Context, fn func(tx *Tx) error) error {
	sp, err := t.tx.Begin(ctx)
	if err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	// A setting PlanForValues sent inside the savepoint is undone with it, and kept with it.
	inner := &Tx{tx: sp, Scope: t.Scope, Q: t.Q, clocks: t.clocks, testNow: t.testNow, forValues: t.forValues, planned: t.planned}
	if ferr := fn(inner); ferr != nil {
		if err := sp.Rollback(ctx); err != nil {
			return fmt.Errorf("%w (then roll back to the savepoint: %w)", ferr, err)
		}
		return ferr
	}
	if err := inner.Flush(ctx); err != nil {
		return err
	}
	t.forValues, t.planned = inner.forValues, inner.planned
	return sp.Commit(ctx)
}
