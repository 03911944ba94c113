package sla

import (
	"fmt"
	"slices"
	"time"

	"github.com/aftersales/aftersales/tenants"
)

// span is working time within one day, in minutes after local midnight; end may be 1440.
type span struct{ start, end int }

// date is a civil date in the calendar's timezone.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date { y, m, d := t.Date(); return date{y, m, d} }

func (d date) next() date {
	y, m, dd := time.Date(d.y, d.m, d.d+1, 12, 0, 0, 0, time.UTC).Date()
	return date{y, m, dd}
}

func (d date) weekday() time.Weekday {
	return time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Weekday()
}

func (d date) before(o date) bool {
	if d.y != o.y {
		return d.y < o.y
	}
	if d.m != o.m {
		return d.m < o.m
	}
	return d.d < o.d
}

// at is the instant of a wall-clock minute of this date in loc. Minute 1440 is the next
// day's midnight, so a day that ends at "24:00" is as long as the day really is (23 or 25
// hours on a DST change).
func (d date) at(minute int, loc *time.Location) time.Time {
	return time.Date(d.y, d.m, d.d, 0, minute, 0, 0, loc)
}

// Calendar is a business calendar ready for arithmetic: working intervals per weekday,
// exceptions per date (holidays closed, make-up working days 调休 open), all in its own
// IANA timezone. The zero Calendar is not usable; build one with NewCalendar, or use
// AlwaysOpen for clock time (24x7).
//
// A Calendar built from stored days knows the exceptions of a window of dates (Through is
// its last); after it, days follow the weekly hours. LoadCalendar sizes the window for the
// durations at hand and widens it when a due time falls beyond.
type Calendar struct {
	loc     *time.Location
	week    [7][]span
	days    map[date][]span // exceptions: nil slice = closed (holiday)
	through date            // last date whose exceptions are known; zero = no limit
	always  bool
}

// AlwaysOpen is clock time: every instant counts (24x7).
var AlwaysOpen = Calendar{loc: time.UTC, always: true}

// Location is the calendar's timezone.
func (c Calendar) Location() *time.Location { return c.loc }

// Through is the last date (in the calendar's timezone, at midnight) whose holidays and
// make-up days the calendar knows; zero when it knows all it needs (AlwaysOpen, or built
// with no window).
func (c Calendar) Through() time.Time {
	if c.through == (date{}) {
		return time.Time{}
	}
	return c.through.at(0, c.loc)
}

// NewCalendar builds a Calendar from a stored calendar and its exception days. through is
// the last date the days were loaded for (zero time: the days given are all there are).
// A make-up working day without its own hours works Monday's.
func NewCalendar(c tenants.Calendar, days []tenants.CalendarDay, through time.Time) (Calendar, error) {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return Calendar{}, fmt.Errorf("calendar %s: timezone %q: %w", c.ID, c.Timezone, err)
	}
	out := Calendar{loc: loc, days: map[date][]span{}}
	for i, day := range c.WeeklyHours.Days() {
		if out.week[i], err = spans(day); err != nil {
			return Calendar{}, fmt.Errorf("calendar %s: %w", c.ID, err)
		}
	}
	for _, d := range days {
		t, err := time.Parse(time.DateOnly, d.Day)
		if err != nil {
			return Calendar{}, fmt.Errorf("calendar %s: day %q: %w", c.ID, d.Day, err)
		}
		switch d.Kind {
		case "holiday":
			out.days[dateOf(t)] = nil
		case "workday":
			hours := out.week[time.Monday]
			if len(d.Hours) > 0 {
				if hours, err = spans(d.Hours); err != nil {
					return Calendar{}, fmt.Errorf("calendar %s: day %s: %w", c.ID, d.Day, err)
				}
			}
			out.days[dateOf(t)] = hours
		}
	}
	if !through.IsZero() {
		out.through = date{through.Year(), through.Month(), through.Day()}
	}
	return out, nil
}

func spans(iv []tenants.Interval) ([]span, error) {
	out := make([]span, 0, len(iv))
	for _, v := range iv {
		s, err := minuteOf(v.Start)
		if err != nil {
			return nil, err
		}
		e, err := minuteOf(v.End)
		if err != nil {
			return nil, err
		}
		if e <= s {
			return nil, fmt.Errorf("interval %s-%s ends before it starts", v.Start, v.End)
		}
		out = append(out, span{s, e})
	}
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	return out, nil
}

func minuteOf(hhmm string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(hhmm, "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("bad time of day %q", hhmm)
	}
	return h*60 + m, nil
}

// hours returns the working spans of a date.
func (c Calendar) hours(d date) []span {
	if c.always {
		return []span{{0, 1440}}
	}
	if s, ok := c.days[d]; ok {
		return s
	}
	return c.week[d.weekday()]
}

// weeklyMinutes is the working time of an ordinary week.
func (c Calendar) weeklyMinutes() int {
	if c.always {
		return 7 * 1440
	}
	n := 0
	for _, day := range c.week {
		for _, s := range day {
			n += s.end - s.start
		}
	}
	return n
}

// hasFutureWork reports whether any date on or after d can have working time.
func (c Calendar) hasFutureWork(d date) bool {
	if c.weeklyMinutes() > 0 {
		return true
	}
	for day, s := range c.days {
		if len(s) > 0 && !day.before(d) {
			return true
		}
	}
	return false
}
