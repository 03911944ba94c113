package tenants

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
)

// Kinds of root tenant.
var Kinds = []string{"brand", "distributor", "carrier", "service_provider"}

// Statuses of a tenant.
var Statuses = []string{"active", "suspended", "read_only"}

// Tenant is a root tenant: a brand, distributor, carrier or service provider.
type Tenant struct {
	ID        uuid.UUID `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`   // one of Kinds
	Status    string    `json:"status"` // one of Statuses
	Timezone  string    `json:"timezone"`
	Currency  string    `json:"currency"`
	Locale    string    `json:"locale"`
	Version   int32     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Sandbox tenants run on a test clock their admin advances (TestClock, Tx.Now);
	// production tenants on the wall clock. Decided at onboarding, never changed.
	Sandbox   bool       `json:"sandbox"`
	TestClock *time.Time `json:"test_clock,omitempty" doc:"A sandbox tenant's now (absent for production tenants)"`
}

func tenantFromRow(r db.Tenant) Tenant {
	return Tenant{ID: r.ID, Slug: r.Slug, Name: r.Name, Kind: r.Kind, Status: r.Status, Timezone: r.Timezone,
		Currency: r.Currency, Locale: r.Locale, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Sandbox: r.Sandbox, TestClock: r.TestClock}
}

// NewTenant describes a tenant to onboard with its first administrator.
type NewTenant struct {
	Slug, Name, Kind, Timezone, Currency, Locale string
	AdminEmail, AdminName, AdminPasswordHash     string
	// Sandbox makes a tenant whose business rules follow a test clock (see Tx.Now),
	// starting at the moment of onboarding; it cannot be changed later.
	Sandbox bool
}

// Onboard creates a root tenant, its default business calendar, and its first admin (a new
// user, or an existing one by email who gains a membership). Audited in the new tenant.
func (d *DB) Onboard(ctx context.Context, actor Actor, in NewTenant) (Tenant, uuid.UUID, error) {
	if err := checkTimezone(in.Timezone, "timezone"); err != nil {
		return Tenant{}, uuid.Nil, err
	}
	in.AdminEmail = NormalizeEmail(in.AdminEmail)
	id := platform.NewID()
	var t Tenant
	var userID uuid.UUID
	var clock *time.Time
	if in.Sandbox {
		start := time.Now().UTC().Truncate(time.Second)
		clock = &start
	}
	err := d.Tx(ctx, Scope{TenantID: id, Actor: actor}, func(tx *Tx) error {
		row, err := tx.Q.CreateTenant(ctx, tx, db.CreateTenantParams{ID: id, Slug: in.Slug, Name: in.Name, Kind: in.Kind,
			Timezone: in.Timezone, Currency: in.Currency, Locale: in.Locale, Sandbox: in.Sandbox, TestClock: clock})
		if err != nil {
			return fault.DBError(err, "a tenant with this slug exists", "")
		}
		t = tenantFromRow(row)
		u, err := tx.Q.GetUserByEmail(ctx, tx, in.AdminEmail)
		if err != nil {
			if !errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
				return fmt.Errorf("look up admin: %w", err)
			}
			u, err = tx.Q.CreateUser(ctx, tx, db.CreateUserParams{ID: platform.NewID(), Email: in.AdminEmail,
				Name: in.AdminName, PasswordHash: in.AdminPasswordHash})
			if err != nil {
				return fault.DBError(err, "a user with this email exists", "")
			}
		}
		userID = u.ID
		if _, err := tx.Q.CreateMembership(ctx, tx, db.CreateMembershipParams{TenantID: id, ID: platform.NewID(),
			UserID: u.ID, Role: "tenant_admin"}); err != nil {
			return fmt.Errorf("create admin membership: %w", err)
		}
		if _, err := tx.Q.CreateCalendar(ctx, tx, db.CreateCalendarParams{TenantID: id, ID: platform.NewID(),
			Name: "Default", Timezone: in.Timezone, WeeklyHours: defaultWeek}); err != nil {
			return fmt.Errorf("create default calendar: %w", err)
		}
		return tx.Audit(ctx, "tenant.onboard", "tenant", id, nil, t)
	})
	return t, userID, err
}

