package sla

import (
	"slices"
	"time"

	"github.com/aftersales/aftersales/internal/warranty"
)

// The targets (time limits) an order can have, in the order they usually fall: the names of
// package warranty, the same in tiers, express products, clocks, breaches and events.
const (
	Accept      = warranty.TargetAccept
	Dispatch    = warranty.TargetDispatch
	Appointment = warranty.TargetAppointment
	Arrival     = warranty.TargetArrival
	Completion  = warranty.TargetCompletion
	Return      = warranty.TargetReturn
	Callback    = warranty.TargetCallback
)

// Kinds lists every target in order.
var Kinds = warranty.TargetNames

// Target is one time limit of an order: a duration of business time (the outlet's
// calendar) or of clock time (24x7).
type Target struct {
	Kind     string        `json:"kind"`
	Duration time.Duration `json:"-"`
	Business bool          `json:"business"`
}

// Minutes is the target's duration in whole minutes.
func (t Target) Minutes() int { return int(t.Duration / time.Minute) }

// stricter reports whether a is stricter than b: shorter wins; at equal length clock time
// wins, since the same span of business time never ends earlier.
func stricter(a, b Target) bool {
	if a.Duration != b.Duration {
		return a.Duration < b.Duration
	}
	return !a.Business && b.Business
}

// Targets resolves an order's targets from its service tier and any purchased express
// product (targets by the same names: accept, dispatch, appointment, arrival, completion,
// return, callback): per kind, the stricter of the two wins. Unknown names and
// non-positive durations are ignored. The result is in the order of Kinds.
func Targets(tier warranty.Tier, express map[string]warranty.Target) []Target {
	best := map[string]Target{}
	add := func(src map[string]warranty.Target) {
		for k, v := range src {
			if !slices.Contains(Kinds, k) || v.Minutes <= 0 {
				continue
			}
			t := Target{Kind: k, Duration: time.Duration(v.Minutes) * time.Minute, Business: v.Clock != "clock"}
			if cur, ok := best[k]; !ok || stricter(t, cur) {
				best[k] = t
			}
		}
	}
	add(tier.Targets)
	add(express)
	out := make([]Target, 0, len(best))
	for _, k := range Kinds {
		if t, ok := best[k]; ok {
			out = append(out, t)
		}
	}
	return out
}
