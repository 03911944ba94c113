// Package stock is where parts are (仓库, 库存): warehouses of the tenant, its outlets and its
// engineers' vans; an append-only journal of typed movements with an on-hand projection that
// never goes below zero, under any concurrency; reservations for orders; transfers and
// replenishment requests; and where each serial-tracked unit is now.
//
// The journal is the truth. stock_balances (on hand, reserved) is a projection updated in the
// same transaction as each journal row with a conditional update, so the database refuses a
// take larger than what is available instead of trusting a read made before it; Drift
// recomputes the projection from the journal and the open reservations and repairs it.
package stock

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// WarehouseKinds are the kinds of warehouse (seed 000): spare parts, finished goods, units
// pending repair, samples, scrap, returned goods.
var WarehouseKinds = []string{"spare_parts", "finished_goods", "pending_repair", "samples", "scrap", "returned_goods"}

// Owners say whose goods a warehouse holds: the tenant's own (the only stock valued), a
// customer's units, consigned parts, loaner units.
var Owners = []string{"own", "customer", "consigned", "loaner"}

// WarehouseFields are the writable fields of a warehouse.
type WarehouseFields struct {
	Code       string     `json:"code" pattern:"^[A-Za-z0-9._-]{1,64}$" example:"SH-SPARE"`
	Name       string     `json:"name" minLength:"1" maxLength:"200" example:"上海备件库"`
	Kind       string     `json:"kind" doc:"One of the warehouse kinds"`
	Owner      string     `json:"owner,omitempty" doc:"Whose goods it holds; own when omitted. Only own stock is valued"`
	OutletID   *uuid.UUID `json:"outlet_id,omitempty" doc:"The outlet it belongs to; omitted: the tenant's central stock. Cannot change"`
	EngineerID *uuid.UUID `json:"engineer_id,omitempty" doc:"The engineer whose van this is (user id); needs outlet_id"`
	Active     *bool      `json:"active,omitempty" doc:"true when omitted"`
}

// Warehouse is a place stock is kept.
type Warehouse struct {
	ID uuid.UUID `json:"id"`
	WarehouseFields
	Version   int32     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var codeRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func warehouseFromRow(r db.Warehouse) Warehouse {
	active := r.Active
	w := Warehouse{ID: r.ID, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, WarehouseFields: WarehouseFields{
		Code: r.Code, Name: r.Name, Kind: r.Kind, Owner: r.Owner, Active: &active}}
	if r.OutletID.Valid {
		w.OutletID = &r.OutletID.UUID
	}
	if r.EngineerID.Valid {
		w.EngineerID = &r.EngineerID.UUID
	}
	return w
}

func oneOf(v string, list []string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func (f *WarehouseFields) normalize() error {
	if !codeRe.MatchString(f.Code) {
		return fault.Invalid("code", "must be 1 to 64 letters, digits or . _ -")
	}
	if n := len([]rune(f.Name)); n == 0 || n > 200 {
		return fault.Invalid("name", "must have 1 to 200 characters")
	}
	if !oneOf(f.Kind, WarehouseKinds) {
		return fault.Invalid("kind", "must be one of the warehouse kinds")
	}
	if f.Owner == "" {
		f.Owner = "own"
	}
	if !oneOf(f.Owner, Owners) {
		return fault.Invalid("owner", "must be one of own, customer, consigned, loaner")
	}
	if f.EngineerID != nil && f.OutletID == nil {
		return fault.Invalid("engineer_id", "an engineer's van belongs to an outlet: give outlet_id")
	}
	if f.Active == nil {
		t := true
		f.Active = &t
	}
	return nil
}

func nullID(p *uuid.UUID) uuid.NullUUID {
	if p == nil {
		return uuid.NullUUID{}
	}
	return uuid.NullUUID{UUID: *p, Valid: true}
}

// rlsRefused reports a write row-level security refused (a row of another outlet's scope).
func rlsRefused(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}

// CreateWarehouse adds a warehouse. Outlet staff add warehouses of their own outlet only.
func CreateWarehouse(ctx context.Context, tx *tenants.Tx, f WarehouseFields) (Warehouse, error) {
	if err := f.normalize(); err != nil {
		return Warehouse{}, err
	}
	if tx.Scope.OutletID != uuid.Nil && (f.OutletID == nil || *f.OutletID != tx.Scope.OutletID) {
		return Warehouse{}, fault.Invalid("outlet_id", "must be your own outlet")
	}
	r, err := tx.Q.CreateWarehouse(ctx, tx, db.CreateWarehouseParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), Code: f.Code,
		Name: f.Name, Kind: f.Kind, Owner: f.Owner, OutletID: nullID(f.OutletID), EngineerID: nullID(f.EngineerID), Active: *f.Active})
	if err != nil {
		if rlsRefused(err) {
			return Warehouse{}, fault.Invalid("outlet_id", "must be your own outlet")
		}
		return Warehouse{}, fault.DBError(err, "a warehouse with this code, or a van of this engineer, exists", "outlet_id")
	}
	w := warehouseFromRow(r)
	return w, tx.Audit(ctx, "warehouse.create", "warehouse", w.ID, nil, w)
}

