package billing_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

func billMD(tenant, payment uuid.UUID) map[string]string {
	return map[string]string{"tenant_id": tenant.String(), "bill_payment_id": payment.String()}
}

func billSessionCompleted(id string, tenant, payment uuid.UUID, pi string, amount int64) []byte {
	return ev(id, "checkout.session.completed", time.Now().Unix(), map[string]any{"id": "cs_" + pi, "object": "checkout.session", "mode": "payment",
		"status": "complete", "payment_status": "paid", "amount_total": amount, "currency": "cny", "client_reference_id": "bill_payment:" + payment.String(),
		"metadata": billMD(tenant, payment), "payment_intent": pi})
}

func billIntentSucceeded(id string, tenant, payment uuid.UUID, pi string, amount int64) []byte {
	return ev(id, "payment_intent.succeeded", time.Now().Unix(), map[string]any{"id": pi, "object": "payment_intent", "amount": amount,
		"amount_received": amount, "currency": "cny", "status": "succeeded", "metadata": billMD(tenant, payment), "latest_charge": "ch_" + pi})
}

// issuedBill bills an order whose approved quote charges total and issues the bill.
func (b *bundle) issuedBill(f fixture, total int64) billing.Bill {
	b.t.Helper()
	order := b.order(f)
	b.approvedQuote(f, order, `{}`, fmt.Sprintf(`[{"kind": "part", "description": "Board", "quantity": 1, "unit_price": %d}]`, total), total)
	var bill billing.Bill
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		if bill, err = billing.CreateBill(b.ctx, tx, order); err != nil {
			return err
		}
		bill, err = b.svc.IssueBill(b.ctx, tx, bill.ID, bill.Version)
		return err
	})
	return bill
}

func (b *bundle) bill(f fixture, id uuid.UUID) billing.Bill {
	b.t.Helper()
	var bill billing.Bill
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		bill, err = billing.GetBill(b.ctx, tx, id)
		return err
	})
	return bill
}

