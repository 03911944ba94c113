package orders

import (
	"errors"
	"slices"
	"testing"

	"github.com/aftersales/aftersales/internal/fault"
)

func TestStatusMachines(t *testing.T) {
	t.Parallel()
	// The happy paths of both flows, then audit and close.
	paths := map[string][]string{
		FlowCarryIn: {StatusWaiting, StatusRepairing, StatusWaitingParts, StatusRepairing, StatusEscalated, StatusRepairing,
			StatusReadyForPickup, StatusPickedUp, StatusRejected, StatusRepairing, StatusReadyForPickup, StatusPickedUp,
			StatusApproved, StatusClosed, StatusWaiting},
		FlowOnSite: {StatusCreated, StatusAccepted, StatusDispatched, StatusAccepted, StatusDispatched, StatusScheduled,
			StatusEnRoute, StatusOnSite, StatusWaitingParts, StatusScheduled, StatusEnRoute, StatusOnSite, StatusCompleted,
			StatusApproved, StatusClosed, StatusAccepted},
	}
	for flow, path := range paths {
		if path[0] != InitialStatus(flow) {
			t.Errorf("%s starts at %s, want %s", flow, InitialStatus(flow), path[0])
		}
		for i := 1; i < len(path); i++ {
			if err := CheckTransition(flow, path[i-1], path[i]); err != nil {
				t.Errorf("%s: %s -> %s refused: %v", flow, path[i-1], path[i], err)
			}
		}
	}
	// Refused moves name the allowed ones and are conflicts.
	for _, c := range []struct{ flow, from, to string }{
		{FlowCarryIn, StatusWaiting, StatusPickedUp},
		{FlowCarryIn, StatusReadyForPickup, StatusCancelled}, // the unit is repaired: it is picked up, not cancelled
		{FlowCarryIn, StatusCancelled, StatusWaiting},        // cancelled is final
		{FlowCarryIn, StatusPickedUp, StatusClosed},          // audit comes first
		{FlowOnSite, StatusCreated, StatusScheduled},
		{FlowOnSite, StatusOnSite, StatusCancelled}, // the engineer is there: finish the visit
		{FlowOnSite, StatusCompleted, StatusClosed},
		{FlowOnSite, StatusWaiting, StatusRepairing}, // carry-in statuses are not on-site ones
	} {
		err := CheckTransition(c.flow, c.from, c.to)
		var te *TransitionError
		if c.from == StatusWaiting && c.flow == FlowOnSite {
			if err == nil || errors.As(err, &te) {
				t.Errorf("%s %s: an unknown status should be an error of its own, got %v", c.flow, c.from, err)
			}
			continue
		}
		if !errors.As(err, &te) || !errors.Is(err, fault.ErrConflict) {
			t.Errorf("%s: %s -> %s: %v, want a TransitionError conflict", c.flow, c.from, c.to, err)
			continue
		}
		if !slices.Equal(te.Allowed, Next(c.flow, c.from)) {
			t.Errorf("%s: allowed %v, want %v", c.from, te.Allowed, Next(c.flow, c.from))
		}
	}
	if err := CheckTransition(FlowCarryIn, StatusCancelled, StatusWaiting); err == nil ||
		err.Error() != "a carry_in order cannot go from cancelled to waiting; allowed: none: the order is final" {
		t.Errorf("final status message: %v", err)
	}
	// Every status a machine moves to is one of its own.
	for flow, m := range machine {
		for from, tos := range m {
			for _, to := range tos {
				if _, ok := m[to]; !ok {
					t.Errorf("%s: %s -> %s leads out of the machine", flow, from, to)
				}
			}
		}
	}
}

func TestCompletionStatus(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ flow, from, result, want string }{
		{FlowCarryIn, StatusRepairing, "fixed", StatusReadyForPickup},
		{FlowCarryIn, StatusRepairing, "exchange", StatusReadyForPickup},
		{FlowCarryIn, StatusRepairing, "needs_parts", StatusWaitingParts},
		{FlowCarryIn, StatusRepairing, "not_fixed", StatusEscalated},
		{FlowCarryIn, StatusEscalated, "not_fixed", StatusReadyForPickup}, // returned unrepaired
		{FlowOnSite, StatusOnSite, "fixed", StatusCompleted},
		{FlowOnSite, StatusOnSite, "not_fixed", StatusCompleted},
		{FlowOnSite, StatusOnSite, "needs_parts", StatusWaitingParts},
	} {
		got := completionStatus(c.flow, c.from, c.result)
		if got != c.want {
			t.Errorf("%s %s %s: %s, want %s", c.flow, c.from, c.result, got, c.want)
		}
		if err := CheckTransition(c.flow, c.from, got); err != nil {
			t.Errorf("%s %s %s: the report leads where the machine refuses: %v", c.flow, c.from, c.result, err)
		}
	}
}

func TestPriority(t *testing.T) {
	t.Parallel()
	gold, std := priority("gold", 1, false), priority("standard", 3, false)
	if gold <= std || priority("standard", 3, true) <= gold || priority("", 0, false) != 0 {
		t.Errorf("priorities: gold %d standard %d urgent %d none %d", gold, std, priority("standard", 3, true), priority("", 0, false))
	}
}
