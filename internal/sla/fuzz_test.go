package sla

import (
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/aftersales/aftersales/tenants"
)

// intervalPatterns are the API's patterns of an interval's start and end (the tags of
// tenants.Interval), which every stored calendar matches.
func intervalPatterns(t testing.TB) (start, end *regexp.Regexp) {
	t.Helper()
	typ := reflect.TypeFor[tenants.Interval]()
	f := func(name string) *regexp.Regexp {
		sf, ok := typ.FieldByName(name)
		if !ok || sf.Tag.Get("pattern") == "" {
			t.Fatalf("tenants.Interval.%s has no pattern", name)
		}
		return regexp.MustCompile(sf.Tag.Get("pattern"))
	}
	return f("Start"), f("End")
}

// fuzzZones are the time zones calendars are drawn in: without DST, with a one-hour DST and
// with a half-hour one.
var fuzzZones = []string{"Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC"}

// FuzzCalendar builds a business calendar from weekday hours and an exception day as the API
// takes them. Properties: every calendar the API accepts (its patterns, then
// WeeklyHours.Validate and the day's interval check) builds for the SLA arithmetic, so no
// stored calendar breaks a clock; and on it, Due and Elapsed agree: the time elapsed at the
// due instant of d is d, the due instant is not before the start and grows with d.
func FuzzCalendar(f *testing.F) {
	f.Add("09:00", "12:00", "13:00", "18:00", "2026-10-01", "holiday", "", "", uint8(0), int64(0), uint32(600))
	f.Add("00:00", "24:00", "", "", "2026-03-08", "workday", "01:30", "03:30", uint8(1), int64(3_000_000), uint32(3000))
	f.Add("01:59", "02:01", "02:30", "03:00", "2026-10-04", "workday", "02:00", "02:45", uint8(3), int64(-40_000), uint32(90))
	f.Add("9:00", "18:00", "", "", "2026-02-30", "workday", "18:00", "09:00", uint8(2), int64(0), uint32(1))
	f.Add("23:00", "24:00", "00:00", "01:00", "2026-10-25", "holiday", "", "", uint8(2), int64(1_000), uint32(100_000))
	startRe, endRe := intervalPatterns(f)
	f.Fuzz(func(t *testing.T, s1, e1, s2, e2, day, kind, ds, de string, zone uint8, startMin int64, durMin uint32) {
		var iv []tenants.Interval
		for _, p := range [][2]string{{s1, e1}, {s2, e2}} {
			if p[0] != "" || p[1] != "" {
				iv = append(iv, tenants.Interval{Start: p[0], End: p[1]})
			}
		}
		var dayHours []tenants.Interval
		if ds != "" || de != "" {
			dayHours = []tenants.Interval{{Start: ds, End: de}}
		}
		apiAccepts := true
		for _, v := range append(append([]tenants.Interval(nil), iv...), dayHours...) {
			apiAccepts = apiAccepts && startRe.MatchString(v.Start) && endRe.MatchString(v.End)
		}
		week := tenants.WeeklyHours{Mon: iv, Tue: iv, Wed: iv, Thu: iv, Fri: iv, Sat: iv[:min(1, len(iv))]}
		apiAccepts = apiAccepts && week.Validate("weekly_hours") == nil
		exception := tenants.CalendarDay{Day: day, Kind: kind, Hours: dayHours}
		if _, err := time.Parse(time.DateOnly, day); err != nil || (kind != "holiday" && kind != "workday") ||
			(kind == "holiday" && len(dayHours) > 0) || (len(dayHours) > 0 && !dayValid(dayHours)) {
			apiAccepts = false
		}
		tz := fuzzZones[int(zone)%len(fuzzZones)]
		cal, err := NewCalendar(tenants.Calendar{Timezone: tz, WeeklyHours: week}, []tenants.CalendarDay{exception}, time.Time{})
		if err != nil {
			if apiAccepts {
				t.Fatalf("a calendar the API accepts does not build: %v (week %+v, day %+v)", err, iv, exception)
			}
			return
		}
		if !apiAccepts {
			return // built from input the API refuses: nothing more to hold
		}
		// Start within ten days of three days before the exception (a DST change, a holiday).
		d0, _ := time.Parse(time.DateOnly, day)
		base := time.Date(d0.Year(), d0.Month(), d0.Day()-3, 0, 0, 0, 0, cal.Location())
		start := base.Add(time.Duration(startMin%(10*24*60)) * time.Minute)
		d := time.Duration(durMin%(60*24*60)+1) * time.Minute
		due := Due(start, d, cal, nil)
		if due.IsZero() {
			if len(iv) > 0 {
				t.Fatalf("no due time for %s from %s on a calendar with weekly hours %+v", d, start, iv)
			}
			return
		}
		if due.Before(start) {
			t.Fatalf("due %s before the start %s", due, start)
		}
		if got := Elapsed(start, due, cal, nil); got != d {
			t.Fatalf("Elapsed(start, Due(start, %s)) = %s (start %s, due %s, %s, week %+v, day %+v)", d, got, start, due, tz, iv, exception)
		}
		if later := Due(start, d+time.Minute, cal, nil); !later.IsZero() && later.Before(due) {
			t.Fatalf("Due(%s) = %s before Due(%s) = %s", d+time.Minute, later, d, due)
		}
	})
}

// dayValid is the API's check of a make-up day's hours (tenants.SetCalendarDay).
func dayValid(iv []tenants.Interval) bool {
	return tenants.WeeklyHours{Mon: iv}.Validate("hours") == nil
}
