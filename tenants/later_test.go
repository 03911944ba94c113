package tenants_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

// Writes queued with Tx.Later run at commit, in the transaction: unseen before, kept after,
// and a failing one rolls back everything the transaction did.
func TestLaterWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t)
	app := tenants.NewDB(d.App)
	tenant := uuid.New()
	if _, err := d.App.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, 'later', 'Later', 'brand')`, tenant); err != nil {
		t.Fatal(err)
	}
	scope := tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}
	count := func() (n int) {
		t.Helper()
		if err := app.Tx(ctx, scope, func(tx *tenants.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := `INSERT INTO customers (tenant_id, id, name) VALUES (app.tenant_id(), $1, 'Queued')`
	first := uuid.New()
	err := app.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if _, err := tx.Later().Exec(ctx, insert, first); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("a queued write ran before commit: %d customers", n)
		}
		if err := tx.Later().QueryRow(ctx, `SELECT 1`).Scan(&n); err == nil {
			t.Error("Later answered a read")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("after commit: %d customers, want the queued one", n)
	}

	// A queued write that fails (the same id again) rolls back the transaction's other writes.
	err = app.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(ctx, insert, uuid.New()); err != nil {
			return err
		}
		_, err := tx.Later().Exec(ctx, insert, first)
		return err
	})
	if err == nil {
		t.Fatal("a failing queued write did not fail the transaction")
	}
	if n := count(); n != 1 {
		t.Errorf("after a failed queued write: %d customers, want 1 (the transaction rolled back)", n)
	}
}
