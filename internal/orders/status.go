package orders

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aftersales/aftersales/internal/fault"
)

// Flows: how the unit reaches the engineer. The flow decides the status machine.
const (
	FlowCarryIn = "carry_in" // the unit is brought (or mailed) to an outlet
	FlowOnSite  = "on_site"  // an engineer visits the customer
)

// Flows lists the flows.
var Flows = []string{FlowCarryIn, FlowOnSite}

// Statuses. Carry-in: 待修 waiting -> 修理中 repairing -> 待件 waiting_parts -> 难修 escalated ->
// 待取 ready_for_pickup -> 已取 picked_up. On-site: created -> accepted -> dispatched ->
// scheduled -> en_route -> on_site -> completed. Both then pass audit (approved, or rejected
// back to work) and close; any open order can be cancelled with a reason; a closed order can
// be reopened, which counts as a repeat repair.
const (
	StatusWaiting        = "waiting"
	StatusRepairing      = "repairing"
	StatusWaitingParts   = "waiting_parts"
	StatusEscalated      = "escalated"
	StatusReadyForPickup = "ready_for_pickup"
	StatusPickedUp       = "picked_up"

	StatusCreated    = "created"
	StatusAccepted   = "accepted"
	StatusDispatched = "dispatched"
	StatusScheduled  = "scheduled"
	StatusEnRoute    = "en_route"
	StatusOnSite     = "on_site"
	StatusCompleted  = "completed"

	StatusApproved  = "approved"
	StatusRejected  = "rejected"
	StatusClosed    = "closed"
	StatusCancelled = "cancelled"
)

// machine lists, per flow, the statuses each status may move to. It is the one place the
// order lifecycle is defined; everything else asks it.
var machine = map[string]map[string][]string{
	FlowCarryIn: {
		StatusWaiting:        {StatusRepairing, StatusCancelled},
		StatusRepairing:      {StatusWaitingParts, StatusEscalated, StatusReadyForPickup, StatusCancelled},
		StatusWaitingParts:   {StatusRepairing, StatusCancelled},
		StatusEscalated:      {StatusRepairing, StatusReadyForPickup, StatusCancelled},
		StatusReadyForPickup: {StatusPickedUp},
		StatusPickedUp:       {StatusApproved, StatusRejected},
		StatusRejected:       {StatusRepairing},
		StatusApproved:       {StatusClosed},
		StatusClosed:         {StatusWaiting},
		StatusCancelled:      {},
	},
	FlowOnSite: {
		StatusCreated:      {StatusAccepted, StatusCancelled},
		StatusAccepted:     {StatusDispatched, StatusCancelled},
		StatusDispatched:   {StatusScheduled, StatusAccepted, StatusCancelled},
		StatusScheduled:    {StatusEnRoute, StatusCancelled},
		StatusEnRoute:      {StatusOnSite, StatusScheduled, StatusCancelled},
		StatusOnSite:       {StatusCompleted, StatusWaitingParts},
		StatusWaitingParts: {StatusScheduled, StatusCancelled},
		StatusCompleted:    {StatusApproved, StatusRejected},
		StatusRejected:     {StatusScheduled},
		StatusApproved:     {StatusClosed},
		StatusClosed:       {StatusAccepted},
		StatusCancelled:    {},
	},
}

// InitialStatus is where a new order of the flow starts.
func InitialStatus(flow string) string {
	if flow == FlowCarryIn {
		return StatusWaiting
	}
	return StatusCreated
}

// Next lists the statuses an order of the flow may move to from status, in a stable order.
func Next(flow, status string) []string {
	return slices.Clone(machine[flow][status])
}

// Statuses lists every status of a flow.
func Statuses(flow string) []string {
	var out []string
	for s := range machine[flow] {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// IsReopen reports whether moving from -> to reopens a closed order.
func IsReopen(from, to string) bool { return from == StatusClosed && to != StatusClosed }

// IsOpen reports whether work on the order is still to be done (it is not finished,
// audited, closed or cancelled).
func IsOpen(status string) bool {
	switch status {
	case StatusPickedUp, StatusCompleted, StatusApproved, StatusClosed, StatusCancelled:
		return false
	}
	return true
}

// IsAudit reports whether moving to status is an audit decision (approve or reject).
func IsAudit(to string) bool { return to == StatusApproved || to == StatusRejected }

// TransitionError rejects a move the status machine does not allow; it names the allowed ones.
type TransitionError struct {
	Flow, From, To string
	Allowed        []string
}

func (e *TransitionError) Error() string {
	allowed := "none: the order is final"
	if len(e.Allowed) > 0 {
		allowed = strings.Join(e.Allowed, ", ")
	}
	return fmt.Sprintf("a %s order cannot go from %s to %s; allowed: %s", e.Flow, e.From, e.To, allowed)
}

// Unwrap makes a TransitionError a conflict (409).
func (e *TransitionError) Unwrap() error { return fault.ErrConflict }

// CheckTransition returns a *TransitionError unless the machine allows from -> to.
func CheckTransition(flow, from, to string) error {
	next, ok := machine[flow][from]
	if !ok {
		return fmt.Errorf("orders: unknown status %q of flow %q", from, flow)
	}
	if !slices.Contains(next, to) {
		return &TransitionError{Flow: flow, From: from, To: to, Allowed: slices.Clone(next)}
	}
	return nil
}
