package sla

import (
	"slices"
	"time"
)

// Pause is a span during which a clock does not count: waiting for the customer's approval
// of a quote, waiting for parts. To is zero while the pause lasts.
type Pause struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to,omitzero"`
	Reason string    `json:"reason,omitempty"`
}

// horizonDays bounds every walk over a calendar: ten years of dates. A due time that lies
// further (a calendar without working time, a pause that never ends) is reported as zero.
const horizonDays = 3660

var forever = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// normalize sorts the pauses and merges overlapping ones; an open pause lasts forever.
func normalize(pauses []Pause) []Pause {
	out := make([]Pause, 0, len(pauses))
	for _, p := range pauses {
		if p.To.IsZero() {
			p.To = forever
		}
		if p.To.After(p.From) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Pause) int { return a.From.Compare(b.From) })
	merged := out[:0]
	for _, p := range out {
		if n := len(merged); n > 0 && !p.From.After(merged[n-1].To) {
			if p.To.After(merged[n-1].To) {
				merged[n-1].To = p.To
			}
			continue
		}
		merged = append(merged, p)
	}
	return merged
}

// walk calls fn with each span of counting time from start on, in order: the calendar's
// working time minus the pauses. It stops when fn returns false, when an open pause begins
// (nothing counts after it), or at the horizon; it reports whether fn stopped it.
func walk(start time.Time, cal Calendar, pauses []Pause, fn func(a, b time.Time) bool) bool {
	ps := normalize(pauses)
	loc := cal.loc
	if loc == nil {
		loc = time.UTC
	}
	day := dateOf(start.In(loc))
	pi := 0
	for range horizonDays {
		if !cal.hasFutureWork(day) {
			return false
		}
		for _, s := range cal.hours(day) {
			a, b := day.at(s.start, loc), day.at(s.end, loc)
			if !b.After(start) {
				continue
			}
			if a.Before(start) {
				a = start
			}
			// Subtract the pauses, which are sorted and disjoint.
			for a.Before(b) {
				for pi < len(ps) && !ps[pi].To.After(a) {
					pi++
				}
				if pi < len(ps) && !ps[pi].From.After(a) {
					if ps[pi].To.Equal(forever) {
						return false
					}
					a = ps[pi].To // inside a pause: skip to its end
					continue
				}
				end := b
				if pi < len(ps) && ps[pi].From.Before(b) {
					end = ps[pi].From
				}
				if !fn(a, end) {
					return true
				}
				a = end
			}
		}
		day = day.next()
	}
	return false
}

// Due returns the instant at which d of counting time has elapsed after start: business
// time walks cal (its working hours, holidays off, make-up days on, in its own timezone);
// with AlwaysOpen every instant counts. Time inside pauses never counts, wherever they lie.
// The result is exact to the nanosecond. It is zero when d cannot elapse: a pause that has
// not ended, or no working time within ten years.
func Due(start time.Time, d time.Duration, cal Calendar, pauses []Pause) time.Time {
	if d <= 0 {
		return start
	}
	remaining := d
	var due time.Time
	if !walk(start, cal, pauses, func(a, b time.Time) bool {
		if n := b.Sub(a); n < remaining {
			remaining -= n
			return true
		}
		due = a.Add(remaining)
		return false
	}) {
		return time.Time{}
	}
	return due
}

// WarnAt returns the instant at which percent of d has elapsed (the warning before a
// breach): the inverse of Elapsed for a share of the target.
func WarnAt(start time.Time, d time.Duration, percent int, cal Calendar, pauses []Pause) time.Time {
	return Due(start, d*time.Duration(percent)/100, cal, pauses)
}

// Elapsed returns the counting time between start and now: working time in cal outside
// pauses.
func Elapsed(start, now time.Time, cal Calendar, pauses []Pause) time.Duration {
	var total time.Duration
	if !now.After(start) {
		return 0
	}
	walk(start, cal, pauses, func(a, b time.Time) bool {
		if !a.Before(now) {
			return false
		}
		if b.After(now) {
			b = now
		}
		total += b.Sub(a)
		return b.Before(now)
	})
	return total
}
