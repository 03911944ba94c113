package sla

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// DueQuestion asks when a target falls due: on a calendar (CalendarID), or the calendar in
// force at an outlet (OutletID), or the tenant's (neither), from Start, for Minutes of
// business time (Business) or clock time, not counting Pauses.
type DueQuestion struct {
	CalendarID uuid.UUID
	OutletID   uuid.UUID
	Start      time.Time
	Minutes    int
	Business   bool
	Pauses     []Pause
}

// DueAnswer is a due time with the calendar facts it was computed from, so that whoever
// promises it (an agent on the phone, the staff app) can say why: the zone, and the
// holidays and make-up working days (调休) between the start and the due time.
type DueAnswer struct {
	DueAt      time.Time             `json:"due_at"`
	DueLocal   string                `json:"due_local" doc:"The due time as wall time in the calendar's zone, 2006-01-02 15:04"`
	WarnAt     time.Time             `json:"warn_at" doc:"When the warning would go out (the tenant's warn_percent of the target)"`
	Business   bool                  `json:"business"`
	Minutes    int                   `json:"minutes"`
	CalendarID uuid.UUID             `json:"calendar_id"`
	Calendar   string                `json:"calendar" doc:"The calendar's name"`
	OutletID   *uuid.UUID            `json:"outlet_id,omitempty" doc:"The outlet whose own calendar it is (absent: the tenant's)"`
	Timezone   string                `json:"timezone"`
	Holidays   []tenants.CalendarDay `json:"holidays" doc:"Holidays between the start and the due time (business time skipped them)"`
	MakeUpDays []tenants.CalendarDay `json:"make_up_days" doc:"Make-up working days (调休) between the start and the due time (business time counted them)"`
	Pauses     []Pause               `json:"pauses"`
}

// maxAnswerMinutes bounds a question's target: a year.
const maxAnswerMinutes = 366 * 24 * 60

// Answer computes a due time as a clock would (the same calendar walk, the same window of
// days) and returns it with the calendar facts it used. A calendar or outlet the scope
// cannot see is fault.ErrNotFound.
func Answer(ctx context.Context, tx *tenants.Tx, q DueQuestion) (DueAnswer, error) {
	if q.Minutes < 1 || q.Minutes > maxAnswerMinutes {
		return DueAnswer{}, fault.Invalid("minutes", fmt.Sprintf("must be 1 to %d", maxAnswerMinutes))
	}
	for i, p := range q.Pauses {
		if p.To.IsZero() || !p.To.After(p.From) {
			return DueAnswer{}, fault.Invalid(fmt.Sprintf("pauses[%d].to", i), "must be after from")
		}
	}
	var cal tenants.Calendar
	var err error
	switch {
	case q.CalendarID != uuid.Nil:
		cal, err = tenants.GetCalendar(ctx, tx, q.CalendarID)
	case q.OutletID != uuid.Nil:
		if _, err = tenants.GetOutlet(ctx, tx, q.OutletID); err == nil {
			cal, err = tenants.EffectiveCalendar(ctx, tx, q.OutletID)
		}
	default:
		cal, err = tenants.EffectiveCalendar(ctx, tx, uuid.Nil)
	}
	if err != nil {
		return DueAnswer{}, err
	}
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return DueAnswer{}, err
	}
	cals := &calendars{ctx: ctx, tx: tx, base: &cal}
	d := time.Duration(q.Minutes) * time.Minute
	due, warn, err := cals.due(q.Start, d, q.Business, q.Pauses, settings.WarnPercent)
	if err != nil {
		return DueAnswer{}, err
	}
	if due.IsZero() {
		return DueAnswer{}, fault.Invalid("minutes", "cannot elapse: the calendar has no working time within ten years")
	}
	loc := location(cal.Timezone)
	a := DueAnswer{DueAt: due.UTC(), DueLocal: due.In(loc).Format(dueTimeLayout), WarnAt: warn.UTC(), Business: q.Business, Minutes: q.Minutes,
		CalendarID: cal.ID, Calendar: cal.Name, OutletID: cal.OutletID, Timezone: cal.Timezone,
		Holidays: []tenants.CalendarDay{}, MakeUpDays: []tenants.CalendarDay{}, Pauses: q.Pauses}
	if a.Pauses == nil {
		a.Pauses = []Pause{}
	}
	// The exception days of the local dates from the start to the due time: the ones the
	// walk met (clock time meets none, but they are facts of the span all the same).
	first, last := civil(q.Start.In(loc)), civil(due.In(loc))
	days, err := tenants.CalendarDays(ctx, tx, cal.ID, first, last)
	if err != nil {
		return DueAnswer{}, err
	}
	for _, day := range days {
		if day.Kind == "holiday" {
			a.Holidays = append(a.Holidays, day)
		} else {
			a.MakeUpDays = append(a.MakeUpDays, day)
		}
	}
	return a, nil
}
