package commission_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// TestStatementApprovedTwiceThenLockedAndPaid approves an engineer's statement as the data
// layer requires (the outlet manager, then finance; an auditor or the same person twice is
// refused), then pays it, and shows that a line written after the approval goes to the next
// month's statement.
func TestStatementApprovedTwiceThenLockedAndPaid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testfactory.DB(t)
	tn := testfactory.Tenant(ctx, t, d, nil)
	system := tenants.Scope{TenantID: tn.ID, Actor: tenants.SystemActor}
	var b *payBundle
	var manager, otherManager, finance, auditor, admin uuid.UUID
	var otherOutlet uuid.UUID
	run := func(scope tenants.Scope, fn func(tx *tenants.Tx) error) error { return d.Tx(ctx, scope, fn) }
	if err := run(system, func(tx *tenants.Tx) error {
		b = setupPay(t, tx, rules10())
		otherOutlet = testfactory.Outlet(ctx, t, tx, nil).ID
		manager = testfactory.User(ctx, t, tx, &testfactory.UserOpts{Role: "outlet_manager", OutletID: b.outlet}).UserID
		otherManager = testfactory.User(ctx, t, tx, &testfactory.UserOpts{Role: "outlet_manager", OutletID: otherOutlet}).UserID
		finance = testfactory.User(ctx, t, tx, &testfactory.UserOpts{Role: "finance"}).UserID
		auditor = testfactory.User(ctx, t, tx, &testfactory.UserOpts{Role: "auditor"}).UserID
		admin = testfactory.User(ctx, t, tx, &testfactory.UserOpts{Role: "tenant_admin"}).UserID
		b.status(t, b.order, "approved")
		_, err := commission.PayOrder(ctx, tx, b.order)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	person := func(user uuid.UUID, outlet uuid.UUID) tenants.Scope {
		return tenants.Scope{TenantID: tn.ID, UserID: user, OutletID: outlet, Actor: tenants.Actor{Kind: "user", ID: user, Label: user.String()[:8]}}
	}
	var stmt commission.PayStatement
	if err := run(system, func(tx *tenants.Tx) error {
		sts, err := commission.Statements(ctx, tx, commission.StatementFilter{PartyID: uuid.NullUUID{UUID: b.lead, Valid: true}, Limit: 10})
		if err != nil || len(sts) != 1 {
			t.Fatalf("lead's statements: %+v, %v", sts, err)
		}
		stmt, err = commission.GetStatement(ctx, tx, sts[0].ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if stmt.Total != 2000 || len(stmt.Lines) != 1 || stmt.Lines[0].OrderID != b.order || stmt.PartyName == "" {
		t.Fatalf("lead's statement: %+v", stmt)
	}
	approve := func(scope tenants.Scope) (commission.PayStatement, error) {
		var out commission.PayStatement
		err := run(scope, func(tx *tenants.Tx) (err error) {
			out, err = commission.Approve(ctx, tx, stmt.ID)
			return err
		})
		return out, err
	}
	// Finance cannot take the first step, an auditor no step; another outlet's manager does
	// not even see the statement.
	for name, scope := range map[string]tenants.Scope{"finance first": person(finance, uuid.Nil), "auditor": person(auditor, uuid.Nil)} {
		if _, err := approve(scope); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("%s approving: %v, want forbidden", name, err)
		}
	}
	if _, err := approve(person(otherManager, otherOutlet)); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("another outlet's manager approving: %v, want not found", err)
	}
	if st, err := approve(person(manager, b.outlet)); err != nil || st.Status != commission.StatementManagerApproved {
		t.Fatalf("manager approving: %+v, %v", st, err)
	}
	// The manager cannot also give the second approval; an admin who gave none can.
	if _, err := approve(person(manager, b.outlet)); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("manager approving twice: %v, want forbidden", err)
	}
	if st, err := approve(person(admin, uuid.Nil)); err != nil || st.Status != commission.StatementApproved {
		t.Fatalf("admin's second approval: %+v, %v", st, err)
	}
	if _, err := approve(person(finance, uuid.Nil)); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("approving a locked statement: %v, want conflict", err)
	}
	// Locked: a new order's pay for the same engineer goes to the next month.
	if err := run(system, func(tx *tenants.Tx) error {
		b.tx = tx
		next := b.newOrder(t)
		b.status(t, next, "approved")
		_, err := commission.PayOrder(ctx, tx, next)
		if err != nil {
			return err
		}
		lines, err := commission.OrderLines(ctx, tx, next)
		if err != nil {
			return err
		}
		for _, l := range lines {
			if l.StatementID == nil || *l.StatementID == stmt.ID {
				t.Errorf("line after the approval on the locked statement: %+v", l)
			}
		}
		sts, err := commission.Statements(ctx, tx, commission.StatementFilter{PartyID: uuid.NullUUID{UUID: b.lead, Valid: true}, Limit: 10})
		if err != nil {
			return err
		}
		months := map[string]int64{}
		for _, s := range sts {
			months[s.Month] = s.Total
		}
		first, _ := time.Parse(time.DateOnly, stmt.Month)
		if months[stmt.Month] != 2000 || months[first.AddDate(0, 1, 0).Format(time.DateOnly)] != 2000 {
			t.Errorf("statements by month after the lock: %v", months)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The payout: a date and a reference, by finance.
	pay := func(scope tenants.Scope, in commission.Payout) (commission.PayStatement, error) {
		var out commission.PayStatement
		err := run(scope, func(tx *tenants.Tx) (err error) {
			out, err = commission.MarkPaid(ctx, tx, stmt.ID, in)
			return err
		})
		return out, err
	}
	if _, err := pay(person(finance, uuid.Nil), commission.Payout{PaidOn: "5 Dec", Reference: "x"}); testfactory.ErrField(err) != "paid_on" {
		t.Errorf("payout without a date: %v", err)
	}
	if _, err := pay(person(manager, b.outlet), commission.Payout{PaidOn: "2026-12-05", Reference: "BANK-1"}); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("manager recording a payout: %v, want forbidden", err)
	}
	st, err := pay(person(finance, uuid.Nil), commission.Payout{PaidOn: "2026-12-05", Reference: "BANK-1"})
	if err != nil || st.Status != commission.StatementPaid || st.PaidOn != "2026-12-05" || st.PaidReference != "BANK-1" {
		t.Fatalf("payout: %+v, %v", st, err)
	}
}
