package claims

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

func (b *bundle) statement(t *testing.T, tenant, id uuid.UUID) Statement {
	t.Helper()
	var st Statement
	b.in(t, tenant, func(tx *tenants.Tx) (err error) {
		st, err = GetStatement(b.ctx, tx, id)
		return err
	})
	return st
}

func (b *bundle) statements(t *testing.T, tenant uuid.UUID, direction string) []Statement {
	t.Helper()
	var l []Statement
	b.in(t, tenant, func(tx *tenants.Tx) (err error) {
		l, err = ListStatements(b.ctx, tx, StatementFilter{Direction: direction, Limit: 100})
		return err
	})
	return l
}

// claimLedger sums the tenant's ledger entries of a kind today.
func (b *bundle) claimLedger(t *testing.T, tenant uuid.UUID, kind string) (sum int64, n int) {
	t.Helper()
	b.in(t, tenant, func(tx *tenants.Tx) error {
		l, err := billing.ListLedger(b.ctx, tx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), uuid.NullUUID{}, 1000)
		for _, e := range l {
			if e.Kind == kind {
				sum += e.Amount
				n++
			}
		}
		return err
	})
	return sum, n
}

// TestStatementsSettlePartnerClaims: two approved claims (one adjusted and accepted) gather
// into the payer's payable statement of the month and the claimant's receivable copy under
// the same id; payments are partial, an overpayment is refused at amount, a bank reference
// is used once, and each payment is a ledger entry on both sides, applied once.
func TestStatementsSettlePartnerClaims(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.B, terms())
	claimed := func() Claim {
		_, theirs := b.work(t, ag, b.B, b.registration(t))
		c := b.generate(t, b.B, theirs)
		b.submit(t, b.B, c.ID)
		b.deliverAll(t, b.B, ag)
		return c
	}
	c1, c2 := claimed(), claimed()
	b.in(t, b.A, func(tx *tenants.Tx) error {
		if _, err := b.s.Review(b.ctx, tx, c1.ID, 0, ClaimReview{Decision: DecisionApprove}); err != nil {
			return err
		}
		_, err := b.s.Review(b.ctx, tx, c2.ID, 0, ClaimReview{Decision: DecisionAdjust,
			Lines: []ClaimAdjustment{{Line: 0, Approved: c2.Lines[0].Claimed - 500, Reason: "labour above the rate card"}}})
		return err
	})
	// An adjusted claim waits for the claimant's answer before it is settled.
	payable := b.statements(t, b.A, DirectionPayable)
	if len(payable) != 1 || payable[0].Amount != c1.Claimed || payable[0].Claims != 1 || payable[0].Status != StatementOpen ||
		payable[0].CounterpartyTenantID == nil || *payable[0].CounterpartyTenantID != b.B {
		t.Fatalf("payable after one approval: %+v", payable)
	}
	b.deliverAll(t, b.A, ag)
	b.in(t, b.B, func(tx *tenants.Tx) error {
		_, err := b.s.Respond(b.ctx, tx, c2.ID, 0, ClaimResponse{Action: ResponseAccept})
		return err
	})
	b.deliverAll(t, b.B, ag)
	b.deliverAll(t, b.A, ag)
	want := c1.Claimed + c2.Claimed - 500
	st := b.statement(t, b.A, payable[0].ID)
	mine := b.statement(t, b.B, payable[0].ID)
	if st.Amount != want || st.Claims != 2 || len(st.Lines) != 2 || st.Direction != DirectionPayable {
		t.Fatalf("payer's statement: %+v", st)
	}
	if mine.Amount != want || mine.Claims != 2 || mine.Direction != DirectionReceivable || mine.Period != st.Period ||
		mine.CounterpartyTenantID == nil || *mine.CounterpartyTenantID != b.A {
		t.Fatalf("claimant's statement: %+v", mine)
	}
	if l := b.statements(t, b.B, DirectionPayable); len(l) != 0 {
		t.Errorf("the claimant owes nothing: %+v", l)
	}

	pay := func(in PaymentInput) (Statement, error) {
		var out Statement
		err := b.d.Tx(b.ctx, tenants.Scope{TenantID: b.A, Actor: tenants.Actor{Kind: "system", Label: "finance"}}, func(tx *tenants.Tx) (err error) {
			out, err = b.s.Pay(b.ctx, tx, st.ID, 0, in)
			return err
		})
		return out, err
	}
	today := time.Now().Format(time.DateOnly)
	part, err := pay(PaymentInput{Reference: "BANK-001", Amount: 1000, PaidOn: today})
	if err != nil || part.Paid != 1000 || part.Status != StatementPartlyPaid || part.Outstanding != want-1000 {
		t.Fatalf("a partial payment: %+v %v", part, err)
	}
	for _, bad := range []struct {
		in    PaymentInput
		field string
	}{
		{PaymentInput{Reference: "BANK-002", Amount: want, PaidOn: today}, "amount"},
		{PaymentInput{Reference: "BANK-001", Amount: 1, PaidOn: today}, "reference"},
		{PaymentInput{Reference: " ", Amount: 1, PaidOn: today}, "reference"},
		{PaymentInput{Reference: "BANK-003", Amount: 1, PaidOn: "01/12/2026"}, "paid_on"},
		{PaymentInput{Reference: "BANK-003", Amount: 0, PaidOn: today}, "amount"},
	} {
		_, err := pay(bad.in)
		var fe *fault.FieldError
		if !errors.As(err, &fe) || fe.Field != bad.field {
			t.Errorf("%+v: %v, want a problem at %s", bad.in, err, bad.field)
		}
	}
	full, err := pay(PaymentInput{Reference: "BANK-002", Amount: want - 1000, PaidOn: today, Note: "rest"})
	if err != nil || full.Status != StatementPaid || full.Outstanding != 0 || len(full.Payments) != 2 {
		t.Fatalf("the rest paid: %+v %v", full, err)
	}
	// The claimant records no payments on what is owed to it; they arrive.
	b.in(t, b.B, func(tx *tenants.Tx) error {
		_, err := b.s.Pay(b.ctx, tx, st.ID, 0, PaymentInput{Reference: "X", Amount: 1, PaidOn: today})
		if !errors.Is(err, fault.ErrConflict) {
			t.Errorf("the claimant paying its receivable: %v", err)
		}
		return nil
	})
	b.deliverAll(t, b.A, ag)
	b.deliverAll(t, b.A, ag) // nothing left: delivering again changes nothing
	mine = b.statement(t, b.B, st.ID)
	if mine.Paid != want || mine.Status != StatementPaid || len(mine.Payments) != 2 || mine.Payments[0].Reference != "BANK-001" {
		t.Fatalf("claimant's statement after the payments: %+v", mine)
	}
	if sum, n := b.claimLedger(t, b.A, billing.LedgerClaimPayment); sum != -want || n != 2 {
		t.Errorf("payer's ledger: %d in %d entries, want %d in 2", sum, n, -want)
	}
	if sum, n := b.claimLedger(t, b.B, billing.LedgerClaimReceipt); sum != want || n != 2 {
		t.Errorf("claimant's ledger: %d in %d entries, want %d in 2", sum, n, want)
	}
	// C, a stranger to the statement, sees none of it.
	b.in(t, b.C, func(tx *tenants.Tx) error {
		if _, err := GetStatement(b.ctx, tx, st.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("another provider reads the statement: %v", err)
		}
		return nil
	})
}

