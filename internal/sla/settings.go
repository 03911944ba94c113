package sla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// Escalation roles, in the usual order of the chain.
const (
	RoleEngineer            = "engineer"
	RoleOutletManager       = "outlet_manager"
	RoleBrandServiceManager = "brand_service_manager"
)

// EscalationRoles lists the escalation roles.
var EscalationRoles = []string{RoleEngineer, RoleOutletManager, RoleBrandServiceManager}

// Level is one step of the escalation chain after a breach: who is told, and how long
// after the breach (each level has its own deadline).
type Level struct {
	Role         string `json:"role"` // one of EscalationRoles
	AfterMinutes int    `json:"after_minutes" minimum:"0" maximum:"43200" doc:"Minutes after the breach"`
}

// After is the level's delay after the breach.
func (l Level) After() time.Duration { return time.Duration(l.AfterMinutes) * time.Minute }

// Settings are a tenant's SLA settings.
type Settings struct {
	// WarnPercent is the share of a target's duration after which a warning is sent.
	WarnPercent int `json:"warn_percent" minimum:"1" maximum:"99" example:"75"`
	// PauseStatuses are the order statuses in which clocks stand still.
	PauseStatuses []string `json:"pause_statuses" maxItems:"20" example:"[\"awaiting_customer_approval\",\"waiting_parts\"]"`
	// Escalation is the chain after a breach, in order.
	Escalation []Level `json:"escalation" maxItems:"5"`
	// CarryInArrival runs an arrival clock on carry-in orders too (the customer brings the
	// unit: there is no visit to arrive at, so by default they have none).
	CarryInArrival bool  `json:"carry_in_arrival"`
	Version        int32 `json:"version" readOnly:"true"`
}

// DefaultSettings are a tenant's settings until it stores its own.
func DefaultSettings() Settings {
	return Settings{WarnPercent: 75, PauseStatuses: []string{"awaiting_customer_approval", "waiting_parts"},
		Escalation: []Level{{RoleEngineer, 0}, {RoleOutletManager, 60}, {RoleBrandServiceManager, 240}}, Version: 1}
}

// GetSettings returns the tenant's settings, or the defaults (version 1) when none are stored.
func GetSettings(ctx context.Context, tx *tenants.Tx) (Settings, error) {
	r, err := tx.Q.GetSLASettings(ctx, tx, tx.Scope.TenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("sla settings: %w", err)
	}
	s := Settings{WarnPercent: int(r.WarnPercent), PauseStatuses: r.PauseStatuses, CarryInArrival: r.CarryInArrival, Version: r.Version}
	if err := json.Unmarshal(r.Escalation, &s.Escalation); err != nil {
		return Settings{}, fmt.Errorf("sla settings: escalation: %w", err)
	}
	if s.PauseStatuses == nil {
		s.PauseStatuses = []string{}
	}
	return s, nil
}

// SaveSettings replaces the settings if version is the one read (ErrStale otherwise).
// The chain's deadlines must not decrease from one level to the next.
func SaveSettings(ctx context.Context, tx *tenants.Tx, version int32, s Settings) (Settings, error) {
	if s.WarnPercent < 1 || s.WarnPercent > 99 {
		return Settings{}, fault.Invalid("warn_percent", "must be 1 to 99")
	}
	for i, l := range s.Escalation {
		if !slices.Contains([]string{RoleEngineer, RoleOutletManager, RoleBrandServiceManager}, l.Role) {
			return Settings{}, fault.Invalid(fmt.Sprintf("escalation[%d].role", i), "is not an escalation role")
		}
		if i > 0 && l.AfterMinutes < s.Escalation[i-1].AfterMinutes {
			return Settings{}, fault.Invalid(fmt.Sprintf("escalation[%d].after_minutes", i), "must not be before the previous level's")
		}
	}
	for i, p := range s.PauseStatuses {
		if p == "" || len(p) > 64 {
			return Settings{}, fault.Invalid(fmt.Sprintf("pause_statuses[%d]", i), "must be 1 to 64 characters")
		}
	}
	before, err := GetSettings(ctx, tx)
	if err != nil {
		return Settings{}, err
	}
	if before.Version != version {
		return Settings{}, fault.ErrStale
	}
	esc, _ := json.Marshal(orEmpty(s.Escalation))
	r, err := tx.Q.UpsertSLASettings(ctx, tx, db.UpsertSLASettingsParams{TenantID: tx.Scope.TenantID, WarnPercent: int32(s.WarnPercent),
		PauseStatuses: orEmpty(s.PauseStatuses), Escalation: esc, CarryInArrival: s.CarryInArrival, NextVersion: version + 1})
	if errors.Is(err, pgx.ErrNoRows) {
		return Settings{}, fault.ErrStale
	}
	if err != nil {
		return Settings{}, fault.DBError(err, "", "")
	}
	after := Settings{WarnPercent: int(r.WarnPercent), PauseStatuses: r.PauseStatuses, Escalation: orEmpty(s.Escalation),
		CarryInArrival: r.CarryInArrival, Version: r.Version}
	return after, tx.Audit(ctx, "sla_settings.update", "sla_settings", uuid.Nil, before, after)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
