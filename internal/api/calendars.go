package api

// Business calendars: the tenant's default and outlets' own, with holidays and make-up
// working days.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// CalendarOutput is one calendar with its ETag.
type CalendarOutput struct {
	ETag string `header:"ETag"`
	Body tenants.Calendar
}

// CalendarBody is the writable part of a calendar.
type CalendarBody struct {
	OutletID    string              `json:"outlet_id,omitempty" format:"uuid" doc:"Outlet this calendar overrides the tenant's for (create only)"`
	Name        string              `json:"name" minLength:"1" maxLength:"200"`
	Timezone    string              `json:"timezone" maxLength:"64" example:"Asia/Shanghai"`
	WeeklyHours tenants.WeeklyHours `json:"weekly_hours"`
}

func (b CalendarBody) input() tenants.CalendarInput {
	in := tenants.CalendarInput{Name: b.Name, Timezone: b.Timezone, WeeklyHours: b.WeeklyHours}
	if b.OutletID != "" {
		in.OutletID = uuid.MustParse(b.OutletID)
	}
	return in
}

// DayPath addresses one date of a calendar.
type DayPath struct {
	IDPath
	Day string `path:"day" format:"date" doc:"Date, YYYY-MM-DD"`
}

func (d DayPath) date() time.Time {
	t, _ := time.Parse(time.DateOnly, d.Day) // format:"date" validated it
	return t
}

// registerCalendarRoutes adds calendars and the calendar in force at an outlet.
func registerCalendarRoutes(api huma.API, s *Server) {
	tags := []string{"Calendars"}
	register(api, s, huma.Operation{OperationID: "list-calendars", Method: http.MethodGet, Path: "/calendars", Tags: tags,
		Summary: "List business calendars (the tenant default and outlet overrides)"},
		route{perm: access.CalendarsRead}, s.listCalendars)
	register(api, s, huma.Operation{OperationID: "create-calendar", Method: http.MethodPost, Path: "/calendars", Tags: tags,
		Summary: "Create an outlet's own calendar", DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.CalendarsWrite, idem: true}, s.createCalendar)
	register(api, s, huma.Operation{OperationID: "get-calendar", Method: http.MethodGet, Path: "/calendars/{id}", Tags: tags,
		Summary: "Get a calendar", Errors: []int{404}},
		route{perm: access.CalendarsRead}, s.getCalendar)
	register(api, s, huma.Operation{OperationID: "get-outlet-calendar", Method: http.MethodGet, Path: "/outlets/{id}/calendar",
		Tags: tags, Summary: "The calendar in force at an outlet (its own, else the tenant's)", Errors: []int{404}},
		route{perm: access.CalendarsRead}, s.getOutletCalendar)
	register(api, s, huma.Operation{OperationID: "update-calendar", Method: http.MethodPut, Path: "/calendars/{id}", Tags: tags,
		Summary: "Replace a calendar's name, time zone and weekly hours", Errors: []int{404, 412, 422, 428}},
		route{perm: access.CalendarsWrite}, s.updateCalendar)
	register(api, s, huma.Operation{OperationID: "delete-calendar", Method: http.MethodDelete, Path: "/calendars/{id}", Tags: tags,
		Summary: "Delete an outlet's calendar (it falls back to the tenant's)", DefaultStatus: 204, Errors: []int{404, 409, 412, 428}},
		route{perm: access.CalendarsWrite}, s.deleteCalendar)
}

// registerCalendarDayRoutes adds a calendar's holidays and make-up working days.
func registerCalendarDayRoutes(api huma.API, s *Server) {
	tags := []string{"Calendars"}
	register(api, s, huma.Operation{OperationID: "list-calendar-days", Method: http.MethodGet, Path: "/calendars/{id}/days",
		Tags: tags, Summary: "Holidays and make-up working days between two dates", Errors: []int{404, 422}},
		route{perm: access.CalendarsRead}, s.listCalendarDays)
	register(api, s, huma.Operation{OperationID: "set-calendar-day", Method: http.MethodPut, Path: "/calendars/{id}/days/{day}",
		Tags: tags, Summary: "Mark a date as a holiday or a make-up working day",
		Description: "A change of a calendar's days is a change of the calendar: If-Match is the calendar's ETag, and the answer carries its new one. " +
			"A make-up working day (调休) is refused on a day the weekly hours open already. Running SLA clocks on the calendar are re-timed.",
		Errors: []int{404, 412, 422, 428}},
		route{perm: access.CalendarsWrite}, s.setCalendarDay)
	register(api, s, huma.Operation{OperationID: "delete-calendar-day", Method: http.MethodDelete, Path: "/calendars/{id}/days/{day}",
		Tags: tags, Summary: "Remove a holiday or make-up day", DefaultStatus: 204,
		Description: "If-Match is the calendar's ETag; the answer carries its new one. Running SLA clocks on the calendar are re-timed.",
		Errors:      []int{404, 412, 428}},
		route{perm: access.CalendarsWrite}, s.deleteCalendarDay)
}

func (s *Server) listCalendars(ctx context.Context, in *PageQuery) (*PageOutput[tenants.Calendar], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]tenants.Calendar, error) {
		return tenants.ListCalendars(ctx, tx, after, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(c tenants.Calendar) uuid.UUID { return c.ID }), nil
}

type createCalendarIn struct{ Body CalendarBody }