// TestPaidTwiceCheck: an order of the brand that its own outlet claimed and that was also
// handed to a partner who claimed it is settled twice, and the check lists it with both claims.
func TestPaidTwiceCheck(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.B, terms())
	reg := b.registration(t)
	var o orders.Order
	b.in(t, b.A, func(tx *tenants.Tx) error {
		out := testfactory.Outlet(b.ctx, t, tx, nil)
		o = testfactory.Order(b.ctx, t, tx, &testfactory.OrderOpts{RegistrationID: reg, OutletID: out.ID})
		_, err := b.n.HandOff(b.ctx, tx, o.ID, network.HandOffInput{AgreementID: ag})
		return err
	})
	b.deliverAll(t, b.A, ag)
	var theirs uuid.UUID
	b.in(t, b.B, func(tx *tenants.Tx) error {
		theirs = mustReceived(t, b, tx, ag)
		return nil
	})
	b.finish(t, b.B, theirs)
	b.finish(t, b.A, o.ID)
	partner := b.generate(t, b.B, theirs)
	b.submit(t, b.B, partner.ID)
	b.deliverAll(t, b.B, ag)
	outlet := b.generate(t, b.A, o.ID)
	b.submit(t, b.A, outlet.ID)
	check := func() []SettledTwice {
		var l []SettledTwice
		b.in(t, b.A, func(tx *tenants.Tx) (err error) {
			l, err = PaidTwice(b.ctx, tx, 100)
			return err
		})
		return l
	}
	b.in(t, b.A, func(tx *tenants.Tx) error {
		_, err := b.s.Review(b.ctx, tx, outlet.ID, 0, ClaimReview{Decision: DecisionApprove})
		return err
	})
	if l := check(); len(l) != 0 {
		t.Fatalf("one claim settled, paid twice: %+v", l)
	}
	b.in(t, b.A, func(tx *tenants.Tx) error {
		_, err := b.s.Review(b.ctx, tx, partner.ID, 0, ClaimReview{Decision: DecisionApprove})
		return err
	})
	l := check()
	if len(l) != 1 || l[0].OrderID != o.ID || len(l[0].Claims) != 2 || l[0].Total != outlet.Claimed+partner.Claimed {
		t.Fatalf("paid twice: %+v", l)
	}
	ids := map[uuid.UUID]bool{l[0].Claims[0].ClaimID: true, l[0].Claims[1].ClaimID: true}
	if !ids[outlet.ID] || !ids[partner.ID] {
		t.Errorf("the claims named: %+v", l[0].Claims)
	}
	// The outlet's claim is in a payable statement to the outlet.
	for _, st := range b.statements(t, b.A, DirectionPayable) {
		if st.OutletID != nil && (st.Amount != outlet.Claimed || st.CounterpartyName == "") {
			t.Errorf("the outlet's statement: %+v", st)
		}
	}
}