// ledgerOfBill sums the bill's ledger entries of a kind and counts them.
func (b *bundle) ledgerOfBill(f fixture, bill uuid.UUID, kind string) (int64, int) {
	b.t.Helper()
	var sum int64
	var n int
	b.in(f.tenant, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT coalesce(sum(amount), 0), count(*) FROM ledger_entries WHERE tenant_id = app.tenant_id()
			AND bill_id = $1 AND kind = $2`, bill, kind).Scan(&sum, &n)
	})
	return sum, n
}

// TestBillPayments: part payments at the counter (cash, card terminal) and online through
// Checkout; concurrent, duplicated payment webhooks count each payment exactly once; part
// refunds, online ones through Stripe; a receipt per payment; the ledger has every movement
// and reconciliation checks the online ones.
func TestBillPayments(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	bill := b.issuedBill(f, 10000)
	if bill.Status != billing.BillIssued || bill.Balance != 10000 {
		t.Fatalf("issued bill %s balance %d, want issued 10000", bill.Status, bill.Balance)
	}
	scope := tenants.Scope{TenantID: f.tenant, Actor: tenants.Actor{Kind: "user", Label: "cashier@example.com"}}
	pay := func(in billing.CounterPayment) (billing.BillPayment, error) {
		var p billing.BillPayment
		err := b.tdb.Tx(b.ctx, scope, func(tx *tenants.Tx) (err error) {
			p, err = billing.TakeCounterPayment(b.ctx, tx, bill.ID, in)
			return err
		})
		return p, err
	}
	cash, err := pay(billing.CounterPayment{Method: "cash", Amount: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if cash.Status != "succeeded" || cash.ReceiptNumber != bill.Number+"-P1" {
		t.Fatalf("cash payment %s receipt %q, want succeeded %s-P1", cash.Status, cash.ReceiptNumber, bill.Number)
	}
	var fe *fault.FieldError
	if _, err := pay(billing.CounterPayment{Method: "card", Amount: 100}); !errors.As(err, &fe) || fe.Field != "reference" {
		t.Fatalf("card payment without a terminal reference: %v, want a field error at reference", err)
	}
	if _, err := pay(billing.CounterPayment{Method: "card", Amount: 2000, Reference: "T-0042"}); err != nil {
		t.Fatal(err)
	}
	if _, err := pay(billing.CounterPayment{Method: "cash", Amount: 5001}); !errors.As(err, &fe) || fe.Field != "amount" {
		t.Fatalf("paying more than the balance (5000): %v, want a field error at amount", err)
	}

	// Two online part payments of 2500 each from the pay link.
	var online []billing.PayCheckout
	for range 2 {
		b.in(f.tenant, func(tx *tenants.Tx) error {
			co, err := b.svc.StartBillCheckout(b.ctx, tx, bill, 2500, "")
			online = append(online, co)
			return err
		})
	}
	for _, co := range online {
		if co.Payment.Status != "pending" || co.URL == "" {
			t.Fatalf("online payment %+v, want pending with a Checkout URL", co)
		}
	}
	if got := b.bill(f, bill.ID); got.Paid != 5000 {
		t.Fatalf("paid %d before Stripe confirmed anything, want 5000 (counter only)", got.Paid)
	}
	// Each payment is confirmed by its session and its payment intent, each delivered twice,
	// all at once.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i, co := range online {
		pi := fmt.Sprintf("pi_bill_%d_%s", i, co.Payment.ID.String()[24:])
		for j, payload := range [][]byte{
			billSessionCompleted(fmt.Sprintf("evt_bs_%d_%s", i, pi), f.tenant, co.Payment.ID, pi, 2500),
			billIntentSucceeded(fmt.Sprintf("evt_bi_%d_%s", i, pi), f.tenant, co.Payment.ID, pi, 2500),
		} {
			for k := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := b.deliver(payload); err != nil {
						errs <- fmt.Errorf("delivery %d/%d/%d: %w", i, j, k, err)
					}
				}()
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	b.settle()
	got := b.bill(f, bill.ID)
	if got.Paid != 10000 || got.Balance != 0 || got.Status != billing.BillPaid || got.SettledAt == nil {
		t.Fatalf("after the webhooks: paid %d balance %d status %s settled %v; want 10000 0 paid, settled", got.Paid, got.Balance, got.Status, got.SettledAt)
	}
	if sum, n := b.ledgerOfBill(f, bill.ID, "payment"); sum != 10000 || n != 4 {
		t.Fatalf("ledger payments of the bill: %d in %d entries, want 10000 in 4", sum, n)
	}
	var payments []billing.BillPayment
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		payments, err = billing.BillPayments(b.ctx, tx, bill.ID)
		return err
	})
	receipts := map[string]bool{}
	for _, p := range payments {
		if p.Status == "succeeded" {
			receipts[p.ReceiptNumber] = true
		}
	}
	if len(receipts) != 4 || !receipts[bill.Number+"-P4"] {
		t.Fatalf("receipts %v, want 4 distinct, P1 to P4", receipts)
	}

	// Refunds: part of an online payment through Stripe, part of the cash at the counter.
	refund := func(in billing.RefundInput) (billing.BillPayment, error) {
		return b.svc.RefundBillPayment(b.ctx, scope, bill.ID, in)
	}
	r1, err := refund(billing.RefundInput{PaymentID: online[0].Payment.ID, Amount: 1000, Reason: "price cut after the dispute"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Status != "succeeded" || r1.RefundID == "" || r1.ReceiptNumber != bill.Number+"-R5" {
		t.Fatalf("online refund %s stripe %q receipt %q, want succeeded with a Stripe refund and receipt R5", r1.Status, r1.RefundID, r1.ReceiptNumber)
	}
	if _, err := refund(billing.RefundInput{PaymentID: online[0].Payment.ID, Amount: 1501, Reason: "again"}); !errors.As(err, &fe) || fe.Field != "amount" {
		t.Fatalf("refunding more than is left of the payment (1500): %v, want a field error at amount", err)
	}
	if _, err := refund(billing.RefundInput{PaymentID: cash.ID, Amount: 500, Reason: "goodwill"}); err != nil {
		t.Fatal(err)
	}
	got = b.bill(f, bill.ID)
	if got.Refunded != 1500 || got.Balance != 1500 || got.Status != billing.BillIssued {
		t.Fatalf("after refunds: refunded %d balance %d status %s; want 1500 1500 issued (owed again)", got.Refunded, got.Balance, got.Status)
	}
	if sum, n := b.ledgerOfBill(f, bill.ID, "refund"); sum != -1500 || n != 2 {
		t.Fatalf("ledger refunds of the bill: %d in %d entries, want -1500 in 2", sum, n)
	}
	// Reconciliation checks the Stripe-backed movements (two online payments, one refund),
	// not the counter's cash and card.
	rec, err := b.svc.Reconcile(b.ctx, scope, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Checked != 3 {
		t.Fatalf("reconciliation checked %d entries, want the 3 Stripe ones of the bill", rec.Checked)
	}
}
