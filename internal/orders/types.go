package orders

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// Type is a kind of order a tenant takes, with its default flow and what it needs of an
// engineer (skill, certification level).
type Type struct {
	Code     string `json:"code" pattern:"^[a-z][a-z0-9_]{0,39}$"`
	Name     string `json:"name" minLength:"1" maxLength:"100"`
	Flow     string `json:"flow"` // one of Flows
	Skill    string `json:"skill,omitempty" maxLength:"40" doc:"Skill an engineer needs, e.g. gas"`
	MinLevel int    `json:"min_level,omitempty" minimum:"0" maximum:"10" doc:"Lowest certification level"`
	Active   bool   `json:"active"`
}

// DefaultTypes are the order types every tenant starts with.
var DefaultTypes = []Type{
	{Code: "installation", Name: "Installation", Flow: FlowOnSite, Skill: "install", Active: true},
	{Code: "repair_major", Name: "Major repair", Flow: FlowCarryIn, MinLevel: 3, Active: true},
	{Code: "repair_medium", Name: "Medium repair", Flow: FlowCarryIn, MinLevel: 2, Active: true},
	{Code: "repair_minor", Name: "Minor repair", Flow: FlowCarryIn, Active: true},
	{Code: "delivery", Name: "Delivery", Flow: FlowOnSite, Active: true},
	{Code: "exchange", Name: "Exchange", Flow: FlowCarryIn, Active: true},
	{Code: "return", Name: "Return", Flow: FlowCarryIn, Active: true},
	{Code: "maintenance", Name: "Maintenance and cleaning", Flow: FlowOnSite, Active: true},
	{Code: "gas_conversion", Name: "Gas conversion", Flow: FlowOnSite, Skill: "gas", MinLevel: 2, Active: true},
	{Code: "inspection", Name: "Inspection", Flow: FlowOnSite, Active: true},
}

// Types lists the tenant's order types: the defaults, replaced or extended by its own.
func Types(ctx context.Context, tx *tenants.Tx) ([]Type, error) {
	rows, err := tx.Q.ListOrderTypes(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, fmt.Errorf("list order types: %w", err)
	}
	out := slices.Clone(DefaultTypes)
	for _, r := range rows {
		t := Type{Code: r.Code, Name: r.Name, Flow: r.Flow, Skill: r.Skill, MinLevel: int(r.MinLevel), Active: r.Active}
		if i := slices.IndexFunc(out, func(d Type) bool { return d.Code == r.Code }); i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b Type) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

// SaveType adds or changes one order type of the tenant.
func SaveType(ctx context.Context, tx *tenants.Tx, t Type) (Type, error) {
	if t.Flow != FlowCarryIn && t.Flow != FlowOnSite {
		return Type{}, fault.Invalid("flow", "must be carry_in or on_site")
	}
	r, err := tx.Q.UpsertOrderType(ctx, tx, db.UpsertOrderTypeParams{TenantID: tx.Scope.TenantID,
		Code: t.Code, Name: t.Name, Flow: t.Flow, Skill: t.Skill,
		MinLevel: int32(t.MinLevel), Active: t.Active})
	if err != nil {
		return Type{}, fault.DBError(err, "", "")
	}
	saved := Type{Code: r.Code, Name: r.Name, Flow: r.Flow, Skill: r.Skill, MinLevel: int(r.MinLevel), Active: r.Active}
	return saved, tx.Audit(ctx, "order_type.save", "order_type", [16]byte{}, nil, saved)
}

func typeFor(ctx context.Context, tx *tenants.Tx, code string) (Type, error) {
	all, err := Types(ctx, tx)
	if err != nil {
		return Type{}, err
	}
	var names []string
	for _, t := range all {
		if t.Active {
			if t.Code == code {
				return t, nil
			}
			names = append(names, t.Code)
		}
	}
	return Type{}, fault.Invalid("type", "is not an active order type; one of "+strings.Join(names, ", "))
}

// Settings are a tenant's order rules.
type Settings struct {
	RepeatWindowDays   int      `json:"repeat_window_days" minimum:"1" maximum:"3650" doc:"Same unit and fault within this many days is a repeat repair"`
	EngineerRules      []string `json:"engineer_rules" doc:"Engineer dispatch rules, in order: designated, outlet_default, most_served, most_recent, nearest"`
	MaxOpenPerEngineer int      `json:"max_open_per_engineer" minimum:"1" maximum:"1000" doc:"Open orders an engineer may hold before dispatch passes them over"`
	SlotMinutes        int      `json:"slot_minutes" minimum:"15" maximum:"720" doc:"Length of an appointment window"`
	SlotCapacity       int      `json:"slot_capacity" minimum:"1" maximum:"1000" doc:"Appointments an outlet takes per window"`
	Version            int32    `json:"version" readOnly:"true"`
}

// EngineerRules are the dispatch rules an engineer can be chosen by.
var EngineerRules = []string{"designated", "outlet_default", "most_served", "most_recent", "nearest"}

// DefaultSettings apply until a tenant saves its own.
var DefaultSettings = Settings{RepeatWindowDays: 90, EngineerRules: EngineerRules, MaxOpenPerEngineer: 8,
	SlotMinutes: 120, SlotCapacity: 4}

// GetSettings returns the tenant's order rules (the defaults until saved; version 0).
func GetSettings(ctx context.Context, tx *tenants.Tx) (Settings, error) {
	r, err := tx.Q.GetOrderSettings(ctx, tx, tx.Scope.TenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultSettings, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("order settings: %w", err)
	}
	return settingsFromRow(r), nil
}

func settingsFromRow(r db.OrderSetting) Settings {
	return Settings{RepeatWindowDays: int(r.RepeatWindowDays), EngineerRules: r.EngineerRules,
		MaxOpenPerEngineer: int(r.MaxOpenPerEngineer), SlotMinutes: int(r.SlotMinutes), SlotCapacity: int(r.SlotCapacity), Version: r.Version}
}

// SaveSettings stores the tenant's order rules if version is current (0 before the first save).
func SaveSettings(ctx context.Context, tx *tenants.Tx, version int32, s Settings) (Settings, error) {
	for i, r := range s.EngineerRules {
		if !slices.Contains(EngineerRules, r) {
			return Settings{}, fault.Invalid(fmt.Sprintf("engineer_rules[%d]", i), "must be one of "+strings.Join(EngineerRules, ", "))
		}
	}
	before, err := GetSettings(ctx, tx)
	if err != nil {
		return Settings{}, err
	}
	if before.Version != version {
		return Settings{}, fault.ErrStale
	}
	r, err := tx.Q.UpsertOrderSettings(ctx, tx, db.UpsertOrderSettingsParams{TenantID: tx.Scope.TenantID,
		RepeatWindowDays: int32(s.RepeatWindowDays), EngineerRules: s.EngineerRules, MaxOpenPerEngineer: int32(s.MaxOpenPerEngineer),
		SlotMinutes: int32(s.SlotMinutes), SlotCapacity: int32(s.SlotCapacity), Version: version})
	if err != nil {
		return Settings{}, fault.StaleIfMissing(err)
	}
	after := settingsFromRow(r)
	return after, tx.Audit(ctx, "order_settings.update", "order_settings", [16]byte{}, before, after)
}
