package callbacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// Shift is one agent's working hours on one weekday (0 = Sunday), in the tenant's time zone:
// callbacks created in those hours go to the agents then on shift.
type Shift struct {
	UserID  uuid.UUID `json:"user_id"`
	Weekday int       `json:"weekday" minimum:"0" maximum:"6" doc:"0 = Sunday"`
	Starts  string    `json:"starts" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" example:"09:00"`
	Ends    string    `json:"ends" pattern:"^([01][0-9]|2[0-4]):[0-5][0-9]$" example:"18:00"`
}

// CallbackSettings say how a tenant samples completed orders for a callback.
type CallbackSettings struct {
	RatioBP       int32            `json:"ratio_bp" minimum:"0" maximum:"10000" doc:"Share of completed orders called back, in basis points (1000 = 10%)"`
	TypeRatios    map[string]int32 `json:"type_ratios" required:"false" doc:"Ratio by order type code, over the default"`
	OutletRatios  map[string]int32 `json:"outlet_ratios" required:"false" doc:"Ratio by outlet id, over the order type's and the default"`
	ExcludedTypes []string         `json:"excluded_types" required:"false" maxItems:"50" doc:"Order types never called back (internal, warranty-claim-only)"`
	CapSurveys    int32            `json:"cap_surveys" minimum:"0" maximum:"100" doc:"At most this many sampled callbacks per customer in cap_days (repeat repairs, poor ratings and complaints always go)"`
	CapDays       int32            `json:"cap_days" minimum:"1" maximum:"366"`
	DueMinutes    int32            `json:"due_minutes" minimum:"1" maximum:"525600" doc:"Business minutes to make the call when the order's tier has no callback target"`
	RectifyHours  int32            `json:"rectify_hours" minimum:"1" maximum:"8760" doc:"Hours the owner of a rectification has to carry it out"`
	Shifts        []Shift          `json:"shifts" required:"false" maxItems:"500" doc:"The callback agents' roster"`
	Version       int32            `json:"version" required:"false" readOnly:"true"`
}

// DefaultSettings are a tenant's until it sets its own: 10% of completed orders, none of
// internal or claim-only types, one sampled survey per customer in 90 days, two business
// days to call, three days to rectify.
func DefaultSettings() CallbackSettings {
	return CallbackSettings{RatioBP: 1000, TypeRatios: map[string]int32{}, OutletRatios: map[string]int32{},
		ExcludedTypes: []string{"internal", "claim_only"}, CapSurveys: 1, CapDays: 90, DueMinutes: 2880, RectifyHours: 72, Shifts: []Shift{}}
}

func settingsFromRow(r db.CallbackSetting) (CallbackSettings, error) {
	s := CallbackSettings{RatioBP: r.RatioBp, ExcludedTypes: r.ExcludedTypes, CapSurveys: r.CapSurveys, CapDays: r.CapDays,
		DueMinutes: r.DueMinutes, RectifyHours: r.RectifyHours, Version: r.Version}
	if err := json.Unmarshal(r.TypeRatios, &s.TypeRatios); err != nil {
		return s, fmt.Errorf("callback settings: %w", err)
	}
	if err := json.Unmarshal(r.OutletRatios, &s.OutletRatios); err != nil {
		return s, fmt.Errorf("callback settings: %w", err)
	}
	if err := json.Unmarshal(r.Shifts, &s.Shifts); err != nil {
		return s, fmt.Errorf("callback settings: %w", err)
	}
	return s, nil
}

// GetSettings reads the tenant's settings (DefaultSettings, version 0, before any were set).
func GetSettings(ctx context.Context, tx *tenants.Tx) (CallbackSettings, error) {
	r, err := tx.Q.GetCallbackSettings(ctx, tx, tx.Scope.TenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return CallbackSettings{}, fmt.Errorf("callback settings: %w", err)
	}
	return settingsFromRow(r)
}

var typeCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func minutesOf(hhmm string) (int, bool) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		if hhmm == "24:00" {
			return 24 * 60, true
		}
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Validate checks the ratios, types and shifts.
func (s *CallbackSettings) Validate() error {
	if s.RatioBP < 0 || s.RatioBP > 10000 {
		return fault.Invalid("ratio_bp", "must be between 0 and 10000 basis points")
	}
	for code, v := range s.TypeRatios {
		if !typeCode.MatchString(code) {
			return fault.Invalid("type_ratios."+code, "is not an order type code")
		}
		if v < 0 || v > 10000 {
			return fault.Invalid("type_ratios."+code, "must be between 0 and 10000 basis points")
		}
	}
	for id, v := range s.OutletRatios {
		if _, err := uuid.Parse(id); err != nil {
			return fault.Invalid("outlet_ratios."+id, "is not an outlet id")
		}
		if v < 0 || v > 10000 {
			return fault.Invalid("outlet_ratios."+id, "must be between 0 and 10000 basis points")
		}
	}
	for i, code := range s.ExcludedTypes {
		if !typeCode.MatchString(code) {
			return fault.Invalid(fmt.Sprintf("excluded_types[%d]", i), "is not an order type code")
		}
	}
	for i, sh := range s.Shifts {
		f := fmt.Sprintf("shifts[%d]", i)
		if sh.UserID == uuid.Nil {
			return fault.Invalid(f+".user_id", "is required")
		}
		if sh.Weekday < 0 || sh.Weekday > 6 {
			return fault.Invalid(f+".weekday", "must be 0 (Sunday) to 6")
		}
		from, ok1 := minutesOf(sh.Starts)
		to, ok2 := minutesOf(sh.Ends)
		if !ok1 {
			return fault.Invalid(f+".starts", "must be a time, e.g. 09:00")
		}
		if !ok2 || to <= from {
			return fault.Invalid(f+".ends", "must be a time after starts")
		}
	}
	if s.CapDays < 1 || s.CapDays > 366 {
		return fault.Invalid("cap_days", "must be between 1 and 366")
	}
	if s.CapSurveys < 0 || s.CapSurveys > 100 {
		return fault.Invalid("cap_surveys", "must be between 0 and 100")
	}
	if s.DueMinutes < 1 {
		return fault.Invalid("due_minutes", "must be at least 1")
	}
	if s.RectifyHours < 1 {
		return fault.Invalid("rectify_hours", "must be at least 1")
	}
	return nil
}

