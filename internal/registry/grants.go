package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// Grant is extra coverage on a unit: a contract or extended warranty, accidental damage, or
// a repair warranty. Purchased plans (billing) create them too.
type Grant struct {
	ID             uuid.UUID      `json:"id"`
	RegistrationID uuid.UUID      `json:"registration_id"`
	Kind           string         `json:"kind"` // one of warranty.GrantKinds
	Component      string         `json:"component"`
	ValidFrom      string         `json:"valid_from" format:"date"`
	ValidUntil     string         `json:"valid_until" format:"date"`
	Covered        warranty.Lines `json:"covered"`
	Source         string         `json:"source"`
	PlanCode       string         `json:"plan_code,omitempty"`
	Status         string         `json:"status"`
	CreatedAt      time.Time      `json:"created_at"`
}

// GrantInput creates a grant.
type GrantInput struct {
	Kind       string         `json:"kind"` // one of warranty.GrantKinds
	Component  string         `json:"component,omitempty" maxLength:"32" doc:"Component code, or * (default) for the whole unit"`
	ValidFrom  string         `json:"valid_from" format:"date"`
	ValidUntil string         `json:"valid_until" format:"date"`
	Covered    warranty.Lines `json:"covered"`
	Source     string         `json:"source" minLength:"1" maxLength:"200" doc:"Contract number, plan or order it comes from"`
	PlanCode   string         `json:"plan_code,omitempty" maxLength:"64" doc:"Plan code, read by tier rules"`
}

func grantFromRow(g db.CoverageGrant) (Grant, error) {
	out := Grant{ID: g.ID, RegistrationID: g.RegistrationID, Kind: g.Kind, Component: g.Component,
		ValidFrom: g.ValidFrom.Format(time.DateOnly), ValidUntil: g.ValidUntil.Format(time.DateOnly), Source: g.Source,
		PlanCode: g.PlanCode, Status: g.Status, CreatedAt: g.CreatedAt}
	if err := json.Unmarshal(g.Covered, &out.Covered); err != nil {
		return out, fmt.Errorf("decode grant coverage: %w", err)
	}
	return out, nil
}

// AddGrant gives a unit extra coverage.
func AddGrant(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID, in GrantInput) (Grant, error) {
	if _, err := Get(ctx, tx, registrationID); err != nil {
		return Grant{}, err
	}
	from, err := time.Parse(time.DateOnly, in.ValidFrom)
	if err != nil {
		return Grant{}, fault.Invalid("valid_from", "must be a date YYYY-MM-DD")
	}
	until, err := time.Parse(time.DateOnly, in.ValidUntil)
	if err != nil || until.Before(from) {
		return Grant{}, fault.Invalid("valid_until", "must be a date on or after valid_from")
	}
	for name, l := range map[string]warranty.Line{"parts": in.Covered.Parts, "labour": in.Covered.Labour, "visit": in.Covered.Visit, "shipping": in.Covered.Shipping} {
		if l.Mode == "" {
			return Grant{}, fault.Invalid("covered."+name+".mode", "is required")
		}
	}
	if in.Component == "" {
		in.Component = warranty.WholeUnit
	}
	covered, _ := json.Marshal(in.Covered)
	r, err := tx.Q.CreateGrant(ctx, tx, db.CreateGrantParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), RegistrationID: registrationID,
		Kind: in.Kind, Component: in.Component, ValidFrom: from, ValidUntil: until, Covered: covered, Source: in.Source, PlanCode: in.PlanCode})
	if err != nil {
		return Grant{}, fault.DBError(err, "", "")
	}
	g, err := grantFromRow(r)
	if err != nil {
		return g, err
	}
	return g, tx.Audit(ctx, "grant.create", "grant", g.ID, nil, g)
}

// Grants lists a unit's grants, active and cancelled.
func Grants(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID) ([]Grant, error) {
	if _, err := Get(ctx, tx, registrationID); err != nil {
		return nil, err
	}
	rows, err := tx.Q.ListGrants(ctx, tx, db.ListGrantsParams{TenantID: tx.Scope.TenantID, RegistrationID: registrationID})
	if err != nil {
		return nil, err
	}
	out := make([]Grant, 0, len(rows))
	for _, r := range rows {
		g, err := grantFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// CancelGrant ends a grant (e.g. a refunded plan); cancelling twice is a conflict.
func CancelGrant(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Grant, error) {
	before, err := tx.Q.GetGrant(ctx, tx, db.GetGrantParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Grant{}, fault.DBError(err, "", "")
	}
	r, err := tx.Q.CancelGrant(ctx, tx, db.CancelGrantParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		if errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			return Grant{}, &fault.ConflictError{Detail: "the grant is already cancelled"}
		}
		return Grant{}, err
	}
	g, err := grantFromRow(r)
	if err != nil {
		return g, err
	}
	b, _ := grantFromRow(before)
	return g, tx.Audit(ctx, "grant.cancel", "grant", id, b, g)
}

// GetGrant returns one grant.
func GetGrant(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Grant, error) {
	r, err := tx.Q.GetGrant(ctx, tx, db.GetGrantParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Grant{}, fault.DBError(err, "", "")
	}
	return grantFromRow(r)
}

// GrantStatuses are the states of a coverage grant (Grant.Status), in the order the API documents them.
var GrantStatuses = []string{"active", "cancelled"}
