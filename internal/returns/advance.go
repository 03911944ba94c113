package returns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// InspectionNotReturned marks an advance exchange line whose old unit did not come back by
// the deadline: its hold was charged and the case goes on without it.
const InspectionNotReturned = "not_returned"

// DeadlineArgs wakes an advance exchange at its deadline: unless the old units are all back
// by then (on the tenant's clock), the deposit is kept or the card hold captured.
type DeadlineArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	CaseID   uuid.UUID `json:"case_id"`
}

// Kind names the job.
func (DeadlineArgs) Kind() string { return "return_advance_deadline" }

// ChargeIfOverdue charges the hold of an advance exchange whose old units are not all back
// by its deadline, on the tenant's clock (a sandbox tenant's test clock moves it). It
// returns the case, and the time left when the deadline has not come yet (the hold stays);
// a hold already released or charged is left alone, so the wake may run any number of
// times.
func (s *Service) ChargeIfOverdue(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Case, time.Duration, error) {
	c, err := lock(ctx, tx, id, 0)
	if err != nil {
		return Case{}, 0, err
	}
	if c.Hold == nil || c.Hold.Status != HoldHeld || c.Hold.DueAt == nil {
		return c, 0, nil
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Case{}, 0, err
	}
	if left := c.Hold.DueAt.Sub(now); left > 0 {
		return c, left, nil
	}
	before := c
	if c.Hold.Kind == HoldCard {
		s.settleLater(tx, c, true)
	}
	c.Hold.Status = HoldCharged
	for i := range c.Lines {
		l := &c.Lines[i]
		if l.Remedy == RemedyAdvanceExchange && !l.Received {
			l.Inspection, l.Outcome = InspectionNotReturned, OutcomeExchanged
		}
	}
	c.step(now, tx, EventHoldCharged, 0, fmt.Sprintf("the old unit was not back by %s: %d %s charged", c.Hold.DueAt.Format(time.DateOnly),
		c.Hold.Amount, c.Currency))
	if c.Status == StatusApproved && allBack(c) {
		c.Status = StatusReceived
	}
	out, err := s.save(ctx, tx, before, c, now, "return.charge_hold", EventHoldCharged, 0)
	return out, 0, err
}

// allBack reports whether every line's unit is back, or written off as not returned.
func allBack(c Case) bool {
	return !slices.ContainsFunc(c.Lines, func(l CaseLine) bool { return !l.Received && l.Inspection != InspectionNotReturned })
}

// Worker runs the advance exchange deadlines.
type Worker struct {
	DB       *tenants.DB
	Payments *billing.Service
	Log      *slog.Logger
}

// Name keys the consumer (it reacts to no event: it only brings its job's worker).
func (Worker) Name() string { return "returns" }

// Wants no event.
func (Worker) Wants(string) bool { return false }

// Handle does nothing: the worker has no event to react to.
func (Worker) Handle(context.Context, events.Event) error { return nil }

// AddWorkers registers the deadline's worker (jobs.WorkerProvider).
func (w *Worker) AddWorkers(ws *river.Workers) {
	river.AddWorker(ws, &deadlineWorker{w: w})
	river.AddWorker(ws, &refundWorker{w: w})
	river.AddWorker(ws, &holdWorker{w: w})
}

type deadlineWorker struct {
	river.WorkerDefaults[DeadlineArgs]
	w *Worker
}

// Work charges the hold when its deadline has come on the tenant's clock, and waits again
// (snoozes) for the time left when it has not.
func (d *deadlineWorker) Work(ctx context.Context, job *river.Job[DeadlineArgs]) error {
	s := &Service{Payments: d.w.Payments, Jobs: network.ContextJobs{}, History: orders.History{Now: time.Now}}
	var left time.Duration
	err := d.w.DB.Tx(ctx, tenants.Scope{TenantID: job.Args.TenantID, Actor: tenants.Actor{Kind: "system", Label: "advance exchange deadline"}},
		func(tx *tenants.Tx) error {
			var err error
			_, left, err = s.ChargeIfOverdue(ctx, tx, job.Args.CaseID)
			return err
		})
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return nil
		}
		return err
	}
	if left > 0 {
		return river.JobSnooze(left)
	}
	return nil
}

// HoldArgs releases (the old units are back) or captures (they are not, by the deadline) an
// advance exchange's card hold at Stripe, after the step that decided it committed: the
// decision and this job commit together, and River retries the job until Stripe answers.
// Unique by its args; the Stripe idempotency key (return_hold:<case>:release or :capture)
// is made of them, so a retry never moves money twice.
type HoldArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	CaseID   uuid.UUID `json:"case_id"`
	Intent   string    `json:"intent"`
	Capture  bool      `json:"capture"`
}

// Kind names the job.
func (HoldArgs) Kind() string { return "return_hold" }

// settleLater queues the card hold's release or capture for after the commit.
func (s *Service) settleLater(tx *tenants.Tx, c Case, capture bool) {
	tx.Job(s.Jobs, "", river.InsertManyParams{Args: HoldArgs{TenantID: tx.Scope.TenantID, CaseID: c.ID, Intent: c.Hold.Reference, Capture: capture},
		InsertOpts: &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}})
}

// SettleHold asks Stripe to release or capture a card hold, with the hold's idempotency key.
func (s *Service) SettleHold(ctx context.Context, a HoldArgs) error {
	if a.Capture {
		if err := s.Payments.CaptureHold(ctx, a.Intent, holdKeyPrefix+a.CaseID.String()+":capture"); err != nil {
			return fmt.Errorf("charge the card hold of case %s: %w", a.CaseID, err)
		}
		return nil
	}
	if err := s.Payments.ReleaseHold(ctx, a.Intent, holdKeyPrefix+a.CaseID.String()+":release"); err != nil {
		return fmt.Errorf("release the card hold of case %s: %w", a.CaseID, err)
	}
	return nil
}

type holdWorker struct {
	river.WorkerDefaults[HoldArgs]
	w *Worker
}

// Work releases or captures the hold; Stripe's failure is retried by River.
func (h *holdWorker) Work(ctx context.Context, job *river.Job[HoldArgs]) error {
	return (&Service{Payments: h.w.Payments}).SettleHold(ctx, job.Args)
}
