package orders

import (
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/sla"
)

// Wiring is how a process serves service orders: the Service that runs them, the repair
// History entitlement checks read, and the Limits appointment booking warns against.
type Wiring struct {
	Service *Service
	History coverage.HistorySource
	Limits  Limits
}

// Wire returns the product's Wiring, the one the API server and its tests use: the Service
// queues events and timers with jobs and starts customer links at publicURL; repair history
// comes from the unit's service orders (History) and time limits from the order's SLA clocks
// (sla.VisitLimits). A nil jobs (an untyped nil, not a nil client) queues nothing.
func Wire(publicURL string, jobs sla.Inserter) Wiring {
	return Wiring{
		Service: &Service{Jobs: jobs, PublicURL: publicURL},
		History: History{},
		Limits:  sla.VisitLimits{},
	}
}
