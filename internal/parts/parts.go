// Package parts keeps a tenant's parts catalog (备件目录): part numbers, the models and
// components each part fits, its substitutes, whether its units carry serials (main boards,
// compressors), its unit cost and its prices by use (the brand's price to outlets, the
// consumer price), all in minor units. Stock of parts lives in internal/stock.
package parts

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// PartFields are the writable fields of a part.
type PartFields struct {
	PartNo         string      `json:"part_no" pattern:"^[A-Za-z0-9._/-]{1,64}$" example:"PCB-KFR35-01" doc:"The tenant's part number"`
	NameZh         string      `json:"name_zh" minLength:"1" maxLength:"200" example:"主控板"`
	NameEn         string      `json:"name_en,omitempty" maxLength:"200" example:"Main board"`
	ModelIDs       []uuid.UUID `json:"model_ids,omitempty" maxItems:"500" doc:"Models the part fits"`
	Components     []string    `json:"components,omitempty" maxItems:"50" doc:"Component codes of those models the part is (compressor, main_board)"`
	SubstituteIDs  []uuid.UUID `json:"substitute_ids,omitempty" maxItems:"50" doc:"Parts that may be used instead"`
	SerialTracked  bool        `json:"serial_tracked,omitempty" doc:"Each unit carries a serial that stock follows (main boards, compressors)"`
	Currency       string      `json:"currency,omitempty" pattern:"^[A-Z]{3}$" example:"CNY" doc:"Currency of the cost and prices; CNY when omitted"`
	UnitCost       int64       `json:"unit_cost" minimum:"0" maximum:"100000000000" doc:"Cost of one unit, minor units; values the tenant's own stock"`
	OutletPrice    int64       `json:"outlet_price" minimum:"0" maximum:"100000000000" doc:"The brand's price to outlets, minor units"`
	ConsumerPrice  int64       `json:"consumer_price" minimum:"0" maximum:"100000000000" doc:"The price to consumers, minor units"`
	Active         *bool       `json:"active,omitempty" doc:"Inactive parts stay in history but are not offered; true when omitted"`
	ReturnRequired bool        `json:"return_required,omitempty" doc:"The maker wants the faulty part back: an in-warranty issue owes it (an RMA line)"`
}

