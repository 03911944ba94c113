package coverage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
// a fault, days in repair, exchanges, parts waits) as of a moment: the rule of what counts
// lives with service orders, which implement it; NoHistory is the empty history.
type HistorySource interface {
	// History counts what had happened by asOf (the zero time: by now); nothing later
	// counts.
	History(rec ServiceRecord, faultCode string, asOf time.Time) warranty.History
}

// NoHistory reports no earlier service.
type NoHistory struct{}

// History returns the empty history.
func (NoHistory) History(ServiceRecord, string, time.Time) warranty.History {
	return warranty.History{}
}

// ServiceRecord is what the database holds about a unit's service: its orders (cancelled
// ones excluded), oldest first, the entries of their timelines that the history reads
// (moves into and out of waiting for parts, reopenings of closed orders, and the engineers'
// reports with their results), and the service history brought from another system
// (registry.HistoryRecord). Zone is the tenant's time zone, in which days count.
type ServiceRecord struct {
	Zone     *time.Location
	Orders   []PastOrder
	Events   []OrderEvent
	Imported []PastService
}

// PastService is a unit's service brought from another system: a repair (result fixed or
// not_fixed) from DateIn to DateOut, an exchange or a refund on DateOut.
type PastService struct {
	ID        uuid.UUID     `json:"id"`
	Reference string        `json:"reference"`
	FaultCode string        `json:"fault_code"`
	Result    string        `json:"result"`
	DateIn    warranty.Date `json:"date_in"` // zero when not known (exchanges and refunds)
	DateOut   warranty.Date `json:"date_out"`
}

// PastOrder is one service order of a unit, as the repair history reads it.
type PastOrder struct {
	ID          uuid.UUID  `json:"id"`
	Result      string     `json:"result"`
	FaultCode   string     `json:"fault_code"`
	CreatedAt   time.Time  `json:"created_at"`
	CompletedAt *time.Time `json:"completed_at"`
}

// OrderEvent is an entry of an order's timeline: a status move (Kind "status") or an
// engineer's report (Kind "completion", with the Result it recorded).
type OrderEvent struct {
	OrderID    uuid.UUID `json:"order_id"`
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	FromStatus string    `json:"from_status"`
	ToStatus   string    `json:"to_status"`
	Result     string    `json:"result"`
}

// CheckInput is an entitlement question about one unit.
type CheckInput struct {
	RegistrationID uuid.UUID // or ModelSKU + Serial, or Serial alone when unique
	ModelSKU       string
	Serial         string
	FaultCode      string
	Component      string
	Exclusion      string
	// Date is the day asked about (a civil date, midnight UTC), or At the moment; default:
	// now. A moment is judged on its date in the tenant's time zone and counts what had
	// happened by then; a day counts what had happened by its end there. Give one of them.
	Date    *time.Time
	At      *time.Time
	Channel string
	// NoTier skips the service tier (and reading what it depends on): the public check
	// shows only the coverage.
	NoTier bool
}

// PolicyRef names the policy version a decision came from.
type PolicyRef struct {
	ID      uuid.UUID `json:"id"`
	Name    string    `json:"name"`
	Version int       `json:"version"`
	// MatchedBy says why the policy applies: it names the unit's model, or its category.
	MatchedBy string `json:"matched_by" doc:"The policy names the unit's model (which takes precedence), or its category"` // one of Precedence
}

