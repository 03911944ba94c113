package orders_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/testfactory"
)

// The engineer's report moves the order by its result, and only while it is worked on.
func TestCompleteMovesByResult(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := b.unit(t, 60)
	report := orders.Completion{Diagnosis: "refrigerant leak", WorkDone: "sealed and recharged"}
	repairing := func() orders.Order {
		t.Helper()
		o := b.order(t, reg, "")
		o, err := b.svc.Transition(b.ctx, b.tx, o.ID, o.Version, orders.TransitionInput{To: orders.StatusRepairing})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	for _, c := range []struct {
		result, status string
		completed      bool
	}{
		{"fixed", orders.StatusReadyForPickup, true},
		{"exchange", orders.StatusReadyForPickup, true},
		{"needs_parts", orders.StatusWaitingParts, false},
		{"not_fixed", orders.StatusEscalated, false},
	} {
		o := repairing()
		r := report
		r.Result = c.result
		done, err := b.svc.Complete(b.ctx, b.tx, o.ID, o.Version, r)
		if err != nil {
			t.Fatalf("%s: %v", c.result, err)
		}
		if done.Status != c.status || done.Result != c.result || (done.CompletedAt != nil) != c.completed ||
			done.Completion == nil || done.Completion.DecidedBy != "system:test" {
			t.Errorf("%s: status %s result %s completed %v completion %+v", c.result, done.Status, done.Result, done.CompletedAt, done.Completion)
		}
	}

	// An escalated unit that still cannot be fixed goes back to its owner.
	o := repairing()
	r := report
	r.Result = "not_fixed"
	o, err := b.svc.Complete(b.ctx, b.tx, o.ID, o.Version, r)
	if err != nil {
		t.Fatal(err)
	}
	if o, err = b.svc.Complete(b.ctx, b.tx, o.ID, o.Version, r); err != nil || o.Status != orders.StatusReadyForPickup || o.CompletedAt == nil {
		t.Fatalf("escalated and not fixed: %+v, %v", o, err)
	}

	waiting := b.order(t, reg, "")
	r.Result = "fixed"
	if _, err := b.svc.Complete(b.ctx, b.tx, waiting.ID, waiting.Version, r); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("a report on a waiting order: %v", err)
	}
	o = repairing()
	for _, c := range []struct {
		name  string
		edit  func(c *orders.Completion)
		field string
	}{
		{"no diagnosis", func(c *orders.Completion) { c.Diagnosis = " " }, "diagnosis"},
		{"an exclusion without evidence", func(c *orders.Completion) { c.Exclusion = "liquid_damage" }, "evidence_ids"},
		{"evidence of another order", func(c *orders.Completion) {
			c.Exclusion, c.EvidenceIDs = "liquid_damage", []uuid.UUID{uuid.New()}
		}, "evidence_ids[0]"},
		{"a photo of another order", func(c *orders.Completion) { c.PhotoIDs = []uuid.UUID{uuid.New()} }, "photo_ids[0]"},
		{"a bad fault code", func(c *orders.Completion) { c.FaultCode = "??" }, "fault_code"},
	} {
		in := r
		c.edit(&in)
		if _, err := b.svc.Complete(b.ctx, b.tx, o.ID, o.Version, in); testfactory.ErrField(err) != c.field {
			t.Errorf("%s: %v, want a field error at %s", c.name, err, c.field)
		}
	}
	if _, err := b.svc.Complete(b.ctx, b.tx, o.ID, o.Version+5, r); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("a stale report: %v", err)
	}
}