// TestStatementMessagesApplyOnce: a payment's message whose receiver applied it but whose
// sender never recorded the delivery (the worker died between the receiver's commit and the
// ack) is delivered again, twice, and at once by two workers: the claimant still holds one
// payment, one ledger entry, one claim in its statement.
func TestStatementMessagesApplyOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.B, terms())
	_, theirs := b.work(t, ag, b.B, b.registration(t))
	c := b.generate(t, b.B, theirs)
	b.submit(t, b.B, c.ID)
	b.deliverAll(t, b.B, ag)
	var st Statement
	b.in(t, b.A, func(tx *tenants.Tx) error {
		if _, err := b.s.Review(b.ctx, tx, c.ID, 0, ClaimReview{Decision: DecisionApprove}); err != nil {
			return err
		}
		l, err := ListStatements(b.ctx, tx, StatementFilter{Direction: DirectionPayable, Limit: 10})
		if err != nil || len(l) != 1 {
			t.Fatalf("statements: %+v %v", l, err)
		}
		st, err = b.s.Pay(b.ctx, tx, l[0].ID, 0, PaymentInput{Reference: "BANK-ONCE", Amount: 700, PaidOn: time.Now().Format(time.DateOnly)})
		return err
	})
	var out []uuid.UUID
	b.in(t, b.A, func(tx *tenants.Tx) error {
		msgs, err := network.Messages(b.ctx, tx, ag)
		for _, m := range msgs {
			if m.Direction == "out" && m.State == "pending" {
				out = append(out, m.ID)
			}
		}
		return err
	})
	if len(out) != 3 { // the review, the statement's claim, the payment
		t.Fatalf("pending messages: %d", len(out))
	}
	b.deliverAll(t, b.A, ag)
	ackLost := func() {
		b.in(t, b.A, func(tx *tenants.Tx) error {
			_, err := tx.Exec(b.ctx, `UPDATE network_outbox SET delivered_at = NULL WHERE tenant_id = $1 AND id = ANY($2)`, b.A, out)
			return err
		})
	}
	ackLost()
	for _, id := range out {
		if err := b.n.Deliver(b.ctx, b.A, id); err != nil {
			t.Fatalf("redelivery: %v", err)
		}
	}
	ackLost()
	errs := make(chan error, 2*len(out))
	for range 2 {
		go func() {
			for _, id := range out {
				errs <- b.n.Deliver(b.ctx, b.A, id)
			}
		}()
	}
	for range 2 * len(out) {
		if err := <-errs; err != nil {
			t.Logf("a concurrent delivery failed (retried by River): %v", err)
		}
	}
	for _, id := range out { // River's retry of any that failed
		if err := b.n.Deliver(b.ctx, b.A, id); err != nil {
			t.Fatalf("retry: %v", err)
		}
	}
	mine := b.statement(t, b.B, st.ID)
	if mine.Paid != 700 || len(mine.Payments) != 1 || mine.Claims != 1 || mine.Amount != c.Claimed || len(mine.Lines) != 1 {
		t.Fatalf("the claimant's statement after redeliveries: %+v", mine)
	}
	if sum, n := b.claimLedger(t, b.B, billing.LedgerClaimReceipt); sum != 700 || n != 1 {
		t.Errorf("the claimant's ledger: %d in %d entries, want 700 in 1", sum, n)
	}
	b.in(t, b.B, func(tx *tenants.Tx) error {
		msgs, err := network.Messages(b.ctx, tx, ag)
		for _, m := range msgs {
			if m.Direction == "in" && m.State == "refused" {
				t.Errorf("a redelivered message was refused: %+v", m)
			}
		}
		return err
	})
}

