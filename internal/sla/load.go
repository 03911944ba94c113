package sla

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/tenants"
)

// LoadCalendar reads the calendar in force at an outlet (its own, else the tenant's) with
// the holidays and make-up days from the day before from to the day after through: one query for
// the calendar, one for the window of days (on the calendar_days primary key).
func LoadCalendar(ctx context.Context, tx *tenants.Tx, outletID uuid.UUID, from, through time.Time) (Calendar, error) {
	c, err := tenants.EffectiveCalendar(ctx, tx, outletID)
	if err != nil {
		return Calendar{}, err
	}
	return loadDays(ctx, tx, c, from, through)
}

func loadDays(ctx context.Context, tx *tenants.Tx, c tenants.Calendar, from, through time.Time) (Calendar, error) {
	// A day more on each side: the window's ends are instants, the days are dates in the
	// calendar's zone (up to 14 hours from UTC).
	lo := civil(from.AddDate(0, 0, -1))
	hi := civil(through.AddDate(0, 0, 1))
	days, err := tenants.CalendarDays(ctx, tx, c.ID, lo, hi)
	if err != nil {
		return Calendar{}, err
	}
	return NewCalendar(c, days, hi)
}

// civil is the date of t (as UTC midnight, the form of a SQL date).
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// calendars computes due times for one outlet's clocks, loading the outlet's calendar once
// and a window of exception days wide enough for the durations at hand: a first guess from
// the weekly hours (twice the calendar time an ordinary week needs, plus six weeks for
// holiday seasons), widened and recomputed while a due time falls beyond it.
type calendars struct {
	ctx    context.Context
	tx     *tenants.Tx
	outlet uuid.UUID
	base   *tenants.Calendar
	cal    Calendar
	from   time.Time // loaded window
	to     time.Time
}

func newCalendars(ctx context.Context, tx *tenants.Tx, outlet uuid.UUID) *calendars {
	return &calendars{ctx: ctx, tx: tx, outlet: outlet}
}

// due returns the due and warning times of d from start with pauses (warnPercent of d for
// the warning), in business time or clock time.
func (c *calendars) due(start time.Time, d time.Duration, business bool, pauses []Pause, warnPercent int) (due, warn time.Time, err error) {
	if !business {
		return Due(start, d, AlwaysOpen, pauses), WarnAt(start, d, warnPercent, AlwaysOpen, pauses), nil
	}
	if c.base == nil {
		b, err := tenants.EffectiveCalendar(c.ctx, c.tx, c.outlet)
		if err != nil {
			return due, warn, err
		}
		c.base = &b
	}
	var paused time.Duration
	for _, p := range pauses {
		if !p.To.IsZero() && p.To.After(start) {
			paused += p.To.Sub(p.From)
		}
	}
	until := start.Add(paused + c.span(d))
	for range 8 {
		if c.to.IsZero() || start.Before(c.from) || until.After(c.to) {
			lo, hi := start, until
			if !c.to.IsZero() && c.from.Before(lo) {
				lo = c.from
			}
			if c.to.After(hi) {
				hi = c.to
			}
			if c.cal, err = loadDays(c.ctx, c.tx, *c.base, lo, hi); err != nil {
				return due, warn, err
			}
			c.from, c.to = lo, hi
		}
		due = Due(start, d, c.cal, pauses)
		if !due.IsZero() && !due.After(c.to) {
			return due, WarnAt(start, d, warnPercent, c.cal, pauses), nil
		}
		if due.IsZero() && hasOpenPause(pauses) {
			return due, warn, nil
		}
		until = c.to.Add(c.to.Sub(start) + 31*24*time.Hour) // beyond the window: widen it and look again
	}
	return due, warn, nil
}

// span guesses the calendar time d of business time takes.
func (c *calendars) span(d time.Duration) time.Duration {
	var weekly time.Duration
	for _, day := range c.base.WeeklyHours.Days() {
		for _, iv := range day {
			s, err1 := minuteOf(iv.Start)
			e, err2 := minuteOf(iv.End)
			if err1 == nil && err2 == nil && e > s {
				weekly += time.Duration(e-s) * time.Minute
			}
		}
	}
	if weekly <= 0 {
		return 366 * 24 * time.Hour
	}
	weeks := int64(d/weekly) + 1
	return time.Duration(2*weeks)*7*24*time.Hour + 42*24*time.Hour
}

func hasOpenPause(ps []Pause) bool {
	for _, p := range ps {
		if p.To.IsZero() {
			return true
		}
	}
	return false
}
