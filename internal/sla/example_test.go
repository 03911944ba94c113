package sla_test

import (
	"fmt"
	"time"

	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// A standard-tier order whose customer bought 6-hour on-site service: the express arrival
// target (clock time) replaces the tier's (business time), the others stay.
func ExampleTargets() {
	tier := warranty.DefaultTiers()[2] // standard
	express := map[string]warranty.Target{warranty.TargetArrival: {Minutes: 6 * 60, Clock: "clock"}}
	for _, t := range sla.Targets(tier, express) {
		fmt.Println(t.Kind, t.Duration, map[bool]string{true: "business", false: "clock"}[t.Business])
	}
	// Output:
	// accept 2h0m0s business
	// arrival 6h0m0s clock
	// completion 72h0m0s business
	// callback 72h0m0s business
}

// Two hours of business time from Friday 17:00 in Shanghai, with National Day off and the
// make-up Saturday after it worked, and a pause while waiting for parts.
func ExampleDue() {
	cal, _ := sla.NewCalendar(tenants.Calendar{Timezone: "Asia/Shanghai", WeeklyHours: tenants.WeeklyHours{
		Mon: []tenants.Interval{{Start: "09:00", End: "18:00"}}, Tue: []tenants.Interval{{Start: "09:00", End: "18:00"}},
		Wed: []tenants.Interval{{Start: "09:00", End: "18:00"}}, Thu: []tenants.Interval{{Start: "09:00", End: "18:00"}},
		Fri: []tenants.Interval{{Start: "09:00", End: "18:00"}}}},
		[]tenants.CalendarDay{{Day: "2026-10-01", Kind: "holiday"}, {Day: "2026-10-02", Kind: "holiday"}, {Day: "2026-10-05", Kind: "holiday"},
			{Day: "2026-10-06", Kind: "holiday"}, {Day: "2026-10-07", Kind: "holiday"}, {Day: "2026-10-10", Kind: "workday"}}, time.Time{})
	loc := cal.Location()
	start := time.Date(2026, 9, 30, 17, 0, 0, 0, loc) // Wednesday before the holidays
	fmt.Println(sla.Due(start, 2*time.Hour, cal, nil).Format("Mon 2006-01-02 15:04"))
	parts := []sla.Pause{{From: time.Date(2026, 10, 8, 9, 30, 0, 0, loc), To: time.Date(2026, 10, 9, 11, 0, 0, 0, loc), Reason: "waiting_parts"}}
	fmt.Println(sla.Due(start, 2*time.Hour, cal, parts).Format("Mon 2006-01-02 15:04"))
	fmt.Println(sla.WarnAt(start, 2*time.Hour, 75, cal, nil).Format("Mon 2006-01-02 15:04"))
	// Output:
	// Thu 2026-10-08 10:00
	// Fri 2026-10-09 11:30
	// Thu 2026-10-08 09:30
}
