package orders

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/warranty"
)

// History is the repair history of a unit, read from its orders for the warranty engine
// (coverage.HistorySource). Now is the clock; nil means time.Now.
type History struct {
	Now func() time.Time
	// Current is the order the question is for. An order not stored yet (an intake) is a
	// new report of the fault: every completed repair of it before has failed.
	Current uuid.UUID
}

// History counts, over the unit's orders (cancelled ones excluded) and its service history
// brought from another system, what had happened by asOf (the zero time, or a moment still
// to come: by now). An order taken in later does not exist yet; one completed later is
// still open; a report, a reopening or a move of its parts wait later has not happened. A
// record brought in counts as an order taken in at the start of its date_in (else date_out)
// and completed with its result at the start of its date_out, in the tenant's zone; a
// refund ends the unit's coverage from its day (warranty.History.RefundedOn).
//   - the last exchange: the completion of the latest order whose result was an exchange.
//     What happened before it happened to the unit given back, not to the one in hand:
//     failed repairs count after it, and only days in repair from its day on extend a
//     warranty that the exchange restarted;
//   - failed repairs of the fault: every report of a repair of the same fault code whose
//     result was "not fixed", counted when it was recorded (the unit may be escalated, or
//     fixed at a later try); every reopening of an order of the fault; and every completed
//     repair of the fault that came back: a later order came for the same fault (an intake
//     being decided, History.Current, is such a later order);
//   - days in repair: calendar days in the tenant's zone from hand-over (intake) to return
//     (completion: ready for pickup, or the visit done) of every order, open ones up to the
//     moment. A day counts when the unit was in repair overnight into the next: a repair
//     done within a day adds none, and a day in two orders at once counts once;
//   - parts waits: the longest time an order open at the moment had waited for parts by
//     then, in days.
func (h History) History(rec coverage.ServiceRecord, faultCode string, asOf time.Time) warranty.History {
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	if asOf.IsZero() || asOf.After(now) {
		asOf = now
	}
	zone := rec.Zone
	if zone == nil {
		zone = time.UTC
	}
	var out warranty.History
	all, allEvents := h.withImported(rec, zone, asOf, &out)

	// The orders as they stood at the moment, and the last exchange among them.
	var rows []coverage.PastOrder
	exists := map[uuid.UUID]bool{}
	var exchangedAt time.Time
	for _, r := range all {
		if r.CreatedAt.After(asOf) {
			continue
		}
		if r.CompletedAt != nil && r.CompletedAt.After(asOf) {
			r.CompletedAt, r.Result = nil, ""
		}
		exists[r.ID] = true
		rows = append(rows, r)
		if r.Result == "exchange" && r.CompletedAt != nil && r.CompletedAt.After(exchangedAt) {
			exchangedAt = *r.CompletedAt
			out.LastExchange = warranty.DateOf(exchangedAt, zone)
		}
	}
	sinceExchange := func(t time.Time) bool { return exchangedAt.IsZero() || t.After(exchangedAt) }

	// Their timeline until then: reports of not fixed and reopenings since the exchange.
	var events []coverage.OrderEvent
	notFixed, reopened := map[uuid.UUID]int{}, map[uuid.UUID]int{}
	for _, e := range allEvents {
		if !exists[e.OrderID] || e.At.After(asOf) {
			continue
		}
		events = append(events, e)
		switch {
		case !sinceExchange(e.At):
		case e.Kind == "completion" && e.Result == "not_fixed":
			notFixed[e.OrderID]++
		case e.Kind == "status" && e.FromStatus == StatusClosed:
			reopened[e.OrderID]++
		}
	}

	open := map[uuid.UUID]bool{}
	inRepair := map[warranty.Date]bool{}
	newReport := h.Current != uuid.Nil
	for _, r := range rows {
		newReport = newReport && r.ID != h.Current
	}
	for i, r := range rows {
		end := asOf
		if r.CompletedAt != nil {
			end = *r.CompletedAt
		} else {
			open[r.ID] = true
		}
		for d, back := warranty.DateOf(r.CreatedAt, zone), warranty.DateOf(end, zone); d.Before(back); d = d.AddDays(1) {
			inRepair[d] = true
		}
		if faultCode == "" || r.FaultCode != faultCode {
			continue
		}
		out.FailedRepairs += notFixed[r.ID] + reopened[r.ID]
		// A result of not fixed is counted above; an exchange ends the unit's repairs.
		if r.CompletedAt == nil || !sinceExchange(*r.CompletedAt) || r.Result == "not_fixed" {
			continue
		}
		later := newReport
		for _, n := range rows[i+1:] {
			later = later || n.FaultCode == faultCode
		}
		if later {
			out.FailedRepairs++
		}
	}
	out.DaysInRepair = len(inRepair)
	for d := range inRepair {
		if out.LastExchange.IsZero() || !d.Before(out.LastExchange) {
			out.DaysInRepairSinceExchange++
		}
	}

	since := map[uuid.UUID]time.Time{}
	longest := time.Duration(0)
	for _, w := range events {
		if !open[w.OrderID] || w.Kind != "status" || (w.FromStatus != StatusWaitingParts && w.ToStatus != StatusWaitingParts) {
			continue
		}
		if w.ToStatus == StatusWaitingParts {
			since[w.OrderID] = w.At
		} else if start, ok := since[w.OrderID]; ok {
			longest = max(longest, w.At.Sub(start))
			delete(since, w.OrderID)
		}
	}
	for _, start := range since {
		longest = max(longest, asOf.Sub(start))
	}
	out.PartsWaitDays = int(longest.Hours() / 24)
	return out
}

// withImported returns the unit's orders and their timeline entries with the service
// history brought from another system among them, as orders taken in and completed at the
// start of its days, oldest first; a refund by asOf sets out.RefundedOn instead.
func (h History) withImported(rec coverage.ServiceRecord, zone *time.Location, asOf time.Time, out *warranty.History) ([]coverage.PastOrder, []coverage.OrderEvent) {
	if len(rec.Imported) == 0 {
		return rec.Orders, rec.Events
	}
	startOf := func(d warranty.Date) time.Time {
		t := d.Time()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone)
	}
	orders := append([]coverage.PastOrder(nil), rec.Orders...)
	events := append([]coverage.OrderEvent(nil), rec.Events...)
	for _, p := range rec.Imported {
		done := startOf(p.DateOut)
		if p.Result == "refund" {
			if !done.After(asOf) && p.DateOut.After(out.RefundedOn) {
				out.RefundedOn = p.DateOut
			}
			continue
		}
		in := p.DateIn
		if in.IsZero() {
			in = p.DateOut
		}
		orders = append(orders, coverage.PastOrder{ID: p.ID, Result: p.Result, FaultCode: p.FaultCode, CreatedAt: startOf(in), CompletedAt: &done})
		if p.Result == "not_fixed" {
			events = append(events, coverage.OrderEvent{OrderID: p.ID, At: done, Kind: "completion", Result: p.Result})
		}
	}
	slices.SortStableFunc(orders, func(a, b coverage.PastOrder) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return orders, events
}
