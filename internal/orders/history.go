package orders

import (
	"math"
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

// History counts, over the unit's orders (cancelled ones excluded), what had happened by
// asOf (the zero time, or a moment still to come: by now). An order taken in later does
// not exist yet; one completed later is still open; a report, a reopening or a move of its
// parts wait later has not happened.
//   - failed repairs of the fault: every report of a repair of the same fault code whose
//     result was "not fixed", counted when it was recorded (the unit may be escalated, or
//     fixed at a later try); every reopening of an order of the fault; and every completed
//     repair of the fault that came back: a later order came for the same fault (an intake
//     being decided, History.Current, is such a later order);
//   - days in repair: calendar days from intake to completion of every order (open ones up
//     to the moment), each started day counted;
//   - the last exchange: the completion day of the latest order whose result was an exchange;
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
	// The orders as they stood at the moment, and their timeline entries until then.
	var rows []coverage.PastOrder
	exists := map[uuid.UUID]bool{}
	for _, r := range rec.Orders {
		if r.CreatedAt.After(asOf) {
			continue
		}
		if r.CompletedAt != nil && r.CompletedAt.After(asOf) {
			r.CompletedAt, r.CompletedOn, r.Result = nil, warranty.Date{}, ""
		}
		exists[r.ID] = true
		rows = append(rows, r)
	}
	var events []coverage.OrderEvent
	notFixed, reopened := map[uuid.UUID]int{}, map[uuid.UUID]int{}
	for _, e := range rec.Events {
		if !exists[e.OrderID] || e.At.After(asOf) {
			continue
		}
		events = append(events, e)
		switch {
		case e.Kind == "completion" && e.Result == "not_fixed":
			notFixed[e.OrderID]++
		case e.Kind == "status" && e.FromStatus == StatusClosed:
			reopened[e.OrderID]++
		}
	}

	var out warranty.History
	open := map[uuid.UUID]bool{}
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
		out.DaysInRepair += int(math.Ceil(end.Sub(r.CreatedAt).Hours() / 24))
		if r.Result == "exchange" && r.CompletedAt != nil {
			out.LastExchange = r.CompletedOn
		}
		if faultCode == "" || r.FaultCode != faultCode {
			continue
		}
		out.FailedRepairs += notFixed[r.ID] + reopened[r.ID]
		if r.CompletedAt == nil || r.Result == "not_fixed" { // a result of not fixed counted above
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
