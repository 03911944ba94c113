package api

// Service-level agreements: settings, an order's clocks, and attainment reports.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// SLASettingsOutput is the tenant's SLA settings with their ETag.
type SLASettingsOutput struct {
	ETag string `header:"ETag"`
	Body SLASettings
}

// SLASettings are the tenant's SLA settings as the API shows them (named apart from other
// packages' settings in the OpenAPI document).
type SLASettings struct {
	SLASettingsBody
	Version int32 `json:"version"`
}

func settingsOutput(st sla.Settings) *SLASettingsOutput {
	return &SLASettingsOutput{ETag: etag(st.Version), Body: SLASettings{Version: st.Version, SLASettingsBody: SLASettingsBody{
		WarnPercent: st.WarnPercent, PauseStatuses: st.PauseStatuses, Escalation: st.Escalation, CarryInArrival: st.CarryInArrival}}}
}

// SLASettingsBody is the writable part of the SLA settings.
type SLASettingsBody struct {
	WarnPercent   int         `json:"warn_percent" minimum:"1" maximum:"99" example:"75" doc:"Warn when this share of a target has elapsed"`
	PauseStatuses []string    `json:"pause_statuses" maxItems:"20" doc:"Order statuses in which clocks stand still, e.g. awaiting_customer_approval, waiting_parts"`
	Escalation    []sla.Level `json:"escalation" maxItems:"5" doc:"The chain after a breach, in order; each level's deadline counts from the breach"`
	// Optional so that a client written before it keeps working (false: carry-in orders
	// have no arrival clock).
	CarryInArrival bool `json:"carry_in_arrival,omitempty" required:"false" doc:"Run an arrival clock on carry-in orders too (they have no visit; default false)"`
}

// SLAClocksOutput lists one order's clocks.
type SLAClocksOutput struct {
	Body struct {
		Items []sla.Clock `json:"items"`
	}
}

// SLAAttainmentOutput is an attainment report.
type SLAAttainmentOutput struct {
	Body struct {
		GroupBy string              `json:"group_by"`
		From    time.Time           `json:"from" doc:"Start of the first day, in the tenant's timezone"`
		To      time.Time           `json:"to" doc:"End of the last day (exclusive)"`
		Items   []sla.AttainmentRow `json:"items"`
	}
}

// registerSLARoutes adds SLA settings, clocks and attainment.
func registerSLARoutes(api huma.API, s *Server) {
	tags := []string{"SLA"}
	register(api, s, huma.Operation{OperationID: "get-sla-settings", Method: http.MethodGet, Path: "/sla/settings", Tags: tags,
		Summary: "SLA settings: warning threshold, pause statuses, escalation chain"},
		route{perm: access.SLARead}, s.getSLASettings)
	register(api, s, huma.Operation{OperationID: "update-sla-settings", Method: http.MethodPut, Path: "/sla/settings", Tags: tags,
		Summary: "Change the SLA settings (clocks started later use them; escalations read them when they fire)",
		Errors:  []int{412, 422, 428}},
		route{perm: access.SLASettings}, s.updateSLASettings)
	register(api, s, huma.Operation{OperationID: "list-order-sla-clocks", Method: http.MethodGet, Path: "/sla/orders/{id}/clocks", Tags: tags,
		Summary: "An order's SLA clocks: status, due and warning times, pauses, escalation level", Errors: []int{404}},
		route{perm: access.SLARead}, s.listOrderSLAClocks)
	register(api, s, huma.Operation{OperationID: "sla-due-time", Method: http.MethodPost, Path: "/sla/due", Tags: tags,
		Summary: "When a target falls due: from a start, on a calendar or an outlet's, with the calendar facts used",
		Description: "Computes a due time as an order's clock would (business time on the calendar's working hours, holidays closed, " +
			"make-up working days open, in its zone; or clock time), not counting the pauses given, and answers with the holidays and " +
			"make-up days between the start and the due time. Nothing is stored.",
		Errors: []int{404, 422}},
		route{perm: access.SLARead}, s.slaDueTime)
	register(api, s, huma.Operation{OperationID: "sla-attainment", Method: http.MethodGet, Path: "/sla/attainment", Tags: tags,
		Summary: "SLA attainment: targets met on time, breached, and the share met, by outlet, engineer, tier, order type or target",
		Errors:  []int{422}},
		route{perm: access.SLARead}, s.slaAttainment)
}

