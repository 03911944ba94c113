package coverage

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// HistorySource turns a unit's service record into its repair history (failed repairs of
// a fault, days in repair, exchanges, parts waits): the rule of what counts lives with
// service orders, which implement it; NoHistory is the empty history.
type HistorySource interface {
	History(rec ServiceRecord, faultCode string) warranty.History
}

// NoHistory reports no earlier service.
type NoHistory struct{}

// History returns the empty history.
func (NoHistory) History(ServiceRecord, string) warranty.History { return warranty.History{} }

// ServiceRecord is what the database holds about a unit's service: its orders (cancelled
// ones excluded), oldest first, and their moves into and out of waiting for parts.
type ServiceRecord struct {
	Orders     []PastOrder
	PartsWaits []PartsMove
}

// PastOrder is one service order of a unit, as the repair history reads it.
type PastOrder struct {
	ID          uuid.UUID     `json:"id"`
	Result      string        `json:"result"`
	FaultCode   string        `json:"fault_code"`
	CreatedAt   time.Time     `json:"created_at"`
	CompletedAt *time.Time    `json:"completed_at"`
	CompletedOn warranty.Date `json:"-"` // the completion day in the tenant's time zone
	ReopenCount int           `json:"reopen_count"`
}

// PartsMove is an order's status change into or out of waiting for parts.
type PartsMove struct {
	OrderID  uuid.UUID `json:"order_id"`
	At       time.Time `json:"at"`
	ToStatus string    `json:"to_status"`
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
	// NoTier skips the service tier (and reading what it depends on): the public check
	// shows only the coverage.
	NoTier bool
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

// Facts are what a decision reads about one unit, loaded in one statement (UnitFacts).
type Facts struct {
	Registration registry.Registration
	Model        catalog.Model
	BuyerPhone   string // for the public check's last four digits
	UserPhone    string
	row          db.UnitFactsRow
}

// LoadFacts reads the facts of the units in (by registration id, or serial and optionally
// model SKU; several when a serial repeats across models), in one statement on q: a
// transaction (*tenants.Tx) or a one-trip read (tenants.DB.Read). The date asked about
// (in.Date, default today in the tenant's time zone) selects the plans active on it.
func LoadFacts(ctx context.Context, q db.DBTX, in CheckInput) ([]Facts, error) {
	p := db.UnitFactsParams{TenantID: tenants.TenantOf(q), FaultCode: catalog.NormalizeFaultCode(in.FaultCode), OnDate: in.Date,
		WithTier: !in.NoTier}
	if in.RegistrationID != uuid.Nil {
		p.RegistrationID = uuid.NullUUID{UUID: in.RegistrationID, Valid: true}
	} else {
		p.Serial = registry.NormalizeSerial(in.Serial)
		if p.Serial == "" {
			return nil, fault.Invalid("serial", "give registration_id, or serial (with model_sku when serials repeat across models)")
		}
		if in.ModelSKU != "" {
			p.ModelSku = &in.ModelSKU
		}
	}
	rows, err := db.New().UnitFacts(ctx, q, p)
	if err != nil {
		return nil, fmt.Errorf("unit facts: %w", err)
	}
	out := make([]Facts, len(rows))
	for i, r := range rows {
		m, err := modelOf(r.ProductModel)
		if err != nil {
			return nil, err
		}
		out[i] = Facts{Registration: registrationOf(r.Registration), Model: m, BuyerPhone: r.BuyerPhone, UserPhone: r.UserPhone, row: r}
	}
	return out, nil
}

// Check answers an entitlement question. It reads only, in one statement: the same facts
// give the same answer. q is a transaction (*tenants.Tx) or a one-trip read.
func Check(ctx context.Context, q db.DBTX, src HistorySource, in CheckInput) (Result, error) {
	units, err := LoadFacts(ctx, q, in)
	if err != nil {
		return Result{}, err
	}
	switch {
	case len(units) == 1:
		return Decide(units[0], src, in)
	case len(units) > 1:
		return Result{}, fault.Invalid("model_sku", "this serial is registered for several models: give model_sku")
	case in.RegistrationID == uuid.Nil && in.ModelSKU != "":
		// Tell an unknown model from an unknown serial (a miss costs the second statement).
		known, err := db.New().ModelSKUExists(ctx, q, db.ModelSKUExistsParams{TenantID: tenants.TenantOf(q), Sku: in.ModelSKU})
		if err != nil {
			return Result{}, fmt.Errorf("model sku: %w", err)
		}
		if !known {
			return Result{}, fault.Invalid("model_sku", "is not a model of this tenant")
		}
	}
	return Result{}, fault.ErrNotFound
}

// Decide makes the decision for one unit from its facts. It reads nothing.
func Decide(f Facts, src HistorySource, in CheckInput) (Result, error) {
	reg, m, row := f.row.Registration, f.Model, f.row
	on := row.Today
	if in.Date != nil {
		on = *in.Date
	}
	res := Result{RegistrationID: reg.ID, ModelID: m.ID, ModelSKU: m.SKU, Serial: reg.Serial, Date: on.Format(time.DateOnly),
		Channel: in.Channel, Component: in.Component}

	// The fault's component, from the dictionary when the code is known.
	if in.FaultCode != "" {
		res.FaultCode = catalog.NormalizeFaultCode(in.FaultCode)
		if res.Component == "" {
			res.Component = row.FaultComponent
		}
	}
	if res.Component == "" {
		res.Component = warranty.WholeUnit
	} else if res.Component != warranty.WholeUnit && !hasComponent(m, res.Component) {
		return Result{}, fault.Invalid("component", "is not a component of model "+m.SKU)
	}

	unit := warranty.Unit{PurchaseDate: dateOf(reg.PurchaseDate), InvoiceDate: dateOf(reg.InvoiceDate), InstallDate: dateOf(reg.InstallDate),
		HasInvoice: reg.InvoiceNo != "" || reg.InvoiceImage != "", HasWarrantyCard: reg.HasWarrantyCard}
	rec, err := serviceRecord(row)
	if err != nil {
		return Result{}, err
	}
	res.History = src.History(rec, res.FaultCode)
	grants, plans, err := grantsOf(row.Grants)
	if err != nil {
		return Result{}, err
	}
	// Plans bought through billing count while active on the day asked about, whether or not
	// they add coverage (a tier-only plan such as gold express has no grant).
	plans = append(plans, row.Plans...)
	var policy warranty.Policy
	if row.HasPolicy {
		v, err := versionFromRow(db.PolicyVersion{PolicyID: row.PolicyID, Version: row.PolicyVersion,
			EffectiveFrom: row.PolicyEffectiveFrom, Body: row.PolicyBody})
		if err != nil {
			return Result{}, err
		}
		policy = v.Rules.ToPolicy(row.PolicyID.String(), v.Version, dateOf(row.PolicyEffectiveFrom))
		res.Policy = &PolicyRef{ID: row.PolicyID, Name: row.PolicyName, Version: v.Version}
	} else {
		policy = warranty.Policy{ID: "none", Terms: nil}
	}
	res.Decision = warranty.Decide(warranty.Request{Unit: unit, Policy: policy, History: res.History, Grants: grants,
		Component: res.Component, Exclusion: in.Exclusion, Today: dateOf(on)})
	if res.Policy == nil {
		res.Decision.Reasons = append([]warranty.Reason{{Rule: "policy", Outcome: "fail",
			Detail: "no warranty policy applies to this model or its category on the purchase date"}}, res.Decision.Reasons...)
	}
	if in.NoTier {
		return res, nil
	}

	tiers, err := tiersOf(row.Tiers)
	if err != nil {
		return Result{}, err
	}
	var rules []warranty.TierRule
	if err := jsonUnmarshal(row.TierRules, &rules); err != nil {
		return Result{}, err
	}
	tier, reasons, err := warranty.AssignTier(tiers, rules, customerFacts(reg, row, plans))
	if err != nil {
		return Result{}, &fault.ConflictError{Detail: err.Error()}
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

func serviceRecord(row db.UnitFactsRow) (ServiceRecord, error) {
	var orders []struct {
		PastOrder
		CompletedOn string `json:"completed_on"`
	}
	var rec ServiceRecord
	if err := jsonUnmarshal(row.Orders, &orders); err != nil {
		return rec, err
	}
	rec.Orders = make([]PastOrder, len(orders))
	for i, o := range orders {
		rec.Orders[i] = o.PastOrder
		if o.CompletedOn != "" {
			d, err := warranty.ParseDate(o.CompletedOn)
			if err != nil {
				return rec, fmt.Errorf("completion day: %w", err)
			}
			rec.Orders[i].CompletedOn = d
		}
	}
	return rec, jsonUnmarshal(row.PartsWaits, &rec.PartsWaits)
}

// grantsOf decodes the unit's active grants and the codes of purchased plans among them.
func grantsOf(stored []byte) ([]warranty.Grant, []string, error) {
	var rows []struct {
		ID         uuid.UUID      `json:"id"`
		Kind       string         `json:"kind"`
		Component  string         `json:"component"`
		ValidFrom  string         `json:"valid_from"`
		ValidUntil string         `json:"valid_until"`
		Covered    warranty.Lines `json:"covered"`
		Source     string         `json:"source"`
		PlanCode   string         `json:"plan_code"`
	}
	if err := jsonUnmarshal(stored, &rows); err != nil {
		return nil, nil, err
	}
	var grants []warranty.Grant
	var plans []string
	for _, g := range rows {
		from, err := warranty.ParseDate(g.ValidFrom)
		if err != nil {
			return nil, nil, fmt.Errorf("grant start: %w", err)
		}
		until, err := warranty.ParseDate(g.ValidUntil)
		if err != nil {
			return nil, nil, fmt.Errorf("grant end: %w", err)
		}
		grants = append(grants, warranty.Grant{ID: g.ID.String(), Kind: g.Kind, Component: g.Component,
			From: from, Until: until, Covered: g.Covered, Source: g.Source})
		if g.PlanCode != "" {
			plans = append(plans, g.PlanCode)
		}
	}
	return grants, plans, nil
}

// customerFacts are the tier rules' inputs: the user's and the buyer's value facts.
func customerFacts(reg db.Registration, row db.UnitFactsRow, plans []string) warranty.CustomerFacts {
	f := warranty.CustomerFacts{Plans: plans}
	type value struct {
		lifetime          int64
		contracts         []string
		override, whyOver string
	}
	for _, c := range []struct {
		ok bool
		v  value
	}{
		{reg.UserID.Valid, value{row.UserLifetimeValue, row.UserContracts, row.UserTierOverride, row.UserTierOverrideReason}},
		{reg.BuyerID.Valid, value{row.BuyerLifetimeValue, row.BuyerContracts, row.BuyerTierOverride, row.BuyerTierOverrideReason}},
	} {
		if !c.ok {
			continue
		}
		f.LifetimeValue = max(f.LifetimeValue, c.v.lifetime)
		f.Contracts = append(f.Contracts, c.v.contracts...)
		if f.Override == "" && c.v.override != "" {
			f.Override, f.OverrideWhy = c.v.override, c.v.whyOver
		}
	}
	return f
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
