package dispatch

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Coverage is a region an outlet serves, optionally narrowed to postal codes, order types
// and product categories (empty lists mean all).
type Coverage struct {
	ID           uuid.UUID   `json:"id" readOnly:"true"`
	OutletID     uuid.UUID   `json:"outlet_id" readOnly:"true"`
	RegionCode   string      `json:"region_code" pattern:"^[0-9]{2}([0-9]{2}){0,2}$" doc:"Province (31), city (3101) or district (310115) code prefix"`
	PostalPrefix string      `json:"postal_prefix,omitempty" pattern:"^[0-9]{0,6}$"`
	OrderTypes   []string    `json:"order_types,omitempty" maxItems:"50"`
	CategoryIDs  []uuid.UUID `json:"category_ids,omitempty" maxItems:"200"`
}

func coverageFromRow(r db.OutletCoverage) Coverage {
	return Coverage{ID: r.ID, OutletID: r.OutletID, RegionCode: r.RegionCode, PostalPrefix: r.PostalPrefix,
		OrderTypes: r.OrderTypes, CategoryIDs: r.CategoryIds}
}

// AddCoverage adds a region to an outlet.
func AddCoverage(ctx context.Context, tx *tenants.Tx, outletID uuid.UUID, c Coverage) (Coverage, error) {
	if _, err := tenants.GetOutlet(ctx, tx, outletID); err != nil {
		return Coverage{}, err
	}
	if c.OrderTypes == nil {
		c.OrderTypes = []string{}
	}
	if c.CategoryIDs == nil {
		c.CategoryIDs = []uuid.UUID{}
	}
	r, err := tx.Q.UpsertCoverage(ctx, tx, db.UpsertCoverageParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), OutletID: outletID, RegionCode: c.RegionCode,
		PostalPrefix: c.PostalPrefix, OrderTypes: c.OrderTypes, CategoryIds: c.CategoryIDs})
	if err != nil {
		return Coverage{}, fault.DBError(err, "", "")
	}
	out := coverageFromRow(r)
	return out, tx.Audit(ctx, "outlet.coverage_add", "outlet", outletID, nil, out)
}

// GetCoverage returns one region entry of an outlet.
func GetCoverage(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Coverage, error) {
	r, err := tx.Q.GetCoverage(ctx, tx, db.GetCoverageParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Coverage{}, fault.DBError(err, "", "")
	}
	return coverageFromRow(r), nil
}

// ListCoverage lists an outlet's regions.
func ListCoverage(ctx context.Context, tx *tenants.Tx, outletID uuid.UUID) ([]Coverage, error) {
	if _, err := tenants.GetOutlet(ctx, tx, outletID); err != nil {
		return nil, err
	}
	rows, err := tx.Q.ListCoverage(ctx, tx, db.ListCoverageParams{TenantID: tx.Scope.TenantID, OutletID: outletID})
	if err != nil {
		return nil, fmt.Errorf("list coverage: %w", err)
	}
	out := make([]Coverage, len(rows))
	for i, r := range rows {
		out[i] = coverageFromRow(r)
	}
	return out, nil
}

// RemoveCoverage removes one region of an outlet.
func RemoveCoverage(ctx context.Context, tx *tenants.Tx, id uuid.UUID) error {
	outletID, err := tx.Q.DeleteCoverage(ctx, tx, db.DeleteCoverageParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return fault.DBError(err, "", "")
	}
	return tx.Audit(ctx, "outlet.coverage_remove", "outlet", outletID, map[string]any{"coverage_id": id}, nil)
}

// Authorize records the brand's authorization of an outlet for a category (idempotent).
func Authorize(ctx context.Context, tx *tenants.Tx, outletID, categoryID uuid.UUID) error {
	if _, err := tenants.GetOutlet(ctx, tx, outletID); err != nil {
		return err
	}
	if err := tx.Q.AuthorizeOutlet(ctx, tx, db.AuthorizeOutletParams{TenantID: tx.Scope.TenantID,
		OutletID: outletID, CategoryID: categoryID}); err != nil {
		return fault.DBError(err, "", "category_id")
	}
	return tx.Audit(ctx, "outlet.authorize", "outlet", outletID, nil, map[string]any{"category_id": categoryID})
}