// Precedence lists, in the order policies take precedence over each other for a unit, what
// PolicyRef.MatchedBy can be.
var Precedence = []string{"model", "category"}

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
		AskedAt: in.At, WithTier: !in.NoTier}
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
//
// The decision is taken as of a moment: the moment asked about, the end of the day asked
// about in the tenant's time zone, or now. Only what had happened by then counts: repairs,
// their results and days, exchanges, parts waits (HistorySource), grants given and plans
// bought. A moment before the unit's purchase is refused (a field error at date).
func Decide(f Facts, src HistorySource, in CheckInput) (Result, error) {
	reg, m, row := f.row.Registration, f.Model, f.row
	zone, err := time.LoadLocation(row.Timezone)
	if err != nil {
		return Result{}, fmt.Errorf("tenant time zone %q: %w", row.Timezone, err)
	}
	on := dateOf(row.Today)
	var asOf time.Time // zero: now
	switch {
	case in.At != nil:
		asOf = *in.At
		on = warranty.DateOf(asOf, zone)
	case in.Date != nil:
		on = dateOf(in.Date)
		asOf = EndOfDay(on, zone)
	}
	if bought := dateOf(reg.PurchaseDate); on.Before(bought) {
		return Result{}, fault.Invalid("date", fmt.Sprintf("is before the unit's purchase on %s: there is nothing to decide", bought))
	}
	res := Result{RegistrationID: reg.ID, ModelID: m.ID, ModelSKU: m.SKU, Serial: reg.Serial, Date: on.String(),
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
	rec, err := serviceRecord(row, zone)
	if err != nil {
		return Result{}, err
	}
	res.History = src.History(rec, res.FaultCode, asOf)
	grants, plans, err := grantsOf(row.Grants, asOf)
	if err != nil {
		return Result{}, err
	}
	// Plans bought through billing by the moment asked about count while active on the day
	// asked about, whether or not they add coverage (a tier-only plan such as gold express has
	// no grant).
	plans = append(plans, row.Plans...)
	candidates, err := policiesOf(row.Policies)
	if err != nil {
		return Result{}, err
	}
	policy := warranty.Policy{ID: "none", Terms: nil}
	if len(candidates) > 0 {
		c := candidates[0]
		policy = c.rules.ToPolicy(c.ID.String(), c.Version, c.EffectiveFrom)
		policy.Name = c.Name
		res.Policy = &PolicyRef{ID: c.ID, Name: c.Name, Version: c.Version, MatchedBy: c.matchedBy()}
	}
	res.Decision = warranty.Decide(warranty.Request{Unit: unit, Policy: policy, History: res.History, Grants: grants,
		Component: res.Component, Exclusion: in.Exclusion, Today: on})
	if res.Policy == nil {
		res.Decision.Reasons = append([]warranty.Reason{warranty.NewReason("policy", "fail", "", warranty.Texts{
			En:   "no warranty policy applies to this model or its category on the purchase date",
			ZhCN: "购买日期时没有适用于该机型或其品类的保修政策"})}, res.Decision.Reasons...)
	} else if len(candidates) > 1 {
		res.Decision.Reasons = append([]warranty.Reason{precedenceReason(candidates)}, res.Decision.Reasons...)
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

// EndOfDay is the last instant of day d in zone: a question about a day counts everything
// that happened on it.
func EndOfDay(d warranty.Date, zone *time.Location) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, zone).Add(-time.Microsecond)
}

func serviceRecord(row db.UnitFactsRow, zone *time.Location) (ServiceRecord, error) {
	rec := ServiceRecord{Zone: zone}
	if err := jsonUnmarshal(row.Orders, &rec.Orders); err != nil {
		return rec, err
	}
	if err := jsonUnmarshal(row.ServiceHistory, &rec.Imported); err != nil {
		return rec, err
	}
	return rec, jsonUnmarshal(row.OrderEvents, &rec.Events)
}

// grantsOf decodes the unit's active grants given by asOf (the zero time: all) and the codes
// of purchased plans among them.
func grantsOf(stored []byte, asOf time.Time) ([]warranty.Grant, []string, error) {
	var rows []struct {
		ID         uuid.UUID      `json:"id"`
		Kind       string         `json:"kind"`
		Component  string         `json:"component"`
		ValidFrom  string         `json:"valid_from"`
		ValidUntil string         `json:"valid_until"`
		Covered    warranty.Lines `json:"covered"`
		Source     string         `json:"source"`
		PlanCode   string         `json:"plan_code"`
		CreatedAt  time.Time      `json:"created_at"`
	}
	if err := jsonUnmarshal(stored, &rows); err != nil {
		return nil, nil, err
	}
	var grants []warranty.Grant
	var plans []string
	for _, g := range rows {
		if !asOf.IsZero() && g.CreatedAt.After(asOf) {
			continue
		}
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

// candidate is a policy that covers a unit, with its version in force on the purchase date.
type candidate struct {
	ID            uuid.UUID       `json:"id"`
	Name          string          `json:"name"`
	ByModel       bool            `json:"by_model"`
	Version       int             `json:"version"`
	EffectiveFrom warranty.Date   `json:"effective_from"`
	Body          json.RawMessage `json:"body"`
	rules         Rules
}

func (c candidate) matchedBy() string {
	if c.ByModel {
		return "model"
	}
	return "category"
}

// policiesOf decodes the policies that cover a unit, in their order of precedence.
func policiesOf(stored []byte) ([]candidate, error) {
	var out []candidate
	if err := jsonUnmarshal(stored, &out); err != nil {
		return nil, err
	}
	for i := range out {
		if err := json.Unmarshal(out[i].Body, &out[i].rules); err != nil {
			return nil, fmt.Errorf("decode policy version: %w", err)
		}
	}
	return out, nil
}

// precedenceReason says which of several policies covering a unit decides, and why: a policy
// naming the unit's model takes precedence over one naming its category; of two on the same
// footing (refused since, but possible in older data) the one whose version in force started
// latest.
func precedenceReason(cs []candidate) warranty.Reason {
	win := cs[0]
	footing := map[bool]warranty.Texts{true: {En: "model", ZhCN: "机型"}, false: {En: "category", ZhCN: "品类"}}
	var en, zh []string
	for _, c := range cs[1:] {
		if c.ByModel == win.ByModel {
			en = append(en, fmt.Sprintf("%s (also naming its %s, with a version in force since %s)", c.Name, footing[c.ByModel].En, c.EffectiveFrom))
			zh = append(zh, fmt.Sprintf("%s（同样指定其%s，现行版本自 %s 起）", c.Name, footing[c.ByModel].ZhCN, c.EffectiveFrom))
			continue
		}
		en = append(en, fmt.Sprintf("%s (naming its %s)", c.Name, footing[c.ByModel].En))
		zh = append(zh, fmt.Sprintf("%s（指定其%s）", c.Name, footing[c.ByModel].ZhCN))
	}
	return warranty.NewReason("policy_precedence", "applies", "", warranty.Texts{
		En:   fmt.Sprintf("%s names the unit's %s and takes precedence over %s", win.Name, footing[win.ByModel].En, strings.Join(en, "; ")),
		ZhCN: fmt.Sprintf("%s 指定了该机的%s，优先于 %s", win.Name, footing[win.ByModel].ZhCN, strings.Join(zh, "；")),
	})
}
