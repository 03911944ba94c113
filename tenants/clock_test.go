package tenants_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

// A production tenant's transactions run on the wall clock and cannot move it; a sandbox
// tenant's on its test clock, which only moves forward, and only in its own scope: another
// tenant's transaction naming its id moves nothing.
func TestTenantClocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t)
	app := tenants.NewDB(d.App)
	onboard := func(slug string, sandbox bool) uuid.UUID {
		t.Helper()
		tn, _, err := app.Onboard(ctx, tenants.SystemActor, tenants.NewTenant{Slug: slug, Name: slug, Kind: "brand",
			Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN", AdminEmail: slug + "@clock.test", AdminName: "Admin",
			AdminPasswordHash: "x", Sandbox: sandbox})
		if err != nil {
			t.Fatal(err)
		}
		return tn.ID
	}
	prod, a, b := onboard("clock-prod", false), onboard("clock-a", true), onboard("clock-b", true)
	in := func(id uuid.UUID, fn func(tx *tenants.Tx) error) error {
		return app.Tx(ctx, tenants.Scope{TenantID: id, Actor: tenants.SystemActor}, fn)
	}
	clock := func(id uuid.UUID) tenants.Clock {
		t.Helper()
		c, err := app.Clock(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	if c := clock(prod); c.Sandbox || time.Since(c.Now).Abs() > time.Minute {
		t.Fatalf("production clock: %+v", c)
	}
	if err := in(prod, func(tx *tenants.Tx) error {
		_, err := tenants.AdvanceClock(ctx, tx, time.Now().Add(time.Hour), "to")
		return err
	}); !errors.Is(err, tenants.ErrNotSandbox) {
		t.Fatalf("a production tenant advanced its clock: %v", err)
	}

	startA, startB := clock(a), clock(b)
	if !startA.Sandbox || time.Since(startA.Now).Abs() > time.Minute {
		t.Fatalf("sandbox clock: %+v", startA)
	}
	time.Sleep(10 * time.Millisecond)
	if c := clock(a); !c.Now.Equal(startA.Now) {
		t.Fatalf("a test clock moved by itself: %s, was %s", c.Now, startA.Now)
	}
	to := startA.Now.Add(72 * time.Hour)
	if err := in(a, func(tx *tenants.Tx) error {
		c, err := tenants.AdvanceClock(ctx, tx, to, "to")
		if err != nil {
			return err
		}
		if now, err := tx.Now(ctx); err != nil || !now.Equal(to) || !c.Now.Equal(to) {
			t.Errorf("the transaction's now after the advance: %s %v, want %s", now, err, to)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if c := clock(a); !c.Now.Equal(to) {
		t.Fatalf("A's clock after the advance: %s, want %s", c.Now, to)
	}
	var fe *fault.FieldError
	if err := in(a, func(tx *tenants.Tx) error {
		_, err := tenants.AdvanceClock(ctx, tx, to.Add(-time.Second), "to")
		return err
	}); !errors.As(err, &fe) || fe.Field != "to" {
		t.Fatalf("moving back: %v", err)
	}
	// A's advance left B's clock where it was.
	if c := clock(b); !c.Now.Equal(startB.Now) {
		t.Fatalf("B's clock: %s, was %s", c.Now, startB.Now)
	}
}