// GetWarehouse returns one warehouse in the caller's scope.
func GetWarehouse(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Warehouse, error) {
	r, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Warehouse{}, fault.DBError(err, "", "")
	}
	return warehouseFromRow(r), nil
}

// WarehouseFilter narrows a warehouse list.
type WarehouseFilter struct {
	After    uuid.NullUUID
	OutletID uuid.NullUUID
	Kind     string
	Limit    int32
}

// ListWarehouses lists the warehouses in scope (outlet staff: theirs and the centre's).
func ListWarehouses(ctx context.Context, tx *tenants.Tx, f WarehouseFilter) ([]Warehouse, error) {
	tx.PlanForValues()
	p := db.ListWarehousesParams{TenantID: tx.Scope.TenantID, After: f.After, OutletID: f.OutletID, Lim: f.Limit}
	if f.Kind != "" {
		p.Kind = &f.Kind
	}
	rows, err := tx.Q.ListWarehouses(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list warehouses: %w", err)
	}
	out := make([]Warehouse, len(rows))
	for i, r := range rows {
		out[i] = warehouseFromRow(r)
	}
	return out, nil
}

// UpdateWarehouse changes a warehouse if version is current. Its outlet never changes: the
// stock in it, its journal and its serials carry that outlet.
func UpdateWarehouse(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, f WarehouseFields) (Warehouse, error) {
	if err := f.normalize(); err != nil {
		return Warehouse{}, err
	}
	before, err := GetWarehouse(ctx, tx, id)
	if err != nil {
		return Warehouse{}, err
	}
	if before.Version != version {
		return Warehouse{}, fault.ErrStale
	}
	if nullID(before.OutletID) != nullID(f.OutletID) {
		return Warehouse{}, fault.Invalid("outlet_id", "cannot change: the stock in the warehouse belongs to its outlet")
	}
	r, err := tx.Q.UpdateWarehouse(ctx, tx, db.UpdateWarehouseParams{TenantID: tx.Scope.TenantID, ID: id, Version: version, Code: f.Code,
		Name: f.Name, Kind: f.Kind, Owner: f.Owner, EngineerID: nullID(f.EngineerID), Active: *f.Active})
	if err != nil {
		if rlsRefused(err) {
			return Warehouse{}, fault.ErrNotFound // the centre's warehouses are read-only to outlet staff
		}
		return Warehouse{}, fault.DBError(fault.StaleIfMissing(err), "a warehouse with this code, or a van of this engineer, exists", "")
	}
	after := warehouseFromRow(r)
	return after, tx.Audit(ctx, "warehouse.update", "warehouse", id, before, after)
}

// LockSettings are a tenant's stock terms.
type LockSettings struct {
	LockDate *string `json:"lock_date,omitempty" format:"date" doc:"Postings dated on or before this day are refused (a closed period)"`
	Version  int32   `json:"version"`
}

// GetSettings returns the tenant's stock settings (no lock date until one is set).
func GetSettings(ctx context.Context, tx *tenants.Tx) (LockSettings, error) {
	r, err := tx.Q.GetStockSettings(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		if errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			return LockSettings{}, nil
		}
		return LockSettings{}, fmt.Errorf("stock settings: %w", err)
	}
	return settingsFromRow(r), nil
}

func settingsFromRow(r db.StockSetting) LockSettings {
	s := LockSettings{Version: r.Version}
	if r.LockDate != nil {
		d := r.LockDate.Format(time.DateOnly)
		s.LockDate = &d
	}
	return s
}

// PutSettings sets the lock date (nil: none) if version is current (0 before the first put).
func PutSettings(ctx context.Context, tx *tenants.Tx, version int32, lockDate *string) (LockSettings, error) {
	before, err := GetSettings(ctx, tx)
	if err != nil {
		return LockSettings{}, err
	}
	if before.Version != version {
		return LockSettings{}, fault.ErrStale
	}
	var d *time.Time
	if lockDate != nil {
		t, err := time.Parse(time.DateOnly, *lockDate)
		if err != nil {
			return LockSettings{}, fault.Invalid("lock_date", "must be a date, YYYY-MM-DD")
		}
		d = &t
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return LockSettings{}, err
	}
	r, err := tx.Q.PutStockSettings(ctx, tx, db.PutStockSettingsParams{TenantID: tx.Scope.TenantID, LockDate: d, UpdatedAt: now})
	if err != nil {
		return LockSettings{}, fault.DBError(err, "", "")
	}
	after := settingsFromRow(r)
	return after, tx.Audit(ctx, "stock_settings.update", "stock_settings", uuid.Nil, before, after)
}
