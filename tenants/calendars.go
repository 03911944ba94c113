package tenants

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
)

// Interval is a span of working time within one day, "09:00" to "18:00" (end may be "24:00").
type Interval struct {
	Start string `json:"start" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" example:"09:00"`
	End   string `json:"end" pattern:"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$" example:"18:00"`
}

// WeeklyHours are the working intervals of each weekday; an empty day is closed.
type WeeklyHours struct {
	Mon []Interval `json:"mon"`
	Tue []Interval `json:"tue"`
	Wed []Interval `json:"wed"`
	Thu []Interval `json:"thu"`
	Fri []Interval `json:"fri"`
	Sat []Interval `json:"sat"`
	Sun []Interval `json:"sun"`
}

// Days returns the weekdays in time.Weekday order (Sunday first).
func (w WeeklyHours) Days() [7][]Interval {
	return [7][]Interval{w.Sun, w.Mon, w.Tue, w.Wed, w.Thu, w.Fri, w.Sat}
}

var defaultWeek = mustJSON(WeeklyHours{
	Mon: []Interval{{"09:00", "18:00"}}, Tue: []Interval{{"09:00", "18:00"}}, Wed: []Interval{{"09:00", "18:00"}},
	Thu: []Interval{{"09:00", "18:00"}}, Fri: []Interval{{"09:00", "18:00"}}, Sat: []Interval{}, Sun: []Interval{},
})

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Validate checks that every day's intervals are ordered, non-empty and non-overlapping.
func (w WeeklyHours) Validate(field string) error {
	names := [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	for i, day := range w.Days() {
		if err := validIntervals(day, field+"."+names[i]); err != nil {
			return err
		}
	}
	return nil
}

func validIntervals(iv []Interval, field string) error {
	prevEnd := ""
	for i, v := range iv {
		if v.Start >= v.End {
			return fault.Invalid(fmt.Sprintf("%s[%d]", field, i), "start must be before end")
		}
		if v.Start < prevEnd {
			return fault.Invalid(fmt.Sprintf("%s[%d]", field, i), "intervals must be in order and not overlap")
		}
		prevEnd = v.End
	}
	return nil
}

// Calendar is a business calendar: the tenant's default (OutletID nil) or an outlet's own.
type Calendar struct {
	ID          uuid.UUID   `json:"id"`
	OutletID    *uuid.UUID  `json:"outlet_id,omitempty"`
	Name        string      `json:"name"`
	Timezone    string      `json:"timezone"`
	WeeklyHours WeeklyHours `json:"weekly_hours"`
	Version     int32       `json:"version"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// DayKinds are the kinds of calendar exception: a holiday, or a make-up working day.
var DayKinds = []string{"holiday", "workday"}

// CalendarDay is an exception: a holiday, or a make-up working day (调休) on a weekend.
type CalendarDay struct {
	Day   string     `json:"day" format:"date" example:"2026-10-01"`
	Kind  string     `json:"kind"` // one of DayKinds
	Name  string     `json:"name,omitempty" maxLength:"100" example:"国庆节"`
	Hours []Interval `json:"hours,omitempty" doc:"Working hours of a make-up day; defaults to Monday's hours"`
}

func calendarFromRow(r db.BusinessCalendar) (Calendar, error) {
	c := Calendar{ID: r.ID, Name: r.Name, Timezone: r.Timezone, Version: r.Version, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt}
	if r.OutletID.Valid {
		c.OutletID = &r.OutletID.UUID
	}
	if err := json.Unmarshal(r.WeeklyHours, &c.WeeklyHours); err != nil {
		return c, fmt.Errorf("decode weekly hours: %w", err)
	}
	return c, nil
}

// CalendarInput is the writable part of a calendar.
type CalendarInput struct {
	OutletID    uuid.UUID
	Name        string
	Timezone    string
	WeeklyHours WeeklyHours
}

// CreateCalendar creates an outlet's own calendar (a tenant has exactly one default,
// created at onboarding).
func CreateCalendar(ctx context.Context, tx *Tx, in CalendarInput) (Calendar, error) {
	if err := checkTimezone(in.Timezone, "timezone"); err != nil {
		return Calendar{}, err
	}
	if err := in.WeeklyHours.Validate("weekly_hours"); err != nil {
		return Calendar{}, err
	}
	if tx.Scope.OutletID != uuid.Nil && in.OutletID != tx.Scope.OutletID {
		return Calendar{}, fault.ErrForbidden
	}
	r, err := tx.Q.CreateCalendar(ctx, tx, db.CreateCalendarParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		OutletID: uuid.NullUUID{UUID: in.OutletID, Valid: in.OutletID != uuid.Nil}, Name: in.Name,
		Timezone: in.Timezone, WeeklyHours: mustJSON(in.WeeklyHours)})
	if err != nil {
		return Calendar{}, fault.DBError(err, "this outlet already has a calendar", "outlet_id")
	}
	c, err := calendarFromRow(r)
	if err != nil {
		return c, err
	}
	return c, tx.Audit(ctx, "calendar.create", "calendar", c.ID, nil, c)
}

// GetCalendar returns one calendar.
func GetCalendar(ctx context.Context, tx *Tx, id uuid.UUID) (Calendar, error) {
	r, err := tx.Q.GetCalendar(ctx, tx, db.GetCalendarParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Calendar{}, fault.DBError(err, "", "")
	}
	return calendarFromRow(r)
}

// EffectiveCalendar returns the calendar in force at an outlet: its own, else the tenant's.
func EffectiveCalendar(ctx context.Context, tx *Tx, outletID uuid.UUID) (Calendar, error) {
	r, err := tx.Q.CalendarForOutlet(ctx, tx, db.CalendarForOutletParams{TenantID: tx.Scope.TenantID,
		OutletID: uuid.NullUUID{UUID: outletID, Valid: outletID != uuid.Nil}})
	if err != nil {
		return Calendar{}, fault.DBError(err, "", "")
	}
	return calendarFromRow(r)
}

// ListCalendars lists calendars after the cursor.
func ListCalendars(ctx context.Context, tx *Tx, after uuid.NullUUID, limit int32) ([]Calendar, error) {
	rows, err := tx.Q.ListCalendars(ctx, tx, db.ListCalendarsParams{TenantID: tx.Scope.TenantID, After: after, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list calendars: %w", err)
	}
	out := make([]Calendar, 0, len(rows))
	for _, r := range rows {
		c, err := calendarFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// UpdateCalendar replaces name, timezone and weekly hours if version is current.
func UpdateCalendar(ctx context.Context, tx *Tx, id uuid.UUID, version int32, in CalendarInput) (Calendar, error) {
	if err := checkTimezone(in.Timezone, "timezone"); err != nil {
		return Calendar{}, err
	}
	if err := in.WeeklyHours.Validate("weekly_hours"); err != nil {
		return Calendar{}, err
	}
	before, err := editableCalendar(ctx, tx, id)
	if err != nil {
		return Calendar{}, err
	}
	if before.Version != version {
		return Calendar{}, fault.ErrStale
	}
	r, err := tx.Q.UpdateCalendar(ctx, tx, db.UpdateCalendarParams{TenantID: tx.Scope.TenantID, ID: id, Version: version,
		Name: in.Name, Timezone: in.Timezone, WeeklyHours: mustJSON(in.WeeklyHours)})
	if err != nil {
		return Calendar{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	after, err := calendarFromRow(r)
	if err != nil {
		return after, err
	}
	return after, tx.Audit(ctx, "calendar.update", "calendar", id, before, after)
}

// DeleteCalendar removes an outlet's own calendar (the outlet falls back to the tenant's).
// The tenant's default calendar cannot be deleted.
func DeleteCalendar(ctx context.Context, tx *Tx, id uuid.UUID, version int32) error {
	before, err := editableCalendar(ctx, tx, id)
	if err != nil {
		return err
	}
	if before.OutletID == nil {
		return &fault.ConflictError{Detail: "the tenant's default calendar cannot be deleted"}
	}
	if before.Version != version {
		return fault.ErrStale
	}
	n, err := tx.Q.DeleteCalendar(ctx, tx, db.DeleteCalendarParams{TenantID: tx.Scope.TenantID, ID: id, Version: version})
	if err != nil {
		return fault.DBError(err, "", "")
	}
	if n == 0 {
		return fault.ErrStale
	}
	return tx.Audit(ctx, "calendar.delete", "calendar", id, before, nil)
}

// SetCalendarDay records a holiday or make-up working day, replacing any for that date,
// and moves the calendar's version on (a change of its days is a change of the calendar).
// version is the calendar's version the caller read (a stale one is fault.ErrStale). A make-up working day (调休) opens a day the weekly hours keep
// closed: on a day that is a working day already it is refused. It returns the day and the
// calendar's new version.
func SetCalendarDay(ctx context.Context, tx *Tx, calendarID uuid.UUID, day time.Time, version int32, in CalendarDay) (CalendarDay, int32, error) {
	c, err := editableCalendar(ctx, tx, calendarID)
	if err != nil {
		return CalendarDay{}, 0, err
	}
	if in.Kind == "holiday" && len(in.Hours) > 0 {
		return CalendarDay{}, 0, fault.Invalid("hours", "a holiday has no working hours")
	}
	if err := validIntervals(in.Hours, "hours"); err != nil {
		return CalendarDay{}, 0, err
	}
	if in.Kind == "workday" && len(c.WeeklyHours.Days()[day.Weekday()]) > 0 {
		return CalendarDay{}, 0, fault.Invalid("day", "is a working day already ("+day.Weekday().String()+
			"); a make-up working day opens a day the weekly hours keep closed")
	}
	next, err := bumpCalendar(ctx, tx, c, version)
	if err != nil {
		return CalendarDay{}, 0, err
	}
	var hours []byte
	if len(in.Hours) > 0 {
		hours = mustJSON(in.Hours)
	}
	r, err := tx.Q.UpsertCalendarDay(ctx, tx, db.UpsertCalendarDayParams{TenantID: tx.Scope.TenantID, CalendarID: calendarID,
		Day: day, Kind: in.Kind, Name: in.Name, Hours: hours})
	if err != nil {
		return CalendarDay{}, 0, fault.DBError(err, "", "")
	}
	out, err := dayFromRow(r)
	if err != nil {
		return out, 0, err
	}
	return out, next, tx.Audit(ctx, "calendar.day_set", "calendar", calendarID, nil, out)
}

// bumpCalendar moves calendar c's version on if version is current.
func bumpCalendar(ctx context.Context, tx *Tx, c Calendar, version int32) (int32, error) {
	if c.Version != version {
		return 0, fault.ErrStale
	}
	next, err := tx.Q.BumpCalendarVersion(ctx, tx, db.BumpCalendarVersionParams{TenantID: tx.Scope.TenantID, ID: c.ID, Version: version})
	if err != nil {
		return 0, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	return next, nil
}

// DeleteCalendarDay removes an exception if version is the calendar's current version
// (fault.ErrStale otherwise), moving it on; it reports ErrNotFound when there was none. It
// returns the calendar's new version.
func DeleteCalendarDay(ctx context.Context, tx *Tx, calendarID uuid.UUID, day time.Time, version int32) (int32, error) {
	c, err := editableCalendar(ctx, tx, calendarID)
	if err != nil {
		return 0, err
	}
	next, err := bumpCalendar(ctx, tx, c, version)
	if err != nil {
		return 0, err
	}
	n, err := tx.Q.DeleteCalendarDay(ctx, tx, db.DeleteCalendarDayParams{TenantID: tx.Scope.TenantID, CalendarID: calendarID, Day: day})
	if err != nil {
		return 0, fault.DBError(err, "", "")
	}
	if n == 0 {
		return 0, fault.ErrNotFound
	}
	return next, tx.Audit(ctx, "calendar.day_delete", "calendar", calendarID, map[string]string{"day": day.Format(time.DateOnly)}, nil)
}

// ListCalendarDays lists exceptions between from and to inclusive.
func ListCalendarDays(ctx context.Context, tx *Tx, calendarID uuid.UUID, from, to time.Time) ([]CalendarDay, error) {
	if _, err := GetCalendar(ctx, tx, calendarID); err != nil {
		return nil, err
	}
	return CalendarDays(ctx, tx, calendarID, from, to)
}

// CalendarDays lists the exception days of a calendar known to exist (just read) between
// from and to, without ListCalendarDays' check that it does.
func CalendarDays(ctx context.Context, tx *Tx, calendarID uuid.UUID, from, to time.Time) ([]CalendarDay, error) {
	rows, err := tx.Q.ListCalendarDays(ctx, tx, db.ListCalendarDaysParams{TenantID: tx.Scope.TenantID,
		CalendarID: calendarID, FromDay: from, ToDay: to})
	if err != nil {
		return nil, fmt.Errorf("list calendar days: %w", err)
	}
	out := make([]CalendarDay, 0, len(rows))
	for _, r := range rows {
		d, err := dayFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func dayFromRow(r db.CalendarDay) (CalendarDay, error) {
	d := CalendarDay{Day: r.Day.Format(time.DateOnly), Kind: r.Kind, Name: r.Name}
	if len(r.Hours) > 0 {
		if err := json.Unmarshal(r.Hours, &d.Hours); err != nil {
			return d, fmt.Errorf("decode day hours: %w", err)
		}
	}
	return d, nil
}

// editableCalendar returns a calendar the scope may change: outlet staff read the tenant's
// calendar but change only their own outlet's.
func editableCalendar(ctx context.Context, tx *Tx, id uuid.UUID) (Calendar, error) {
	c, err := GetCalendar(ctx, tx, id)
	if err != nil {
		return c, err
	}
	if tx.Scope.OutletID != uuid.Nil && (c.OutletID == nil || *c.OutletID != tx.Scope.OutletID) {
		return c, fault.ErrForbidden
	}
	return c, nil
}

// HoursOn returns the working intervals of a day (its date in the calendar's timezone): none
// on a holiday, a make-up day's own hours (Monday's when it gives none), else the weekday's.
// It is the one rule for which hours apply on a day; exceptions are keyed by "2006-01-02".
func (c Calendar) HoursOn(day time.Time, exceptions map[string]CalendarDay) []Interval {
	if ex, ok := exceptions[day.Format(time.DateOnly)]; ok {
		switch ex.Kind {
		case "holiday":
			return nil
		case "workday":
			if len(ex.Hours) > 0 {
				return ex.Hours
			}
			return c.WeeklyHours.Mon
		}
	}
	return c.WeeklyHours.Days()[day.Weekday()]
}