// TestConcurrentSettlementsShareTheMonthsStatement: two claims of one outlet approved at
// the same time, in two transactions, before the month has a statement: the second waits for
// the first's statement and joins it, rather than failing on the month's key. (A partner's
// claims are serialized earlier, by the agreement's message sequence.)
func TestConcurrentSettlementsShareTheMonthsStatement(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var outlet uuid.UUID
	b.in(t, b.A, func(tx *tenants.Tx) error {
		outlet = testfactory.Outlet(b.ctx, t, tx, nil).ID
		return nil
	})
	var cs []Claim
	for range 2 {
		reg := b.registration(t)
		var o orders.Order
		b.in(t, b.A, func(tx *tenants.Tx) error {
			o = testfactory.Order(b.ctx, t, tx, &testfactory.OrderOpts{RegistrationID: reg, OutletID: outlet})
			return nil
		})
		b.finish(t, b.A, o.ID)
		c := b.generate(t, b.A, o.ID)
		b.submit(t, b.A, c.ID)
		cs = append(cs, c)
	}
	scope := tenants.Scope{TenantID: b.A, Actor: tenants.Actor{Kind: "system", Label: "test"}}
	made, second := make(chan struct{}), make(chan error, 1)
	go func() {
		<-made // the first transaction has made the statement and not committed yet
		second <- b.d.Tx(b.ctx, scope, func(tx *tenants.Tx) error {
			_, err := b.s.Review(b.ctx, tx, cs[1].ID, 0, ClaimReview{Decision: DecisionApprove})
			return err
		})
	}()
	err := b.d.Tx(b.ctx, scope, func(tx *tenants.Tx) error {
		if _, err := b.s.Review(b.ctx, tx, cs[0].ID, 0, ClaimReview{Decision: DecisionApprove}); err != nil {
			return err
		}
		close(made)
		time.Sleep(300 * time.Millisecond) // the second reaches the statement's insert and waits
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatalf("the concurrent approval: %v", err)
	}
	l := b.statements(t, b.A, DirectionPayable)
	if len(l) != 1 || l[0].Claims != 2 || l[0].Amount != cs[0].Claimed+cs[1].Claimed {
		t.Fatalf("statements after two concurrent approvals: %+v", l)
	}
}
