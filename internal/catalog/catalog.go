// Package catalog keeps a tenant's product categories, models (with their components and
// serial rules) and the fault-code dictionary, which grows as agents type new codes.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Category groups models (air conditioners, washing machines, phones).
type Category struct {
	ID        uuid.UUID `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Version   int32     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

// Component is a part of a model; main parts (compressor, motor) often have longer coverage.
type Component struct {
	Code string `json:"code" pattern:"^[a-z0-9_]{1,32}$" example:"compressor"`
	Name string `json:"name" minLength:"1" maxLength:"100" example:"压缩机"`
	Main bool   `json:"main" required:"false" doc:"A main part (主要部件)"`
}

// ModelFields are the writable fields of a model.
type ModelFields struct {
	CategoryID    uuid.UUID   `json:"category_id"`
	SKU           string      `json:"sku" pattern:"^[A-Za-z0-9._/-]{1,64}$" example:"KFR-35GW"`
	Name          string      `json:"name" minLength:"1" maxLength:"200"`
	Components    []Component `json:"components" maxItems:"50"`
	SerialPattern string      `json:"serial_pattern,omitempty" maxLength:"200" doc:"Regular expression serials of this model must match"`
	IMEI          bool        `json:"imei,omitempty" doc:"Serials are IMEIs (15 digits with a Luhn check digit)"`
	NeedsInstall  bool        `json:"needs_install,omitempty" doc:"Sold units need an installation visit"`
}

// Model is a sellable product model.
type Model struct {
	ID uuid.UUID `json:"id"`
	ModelFields
	Version   int32     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FaultCode is an entry of the fault dictionary.
type FaultCode struct {
	ID         uuid.UUID  `json:"id"`
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Component  string     `json:"component,omitempty"`
	MergedInto *uuid.UUID `json:"merged_into,omitempty" doc:"The code this duplicate was merged into"`
	CreatedAt  time.Time  `json:"created_at"`
}

func categoryFromRow(r db.ProductCategory) Category {
	return Category{ID: r.ID, Code: r.Code, Name: r.Name, Version: r.Version, CreatedAt: r.CreatedAt}
}

// modelFromRow converts a stored model.
func modelFromRow(r db.ProductModel) (Model, error) {
	m := Model{ID: r.ID, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ModelFields: ModelFields{
		CategoryID: r.CategoryID, SKU: r.Sku, Name: r.Name, SerialPattern: r.SerialPattern, IMEI: r.Imei, NeedsInstall: r.NeedsInstall}}
	if err := json.Unmarshal(r.Components, &m.Components); err != nil {
		return m, fmt.Errorf("decode components: %w", err)
	}
	return m, nil
}

func faultFromRow(r db.FaultCode) FaultCode {
	f := FaultCode{ID: r.ID, Code: r.Code, Name: r.Name, Component: r.Component, CreatedAt: r.CreatedAt}
	if r.MergedInto.Valid {
		f.MergedInto = &r.MergedInto.UUID
	}
	return f
}

// CreateCategory adds a category.
func CreateCategory(ctx context.Context, tx *tenants.Tx, code, name string) (Category, error) {
	r, err := tx.Q.CreateCategory(ctx, tx, db.CreateCategoryParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), Code: code, Name: name})
	if err != nil {
		return Category{}, fault.DBError(err, "a category with this code exists", "")
	}
	c := categoryFromRow(r)
	return c, tx.Audit(ctx, "category.create", "category", c.ID, nil, c)
}

// GetCategory returns one category.
func GetCategory(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Category, error) {
	r, err := tx.Q.GetCategory(ctx, tx, db.GetCategoryParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Category{}, fault.DBError(err, "", "")
	}
	return categoryFromRow(r), nil
}

// ListCategories lists categories after the cursor.
func ListCategories(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID, limit int32) ([]Category, error) {
	rows, err := tx.Q.ListCategories(ctx, tx, db.ListCategoriesParams{TenantID: tx.Scope.TenantID, After: after, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	out := make([]Category, len(rows))
	for i, r := range rows {
		out[i] = categoryFromRow(r)
	}
	return out, nil
}

// UpdateCategory renames a category if version is current.
func UpdateCategory(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, code, name string) (Category, error) {
	before, err := GetCategory(ctx, tx, id)
	if err != nil {
		return Category{}, err
	}
	if before.Version != version {
		return Category{}, fault.ErrStale
	}
	r, err := tx.Q.UpdateCategory(ctx, tx, db.UpdateCategoryParams{TenantID: tx.Scope.TenantID, ID: id, Version: version, Code: code, Name: name})
	if err != nil {
		return Category{}, fault.DBError(fault.StaleIfMissing(err), "a category with this code exists", "")
	}
	after := categoryFromRow(r)
	return after, tx.Audit(ctx, "category.update", "category", id, before, after)
}

func (f ModelFields) validate() error {
	if f.SerialPattern != "" {
		if _, err := regexp.Compile("^(?:" + f.SerialPattern + ")$"); err != nil {
			return fault.Invalid("serial_pattern", "is not a valid regular expression")
		}
	}
	seen := map[string]bool{}
	for i, c := range f.Components {
		if seen[c.Code] {
			return fault.Invalid(fmt.Sprintf("components[%d].code", i), "appears twice")
		}
		seen[c.Code] = true
	}
	return nil
}

// CreateModel adds a model.
func CreateModel(ctx context.Context, tx *tenants.Tx, f ModelFields) (Model, error) {
	if err := f.validate(); err != nil {
		return Model{}, err
	}
	if f.Components == nil {
		f.Components = []Component{}
	}
	comps, _ := json.Marshal(f.Components)
	r, err := tx.Q.CreateModel(ctx, tx, db.CreateModelParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), CategoryID: f.CategoryID,
		Sku: f.SKU, Name: f.Name, Components: comps, SerialPattern: f.SerialPattern, Imei: f.IMEI, NeedsInstall: f.NeedsInstall})
	if err != nil {
		return Model{}, fault.DBError(err, "a model with this SKU exists", "category_id")
	}
	m, err := modelFromRow(r)
	if err != nil {
		return m, err
	}
	return m, tx.Audit(ctx, "model.create", "model", m.ID, nil, m)
}

// GetModel returns one model.
func GetModel(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Model, error) {
	r, err := tx.Q.GetModel(ctx, tx, db.GetModelParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Model{}, fault.DBError(err, "", "")
	}
	return modelFromRow(r)
}

// GetModelBySKU returns the model with a SKU.
func GetModelBySKU(ctx context.Context, tx *tenants.Tx, sku string) (Model, error) {
	r, err := tx.Q.GetModelBySKU(ctx, tx, db.GetModelBySKUParams{TenantID: tx.Scope.TenantID, Sku: sku})
	if err != nil {
		return Model{}, fault.DBError(err, "", "")
	}
	return modelFromRow(r)
}

// AllModels returns all the tenant's models, to check many units against them.
func AllModels(ctx context.Context, tx *tenants.Tx) ([]Model, error) {
	rows, err := tx.Q.AllModels(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, fmt.Errorf("all models: %w", err)
	}
	out := make([]Model, 0, len(rows))
	for _, r := range rows {
		m, err := modelFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// ListModels lists models after the cursor, optionally of one category.
func ListModels(ctx context.Context, tx *tenants.Tx, after, category uuid.NullUUID, limit int32) ([]Model, error) {
	rows, err := tx.Q.ListModels(ctx, tx, db.ListModelsParams{TenantID: tx.Scope.TenantID, After: after, CategoryID: category, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list models: %w", err)
	}
	out := make([]Model, 0, len(rows))
	for _, r := range rows {
		m, err := modelFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// UpdateModel replaces a model's fields if version is current.
func UpdateModel(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, f ModelFields) (Model, error) {
	if err := f.validate(); err != nil {
		return Model{}, err
	}
	before, err := GetModel(ctx, tx, id)
	if err != nil {
		return Model{}, err
	}
	if before.Version != version {
		return Model{}, fault.ErrStale
	}
	if f.Components == nil {
		f.Components = []Component{}
	}
	comps, _ := json.Marshal(f.Components)
	r, err := tx.Q.UpdateModel(ctx, tx, db.UpdateModelParams{TenantID: tx.Scope.TenantID, ID: id, Version: version, CategoryID: f.CategoryID,
		Sku: f.SKU, Name: f.Name, Components: comps, SerialPattern: f.SerialPattern, Imei: f.IMEI, NeedsInstall: f.NeedsInstall})
	if err != nil {
		return Model{}, fault.DBError(fault.StaleIfMissing(err), "a model with this SKU exists", "category_id")
	}
	after, err := modelFromRow(r)
	if err != nil {
		return after, err
	}
	return after, tx.Audit(ctx, "model.update", "model", id, before, after)
}

// NormalizeFaultCode upper-cases a code and removes spaces and separators, so "e1 ", "E-1"
// and "e_1" are one code.
func NormalizeFaultCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(strings.TrimSpace(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// EnsureFaultCode returns the dictionary entry of a code, creating it on first use (the
// dictionary grows at entry time); a merged code resolves to the code it was merged into.
func EnsureFaultCode(ctx context.Context, tx *tenants.Tx, code, name, component string) (FaultCode, error) {
	norm := NormalizeFaultCode(code)
	if norm == "" || len(norm) > 32 {
		return FaultCode{}, fault.Invalid("fault_code", "must have 1 to 32 letters or digits")
	}
	// Read first: the upsert locks the code's row until commit, which would make every
	// order of a common fault wait for the others.
	r, err := tx.Q.GetFaultCodeByCode(ctx, tx, db.GetFaultCodeByCodeParams{TenantID: tx.Scope.TenantID, Code: norm})
	if errors.Is(err, pgx.ErrNoRows) {
		r, err = tx.Q.UpsertFaultCode(ctx, tx, db.UpsertFaultCodeParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
			Code: norm, Name: name, Component: component})
	}
	if err != nil {
		return FaultCode{}, fault.DBError(err, "", "")
	}
	for r.MergedInto.Valid {
		if r, err = tx.Q.GetFaultCode(ctx, tx, db.GetFaultCodeParams{TenantID: tx.Scope.TenantID, ID: r.MergedInto.UUID}); err != nil {
			return FaultCode{}, fault.DBError(err, "", "")
		}
	}
	return faultFromRow(r), nil
}

// ListFaultCodes lists codes after the cursor, optionally by prefix.
func ListFaultCodes(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID, prefix string, limit int32) ([]FaultCode, error) {
	var p *string
	if prefix != "" {
		n := NormalizeFaultCode(prefix)
		p = &n
	}
	rows, err := tx.Q.ListFaultCodes(ctx, tx, db.ListFaultCodesParams{TenantID: tx.Scope.TenantID, After: after, Prefix: p, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list fault codes: %w", err)
	}
	out := make([]FaultCode, len(rows))
	for i, r := range rows {
		out[i] = faultFromRow(r)
	}
	return out, nil
}

// GetFaultCode returns one code.
func GetFaultCode(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (FaultCode, error) {
	r, err := tx.Q.GetFaultCode(ctx, tx, db.GetFaultCodeParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return FaultCode{}, fault.DBError(err, "", "")
	}
	return faultFromRow(r), nil
}

// MergeFaultCode marks a duplicate as merged into another code; later entries of the
// duplicate resolve to the target.
func MergeFaultCode(ctx context.Context, tx *tenants.Tx, id, into uuid.UUID) (FaultCode, error) {
	if id == into {
		return FaultCode{}, fault.Invalid("into", "cannot merge a code into itself")
	}
	target, err := GetFaultCode(ctx, tx, into)
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return FaultCode{}, fault.Invalid("into", "does not exist")
		}
		return FaultCode{}, err
	}
	if target.MergedInto != nil {
		return FaultCode{}, fault.Invalid("into", "was itself merged; merge into "+target.MergedInto.String())
	}
	before, err := GetFaultCode(ctx, tx, id)
	if err != nil {
		return FaultCode{}, err
	}
	r, err := tx.Q.MergeFaultCode(ctx, tx, db.MergeFaultCodeParams{TenantID: tx.Scope.TenantID, ID: id,
		TargetID: uuid.NullUUID{UUID: into, Valid: true}})
	if err != nil {
		if errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			return FaultCode{}, &fault.ConflictError{Detail: "the code was already merged"}
		}
		return FaultCode{}, err
	}
	after := faultFromRow(r)
	return after, tx.Audit(ctx, "fault_code.merge", "fault_code", id, before, after)
}