func (s *Server) getSLASettings(ctx context.Context, _ *struct{}) (*SLASettingsOutput, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (sla.Settings, error) { return sla.GetSettings(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return settingsOutput(st), nil
}

type putSLASettingsIn struct {
	IfMatch
	Body SLASettingsBody
}

func (s *Server) updateSLASettings(ctx context.Context, in *putSLASettingsIn) (*SLASettingsOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	st, err := within(ctx, s, func(tx *tenants.Tx) (sla.Settings, error) {
		return sla.SaveSettings(ctx, tx, v, sla.Settings{WarnPercent: in.Body.WarnPercent,
			PauseStatuses: in.Body.PauseStatuses, Escalation: in.Body.Escalation, CarryInArrival: in.Body.CarryInArrival})
	})
	if err != nil {
		return nil, err
	}
	return settingsOutput(st), nil
}

func (s *Server) listOrderSLAClocks(ctx context.Context, in *IDPath) (*SLAClocksOutput, error) {
	clocks, err := within(ctx, s, func(tx *tenants.Tx) ([]sla.Clock, error) { return sla.Clocks(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	if len(clocks) == 0 {
		return nil, fault.ErrNotFound // no clocks in the caller's scope: unknown, whoever's it is
	}
	out := &SLAClocksOutput{}
	out.Body.Items = clocks
	return out, nil
}

type dueIn struct {
	Body struct {
		CalendarID string    `json:"calendar_id,omitempty" format:"uuid" doc:"The calendar to count on"`
		OutletID   string    `json:"outlet_id,omitempty" format:"uuid" doc:"Or the outlet whose calendar is in force (its own, else the tenant's); neither: the tenant's"`
		Start      time.Time `json:"start" doc:"When the clock starts"`
		Minutes    int       `json:"minutes" minimum:"1" maximum:"527040" doc:"The target's length"`
		Clock      string    `json:"clock,omitempty" enum:"business,clock" default:"business" doc:"business: working time on the calendar; clock: 24x7"`
		Pauses     []struct {
			From time.Time `json:"from"`
			To   time.Time `json:"to"`
		} `json:"pauses,omitempty" maxItems:"50" doc:"Spans that do not count (waiting for the customer, for parts)"`
	}
}

type dueOut struct{ Body sla.DueAnswer }

func (s *Server) slaDueTime(ctx context.Context, in *dueIn) (*dueOut, error) {
	if in.Body.CalendarID != "" && in.Body.OutletID != "" {
		return nil, fault.Invalid("body.outlet_id", "give a calendar or an outlet, not both")
	}
	q := sla.DueQuestion{Start: in.Body.Start, Minutes: in.Body.Minutes, Business: in.Body.Clock != "clock"}
	if in.Body.CalendarID != "" {
		q.CalendarID = uuid.MustParse(in.Body.CalendarID)
	}
	if in.Body.OutletID != "" {
		q.OutletID = uuid.MustParse(in.Body.OutletID)
	}
	for _, p := range in.Body.Pauses {
		q.Pauses = append(q.Pauses, sla.Pause{From: p.From, To: p.To})
	}
	a, err := within(ctx, s, func(tx *tenants.Tx) (sla.DueAnswer, error) { return sla.Answer(ctx, tx, q) })
	if err != nil {
		return nil, err
	}
	return &dueOut{Body: a}, nil
}

type attainmentIn struct {
	GroupBy slaGroupBy `query:"group_by" default:"outlet"`
	From    string     `query:"from" format:"date" required:"true" doc:"First day of outcomes counted (days in the tenant's timezone)"`
	To      string     `query:"to" format:"date" required:"true" doc:"Last day, inclusive"`
	Target  slaTarget  `query:"target" doc:"Only this target"`
}

func (s *Server) slaAttainment(ctx context.Context, in *attainmentIn) (*SLAAttainmentOutput, error) {
	fromDay, _ := time.Parse(time.DateOnly, in.From) // format:"date" validated them
	toDay, _ := time.Parse(time.DateOnly, in.To)
	if toDay.Before(fromDay) {
		return nil, fault.Invalid("query.to", "must not be before from")
	}
	if toDay.Sub(fromDay) > 366*24*time.Hour {
		return nil, fault.Invalid("query.to", "the range is at most a year")
	}
	var from, to time.Time
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]sla.AttainmentRow, error) {
		// Days are the tenant's: midnight to midnight in its timezone.
		loc, err := tenants.Location(ctx, tx)
		if err != nil {
			return nil, err
		}
		from = time.Date(fromDay.Year(), fromDay.Month(), fromDay.Day(), 0, 0, 0, 0, loc)
		to = time.Date(toDay.Year(), toDay.Month(), toDay.Day()+1, 0, 0, 0, 0, loc)
		return sla.Attainment(ctx, tx, string(in.GroupBy), from, to, string(in.Target))
	})
	if err != nil {
		return nil, err
	}
	out := &SLAAttainmentOutput{}
	out.Body.GroupBy, out.Body.From, out.Body.To, out.Body.Items = string(in.GroupBy), from, to, rows
	return out, nil
}