// GetTenant returns the tenant of the scope.
//
// The tenant is read once per transaction: its settings (timezone, currency) are asked for
// by many rules of one change.
func GetTenant(ctx context.Context, tx *Tx) (Tenant, error) {
	if tx.tenant != nil && tx.tenant.ID == tx.Scope.TenantID {
		return *tx.tenant, nil
	}
	r, err := tx.Q.GetTenant(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return Tenant{}, fault.DBError(err, "", "")
	}
	t := tenantFromRow(r)
	tx.tenant = &t
	return t, nil
}

// Location is the tenant's time zone (UTC when its name is unknown to this machine), read
// and loaded once per transaction: day boundaries, order numbers' years and the engineer
// board all count in it.
func Location(ctx context.Context, tx *Tx) (*time.Location, error) {
	if tx.loc != nil && tx.tenant != nil && tx.tenant.ID == tx.Scope.TenantID {
		return tx.loc, nil
	}
	t, err := GetTenant(ctx, tx)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(t.Timezone)
	if err != nil {
		loc = time.UTC
	}
	tx.loc = loc
	return loc, nil
}

// Forget drops what the transaction remembers of its tenant (after a change to it).
func (t *Tx) Forget() { t.tenant, t.loc, t.testNow = nil, nil, nil }

// ListTenants lists all tenants (platform operators only; the caller checks).
func (d *DB) ListTenants(ctx context.Context, after uuid.NullUUID, limit int32) ([]Tenant, error) {
	var out []Tenant
	err := d.Platform(ctx, "list tenants", uuid.Nil, func(tx *Tx) error {
		rows, err := tx.Q.ListTenants(ctx, tx, db.ListTenantsParams{After: after, Lim: limit})
		for _, r := range rows {
			out = append(out, tenantFromRow(r))
		}
		return err
	})
	return out, err
}

// ListTenantsNewest lists all tenants, the newest first, those before the given one
// (platform operators only; the caller checks).
func (d *DB) ListTenantsNewest(ctx context.Context, before uuid.NullUUID, limit int32) ([]Tenant, error) {
	var out []Tenant
	err := d.Platform(ctx, "list tenants", uuid.Nil, func(tx *Tx) error {
		rows, err := tx.Q.ListTenantsNewest(ctx, tx, db.ListTenantsNewestParams{Before: before, Lim: limit})
		for _, r := range rows {
			out = append(out, tenantFromRow(r))
		}
		return err
	})
	return out, err
}

// TenantSettings are the fields a tenant admin may change.
type TenantSettings struct {
	Name, Timezone, Currency, Locale string
}

// UpdateTenant changes the scope's tenant settings if version is current.
func UpdateTenant(ctx context.Context, tx *Tx, version int32, in TenantSettings) (Tenant, error) {
	if err := checkTimezone(in.Timezone, "timezone"); err != nil {
		return Tenant{}, err
	}
	before, err := GetTenant(ctx, tx)
	if err != nil {
		return Tenant{}, err
	}
	if before.Version != version {
		return Tenant{}, fault.ErrStale
	}
	tx.Forget()
	r, err := tx.Q.UpdateTenant(ctx, tx, db.UpdateTenantParams{ID: before.ID, Name: in.Name, Status: before.Status,
		Timezone: in.Timezone, Currency: in.Currency, Locale: in.Locale, Version: version})
	if err != nil {
		return Tenant{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	after := tenantFromRow(r)
	return after, tx.Audit(ctx, "tenant.update", "tenant", after.ID, before, after)
}

func checkTimezone(tz, field string) error {
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" {
		return fault.Invalid(field, "is not an IANA time zone (e.g. Asia/Shanghai)")
	}
	return nil
}

// StatusReadOnly is the status of a tenant whose platform payment failed past its grace
// period: its data is intact and reads work, writes are refused until the bill is paid.
const StatusReadOnly = "read_only"

// ReadOnly reports whether a tenant, named by id or else by slug, is read-only. known is the
// status already read with the caller's credential, if any (then nothing is read). An
// unknown tenant is not read-only: the operation itself answers for it.
func (d *DB) ReadOnly(ctx context.Context, id uuid.UUID, slug, known string) (bool, error) {
	status := known
	if status == "" {
		err := d.PlatformRead(ctx, "read-only tenant check", uuid.Nil, func(q db.DBTX) (err error) {
			if id != uuid.Nil {
				status, err = db.New().GetTenantStatus(ctx, q, id)
			} else {
				status, err = db.New().GetTenantStatusBySlug(ctx, q, slug)
			}
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		})
		if err != nil {
			return false, err
		}
	}
	return status == StatusReadOnly, nil
}