// Revoke withdraws an authorization.
func Revoke(ctx context.Context, tx *tenants.Tx, outletID, categoryID uuid.UUID) error {
	n, err := tx.Q.RevokeOutletAuthorization(ctx, tx, db.RevokeOutletAuthorizationParams{TenantID: tx.Scope.TenantID,
		OutletID: outletID, CategoryID: categoryID})
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	if n == 0 {
		return fault.ErrNotFound
	}
	return tx.Audit(ctx, "outlet.revoke", "outlet", outletID, map[string]any{"category_id": categoryID}, nil)
}

// Authorizations lists the categories an outlet is authorized for.
func Authorizations(ctx context.Context, tx *tenants.Tx, outletID uuid.UUID) ([]uuid.UUID, error) {
	if _, err := tenants.GetOutlet(ctx, tx, outletID); err != nil {
		return nil, err
	}
	ids, err := tx.Q.ListOutletAuthorizations(ctx, tx, db.ListOutletAuthorizationsParams{TenantID: tx.Scope.TenantID, OutletID: outletID})
	if err != nil {
		return nil, fmt.Errorf("list authorizations: %w", err)
	}
	if ids == nil {
		ids = []uuid.UUID{} // an array, never null (the document says so)
	}
	return ids, nil
}

// Capacity is how many orders an outlet takes per day (0: no limit) and the outlet's
// version, the one SetCapacity's If-Match names.
func Capacity(ctx context.Context, tx *tenants.Tx, outletID uuid.UUID) (perDay int, version int32, err error) {
	row, err := tx.Q.GetOutletCapacity(ctx, tx, db.GetOutletCapacityParams{TenantID: tx.Scope.TenantID, ID: outletID})
	if err != nil {
		return 0, 0, fault.DBError(err, "", "")
	}
	return int(row.DailyCapacity), row.Version, nil
}

// SetCapacity sets how many orders an outlet takes per day (0: no limit), if version is the
// outlet's current one. It returns the outlet's new version.
func SetCapacity(ctx context.Context, tx *tenants.Tx, outletID uuid.UUID, version int32, perDay int) (int32, error) {
	if _, err := tenants.GetOutlet(ctx, tx, outletID); err != nil {
		return 0, err
	}
	v, err := tx.Q.SetOutletCapacity(ctx, tx, db.SetOutletCapacityParams{TenantID: tx.Scope.TenantID,
		ID: outletID, Version: version, DailyCapacity: int32(perDay)})
	if err != nil {
		return 0, fault.StaleIfMissing(err)
	}
	return v, tx.Audit(ctx, "outlet.capacity", "outlet", outletID, nil, map[string]int{"daily_capacity": perDay})
}

// areaPattern is a region code prefix: a province (31), a city (3101) or a district (310115).
var areaPattern = regexp.MustCompile(`^[0-9]{2}([0-9]{2}){0,2}$`)

// Profile is an engineer's dispatch profile.
type Profile struct {
	UserID     uuid.UUID `json:"user_id" readOnly:"true"`
	OutletID   uuid.UUID `json:"outlet_id"`
	Skills     []string  `json:"skills" required:"false" maxItems:"50" doc:"e.g. install, gas, compressor"`
	Areas      []string  `json:"areas" required:"false" maxItems:"50" doc:"Areas served, as region code prefixes (province 31, city 3101, district 310115; GET /v1/regions); empty: all of the outlet's coverage. Dispatch prefers an engineer serving the order's area."`
	Level      int       `json:"level" minimum:"0" maximum:"10" doc:"Certification level"`
	IsDefault  bool      `json:"is_default,omitempty" doc:"The outlet's default engineer"`
	Active     bool      `json:"active"`
	Latitude   *float64  `json:"latitude,omitempty" readOnly:"true"`
	Longitude  *float64  `json:"longitude,omitempty" readOnly:"true"`
	PositionAt *string   `json:"position_at,omitempty" readOnly:"true"`
	Version    int32     `json:"version" readOnly:"true"`
}

func profileFromRow(r db.EngineerProfile) Profile {
	p := Profile{UserID: r.UserID, OutletID: r.OutletID, Skills: r.Skills, Areas: r.Areas, Level: int(r.Level), IsDefault: r.IsDefault,
		Active: r.Active, Latitude: r.Latitude, Longitude: r.Longitude, Version: r.Version}
	if r.PositionAt != nil {
		s := r.PositionAt.UTC().Format("2006-01-02T15:04:05Z")
		p.PositionAt = &s
	}
	return p
}

