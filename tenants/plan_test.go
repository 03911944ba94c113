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

// PlanForValues' setting travels with the transaction's next statement and holds for the
// rest of it; a savepoint rolled back takes a setting sent inside it along; ForValues plans
// a Read's statements so, in their own batch, without widening the Read's scope.
func TestPlanForValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t)
	app := tenants.NewDB(d.App)
	tenant, other := uuid.New(), uuid.New()
	for i, id := range []uuid.UUID{tenant, other} {
		if _, err := d.App.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, $2, 'Plans', 'brand')`,
			id, []string{"plans", "plans-other"}[i]); err != nil {
			t.Fatal(err)
		}
		if err := app.Tx(ctx, tenants.Scope{TenantID: id, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO customers (tenant_id, id, name) VALUES (app.tenant_id(), $1, 'Planned')`, uuid.New())
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	scope := tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}
	mode := func(q db.DBTX) string {
		t.Helper()
		var m string
		if err := q.QueryRow(ctx, `SELECT current_setting('plan_cache_mode')`).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	const custom, auto = "force_custom_plan", "auto"

	err := app.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if m := mode(tx); m != auto {
			t.Errorf("before PlanForValues: plan_cache_mode %s", m)
		}
		tx.PlanForValues()
		if m := mode(tx); m != custom { // sent with this statement
			t.Errorf("the statement after PlanForValues: plan_cache_mode %s", m)
		}
		if m := mode(tx); m != custom {
			t.Errorf("a later statement: plan_cache_mode %s", m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Exec carries the setting too, and a savepoint that fails undoes what it sent.
	err = app.Tx(ctx, scope, func(tx *tenants.Tx) error {
		failed := errors.New("refused")
		if err := tx.Savepoint(ctx, func(inner *tenants.Tx) error {
			inner.PlanForValues()
			if _, err := inner.Exec(ctx, `SELECT 1`); err != nil {
				return err
			}
			if m := mode(inner); m != custom {
				t.Errorf("inside the savepoint: plan_cache_mode %s", m)
			}
			return failed
		}); !errors.Is(err, failed) {
			t.Fatalf("savepoint: %v", err)
		}
		if m := mode(tx); m != auto {
			t.Errorf("after a savepoint rolled back: plan_cache_mode %s, want it undone", m)
		}
		// Asked before a savepoint that fails, it is still owed to the transaction.
		tx.PlanForValues()
		_ = tx.Savepoint(ctx, func(inner *tenants.Tx) error {
			_ = mode(inner)
			return failed
		})
		if m := mode(tx); m != custom {
			t.Errorf("asked before a savepoint rolled back: plan_cache_mode %s", m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	err = app.Read(ctx, scope, func(q db.DBTX) error {
		if m := mode(q); m != auto {
			t.Errorf("a Read: plan_cache_mode %s", m)
		}
		planned := tenants.ForValues(q)
		if m := mode(planned); m != custom {
			t.Errorf("a Read ForValues: plan_cache_mode %s", m)
		}
		if s := tenants.ScopeOf(planned); s.TenantID != tenant {
			t.Errorf("ScopeOf a Read ForValues: tenant %s, want %s", s.TenantID, tenant)
		}
		var n int
		if err := planned.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("a Read ForValues sees %d customers, want its tenant's one", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := tenants.ScopeOf(d.App); s != (tenants.Scope{}) {
		t.Errorf("ScopeOf a pool: %+v, want none", s)
	}
}
