package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// Product kinds.
const (
	PerIncident = "per_incident" // an upgrade of one service order, e.g. "6-hour on-site"
	Plan        = "plan"         // a fixed-term plan for one registered unit
)

// Kinds lists the product kinds.
var Kinds = []string{PerIncident, Plan}

// Eligibility says who may buy a product. Empty lists allow everything.
type Eligibility struct {
	CategoryIDs    []uuid.UUID `json:"category_ids,omitempty" maxItems:"100"`
	ModelIDs       []uuid.UUID `json:"model_ids,omitempty" maxItems:"500"`
	MaxUnitAgeDays int         `json:"max_unit_age_days,omitempty" minimum:"0" maximum:"36500" doc:"Unit age limit in days from purchase; 0: none"`
	ProvinceCodes  []string    `json:"province_codes,omitempty" maxItems:"100" doc:"Regions (GB/T 2260 codes) where an outlet can keep the promise"`
	CityCodes      []string    `json:"city_codes,omitempty" maxItems:"500"`
}

// PlanCoverage is the extra coverage a plan adds to the unit (read by the warranty engine).
type PlanCoverage struct {
	Kind      string         `json:"kind"`
	Component string         `json:"component,omitempty" maxLength:"32" doc:"Component code, or * (default) for the whole unit"`
	Covered   warranty.Lines `json:"covered"`
}

// Compensation is what the consumer gets when the paid promise is broken.
type Compensation struct {
	Kind    string `json:"kind" default:"none"`
	Percent int    `json:"percent,omitempty" minimum:"0" maximum:"100" doc:"Share of the price refunded (refund_partial) or credited (credit)"`
}

// ProductInput creates or changes a product. Code, kind and term are fixed at creation.
type ProductInput struct {
	Code            string                     `json:"code" pattern:"^[a-z0-9][a-z0-9_-]{0,63}$" example:"onsite-6h"`
	Name            string                     `json:"name" minLength:"1" maxLength:"200"`
	Description     string                     `json:"description,omitempty" maxLength:"2000"`
	Kind            string                     `json:"kind"` // one of Kinds
	TermMonths      int                        `json:"term_months,omitempty" minimum:"0" maximum:"120" doc:"Plans only: length of the plan"`
	Targets         map[string]warranty.Target `json:"targets,omitempty" doc:"SLA targets granted, by target: accept, dispatch, appointment, arrival, completion, return, callback"`
	TierCode        string                     `json:"tier_code,omitempty" maxLength:"32" doc:"Service tier granted while a plan is active"`
	Coverage        *PlanCoverage              `json:"coverage,omitempty" doc:"Plans only: coverage added to the unit"`
	Eligibility     Eligibility                `json:"eligibility" required:"false"`
	CoolingOffDays  int                        `json:"cooling_off_days" required:"false" minimum:"0" maximum:"365" doc:"Days after payment with a full refund on cancellation"`
	AfterCoolingOff string                     `json:"after_cooling_off" required:"false" doc:"Refund after the cooling-off period: unused share of a plan, or none"`
	Compensation    Compensation               `json:"compensation" required:"false"`
	Status          string                     `json:"status,omitempty" doc:"Updates only: archive to stop selling"`
}

// PriceInput is a price in one currency.
type PriceInput struct {
	Currency   string `json:"currency" pattern:"^[A-Z]{3}$" example:"CNY"`
	UnitAmount int64  `json:"unit_amount" minimum:"1" maximum:"100000000" doc:"Minor units (fen for CNY)"`
}

