package testfactory_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// The test transaction is the product's: the application role, the tenant set with SET
// LOCAL, row-level security on; and nothing done in it survives the test.
func TestTestTxIsScopedAndRolledBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tenant := testfactory.Tenant(ctx, t, testfactory.DB(t), nil)
	var created uuid.UUID
	t.Run("work", func(t *testing.T) {
		tx := testfactory.TestTx(ctx, t, &testfactory.TxOpts{TenantID: tenant.ID})
		var role, setting string
		var bypass bool
		if err := tx.QueryRow(ctx, `SELECT current_user, current_setting('app.tenant_id', true),
			(SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user)`).Scan(&role, &setting, &bypass); err != nil {
			t.Fatal(err)
		}
		if role == "postgres" || bypass || setting != tenant.ID.String() {
			t.Fatalf("role %s (bypassrls %v), app.tenant_id %q: want the application role confined to %s", role, bypass, setting, tenant.ID)
		}
		created = testfactory.Customer(ctx, t, tx, nil).ID
		if _, err := customers.Get(ctx, tx, created); err != nil {
			t.Fatalf("the customer is not visible in its own transaction: %v", err)
		}
	})
	tx := testfactory.TestTx(ctx, t, &testfactory.TxOpts{TenantID: tenant.ID})
	if _, err := customers.Get(ctx, tx, created); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("the first test's customer after its end: %v, want not found (rolled back)", err)
	}
	if got, err := tenants.GetTenant(ctx, tx); err != nil || got.Slug != tenant.Slug {
		t.Fatalf("the onboarded tenant: %+v, %v", got, err)
	}
}

// Another tenant's rows are out of reach in a test transaction, as in the product.
func TestTestTxSeesOnlyItsTenant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testfactory.DB(t)
	other := testfactory.Tenant(ctx, t, d, nil)
	// A committed row of the other tenant, written the way the product writes.
	var theirs uuid.UUID
	if err := d.Tx(ctx, tenants.Scope{TenantID: other.ID, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		c, err := customers.Create(ctx, tx, customers.Fields{Name: "Theirs", Phone: testfactory.Phone()})
		theirs = c.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tx := testfactory.TestTx(ctx, t, nil)
	if _, err := customers.Get(ctx, tx, theirs); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("another tenant's customer: %v, want not found", err)
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("customers visible in a new tenant: %d, %v", n, err)
	}
}

// The factories fill defaults and link what they create.
func TestFactoriesDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	outlet := testfactory.Outlet(ctx, t, tx, nil)
	if outlet.Code == "" || outlet.ProvinceCode != "310000" || outlet.Status != "active" {
		t.Errorf("outlet defaults: %+v", outlet)
	}
	eng := testfactory.User(ctx, t, tx, &testfactory.UserOpts{OutletID: outlet.ID})
	if eng.Role != "engineer" || eng.OutletID == nil || *eng.OutletID != outlet.ID || eng.Email == "" {
		t.Errorf("user at an outlet: %+v", eng)
	}
	if agent := testfactory.User(ctx, t, tx, nil); agent.Role != "agent" || agent.OutletID != nil {
		t.Errorf("user without an outlet: %+v", agent)
	}
	a, b := testfactory.Model(ctx, t, tx, nil), testfactory.Model(ctx, t, tx, nil)
	if a.SKU == b.SKU || a.CategoryID == b.CategoryID || len(a.Components) != 1 {
		t.Errorf("models: %+v, %+v", a, b)
	}
	reg := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: a.ID})
	today := testfactory.Today(ctx, t, tx)
	if reg.ModelID != a.ID || reg.BuyerID == nil || reg.InvoiceNo == "" || !reg.HasWarrantyCard ||
		reg.PurchaseDate != today.AddDate(0, 0, -60).Format("2006-01-02") {
		t.Errorf("registration defaults: %+v", reg)
	}
	o := testfactory.Order(ctx, t, tx, &testfactory.OrderOpts{RegistrationID: reg.ID})
	if o.CustomerID != *reg.BuyerID || o.RegistrationID == nil || *o.RegistrationID != reg.ID || o.Number == "" {
		t.Errorf("order of a registration: %+v", o)
	}
}

// A savepoint that fails is undone and leaves the test transaction usable.
func TestSavepoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	var kept uuid.UUID
	boom := errors.New("boom")
	err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		kept = testfactory.Customer(ctx, t, tx, nil).ID
		_, err := tx.Exec(ctx, `SELECT 1/0`)
		return errors.Join(boom, err)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("savepoint error: %v", err)
	}
	if _, err := customers.Get(ctx, tx, kept); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("a failed savepoint's customer: %v, want not found", err)
	}
	if err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		kept = testfactory.Customer(ctx, t, tx, nil).ID
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.Get(ctx, tx, kept); err != nil {
		t.Fatalf("a released savepoint's customer: %v", err)
	}
}
