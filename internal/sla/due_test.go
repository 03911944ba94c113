package sla

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aftersales/aftersales/tenants"
)

func hours(start, end string) []tenants.Interval { return []tenants.Interval{{Start: start, End: end}} }

// weekdays builds a calendar open the same hours Monday to Friday (and optionally on the
// weekend too).
func weekdays(t *testing.T, tz string, iv []tenants.Interval, weekend bool, days ...tenants.CalendarDay) Calendar {
	t.Helper()
	w := tenants.WeeklyHours{Mon: iv, Tue: iv, Wed: iv, Thu: iv, Fri: iv}
	if weekend {
		w.Sat, w.Sun = iv, iv
	}
	c, err := NewCalendar(tenants.Calendar{Timezone: tz, WeeklyHours: w}, days, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(t *testing.T, tz, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const (
	sh  = "Asia/Shanghai"
	ny  = "America/New_York"
	ber = "Europe/Berlin"
)

func TestDue(t *testing.T) {
	t.Parallel()
	// Shanghai, 09:00-18:00 on weekdays; National Day 10-01..10-07 off, Saturday 10-10 a
	// make-up working day (调休) with Monday's hours, Sunday 09-27 a make-up day with its own.
	var golden []tenants.CalendarDay
	for d := 1; d <= 7; d++ {
		golden = append(golden, tenants.CalendarDay{Day: time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Kind: "holiday"})
	}
	golden = append(golden, tenants.CalendarDay{Day: "2026-10-10", Kind: "workday"},
		tenants.CalendarDay{Day: "2026-09-27", Kind: "workday", Hours: hours("10:00", "12:00")})
	shanghai := weekdays(t, sh, hours("09:00", "18:00"), false, golden...)
	split := weekdays(t, sh, []tenants.Interval{{Start: "09:00", End: "12:00"}, {Start: "13:00", End: "18:00"}}, false)
	newYork := weekdays(t, ny, hours("09:00", "17:00"), false)
	newYork24 := weekdays(t, ny, hours("00:00", "24:00"), true)
	berlin := weekdays(t, ber, hours("08:00", "16:00"), false)
	berlin24 := weekdays(t, ber, hours("00:00", "24:00"), true)

	type pause struct{ from, to string } // in the case's timezone; to "" = open
	cases := []struct {
		name   string
		cal    Calendar
		tz     string
		start  string
		d      time.Duration
		pauses []pause
		want   string // "" = no due time (zero)
	}{
		{"within a day", shanghai, sh, "2026-11-02 10:00", 2 * time.Hour, nil, "2026-11-02 12:00"},
		{"ends exactly at closing, not next morning", shanghai, sh, "2026-11-02 09:00", 9 * time.Hour, nil, "2026-11-02 18:00"},
		{"over the night", shanghai, sh, "2026-11-02 17:00", 2 * time.Hour, nil, "2026-11-03 10:00"},
		{"over the weekend", shanghai, sh, "2026-11-06 17:00", 2 * time.Hour, nil, "2026-11-09 10:00"},
		{"start on Saturday", shanghai, sh, "2026-11-07 11:00", time.Hour, nil, "2026-11-09 10:00"},
		{"start after closing", shanghai, sh, "2026-11-02 20:00", time.Hour, nil, "2026-11-03 10:00"},
		{"start at closing", shanghai, sh, "2026-11-02 18:00", time.Hour, nil, "2026-11-03 10:00"},
		{"start at midnight", shanghai, sh, "2026-11-03 00:00", 30 * time.Minute, nil, "2026-11-03 09:30"},
		{"start before opening", shanghai, sh, "2026-11-03 08:59", time.Minute, nil, "2026-11-03 09:01"},
		{"seconds are exact", shanghai, sh, "2026-11-02 17:59", 90 * time.Second, nil, "2026-11-03 09:00:30"},
		{"lunch break", split, sh, "2026-11-02 11:00", 2 * time.Hour, nil, "2026-11-02 14:00"},
		{"holidays skipped (Golden Week)", shanghai, sh, "2026-09-30 17:00", 2 * time.Hour, nil, "2026-10-08 10:00"},
		{"start inside the holidays", shanghai, sh, "2026-10-03 10:00", time.Hour, nil, "2026-10-08 10:00"},
		{"调休 Saturday works", shanghai, sh, "2026-10-09 17:00", 2 * time.Hour, nil, "2026-10-10 10:00"},
		{"调休 Sunday with its own hours", shanghai, sh, "2026-09-26 12:00", 3 * time.Hour, nil, "2026-09-28 10:00"},
		{"longer than a week", shanghai, sh, "2026-11-02 09:00", 72 * time.Hour, nil, "2026-11-11 18:00"},
		{"a month of business time", shanghai, sh, "2026-11-02 09:00", 20 * 9 * time.Hour, nil, "2026-11-27 18:00"},
		{"over holidays and a make-up day, longer than a week", shanghai, sh, "2026-09-28 09:00", 6 * 9 * time.Hour, nil, "2026-10-10 18:00"},
		{"pause within the day", shanghai, sh, "2026-11-02 10:00", 2 * time.Hour, []pause{{"2026-11-02 11:00", "2026-11-02 15:00"}}, "2026-11-02 16:00"},
		{"pause over the night", shanghai, sh, "2026-11-02 10:00", 4 * time.Hour, []pause{{"2026-11-02 12:00", "2026-11-03 10:00"}}, "2026-11-03 12:00"},
		{"pause only in closed time changes nothing", shanghai, sh, "2026-11-06 17:00", 2 * time.Hour, []pause{{"2026-11-07 10:00", "2026-11-08 20:00"}}, "2026-11-09 10:00"},
		{"pause over the weekend into Monday", shanghai, sh, "2026-11-06 17:00", 2 * time.Hour, []pause{{"2026-11-06 17:30", "2026-11-09 11:00"}}, "2026-11-09 12:30"},
		{"pause before the start is ignored", shanghai, sh, "2026-11-02 10:00", time.Hour, []pause{{"2026-11-01 10:00", "2026-11-02 10:00"}}, "2026-11-02 11:00"},
		{"overlapping pauses count once", shanghai, sh, "2026-11-02 10:00", 2 * time.Hour, []pause{{"2026-11-02 11:00", "2026-11-02 13:00"}, {"2026-11-02 12:00", "2026-11-02 14:00"}}, "2026-11-02 15:00"},
		{"open pause: no due time", shanghai, sh, "2026-11-02 10:00", 2 * time.Hour, []pause{{"2026-11-02 11:00", ""}}, ""},
		{"open pause after the due time", shanghai, sh, "2026-11-02 10:00", 2 * time.Hour, []pause{{"2026-11-02 13:00", ""}}, "2026-11-02 12:00"},
		{"zero duration", shanghai, sh, "2026-11-07 11:00", 0, nil, "2026-11-07 11:00"},
		// DST: wall-clock hours hold across the change; 24-hour calendars count real time.
		{"New York: weekend with spring forward", newYork, ny, "2026-03-06 16:00", 2 * time.Hour, nil, "2026-03-09 10:00"},
		{"New York 24x7 calendar over spring forward (a 23-hour day)", newYork24, ny, "2026-03-07 12:00", 24 * time.Hour, nil, "2026-03-08 13:00"},
		{"New York 24x7 calendar over fall back (a 25-hour day)", newYork24, ny, "2026-10-31 12:00", 24 * time.Hour, nil, "2026-11-01 11:00"},
		{"New York: a week over fall back", newYork, ny, "2026-10-30 09:00", 40 * time.Hour, nil, "2026-11-05 17:00"},
		{"Berlin: weekend with fall back", berlin, ber, "2026-10-23 15:00", 2 * time.Hour, nil, "2026-10-26 09:00"},
		{"Berlin 24x7 calendar over fall back", berlin24, ber, "2026-10-24 12:00", 24 * time.Hour, nil, "2026-10-25 11:00"},
		{"Berlin 24x7 calendar over spring forward", berlin24, ber, "2026-03-28 12:00", 24 * time.Hour, nil, "2026-03-29 13:00"},
		{"Berlin: pause across the DST night", berlin24, ber, "2026-10-24 22:00", 5 * time.Hour, []pause{{"2026-10-25 00:00", "2026-10-25 04:00"}}, "2026-10-25 07:00"},
		// Clock time (24x7 express): plain addition minus pauses.
		{"clock time ignores the weekend", AlwaysOpen, sh, "2026-11-06 17:00", 2 * time.Hour, nil, "2026-11-06 19:00"},
		{"clock time ignores holidays", AlwaysOpen, sh, "2026-10-01 08:00", 6 * time.Hour, nil, "2026-10-01 14:00"},
		{"clock time minus a pause", AlwaysOpen, sh, "2026-11-06 17:00", 2 * time.Hour, []pause{{"2026-11-06 18:00", "2026-11-06 21:30"}}, "2026-11-06 22:30"},
		{"clock time, a year", AlwaysOpen, sh, "2026-01-01 00:00", 525600 * time.Minute, nil, "2027-01-01 00:00"},
		{"clock time over spring forward counts real hours", AlwaysOpen, ny, "2026-03-07 12:00", 24 * time.Hour, nil, "2026-03-08 13:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ps []Pause
			for _, p := range c.pauses {
				pp := Pause{From: at(t, c.tz, p.from)}
				if p.to != "" {
					pp.To = at(t, c.tz, p.to)
				}
				ps = append(ps, pp)
			}
			start := at(t, c.tz, c.start)
			got := Due(start, c.d, c.cal, ps)
			var want time.Time
			if c.want != "" {
				loc, _ := time.LoadLocation(c.tz)
				var err error
				if want, err = time.ParseInLocation("2006-01-02 15:04", c.want, loc); err != nil {
					if want, err = time.ParseInLocation("2006-01-02 15:04:05", c.want, loc); err != nil {
						t.Fatal(err)
					}
				}
			}
			if !got.Equal(want) {
				t.Fatalf("Due(%s, %s) = %s, want %s", c.start, c.d, got.In(start.Location()), want)
			}
			if !want.IsZero() {
				// The inverse: exactly d counted between start and the due time.
				if e := Elapsed(start, got, c.cal, ps); e != c.d {
					t.Fatalf("Elapsed(start, due) = %s, want %s", e, c.d)
				}
			}
		})
	}
}

func TestWarnAtAndElapsed(t *testing.T) {
	t.Parallel()
	cal := weekdays(t, sh, hours("09:00", "18:00"), false)
	start := at(t, sh, "2026-11-02 16:00")
	if got, want := WarnAt(start, 4*time.Hour, 75, cal, nil), at(t, sh, "2026-11-03 10:00"); !got.Equal(want) {
		t.Fatalf("75%% of 4h from Monday 16:00 = %s, want %s", got, want)
	}
	if got := Elapsed(at(t, sh, "2026-11-06 17:00"), at(t, sh, "2026-11-09 10:00"), cal, nil); got != 2*time.Hour {
		t.Fatalf("Friday 17:00 to Monday 10:00 = %s business, want 2h", got)
	}
	if got := Elapsed(start, start.Add(-time.Hour), cal, nil); got != 0 {
		t.Fatalf("elapsed before start = %s", got)
	}
	// While paused the clock stands still.
	p := []Pause{{From: at(t, sh, "2026-11-02 17:00")}}
	if got := Elapsed(start, at(t, sh, "2026-11-05 12:00"), cal, p); got != time.Hour {
		t.Fatalf("elapsed with an open pause = %s, want 1h", got)
	}
}

// TestDueInverseProperty checks Elapsed(start, Due(start, d)) = d and that the due time is
// never earlier than the same duration of clock time, over random starts, durations and
// pauses on a calendar with holidays and make-up days.
func TestDueInverseProperty(t *testing.T) {
	t.Parallel()
	var days []tenants.CalendarDay
	for d := 1; d <= 7; d++ {
		days = append(days, tenants.CalendarDay{Day: time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Kind: "holiday"})
	}
	days = append(days, tenants.CalendarDay{Day: "2026-10-10", Kind: "workday"})
	for _, cal := range []Calendar{
		weekdays(t, sh, []tenants.Interval{{Start: "09:00", End: "12:00"}, {Start: "13:30", End: "18:00"}}, false, days...),
		weekdays(t, ny, hours("08:00", "20:00"), false),
		weekdays(t, ber, hours("00:00", "24:00"), true),
		AlwaysOpen,
	} {
		r := rand.New(rand.NewPCG(1, 2))
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for range 500 {
			start := base.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
			d := time.Duration(r.Int64N(int64(200 * time.Hour)))
			var ps []Pause
			for range r.IntN(3) {
				from := start.Add(time.Duration(r.Int64N(int64(300*time.Hour))) - 24*time.Hour)
				ps = append(ps, Pause{From: from, To: from.Add(time.Duration(r.Int64N(int64(72 * time.Hour))))})
			}
			due := Due(start, d, cal, ps)
			if due.IsZero() {
				t.Fatalf("no due time for %s + %s", start, d)
			}
			if e := Elapsed(start, due, cal, ps); e != d {
				t.Fatalf("Elapsed(%s, Due(+%s) = %s) = %s", start, d, due, e)
			}
			if due.Before(start.Add(d)) {
				t.Fatalf("due %s earlier than clock time %s", due, start.Add(d))
			}
		}
	}
}

func TestNoWorkingTime(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar(tenants.Calendar{Timezone: sh}, nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := Due(time.Now(), time.Hour, c, nil); !got.IsZero() {
		t.Fatalf("a calendar without working time gave a due time %s", got)
	}
}
