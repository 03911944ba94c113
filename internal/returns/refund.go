package returns

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// RefundPending is the status of a platform refund recorded by its step and not yet made
// by Stripe: SendRefund (after the step's commit) or its job makes it.
const RefundPending = "pending"

// refundRetryAfter is when the job asks Stripe if the step's own call after its commit did
// not get through.
const refundRetryAfter = 30 * time.Second

// RefundArgs asks Stripe for a line's refund recorded pending by the refund step, after the
// step's transaction committed. Unique by its args: the line's idempotency key at Stripe
// (return_refund:<case>:<line>) is made of them.
type RefundArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	CaseID   uuid.UUID `json:"case_id"`
	Line     int       `json:"line"`
}

// Kind names the job.
func (RefundArgs) Kind() string { return "return_refund" }

// TxRunner runs fn in a transaction of the tenant's scope, committing when it returns nil.
type TxRunner func(ctx context.Context, fn func(tx *tenants.Tx) error) error

// SendRefund asks Stripe for a line's pending refund, outside any transaction, with the
// line's idempotency key (a retry never refunds twice), then records Stripe's refund in a
// transaction of its own. A refund no longer pending is left alone. When Stripe fails the
// line stays pending and the error is returned: the job (or another call) tries again.
func (s *Service) SendRefund(ctx context.Context, run TxRunner, id uuid.UUID, line int) (Case, error) {
	var c Case
	var tenant uuid.UUID
	if err := run(ctx, func(tx *tenants.Tx) (err error) {
		tenant = tx.Scope.TenantID
		c, err = Get(ctx, tx, id)
		return err
	}); err != nil {
		return Case{}, err
	}
	if line < 1 || line > len(c.Lines) {
		return Case{}, fault.Invalid("line", "is not a line of the case")
	}
	l := c.Lines[line-1]
	if l.Refund == nil || l.Refund.Status != RefundPending {
		return c, nil
	}
	got, err := s.Payments.RefundIntent(ctx, l.PaymentIntent, l.Refund.Amount, fmt.Sprintf("%s%s:%d", refundKeyPrefix, c.ID, l.No),
		map[string]string{"tenant_id": tenant.String(), "return_case_id": c.ID.String(), "line": fmt.Sprint(l.No)})
	if err != nil {
		return c, fmt.Errorf("refund line %d of case %s: %w", l.No, c.Number, err)
	}
	err = run(ctx, func(tx *tenants.Tx) error {
		locked, err := lock(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		rf := locked.Lines[line-1].Refund
		if rf == nil || rf.Status != RefundPending {
			c = locked // recorded by a concurrent call
			return nil
		}
		now, err := tx.Now(ctx)
		if err != nil {
			return err
		}
		before := locked
		rf.StripeRefundID, rf.Status = got.ID, got.Status
		c, err = s.save(ctx, tx, before, locked, now, "return.refund_sent", "", line)
		return err
	})
	return c, err
}

type refundWorker struct {
	river.WorkerDefaults[RefundArgs]
	w *Worker
}

// Work makes a line's pending refund; Stripe's failure is retried by River (the line stays
// pending until then).
func (r *refundWorker) Work(ctx context.Context, job *river.Job[RefundArgs]) error {
	s := &Service{Payments: r.w.Payments}
	scope := tenants.Scope{TenantID: job.Args.TenantID, Actor: tenants.Actor{Kind: "system", Label: "return refund"}}
	_, err := s.SendRefund(ctx, func(ctx context.Context, fn func(tx *tenants.Tx) error) error { return r.w.DB.Tx(ctx, scope, fn) },
		job.Args.CaseID, job.Args.Line)
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	return err
}