// Price is a stored price; a changed price is a new one, the old stays for its purchases.
type Price struct {
	ID            uuid.UUID `json:"id"`
	Currency      string    `json:"currency"`
	UnitAmount    int64     `json:"unit_amount"`
	Active        bool      `json:"active"`
	StripePriceID string    `json:"stripe_price_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// Product is an express-service product or plan with its prices.
type Product struct {
	ID uuid.UUID `json:"id"`
	ProductInput
	Prices          []Price   `json:"prices"`
	StripeProductID string    `json:"stripe_product_id,omitempty"`
	Version         int32     `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// ActivePrice returns the product's current price in currency.
func (p Product) ActivePrice(currency string) (Price, bool) {
	for _, pr := range p.Prices {
		if pr.Active && pr.Currency == currency {
			return pr, true
		}
	}
	return Price{}, false
}

func productFromRow(r db.ExpressProduct, prices []db.ExpressPrice) (Product, error) {
	p := Product{ID: r.ID, StripeProductID: r.StripeProductID, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		ProductInput: ProductInput{Code: r.Code, Name: r.Name, Description: r.Description, Kind: r.Kind, TermMonths: int(r.TermMonths),
			TierCode: r.TierCode, CoolingOffDays: int(r.CoolingOffDays), AfterCoolingOff: r.AfterCoolingOff, Status: r.Status}}
	if err := json.Unmarshal(r.Targets, &p.Targets); err != nil {
		return p, fmt.Errorf("decode targets: %w", err)
	}
	if len(r.Coverage) > 0 && string(r.Coverage) != "null" {
		p.Coverage = &PlanCoverage{}
		if err := json.Unmarshal(r.Coverage, p.Coverage); err != nil {
			return p, fmt.Errorf("decode coverage: %w", err)
		}
	}
	if err := json.Unmarshal(r.Eligibility, &p.Eligibility); err != nil {
		return p, fmt.Errorf("decode eligibility: %w", err)
	}
	if err := json.Unmarshal(r.Compensation, &p.Compensation); err != nil {
		return p, fmt.Errorf("decode compensation: %w", err)
	}
	p.Prices = make([]Price, len(prices))
	for i, pr := range prices {
		p.Prices[i] = Price{ID: pr.ID, Currency: pr.Currency, UnitAmount: pr.UnitAmount, Active: pr.Active,
			StripePriceID: pr.StripePriceID, CreatedAt: pr.CreatedAt}
	}
	return p, nil
}

// validate checks a product's cross-field rules; creating says whether code/kind/term count.
func validate(ctx context.Context, tx *tenants.Tx, in *ProductInput) error {
	switch in.Kind {
	case PerIncident:
		if in.TermMonths != 0 {
			return fault.Invalid("term_months", "only plans have a term")
		}
		if in.Coverage != nil {
			return fault.Invalid("coverage", "only plans add coverage to a unit")
		}
		if len(in.Targets) == 0 {
			return fault.Invalid("targets", "a per-incident upgrade grants at least one SLA target")
		}
	case Plan:
		if in.TermMonths <= 0 {
			return fault.Invalid("term_months", "a plan needs a term of 1 to 120 months")
		}
		if in.TierCode == "" && in.Coverage == nil && len(in.Targets) == 0 {
			return fault.Invalid("tier_code", "a plan grants a tier, SLA targets or coverage")
		}
	default:
		return fault.Invalid("kind", "is per_incident or plan")
	}
	for _, name := range slices.Sorted(maps.Keys(in.Targets)) {
		t := in.Targets[name]
		if msg := warranty.CheckTargetName(name); msg != "" {
			return fault.Invalid("targets."+name, msg)
		}
		if t.Minutes <= 0 {
			return fault.Invalid("targets."+name+".minutes", "must be positive")
		}
		if t.Clock == "" {
			t.Clock = "clock"
			in.Targets[name] = t
		}
	}
	if in.TierCode != "" {
		ok, err := coverage.HasTier(ctx, tx, in.TierCode)
		if err != nil {
			return err
		}
		if !ok {
			return fault.Invalid("tier_code", "is not a configured tier")
		}
	}
	if c := in.Coverage; c != nil {
		if c.Kind != warranty.GrantExtended && c.Kind != warranty.GrantAccidental {
			return fault.Invalid("coverage.kind", "is extended or accidental")
		}
		for _, l := range []struct {
			name string
			line warranty.Line
		}{{"parts", c.Covered.Parts}, {"labour", c.Covered.Labour}, {"visit", c.Covered.Visit}, {"shipping", c.Covered.Shipping}} {
			if l.line.Mode == "" {
				return fault.Invalid("coverage.covered."+l.name+".mode", "is required")
			}
		}
		if c.Component == "" {
			c.Component = warranty.WholeUnit
		}
	}
	switch in.Compensation.Kind {
	case "none", "refund_full":
		in.Compensation.Percent = 0
	case "refund_partial", "credit":
		if in.Compensation.Percent < 1 || in.Compensation.Percent > 100 {
			return fault.Invalid("compensation.percent", "give 1 to 100 percent of the price")
		}
	case "":
		in.Compensation.Kind = "none"
	default:
		return fault.Invalid("compensation.kind", "is none, refund_full, refund_partial or credit")
	}
	if in.AfterCoolingOff == "" {
		in.AfterCoolingOff = "pro_rata"
	}
	for i, c := range in.Eligibility.ProvinceCodes {
		if !isDigits(c) {
			return fault.Invalid(fmt.Sprintf("eligibility.province_codes[%d]", i), "is a numeric region code")
		}
	}
	for i, c := range in.Eligibility.CityCodes {
		if !isDigits(c) {
			return fault.Invalid(fmt.Sprintf("eligibility.city_codes[%d]", i), "is a numeric region code")
		}
	}
	return nil
}

func isDigits(s string) bool {
	return s != "" && len(s) <= 12 && strings.Trim(s, "0123456789") == ""
}

func productJSON(in ProductInput) (targets, cov, elig, comp []byte) {
	if in.Targets == nil {
		in.Targets = map[string]warranty.Target{}
	}
	targets, _ = json.Marshal(in.Targets)
	if in.Coverage != nil {
		cov, _ = json.Marshal(in.Coverage)
	}
	elig, _ = json.Marshal(in.Eligibility)
	comp, _ = json.Marshal(in.Compensation)
	return
}

// CreateProduct stores a product with its first prices. A plan that grants a tier gets the
// tier rule "plan = code", so that buying it moves the unit's customer to that tier.
func CreateProduct(ctx context.Context, tx *tenants.Tx, in ProductInput, prices []PriceInput) (Product, error) {
	if err := validate(ctx, tx, &in); err != nil {
		return Product{}, err
	}
	if len(prices) == 0 {
		return Product{}, fault.Invalid("prices", "give at least one price")
	}
	seen := map[string]bool{}
	for i, p := range prices {
		if seen[p.Currency] {
			return Product{}, fault.Invalid(fmt.Sprintf("prices[%d].currency", i), "appears twice")
		}
		seen[p.Currency] = true
	}
	targets, cov, elig, comp := productJSON(in)
	row, err := tx.Q.CreateExpressProduct(ctx, tx, db.CreateExpressProductParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), Code: in.Code, Name: in.Name,
		Description: in.Description, Kind: in.Kind, TermMonths: int32(in.TermMonths), Targets: targets, TierCode: in.TierCode,
		Coverage: cov, Eligibility: elig, CoolingOffDays: int32(in.CoolingOffDays), AfterCoolingOff: in.AfterCoolingOff, Compensation: comp})
	if err != nil {
		return Product{}, fault.DBError(err, "a product with this code exists", "")
	}
	for _, p := range prices {
		if _, err := tx.Q.CreateExpressPrice(ctx, tx, db.CreateExpressPriceParams{TenantID: tx.Scope.TenantID,
			ID: platform.NewID(), ProductID: row.ID,
			Currency: p.Currency, UnitAmount: p.UnitAmount}); err != nil {
			return Product{}, fault.DBError(err, "", "")
		}
	}
	if in.Kind == Plan && in.TierCode != "" {
		if err := ensurePlanRule(ctx, tx, in.TierCode, in.Code); err != nil {
			return Product{}, err
		}
	}
	out, err := GetProduct(ctx, tx, row.ID)
	if err != nil {
		return Product{}, err
	}
	return out, tx.Audit(ctx, "express_product.create", "express_product", out.ID, nil, out)
}

