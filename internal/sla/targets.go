package sla

import (
	"slices"
	"time"

	"github.com/aftersales/aftersales/internal/warranty"
)

// The targets (time limits) an order can have, in the order they usually fall.
const (
	Accept      = "accept"      // the outlet accepts the order
	Dispatch    = "dispatch"    // an engineer is assigned
	Appointment = "appointment" // a visit is booked with the customer
	Arrival     = "arrival"     // the engineer is on site
	Completion  = "completion"  // the repair is done (a tier's "resolution")
	Return      = "return"      // the unit is back with the customer
	Callback    = "callback"    // the customer is called back
)

// Kinds lists every target in order.
var Kinds = []string{Accept, Dispatch, Appointment, Arrival, Completion, Return, Callback}

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

// kindOf maps a tier's target names to order targets (a tier's resolution is completion).
func kindOf(name string) string {
	if name == warranty.TargetResolution {
		return Completion
	}
	return name
}

// Targets resolves an order's targets from its service tier and any purchased express
// product (targets by the same names: accept, dispatch, appointment, arrival, completion or
// resolution, return, callback): per kind, the stricter of the two wins. Unknown names and
// non-positive durations are ignored. The result is in the order of Kinds.
func Targets(tier warranty.Tier, express map[string]warranty.Target) []Target {
	best := map[string]Target{}
	add := func(src map[string]warranty.Target) {
		for name, v := range src {
			k := kindOf(name)
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
