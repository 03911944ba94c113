package coverage

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// HistorySource supplies a unit's repair history (failed repairs of a fault, days in repair,
// exchanges, parts waits). Service orders implement it; NoHistory is the empty history.
type HistorySource interface {
	History(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID, faultCode string) (warranty.History, error)
}

// NoHistory reports no earlier service.
type NoHistory struct{}

// History returns the empty history.
func (NoHistory) History(context.Context, *tenants.Tx, uuid.UUID, string) (warranty.History, error) {
	return warranty.History{}, nil
}

// CheckInput is an entitlement question about one unit.
type CheckInput struct {
	RegistrationID uuid.UUID // or ModelSKU + Serial, or Serial alone when unique
	ModelSKU       string
	Serial         string
	FaultCode      string
	Component      string
	Exclusion      string
	Date           *time.Time // default: today in the tenant's time zone
	Channel        string
}

// PolicyRef names the policy version a decision came from.
type PolicyRef struct {
	ID      uuid.UUID `json:"id"`
	Name    string    `json:"name"`
	Version int       `json:"version"`
}

// TierView is the service level of a decision with its SLA targets.
type TierView struct {
	warranty.Tier
	Reasons []warranty.Reason `json:"reasons"`
}

// Result is an entitlement decision with the facts it was made from.
type Result struct {
	RegistrationID uuid.UUID         `json:"registration_id"`
	ModelID        uuid.UUID         `json:"model_id"`
	ModelSKU       string            `json:"model_sku"`
	Serial         string            `json:"serial"`
	Date           string            `json:"date" doc:"The day the question is about, in the tenant's time zone"`
	FaultCode      string            `json:"fault_code,omitempty"`
	Component      string            `json:"component"`
	Channel        string            `json:"channel,omitempty"`
	Policy         *PolicyRef        `json:"policy,omitempty"`
	History        warranty.History  `json:"history"`
	Decision       warranty.Decision `json:"decision"`
	Tier           TierView          `json:"tier"`
}

// Check answers an entitlement question. It reads only: the same facts give the same answer.
func Check(ctx context.Context, tx *tenants.Tx, src HistorySource, in CheckInput) (Result, error) {
	reg, err := findUnit(ctx, tx, in)
	if err != nil {
		return Result{}, err
	}
	m, err := catalog.GetModel(ctx, tx, reg.ModelID)
	if err != nil {
		return Result{}, err
	}
	today, err := registry.Today(ctx, tx)
	if err != nil {
		return Result{}, err
	}
	on := today
	if in.Date != nil {
		on = *in.Date
	}
	res := Result{RegistrationID: reg.ID, ModelID: m.ID, ModelSKU: m.SKU, Serial: reg.Serial, Date: on.Format(time.DateOnly),
		Channel: in.Channel, Component: in.Component}

	// The fault's component, from the dictionary when the code is known.
	if in.FaultCode != "" {
		res.FaultCode = catalog.NormalizeFaultCode(in.FaultCode)
		fc, err := tx.Q.GetFaultCodeByCode(ctx, tx, db.GetFaultCodeByCodeParams{TenantID: tx.Scope.TenantID, Code: res.FaultCode})
		if err == nil && res.Component == "" {
			res.Component = fc.Component
		}
	}
	if res.Component == "" {
		res.Component = warranty.WholeUnit
	} else if res.Component != warranty.WholeUnit && !hasComponent(m, res.Component) {
		return Result{}, tenants.Invalid("body.component", "is not a component of model "+m.SKU)
	}

	unit := warranty.Unit{PurchaseDate: dateOf(reg.PurchaseDate), InvoiceDate: dateOf(reg.InvoiceDate), InstallDate: dateOf(reg.InstallDate),
		HasInvoice: reg.InvoiceNo != "" || reg.InvoiceImage != "", HasWarrantyCard: reg.HasWarrantyCard}
	res.History, err = src.History(ctx, tx, reg.ID, res.FaultCode)
	if err != nil {
		return Result{}, err
	}
	grants, plans, err := grantsOf(ctx, tx, reg.ID)
	if err != nil {
		return Result{}, err
	}
	// Plans bought through billing count while active on the day asked about, whether or not
	// they add coverage (a tier-only plan such as gold express has no grant).
	bought, err := tx.Q.ActivePlanCodesForUnit(ctx, tx, db.ActivePlanCodesForUnitParams{RegistrationID: uuid.NullUUID{UUID: reg.ID, Valid: true}, OnDate: on})
	if err != nil {
		return Result{}, err
	}
	plans = append(plans, bought...)
	pv, err := tx.Q.PolicyVersionFor(ctx, tx, db.PolicyVersionForParams{TenantID: tx.Scope.TenantID, ModelID: m.ID,
		CategoryID: m.CategoryID, OnDate: unit.PurchaseDate.Time()})
	var policy warranty.Policy
	switch {
	case err == nil:
		v, err := versionFromRow(db.PolicyVersion{TenantID: pv.TenantID, PolicyID: pv.PolicyID, Version: pv.Version,
			EffectiveFrom: pv.EffectiveFrom, Body: pv.Body, CreatedBy: pv.CreatedBy, CreatedAt: pv.CreatedAt})
		if err != nil {
			return Result{}, err
		}
		policy = v.Rules.ToPolicy(pv.PolicyID.String(), v.Version, dateOf(pv.EffectiveFrom))
		res.Policy = &PolicyRef{ID: pv.PolicyID, Name: pv.PolicyName, Version: v.Version}
	case errors.Is(tenants.DBError(err, "", ""), tenants.ErrNotFound):
		policy = warranty.Policy{ID: "none", Terms: nil}
	default:
		return Result{}, err
	}
	res.Decision = warranty.Decide(warranty.Request{Unit: unit, Policy: policy, History: res.History, Grants: grants,
		Component: res.Component, Exclusion: in.Exclusion, Today: dateOf(on)})
	if res.Policy == nil {
		res.Decision.Reasons = append([]warranty.Reason{{Rule: "policy", Outcome: "fail",
			Detail: "no warranty policy applies to this model or its category on the purchase date"}}, res.Decision.Reasons...)
	}

	facts, err := customerFacts(ctx, tx, reg, plans)
	if err != nil {
		return Result{}, err
	}
	tiers, err := Tiers(ctx, tx)
	if err != nil {
		return Result{}, err
	}
	rules, err := TierRules(ctx, tx)
	if err != nil {
		return Result{}, err
	}
	plain := make([]warranty.TierRule, len(rules))
	for i, r := range rules {
		plain[i] = r.TierRule
	}
	tier, reasons, err := warranty.AssignTier(tiers, plain, facts)
	if err != nil {
		return Result{}, &tenants.ConflictError{Detail: err.Error()}
	}
	res.Tier = TierView{Tier: tier, Reasons: reasons}
	return res, nil
}