func ensurePlanRule(ctx context.Context, tx *tenants.Tx, tier, code string) error {
	rules, err := coverage.TierRules(ctx, tx)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if r.Kind == warranty.RulePlan && r.Match == code {
			return nil
		}
	}
	_, err = coverage.AddTierRule(ctx, tx, warranty.TierRule{Tier: tier, Kind: warranty.RulePlan, Match: code})
	return err
}

// GetProduct returns one product with its prices.
func GetProduct(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Product, error) {
	r, err := tx.Q.GetExpressProduct(ctx, tx, db.GetExpressProductParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Product{}, fault.DBError(err, "", "")
	}
	prices, err := tx.Q.ListExpressPrices(ctx, tx, db.ListExpressPricesParams{TenantID: tx.Scope.TenantID, ProductID: id})
	if err != nil {
		return Product{}, err
	}
	return productFromRow(r, prices)
}

// ListProducts lists products by id; activeOnly hides archived ones.
func ListProducts(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID, limit int32, activeOnly bool) ([]Product, error) {
	rows, err := tx.Q.ListExpressProducts(ctx, tx, db.ListExpressProductsParams{TenantID: tx.Scope.TenantID,
		After: after, ActiveOnly: activeOnly, Lim: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Product, 0, len(rows))
	for _, r := range rows {
		prices, err := tx.Q.ListExpressPrices(ctx, tx, db.ListExpressPricesParams{TenantID: tx.Scope.TenantID, ProductID: r.ID})
		if err != nil {
			return nil, err
		}
		p, err := productFromRow(r, prices)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// UpdateProduct changes a product if version is current; code, kind and term stay.
func UpdateProduct(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in ProductInput) (Product, error) {
	before, err := GetProduct(ctx, tx, id)
	if err != nil {
		return Product{}, err
	}
	if before.Version != version {
		return Product{}, fault.ErrStale
	}
	in.Code, in.Kind, in.TermMonths = before.Code, before.Kind, before.TermMonths
	if in.Status == "" {
		in.Status = before.Status
	}
	if err := validate(ctx, tx, &in); err != nil {
		return Product{}, err
	}
	targets, cov, elig, comp := productJSON(in)
	if _, err := tx.Q.UpdateExpressProduct(ctx, tx, db.UpdateExpressProductParams{TenantID: tx.Scope.TenantID,
		ID: id, Version: version, Name: in.Name,
		Description: in.Description, Targets: targets, TierCode: in.TierCode, Coverage: cov, Eligibility: elig,
		CoolingOffDays: int32(in.CoolingOffDays), AfterCoolingOff: in.AfterCoolingOff, Compensation: comp, Status: in.Status}); err != nil {
		return Product{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	if in.Kind == Plan && in.TierCode != "" {
		if err := ensurePlanRule(ctx, tx, in.TierCode, in.Code); err != nil {
			return Product{}, err
		}
	}
	after, err := GetProduct(ctx, tx, id)
	if err != nil {
		return Product{}, err
	}
	return after, tx.Audit(ctx, "express_product.update", "express_product", id, before, after)
}

// SetPrice makes a new price the product's current one in its currency. The previous price
// is deactivated, never edited: purchases keep the price they paid.
func (s *Service) SetPrice(ctx context.Context, tx *tenants.Tx, productID uuid.UUID, in PriceInput) (Product, error) {
	before, err := GetProduct(ctx, tx, productID)
	if err != nil {
		return Product{}, err
	}
	old, err := tx.Q.DeactivateExpressPrice(ctx, tx, db.DeactivateExpressPriceParams{TenantID: tx.Scope.TenantID,
		ProductID: productID, Currency: in.Currency})
	if err != nil && !errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
		return Product{}, err
	}
	if _, err := tx.Q.CreateExpressPrice(ctx, tx, db.CreateExpressPriceParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), ProductID: productID,
		Currency: in.Currency, UnitAmount: in.UnitAmount}); err != nil {
		return Product{}, fault.DBError(err, "", "")
	}
	if old.StripePriceID != "" && s.Configured() {
		// Stop selling the old Stripe price; its amount is never changed.
		if _, err := s.stripe.Prices.Update(old.StripePriceID, &stripe.PriceParams{Active: stripe.Bool(false)}); err != nil {
			s.Log.WarnContext(ctx, "deactivate stripe price", "price", old.StripePriceID, "err", err)
		}
	}
	after, err := GetProduct(ctx, tx, productID)
	if err != nil {
		return Product{}, err
	}
	return after, tx.Audit(ctx, "express_product.price", "express_product", productID, before, after)
}

// ensureStripePrice creates the product and price in Stripe on first use (idempotently,
// keyed by our ids) and returns the Stripe price id.
func (s *Service) ensureStripePrice(ctx context.Context, tx *tenants.Tx, p Product, pr Price) (string, error) {
	if pr.StripePriceID != "" {
		return pr.StripePriceID, nil
	}
	sc, err := s.api()
	if err != nil {
		return "", err
	}
	tenant := tx.Scope.TenantID.String()
	productID := p.StripeProductID
	if productID == "" {
		params := &stripe.ProductParams{Name: stripe.String(p.Name)}
		params.SetIdempotencyKey("product:" + p.ID.String())
		params.AddMetadata("tenant_id", tenant)
		params.AddMetadata("product_id", p.ID.String())
		params.AddMetadata("code", p.Code)
		params.Context = ctx
		sp, err := sc.Products.New(params)
		if err != nil {
			return "", stripeError(err)
		}
		productID = sp.ID
		if err := tx.Q.SetExpressProductStripeID(ctx, tx, db.SetExpressProductStripeIDParams{TenantID: tx.Scope.TenantID,
			ID: p.ID, StripeProductID: productID}); err != nil {
			return "", err
		}
	}
	params := &stripe.PriceParams{Product: stripe.String(productID), Currency: stripe.String(strings.ToLower(pr.Currency)),
		UnitAmount: stripe.Int64(pr.UnitAmount)}
	params.SetIdempotencyKey("price:" + pr.ID.String())
	params.AddMetadata("tenant_id", tenant)
	params.AddMetadata("price_id", pr.ID.String())
	params.Context = ctx
	sp, err := sc.Prices.New(params)
	if err != nil {
		return "", stripeError(err)
	}
	if err := tx.Q.SetExpressPriceStripeID(ctx, tx, db.SetExpressPriceStripeIDParams{TenantID: tx.Scope.TenantID,
		ID: pr.ID, StripePriceID: sp.ID}); err != nil {
		return "", err
	}
	return sp.ID, nil
}

// SyncProduct pushes a product and its active prices to Stripe (best effort at creation;
// checkout syncs anything missing).
func (s *Service) SyncProduct(ctx context.Context, tx *tenants.Tx, id uuid.UUID) error {
	if !s.Configured() {
		return nil
	}
	p, err := GetProduct(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, pr := range p.Prices {
		if !pr.Active {
			continue
		}
		if _, err := s.ensureStripePrice(ctx, tx, p, pr); err != nil {
			return err
		}
		if p.StripeProductID == "" {
			p, err = GetProduct(ctx, tx, id)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckEligible says whether a unit (and the consumer's region) may buy the product. Its
// field errors name field, the caller's field holding registrationID.
func CheckEligible(ctx context.Context, tx *tenants.Tx, p Product, registrationID uuid.UUID, field string) error {
	e := p.Eligibility
	if registrationID != uuid.Nil {
		reg, err := registry.Get(ctx, tx, registrationID)
		if err != nil {
			if errors.Is(err, fault.ErrNotFound) {
				return fault.Invalid(field, "is not a registered unit")
			}
			return err
		}
		m, err := catalog.GetModel(ctx, tx, reg.ModelID)
		if err != nil {
			return err
		}
		if len(e.ModelIDs) > 0 || len(e.CategoryIDs) > 0 {
			if !slices.Contains(e.ModelIDs, m.ID) && !slices.Contains(e.CategoryIDs, m.CategoryID) {
				return fault.Invalid(field, "this unit's model is not eligible for "+p.Code)
			}
		}
		if e.MaxUnitAgeDays > 0 {
			bought, _ := time.Parse(time.DateOnly, reg.PurchaseDate)
			today, err := registry.Today(ctx, tx)
			if err != nil {
				return err
			}
			if today.Sub(bought) > time.Duration(e.MaxUnitAgeDays)*24*time.Hour {
				return fault.Invalid(field, fmt.Sprintf("the unit is older than %d days", e.MaxUnitAgeDays))
			}
		}
	} else if p.Kind == Plan {
		return fault.Invalid(field, "a plan is bought for a registered unit")
	}
	if len(e.ProvinceCodes) > 0 || len(e.CityCodes) > 0 {
		// Until outlets carry service regions (orders issue), an outlet keeps a promise in its
		// own province or city.
		n, err := tx.Q.CountOutletsInRegions(ctx, tx, db.CountOutletsInRegionsParams{TenantID: tx.Scope.TenantID,
			ProvinceCodes: e.ProvinceCodes, CityCodes: e.CityCodes})
		if err != nil {
			return err
		}
		if n == 0 {
			return fault.Invalid(field, "no outlet in the product's regions can keep this promise")
		}
	}
	return nil
}

// CoverageKinds are what a plan covers (PlanCoverage.Kind), in the order the API documents them.
var CoverageKinds = []string{"extended", "accidental"}

// PromiseKinds are what a product promises when its time limit is missed (Compensation.Kind), in the order the API documents them.
var PromiseKinds = []string{"none", "refund_full", "refund_partial", "credit"}

// CoolingOffRefunds are the refund after the cooling-off period (ProductInput.AfterCoolingOff), in the order the API documents them.
var CoolingOffRefunds = []string{"pro_rata", "none"}

// ProductStatuses are the states of a product (ProductInput.Status), in the order the API documents them.
var ProductStatuses = []string{"active", "archived"}