// SparePart is a catalog entry.
type SparePart struct {
	ID uuid.UUID `json:"id"`
	PartFields
	Version   int32     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var (
	partNoRe    = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,64}$`)
	componentRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	currencyRe  = regexp.MustCompile(`^[A-Z]{3}$`)
)

// maxMoney bounds prices and costs (a billion in major units).
const maxMoney = 100_000_000_000

// FromRow converts a stored part.
func FromRow(r db.Part) SparePart {
	active := r.Active
	return SparePart{ID: r.ID, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, PartFields: PartFields{
		PartNo: r.PartNo, NameZh: r.NameZh, NameEn: r.NameEn, ModelIDs: r.ModelIds, Components: r.Components,
		SubstituteIDs: r.SubstituteIds, SerialTracked: r.SerialTracked, Currency: r.Currency, UnitCost: r.UnitCost,
		OutletPrice: r.OutletPrice, ConsumerPrice: r.ConsumerPrice, Active: &active, ReturnRequired: r.ReturnRequired}}
}

// normalize fills defaults and checks the fields that do not need the database. prefix names
// where the fields are in the input ("" for a body, "rows[3]." for an import row).
func (f *PartFields) normalize(prefix string) error {
	if !partNoRe.MatchString(f.PartNo) {
		return fault.Invalid(prefix+"part_no", "must be 1 to 64 letters, digits or . _ / -")
	}
	if n := len([]rune(f.NameZh)); n == 0 || n > 200 {
		return fault.Invalid(prefix+"name_zh", "must have 1 to 200 characters")
	}
	if len([]rune(f.NameEn)) > 200 {
		return fault.Invalid(prefix+"name_en", "must have at most 200 characters")
	}
	if f.Currency == "" {
		f.Currency = "CNY"
	}
	if !currencyRe.MatchString(f.Currency) {
		return fault.Invalid(prefix+"currency", "must be an ISO 4217 code such as CNY")
	}
	for _, m := range []struct {
		field string
		v     int64
	}{{"unit_cost", f.UnitCost}, {"outlet_price", f.OutletPrice}, {"consumer_price", f.ConsumerPrice}} {
		if m.v < 0 || m.v > maxMoney {
			return fault.Invalid(prefix+m.field, "must be a whole number of minor units from 0 to 100000000000")
		}
	}
	for i, c := range f.Components {
		if !componentRe.MatchString(c) {
			return fault.Invalid(fmt.Sprintf("%scomponents[%d]", prefix, i), "must be a component code (a-z, 0-9, _)")
		}
	}
	if f.ModelIDs == nil {
		f.ModelIDs = []uuid.UUID{}
	}
	if f.SubstituteIDs == nil {
		f.SubstituteIDs = []uuid.UUID{}
	}
	if f.Components == nil {
		f.Components = []string{}
	}
	f.ModelIDs = dedupe(f.ModelIDs)
	f.SubstituteIDs = dedupe(f.SubstituteIDs)
	if f.Active == nil {
		t := true
		f.Active = &t
	}
	return nil
}

func dedupe(ids []uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// checkRefs checks that the models and substitutes exist in the tenant (self is the part's
// own id, never its own substitute).
func checkRefs(ctx context.Context, tx *tenants.Tx, f PartFields, self uuid.UUID) error {
	if len(f.ModelIDs) > 0 {
		n, err := tx.Q.CountModelsByIDs(ctx, tx, db.CountModelsByIDsParams{TenantID: tx.Scope.TenantID, Ids: f.ModelIDs})
		if err != nil {
			return fmt.Errorf("check models: %w", err)
		}
		if int(n) != len(f.ModelIDs) {
			return fault.Invalid("model_ids", "names a model that does not exist")
		}
	}
	if slices.Contains(f.SubstituteIDs, self) {
		return fault.Invalid("substitute_ids", "cannot name the part itself")
	}
	if len(f.SubstituteIDs) > 0 {
		n, err := tx.Q.CountPartsByIDs(ctx, tx, db.CountPartsByIDsParams{TenantID: tx.Scope.TenantID, Ids: f.SubstituteIDs})
		if err != nil {
			return fmt.Errorf("check substitutes: %w", err)
		}
		if int(n) != len(f.SubstituteIDs) {
			return fault.Invalid("substitute_ids", "names a part that does not exist")
		}
	}
	return nil
}

// Create adds a part to the catalog.
func Create(ctx context.Context, tx *tenants.Tx, f PartFields) (SparePart, error) {
	if err := f.normalize(""); err != nil {
		return SparePart{}, err
	}
	id := platform.NewID()
	if err := checkRefs(ctx, tx, f, id); err != nil {
		return SparePart{}, err
	}
	r, err := tx.Q.CreatePart(ctx, tx, db.CreatePartParams{TenantID: tx.Scope.TenantID, ID: id, PartNo: f.PartNo, NameZh: f.NameZh,
		NameEn: f.NameEn, ModelIds: f.ModelIDs, Components: f.Components, SubstituteIds: f.SubstituteIDs, SerialTracked: f.SerialTracked,
		Currency: f.Currency, UnitCost: f.UnitCost, OutletPrice: f.OutletPrice, ConsumerPrice: f.ConsumerPrice, Active: *f.Active,
		ReturnRequired: f.ReturnRequired})
	if err != nil {
		return SparePart{}, fault.DBError(err, "a part with this part number exists", "")
	}
	p := FromRow(r)
	return p, tx.Audit(ctx, "part.create", "part", p.ID, nil, p)
}

// Get returns one part.
func Get(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (SparePart, error) {
	r, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return SparePart{}, fault.DBError(err, "", "")
	}
	return FromRow(r), nil
}

// Filter narrows a part list.
type Filter struct {
	After   uuid.NullUUID
	Query   string    // part number or name contains
	ModelID uuid.UUID // fits this model
	Limit   int32
}

// List lists parts after the cursor.
func List(ctx context.Context, tx *tenants.Tx, f Filter) ([]SparePart, error) {
	tx.PlanForValues()
	p := db.ListPartsParams{TenantID: tx.Scope.TenantID, After: f.After, Lim: f.Limit}
	if f.Query != "" {
		p.Q = &f.Query
	}
	if f.ModelID != uuid.Nil {
		p.ModelID = uuid.NullUUID{UUID: f.ModelID, Valid: true}
	}
	rows, err := tx.Q.ListParts(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list parts: %w", err)
	}
	out := make([]SparePart, len(rows))
	for i, r := range rows {
		out[i] = FromRow(r)
	}
	return out, nil
}

// Update replaces a part's fields if version is current. Serial tracking cannot change while
// the part is in stock: the units on hand would have serials, or lack them, against the rule.
func Update(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, f PartFields) (SparePart, error) {
	if err := f.normalize(""); err != nil {
		return SparePart{}, err
	}
	before, err := Get(ctx, tx, id)
	if err != nil {
		return SparePart{}, err
	}
	if before.Version != version {
		return SparePart{}, fault.ErrStale
	}
	if err := checkRefs(ctx, tx, f, id); err != nil {
		return SparePart{}, err
	}
	if before.SerialTracked != f.SerialTracked {
		held, err := tx.Q.PartHasStock(ctx, tx, db.PartHasStockParams{TenantID: tx.Scope.TenantID, PartID: id})
		if err != nil {
			return SparePart{}, fmt.Errorf("part stock: %w", err)
		}
		if held {
			return SparePart{}, fault.Invalid("serial_tracked", "cannot change while the part is in stock")
		}
	}
	r, err := tx.Q.UpdatePart(ctx, tx, db.UpdatePartParams{TenantID: tx.Scope.TenantID, ID: id, Version: version, PartNo: f.PartNo,
		NameZh: f.NameZh, NameEn: f.NameEn, ModelIds: f.ModelIDs, Components: f.Components, SubstituteIds: f.SubstituteIDs,
		SerialTracked: f.SerialTracked, Currency: f.Currency, UnitCost: f.UnitCost, OutletPrice: f.OutletPrice,
		ConsumerPrice: f.ConsumerPrice, Active: *f.Active, ReturnRequired: f.ReturnRequired})
	if err != nil {
		return SparePart{}, fault.DBError(fault.StaleIfMissing(err), "a part with this part number exists", "")
	}
	after := FromRow(r)
	return after, tx.Audit(ctx, "part.update", "part", id, before, after)
}
