package tenants_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

// Under Enclose, Tx and Read calls with the same scope join the enclosing transaction: they
// run on its connection and see its writes, a failing Tx undoes only its own work, and
// nothing is committed until the enclosing function returns nil, or ever when it fails.
// Calls with another scope run on their own.
func TestEncloseJoinsTheDoors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t)
	app := tenants.NewDB(d.App)
	tenant := uuid.New()
	if _, err := d.App.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, 'enclose', 'Enclose', 'brand')`, tenant); err != nil {
		t.Fatal(err)
	}
	scope := tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}
	insert := `INSERT INTO customers (tenant_id, id, name) VALUES (app.tenant_id(), $1, 'Enclosed')`
	count := func(ctx context.Context) (n int) {
		t.Helper()
		if err := app.Read(ctx, scope, func(q db.DBTX) error {
			return q.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	pid := func(ctx context.Context, scope tenants.Scope) (pid int32) {
		t.Helper()
		if err := app.Tx(ctx, scope, func(tx *tenants.Tx) error {
			return tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid)
		}); err != nil {
			t.Fatal(err)
		}
		return pid
	}
	boom := errors.New("boom")

	err := app.Enclose(ctx, scope, func(ctx context.Context, outer *tenants.Tx) error {
		var outerPID int32
		if err := outer.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&outerPID); err != nil {
			return err
		}
		if p := pid(ctx, scope); p != outerPID {
			t.Errorf("a Tx under Enclose ran on connection %d, the enclosing one is %d", p, outerPID)
		}
		other := scope
		other.Actor.RequestID = "another request"
		if p := pid(ctx, other); p == outerPID {
			t.Error("a Tx with another scope joined the enclosing transaction")
		}
		if err := app.Tx(ctx, scope, func(tx *tenants.Tx) error {
			_, err := tx.Exec(ctx, insert, uuid.New())
			return err
		}); err != nil {
			return err
		}
		// A failing Tx undoes its own insert only.
		if err := app.Tx(ctx, scope, func(tx *tenants.Tx) error {
			if _, err := tx.Exec(ctx, insert, uuid.New()); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Errorf("the failing Tx returned %v", err)
		}
		if n := count(ctx); n != 1 {
			t.Errorf("a Read under Enclose sees %d customers, want the enclosed Tx's 1", n)
		}
		if n := count(context.Background()); n != 0 {
			t.Errorf("outside, before the commit: %d customers", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(ctx); n != 1 {
		t.Fatalf("after the commit: %d customers, want 1", n)
	}

	// An enclosing function that fails takes the committed-looking Tx calls with it.
	err = app.Enclose(ctx, scope, func(ctx context.Context, _ *tenants.Tx) error {
		if err := app.Tx(ctx, scope, func(tx *tenants.Tx) error {
			_, err := tx.Exec(ctx, insert, uuid.New())
			return err
		}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("the failing Enclose returned %v", err)
	}
	if n := count(ctx); n != 1 {
		t.Fatalf("after a failed Enclose: %d customers, want still 1", n)
	}
}