func hasComponent(m catalog.Model, code string) bool {
	for _, c := range m.Components {
		if c.Code == code {
			return true
		}
	}
	return false
}

func findUnit(ctx context.Context, tx *tenants.Tx, in CheckInput) (db.Registration, error) {
	if in.RegistrationID != uuid.Nil {
		r, err := tx.Q.GetRegistration(ctx, tx, db.GetRegistrationParams{TenantID: tx.Scope.TenantID, ID: in.RegistrationID})
		if err != nil {
			return r, tenants.DBError(err, "", "")
		}
		return r, nil
	}
	serial := strings.TrimSpace(in.Serial)
	if serial == "" {
		return db.Registration{}, tenants.Invalid("body.serial", "give registration_id, or serial (with model_sku when serials repeat across models)")
	}
	if in.ModelSKU != "" {
		m, err := tx.Q.GetModelBySKU(ctx, tx, db.GetModelBySKUParams{TenantID: tx.Scope.TenantID, Sku: in.ModelSKU})
		if err != nil {
			return db.Registration{}, tenants.Invalid("body.model_sku", "is not a model of this tenant")
		}
		r, err := tx.Q.GetRegistrationBySerial(ctx, tx, db.GetRegistrationBySerialParams{TenantID: tx.Scope.TenantID, ModelID: m.ID, Serial: serial})
		if err != nil {
			return r, tenants.DBError(err, "", "")
		}
		return r, nil
	}
	rows, err := tx.Q.FindRegistrationsBySerial(ctx, tx, db.FindRegistrationsBySerialParams{TenantID: tx.Scope.TenantID, Serial: serial})
	if err != nil {
		return db.Registration{}, err
	}
	switch len(rows) {
	case 0:
		return db.Registration{}, tenants.ErrNotFound
	case 1:
		return rows[0], nil
	}
	return db.Registration{}, tenants.Invalid("body.model_sku", "this serial is registered for several models: give model_sku")
}

// grantsOf returns the unit's active grants and the codes of purchased plans among them.
func grantsOf(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID) ([]warranty.Grant, []string, error) {
	rows, err := tx.Q.ActiveGrants(ctx, tx, db.ActiveGrantsParams{TenantID: tx.Scope.TenantID, RegistrationID: registrationID})
	if err != nil {
		return nil, nil, err
	}
	var grants []warranty.Grant
	var plans []string
	for _, g := range rows {
		var lines warranty.Lines
		if err := jsonUnmarshal(g.Covered, &lines); err != nil {
			return nil, nil, err
		}
		grants = append(grants, warranty.Grant{ID: g.ID.String(), Kind: g.Kind, Component: g.Component,
			From: dateOf(g.ValidFrom), Until: dateOf(g.ValidUntil), Covered: lines, Source: g.Source})
		if g.PlanCode != "" {
			plans = append(plans, g.PlanCode)
		}
	}
	return grants, plans, nil
}

func customerFacts(ctx context.Context, tx *tenants.Tx, reg db.Registration, plans []string) (warranty.CustomerFacts, error) {
	f := warranty.CustomerFacts{Plans: plans}
	for _, id := range []uuid.NullUUID{reg.UserID, reg.BuyerID} {
		if !id.Valid {
			continue
		}
		c, err := customers.Value(ctx, tx, id.UUID)
		if err != nil {
			return f, err
		}
		f.LifetimeValue = max(f.LifetimeValue, c.LifetimeValue)
		f.Contracts = append(f.Contracts, c.Contracts...)
		if f.Override == "" && c.TierOverride != "" {
			f.Override, f.OverrideWhy = c.TierOverride, c.TierOverrideReason
		}
	}
	return f, nil
}

// dateOf reads a stored date (midnight UTC) as a civil date; nil or zero stays zero.
func dateOf[T time.Time | *time.Time](v T) warranty.Date {
	var t time.Time
	switch x := any(v).(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return warranty.Date{}
		}
		t = *x
	}
	if t.IsZero() {
		return warranty.Date{}
	}
	return warranty.NewDate(t.Year(), t.Month(), t.Day())
}
