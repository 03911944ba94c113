package tenants

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
)

// OutletKinds are the kinds of outlet.
var OutletKinds = []string{"service_center", "authorized_outlet", "carrier_store", "warehouse"}

// OutletStatuses are the statuses of an outlet.
var OutletStatuses = []string{"active", "suspended", "closed"}

// Outlet is a service outlet: a sub-tenant of a root tenant.
type Outlet struct {
	ID uuid.UUID `json:"id"`
	OutletFields
	Version   int32     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// OutletFields are the writable fields of an outlet.
type OutletFields struct {
	Code         string   `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9._-]+$" doc:"Unique code within the tenant"`
	Name         string   `json:"name" minLength:"1" maxLength:"200"`
	Kind         string   `json:"kind"`                              // one of OutletKinds
	Status       string   `json:"status,omitempty" default:"active"` // one of OutletStatuses
	Phone        string   `json:"phone,omitempty" maxLength:"32"`
	ProvinceCode string   `json:"province_code,omitempty" maxLength:"12" pattern:"^[0-9]*$" doc:"Region code (GB/T 2260), e.g. 310000"`
	CityCode     string   `json:"city_code,omitempty" maxLength:"12" pattern:"^[0-9]*$"`
	DistrictCode string   `json:"district_code,omitempty" maxLength:"12" pattern:"^[0-9]*$"`
	Address      string   `json:"address,omitempty" maxLength:"500"`
	PostalCode   string   `json:"postal_code,omitempty" maxLength:"12"`
	Latitude     *float64 `json:"latitude,omitempty" minimum:"-90" maximum:"90"`
	Longitude    *float64 `json:"longitude,omitempty" minimum:"-180" maximum:"180"`
}

func outletFromRow(r db.Outlet) Outlet {
	return Outlet{ID: r.ID, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, OutletFields: OutletFields{
		Code: r.Code, Name: r.Name, Kind: r.Kind, Status: r.Status, Phone: r.Phone, ProvinceCode: r.ProvinceCode,
		CityCode: r.CityCode, DistrictCode: r.DistrictCode, Address: r.Address, PostalCode: r.PostalCode,
		Latitude: r.Latitude, Longitude: r.Longitude}}
}

const dupOutletCode = "an outlet with this code exists in the tenant"

// CreateOutlet adds an outlet to the scope's tenant.
func CreateOutlet(ctx context.Context, tx *Tx, f OutletFields) (Outlet, error) {
	if f.Status == "" {
		f.Status = "active"
	}
	r, err := tx.Q.CreateOutlet(ctx, tx, db.CreateOutletParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		Code: f.Code, Name: f.Name, Kind: f.Kind, Status: f.Status, Phone: f.Phone, ProvinceCode: f.ProvinceCode,
		CityCode: f.CityCode, DistrictCode: f.DistrictCode, Address: f.Address, PostalCode: f.PostalCode,
		Latitude: f.Latitude, Longitude: f.Longitude})
	if err != nil {
		return Outlet{}, fault.DBError(err, dupOutletCode, "")
	}
	o := outletFromRow(r)
	return o, tx.Audit(ctx, "outlet.create", "outlet", o.ID, nil, o)
}

// GetOutlet returns one outlet of the scope (an outlet user sees only their own).
func GetOutlet(ctx context.Context, tx *Tx, id uuid.UUID) (Outlet, error) {
	r, err := tx.Q.GetOutlet(ctx, tx, db.GetOutletParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Outlet{}, fault.DBError(err, "", "")
	}
	return outletFromRow(r), nil
}

// OutletFilter narrows ListOutlets.
type OutletFilter struct {
	After                  uuid.NullUUID
	Status, Kind, Province *string
	Limit                  int32
}

// ListOutlets lists the scope's outlets in id order after the cursor.
func ListOutlets(ctx context.Context, tx *Tx, f OutletFilter) ([]Outlet, error) {
	rows, err := tx.Q.ListOutlets(ctx, tx, db.ListOutletsParams{TenantID: tx.Scope.TenantID, After: f.After,
		Status: f.Status, Kind: f.Kind, ProvinceCode: f.Province, Lim: f.Limit})
	if err != nil {
		return nil, fmt.Errorf("list outlets: %w", err)
	}
	out := make([]Outlet, len(rows))
	for i, r := range rows {
		out[i] = outletFromRow(r)
	}
	return out, nil
}

// OutletNames maps those of ids that are outlets in the scope to their names.
func OutletNames(ctx context.Context, tx *Tx, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Q.OutletNames(ctx, tx, db.OutletNamesParams{TenantID: tx.Scope.TenantID, Ids: ids})
	if err != nil {
		return nil, fmt.Errorf("outlet names: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// UpdateOutlet replaces an outlet's fields if version is current.
func UpdateOutlet(ctx context.Context, tx *Tx, id uuid.UUID, version int32, f OutletFields) (Outlet, error) {
	before, err := GetOutlet(ctx, tx, id)
	if err != nil {
		return Outlet{}, err
	}
	if before.Version != version {
		return Outlet{}, fault.ErrStale
	}
	if f.Status == "" {
		f.Status = before.Status
	}
	r, err := tx.Q.UpdateOutlet(ctx, tx, db.UpdateOutletParams{TenantID: tx.Scope.TenantID, ID: id, Version: version,
		Code: f.Code, Name: f.Name, Kind: f.Kind, Status: f.Status, Phone: f.Phone, ProvinceCode: f.ProvinceCode,
		CityCode: f.CityCode, DistrictCode: f.DistrictCode, Address: f.Address, PostalCode: f.PostalCode,
		Latitude: f.Latitude, Longitude: f.Longitude})
	if err != nil {
		return Outlet{}, fault.DBError(fault.StaleIfMissing(err), dupOutletCode, "")
	}
	after := outletFromRow(r)
	return after, tx.Audit(ctx, "outlet.update", "outlet", id, before, after)
}

// DeleteOutlet removes an outlet that nothing references, if version is current.
// Outlets with history should be closed (status) instead.
func DeleteOutlet(ctx context.Context, tx *Tx, id uuid.UUID, version int32) error {
	before, err := GetOutlet(ctx, tx, id)
	if err != nil {
		return err
	}
	if before.Version != version {
		return fault.ErrStale
	}
	n, err := tx.Q.DeleteOutlet(ctx, tx, db.DeleteOutletParams{TenantID: tx.Scope.TenantID, ID: id, Version: version})
	if err != nil {
		return fault.DBError(err, "", "")
	}
	if n == 0 {
		return fault.ErrStale
	}
	return tx.Audit(ctx, "outlet.delete", "outlet", id, before, nil)
}