func (s *Server) createCalendar(ctx context.Context, in *createCalendarIn) (*CalendarOutput, error) {
	if in.Body.OutletID == "" {
		return nil, fault.Invalid("body.outlet_id", "is required: the tenant's default calendar exists already")
	}
	if uuid.MustParse(in.Body.OutletID) == uuid.Nil {
		return nil, fault.Invalid("body.outlet_id", "does not exist")
	}
	c, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Calendar, error) {
		c, err := tenants.CreateCalendar(ctx, tx, in.Body.input())
		if err != nil {
			return c, err
		}
		return c, s.retime(ctx, tx, c) // the outlet's clocks follow its own calendar now
	})
	if err != nil {
		return nil, err
	}
	return &CalendarOutput{ETag: etag(c.Version), Body: c}, nil
}

func (s *Server) getCalendar(ctx context.Context, in *IDPath) (*CalendarOutput, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Calendar, error) { return tenants.GetCalendar(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &CalendarOutput{ETag: etag(c.Version), Body: c}, nil
}

func (s *Server) getOutletCalendar(ctx context.Context, in *IDPath) (*CalendarOutput, error) {
	var c tenants.Calendar
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		if _, err = tenants.GetOutlet(ctx, tx, in.id()); err != nil {
			return err
		}
		c, err = tenants.EffectiveCalendar(ctx, tx, in.id())
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CalendarOutput{ETag: etag(c.Version), Body: c}, nil
}

type updateCalendarIn struct {
	IDPath
	IfMatch
	Body CalendarBody
}

func (s *Server) updateCalendar(ctx context.Context, in *updateCalendarIn) (*CalendarOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	c, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Calendar, error) {
		c, err := tenants.UpdateCalendar(ctx, tx, in.id(), v, in.Body.input())
		if err != nil {
			return c, err
		}
		return c, s.retime(ctx, tx, c)
	})
	if err != nil {
		return nil, err
	}
	return &CalendarOutput{ETag: etag(c.Version), Body: c}, nil
}

func (s *Server) deleteCalendar(ctx context.Context, in *deleteIn) (*struct{}, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	return nil, s.tx(ctx, func(tx *tenants.Tx) error {
		c, err := tenants.GetCalendar(ctx, tx, in.id())
		if err != nil {
			return err
		}
		if err := tenants.DeleteCalendar(ctx, tx, in.id(), v); err != nil {
			return err
		}
		return s.retime(ctx, tx, c) // the outlet's clocks follow the tenant's calendar now
	})
}

type daysIn struct {
	IDPath
	From string `query:"from" format:"date" required:"true"`
	To   string `query:"to" format:"date" required:"true"`
}

type daysOut struct {
	Body struct {
		Items []tenants.CalendarDay `json:"items"`
	}
}

func (s *Server) listCalendarDays(ctx context.Context, in *daysIn) (*daysOut, error) {
	from, _ := time.Parse(time.DateOnly, in.From)
	to, _ := time.Parse(time.DateOnly, in.To)
	if to.Before(from) || to.Sub(from) > 3*366*24*time.Hour {
		return nil, fault.Invalid("query.to", "must be on or after from, within 3 years")
	}
	out := &daysOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = tenants.ListCalendarDays(ctx, tx, in.id(), from, to)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type setDayIn struct {
	DayPath
	IfMatch
	Body struct {
		Kind  dayKind            `json:"kind" doc:"holiday: closed; workday: a make-up working day (调休)"`
		Name  string             `json:"name,omitempty" maxLength:"100"`
		Hours []tenants.Interval `json:"hours,omitempty" maxItems:"6"`
	}
}

type dayOut struct {
	ETag string `header:"ETag" doc:"The calendar's new version"`
	Body tenants.CalendarDay
}

func (s *Server) setCalendarDay(ctx context.Context, in *setDayIn) (*dayOut, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	out := &dayOut{}
	err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body, v, err = tenants.SetCalendarDay(ctx, tx, in.id(), in.date(), v,
			tenants.CalendarDay{Kind: string(in.Body.Kind), Name: in.Body.Name, Hours: in.Body.Hours})
		out.ETag = etag(v)
		if err != nil {
			return err
		}
		return s.retimeID(ctx, tx, in.id())
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// deleteDayIn addresses a calendar day at the calendar's version the caller read.
type deleteDayIn struct {
	DayPath
	IfMatch
}

type deleteDayOut struct {
	ETag string `header:"ETag" doc:"The calendar's new version"`
}

func (s *Server) deleteCalendarDay(ctx context.Context, in *deleteDayIn) (*deleteDayOut, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
		if v, err = tenants.DeleteCalendarDay(ctx, tx, in.id(), in.date(), v); err != nil {
			return err
		}
		return s.retimeID(ctx, tx, in.id())
	})
	if err != nil {
		return nil, err
	}
	return &deleteDayOut{ETag: etag(v)}, nil
}

// retime re-times the running SLA clocks that follow calendar c after a change of it, with
// a timeline row on each order whose clocks moved (package sla: Retime). Without a job
// runner (no clocks run) there is nothing to do.
func (s *Server) retime(ctx context.Context, tx *tenants.Tx, c tenants.Calendar) error {
	if s.Jobs == nil {
		return nil
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	changed, err := sla.Retime(ctx, tx, s.Jobs, c, now)
	if err != nil {
		return err
	}
	for order, ch := range changed {
		if err := orders.RecordClockChanges(ctx, tx, order, ch); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) retimeID(ctx context.Context, tx *tenants.Tx, id uuid.UUID) error {
	c, err := tenants.GetCalendar(ctx, tx, id)
	if err != nil {
		return err
	}
	return s.retime(ctx, tx, c)
}