// PutSettings replaces the settings if version is the one read (0: none set yet), else
// fault.ErrStale. Shifts must name members of the tenant.
func PutSettings(ctx context.Context, tx *tenants.Tx, version int32, in CallbackSettings) (CallbackSettings, error) {
	if in.TypeRatios == nil {
		in.TypeRatios = map[string]int32{}
	}
	if in.OutletRatios == nil {
		in.OutletRatios = map[string]int32{}
	}
	if in.ExcludedTypes == nil {
		in.ExcludedTypes = []string{}
	}
	if in.Shifts == nil {
		in.Shifts = []Shift{}
	}
	if err := in.Validate(); err != nil {
		return CallbackSettings{}, err
	}
	before, err := GetSettings(ctx, tx)
	if err != nil {
		return CallbackSettings{}, err
	}
	if before.Version != version {
		return CallbackSettings{}, fault.ErrStale
	}
	users := make([]uuid.UUID, 0, len(in.Shifts))
	for _, sh := range in.Shifts {
		users = append(users, sh.UserID)
	}
	active, err := tx.Q.ActiveMemberUsers(ctx, tx, db.ActiveMemberUsersParams{TenantID: tx.Scope.TenantID, Users: users})
	if err != nil {
		return CallbackSettings{}, fmt.Errorf("shift members: %w", err)
	}
	for i, sh := range in.Shifts {
		if !slices.Contains(active, sh.UserID) {
			return CallbackSettings{}, fault.Invalid(fmt.Sprintf("shifts[%d].user_id", i), "is not an active member of the tenant")
		}
	}
	tr, _ := json.Marshal(in.TypeRatios)
	or, _ := json.Marshal(in.OutletRatios)
	sh, _ := json.Marshal(in.Shifts)
	now, err := tx.Now(ctx)
	if err != nil {
		return CallbackSettings{}, err
	}
	r, err := tx.Q.PutCallbackSettings(ctx, tx, db.PutCallbackSettingsParams{TenantID: tx.Scope.TenantID, RatioBp: in.RatioBP, TypeRatios: tr,
		OutletRatios: or, ExcludedTypes: in.ExcludedTypes, CapSurveys: in.CapSurveys, CapDays: in.CapDays, DueMinutes: in.DueMinutes,
		RectifyHours: in.RectifyHours, Shifts: sh, Now: now})
	if err != nil {
		return CallbackSettings{}, fault.DBError(err, "", "")
	}
	out, err := settingsFromRow(r)
	if err != nil {
		return CallbackSettings{}, err
	}
	return out, tx.Audit(ctx, "callback_settings.update", "callback_settings", tx.Scope.TenantID, before, out)
}

// ratio is the share (basis points) of an order's callbacks: the outlet's, else the order
// type's, else the default.
func (s CallbackSettings) ratio(outlet uuid.NullUUID, orderType string) int32 {
	if outlet.Valid {
		if v, ok := s.OutletRatios[outlet.UUID.String()]; ok {
			return v
		}
	}
	if v, ok := s.TypeRatios[orderType]; ok {
		return v
	}
	return s.RatioBP
}

// onShift lists the agents on shift at local time t (weekday and minute of day), in roster
// order, each once.
func (s CallbackSettings) onShift(t time.Time) []uuid.UUID {
	var out []uuid.UUID
	m := t.Hour()*60 + t.Minute()
	seen := map[uuid.UUID]bool{}
	for _, sh := range s.Shifts {
		from, _ := minutesOf(sh.Starts)
		to, _ := minutesOf(sh.Ends)
		if sh.Weekday == int(t.Weekday()) && m >= from && m < to && !seen[sh.UserID] {
			seen[sh.UserID] = true
			out = append(out, sh.UserID)
		}
	}
	return out
}

// nextShift finds the agents of the first shift starting after local time t within a week
// (a callback created out of hours goes to the next shift's agents), in roster order.
func (s CallbackSettings) nextShift(t time.Time) []uuid.UUID {
	for d := 0; d <= 7; d++ {
		day := t.AddDate(0, 0, d)
		best := -1
		for _, sh := range s.Shifts {
			from, _ := minutesOf(sh.Starts)
			if sh.Weekday != int(day.Weekday()) || (d == 0 && from <= t.Hour()*60+t.Minute()) {
				continue
			}
			if best < 0 || from < best {
				best = from
			}
		}
		if best >= 0 {
			at := time.Date(day.Year(), day.Month(), day.Day(), best/60, best%60, 0, 0, t.Location())
			return s.onShift(at)
		}
	}
	return nil
}