// SaveProfile creates (version 0) or replaces (the current version) an engineer's profile.
// The engineer must hold an engineer membership at the outlet.
func SaveProfile(ctx context.Context, tx *tenants.Tx, userID uuid.UUID, version int32, p Profile) (Profile, error) {
	member, err := tx.Q.UserInTenant(ctx, tx, db.UserInTenantParams{TenantID: tx.Scope.TenantID, UserID: userID})
	if err != nil {
		return Profile{}, fmt.Errorf("membership: %w", err)
	}
	if !member {
		return Profile{}, fault.ErrNotFound // someone else's user is indistinguishable from none
	}
	if _, err := tx.Q.EngineerMembership(ctx, tx, db.EngineerMembershipParams{TenantID: tx.Scope.TenantID, UserID: userID,
		OutletID: uuid.NullUUID{UUID: p.OutletID, Valid: true}}); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Profile{}, fault.Invalid("outlet_id", "the user is not an engineer of this outlet")
		}
		return Profile{}, fmt.Errorf("engineer membership: %w", err)
	}
	if p.Skills == nil {
		p.Skills = []string{}
	}
	if p.Areas == nil {
		p.Areas = []string{}
	}
	seen := map[string]bool{}
	for i, a := range p.Areas {
		if !areaPattern.MatchString(a) {
			return Profile{}, fault.Invalid(fmt.Sprintf("areas[%d]", i), "is not a region code prefix (province 31, city 3101 or district 310115)")
		}
		if seen[a] {
			return Profile{}, fault.Invalid(fmt.Sprintf("areas[%d]", i), "appears twice")
		}
		seen[a] = true
	}
	r, err := tx.Q.UpsertEngineerProfile(ctx, tx, db.UpsertEngineerProfileParams{TenantID: tx.Scope.TenantID,
		UserID: userID, OutletID: p.OutletID,
		Skills: p.Skills, Level: int32(p.Level), IsDefault: p.IsDefault, Active: p.Active, Areas: p.Areas, Version: version})
	if errors.Is(err, pgx.ErrNoRows) {
		return Profile{}, fault.ErrStale
	}
	if err != nil {
		return Profile{}, fault.DBError(err, "", "outlet_id")
	}
	if version == 0 && r.Version != 1 {
		return Profile{}, fault.ErrStale
	}
	out := profileFromRow(r)
	return out, tx.Audit(ctx, "engineer.profile", "user", userID, nil, out)
}

// GetProfile returns an engineer's profile.
func GetProfile(ctx context.Context, tx *tenants.Tx, userID uuid.UUID) (Profile, error) {
	r, err := tx.Q.GetEngineerProfile(ctx, tx, db.GetEngineerProfileParams{TenantID: tx.Scope.TenantID, UserID: userID})
	if err != nil {
		return Profile{}, fault.DBError(err, "", "")
	}
	return profileFromRow(r), nil
}

// ListProfiles lists engineer profiles, optionally of one outlet.
func ListProfiles(ctx context.Context, tx *tenants.Tx, outlet uuid.NullUUID) ([]Profile, error) {
	rows, err := tx.Q.ListEngineerProfiles(ctx, tx, db.ListEngineerProfilesParams{TenantID: tx.Scope.TenantID, OutletID: outlet})
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	out := make([]Profile, len(rows))
	for i, r := range rows {
		out[i] = profileFromRow(r)
	}
	return out, nil
}

// Position is a location ping from an engineer's device.
type Position struct {
	Latitude  float64 `json:"latitude" minimum:"-90" maximum:"90"`
	Longitude float64 `json:"longitude" minimum:"-180" maximum:"180"`
}

// SetPosition records an engineer's last known position (used by the nearest rule).
func SetPosition(ctx context.Context, tx *tenants.Tx, userID uuid.UUID, p Position) error {
	n, err := tx.Q.SetEngineerPosition(ctx, tx, db.SetEngineerPositionParams{TenantID: tx.Scope.TenantID,
		UserID: userID, Latitude: &p.Latitude, Longitude: &p.Longitude})
	if err != nil {
		return fmt.Errorf("set position: %w", err)
	}
	if n == 0 {
		return &fault.ConflictError{Detail: "you have no engineer profile in this tenant; ask an admin to create one"}
	}
	return nil
}
