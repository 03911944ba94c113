// Package testfactory creates the product's records for tests, river style:
//
//	tx := testfactory.TestTx(ctx, t, nil)
//	unit := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{})
//
// Each factory fills what its options leave empty with sensible defaults (unique codes,
// serials and phone numbers; the records a record needs, such as a model's category),
// creates the record through the domain package that owns it (tenants, catalog, customers,
// registry, coverage, orders), returns the domain value, and fails the test on any error.
// TestTx gives each test a transaction of a tenant of its own, confined by row-level
// security as the application role, rolled back when the test ends.
package testfactory

import (
	"cmp"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

var seq atomic.Int64

// Unique returns a short suffix no other call in the test binary returns (a counter and
// random hex digits, so that binaries sharing a database do not collide either).
func Unique() string { return fmt.Sprintf("%d%s", seq.Add(1), uuid.NewString()[:6]) }

// Phone returns a valid Chinese mobile number in E.164 that no other test is likely to use:
// customers' phones link to global consumer identities, which parallel tests must not
// share.
func Phone() string {
	id := uuid.New()
	n := uint64(0)
	for _, b := range id[:8] {
		n = n<<8 | uint64(b)
	}
	return fmt.Sprintf("+86139%08d", n%100_000_000)
}

// passwordHash is every factory user's stored password hash: factory users never sign in.
const passwordHash = "not-a-password-hash"

// TenantOpts are the options of Tenant.
type TenantOpts struct {
	Slug       string // default: t-<unique>
	Name       string // default: Tenant <unique>
	Kind       string // default: brand
	Timezone   string // default: Asia/Shanghai
	Currency   string // default: CNY
	Locale     string // default: zh-CN
	AdminEmail string // default: admin-<unique>@tenant.test
}

// Tenant onboards a root tenant with tenants.DB.Onboard, the platform's onboarding path: the
// tenant, its default business calendar and its first admin, committed (onboarding is not a
// tenant transaction, so it cannot be rolled back with one). Tests share the database, so
// each onboards its own tenant.
func Tenant(ctx context.Context, t testing.TB, d *tenants.DB, opts *TenantOpts) tenants.Tenant {
	t.Helper()
	if opts == nil {
		opts = &TenantOpts{}
	}
	u := Unique()
	in := tenants.NewTenant{Slug: cmp.Or(opts.Slug, "t-"+u), Name: cmp.Or(opts.Name, "Tenant "+u), Kind: cmp.Or(opts.Kind, "brand"),
		Timezone: cmp.Or(opts.Timezone, "Asia/Shanghai"), Currency: cmp.Or(opts.Currency, "CNY"), Locale: cmp.Or(opts.Locale, "zh-CN"),
		AdminEmail: cmp.Or(opts.AdminEmail, "admin-"+u+"@tenant.test"), AdminName: "Admin " + u, AdminPasswordHash: passwordHash}
	tn, _, err := d.Onboard(ctx, tenants.Actor{Kind: "platform", Label: "test"}, in)
	if err != nil {
		t.Fatalf("testfactory.Tenant: %v", err)
	}
	return tn
}

// OutletOpts are the options of Outlet.
type OutletOpts struct {
	Code         string // default: O-<unique>
	Name         string // default: Outlet <unique>
	Kind         string // default: service_center
	ProvinceCode string // default: 310000 (Shanghai)
	CityCode     string // default: 310100
	DistrictCode string
	Latitude     *float64
	Longitude    *float64
}

// Outlet creates an outlet of the transaction's tenant (tenants.CreateOutlet).
func Outlet(ctx context.Context, t testing.TB, tx *tenants.Tx, opts *OutletOpts) tenants.Outlet {
	t.Helper()
	if opts == nil {
		opts = &OutletOpts{}
	}
	u := Unique()
	o, err := tenants.CreateOutlet(ctx, tx, tenants.OutletFields{Code: cmp.Or(opts.Code, "O-"+u), Name: cmp.Or(opts.Name, "Outlet "+u),
		Kind: cmp.Or(opts.Kind, "service_center"), ProvinceCode: cmp.Or(opts.ProvinceCode, "310000"), CityCode: cmp.Or(opts.CityCode, "310100"),
		DistrictCode: opts.DistrictCode, Latitude: opts.Latitude, Longitude: opts.Longitude})
	if err != nil {
		t.Fatalf("testfactory.Outlet: %v", err)
	}
	return o
}

// UserOpts are the options of User.
type UserOpts struct {
	Email string // default: user-<unique>@people.test
	Name  string // default: User <unique>
	// Role is the membership's role (access.Role values). Default: engineer when OutletID
	// is set, else agent.
	Role string
	// OutletID is the outlet of an outlet role (outlet_manager, engineer).
	OutletID uuid.UUID
}

// User creates a user with a membership in the transaction's tenant and returns the
// membership. Accepting an invitation is how people join in the product; that runs in
// transactions of its own, so the factory writes the same two rows (the global user and
// the tenant's membership) in the test transaction, after the product's role check
// (tenants.CheckOutletRole).
func User(ctx context.Context, t testing.TB, tx *tenants.Tx, opts *UserOpts) tenants.Member {
	t.Helper()
	if opts == nil {
		opts = &UserOpts{}
	}
	role := opts.Role
	if role == "" {
		role = "agent"
		if opts.OutletID != uuid.Nil {
			role = "engineer"
		}
	}
	if err := tenants.CheckOutletRole(role, opts.OutletID); err != nil {
		t.Fatalf("testfactory.User: %v", err)
	}
	u := Unique()
	user, err := tx.Q.CreateUser(ctx, tx, db.CreateUserParams{ID: platform.NewID(), Email: cmp.Or(opts.Email, "user-"+u+"@people.test"),
		Name: cmp.Or(opts.Name, "User "+u), PasswordHash: passwordHash})
	if err != nil {
		t.Fatalf("testfactory.User: create user: %v", err)
	}
	m, err := tx.Q.CreateMembership(ctx, tx, db.CreateMembershipParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		UserID: user.ID, OutletID: uuid.NullUUID{UUID: opts.OutletID, Valid: opts.OutletID != uuid.Nil}, Role: role})
	if err != nil {
		t.Fatalf("testfactory.User: create membership: %v", err)
	}
	member, err := tenants.GetMember(ctx, tx, m.ID)
	if err != nil {
		t.Fatalf("testfactory.User: %v", err)
	}
	return member
}

// CustomerOpts are the options of Customer.
type CustomerOpts struct {
	Name         string // default: Customer <unique>
	Phone        string // default: Phone()
	Email        string
	ProvinceCode string // default: 310000 (Shanghai)
	CityCode     string // default: 310100
	DistrictCode string // default: 310115 (Pudong)
	Address      string // default: an address in Pudong
}

// Customer creates a customer of the transaction's tenant (customers.Create).
func Customer(ctx context.Context, t testing.TB, tx *tenants.Tx, opts *CustomerOpts) customers.Customer {
	t.Helper()
	if opts == nil {
		opts = &CustomerOpts{}
	}
	c, err := customers.Create(ctx, tx, customers.Fields{Name: cmp.Or(opts.Name, "Customer "+Unique()), Phone: cmp.Or(opts.Phone, Phone()),
		Email: opts.Email, ProvinceCode: cmp.Or(opts.ProvinceCode, "310000"), CityCode: cmp.Or(opts.CityCode, "310100"),
		DistrictCode: cmp.Or(opts.DistrictCode, "310115"), Address: cmp.Or(opts.Address, "上海市浦东新区世纪大道100号")})
	if err != nil {
		t.Fatalf("testfactory.Customer: %v", err)
	}
	return c
}

// CategoryOpts are the options of Category.
type CategoryOpts struct {
	Code string // default: cat-<unique>
	Name string // default: Category <unique>
}

// Category creates a product category (catalog.CreateCategory).
func Category(ctx context.Context, t testing.TB, tx *tenants.Tx, opts *CategoryOpts) catalog.Category {
	t.Helper()
	if opts == nil {
		opts = &CategoryOpts{}
	}
	u := Unique()
	c, err := catalog.CreateCategory(ctx, tx, cmp.Or(opts.Code, "cat-"+u), cmp.Or(opts.Name, "Category "+u))
	if err != nil {
		t.Fatalf("testfactory.Category: %v", err)
	}
	return c
}

// ModelOpts are the options of Model.
type ModelOpts struct {
	CategoryID uuid.UUID // default: a new category
	SKU        string    // default: SKU-<unique>
	Name       string    // default: Model <unique>
	// Components default to one main part, the compressor; give an empty non-nil slice for
	// a model without components.
	Components    []catalog.Component
	SerialPattern string
	IMEI          bool
	NeedsInstall  bool
}

// Model creates a product model, and its category unless given (catalog.CreateModel).
func Model(ctx context.Context, t testing.TB, tx *tenants.Tx, opts *ModelOpts) catalog.Model {
	t.Helper()
	if opts == nil {
		opts = &ModelOpts{}
	}
	category := opts.CategoryID
	if category == uuid.Nil {
		category = Category(ctx, t, tx, nil).ID
	}
	comps := opts.Components
	if comps == nil {
		comps = []catalog.Component{{Code: "compressor", Name: "压缩机", Main: true}}
	}
	u := Unique()
	m, err := catalog.CreateModel(ctx, tx, catalog.ModelFields{CategoryID: category, SKU: cmp.Or(opts.SKU, "SKU-"+u),
		Name: cmp.Or(opts.Name, "Model "+u), Components: comps, SerialPattern: opts.SerialPattern, IMEI: opts.IMEI,
		NeedsInstall: opts.NeedsInstall})
	if err != nil {
		t.Fatalf("testfactory.Model: %v", err)
	}
	return m
}

// PolicyOpts are the options of Policy. A policy applies to categories or models: give at
// least one.
type PolicyOpts struct {
	Name          string // default: Policy <unique>
	CategoryIDs   []uuid.UUID
	ModelIDs      []uuid.UUID
	EffectiveFrom time.Time       // default: 2020-01-01
	Rules         *coverage.Rules // default: the national 三包 template in CNY
}

// Policy creates a warranty policy with its first version (coverage.CreatePolicy).
func Policy(ctx context.Context, t testing.TB, tx *tenants.Tx, opts *PolicyOpts) coverage.Policy {
	t.Helper()
	if opts == nil || len(opts.CategoryIDs)+len(opts.ModelIDs) == 0 {
		t.Fatalf("testfactory.Policy: give the categories or models the policy applies to")
		return coverage.Policy{}
	}
	rules := coverage.NationalRules("CNY")
	if opts.Rules != nil {
		rules = *opts.Rules
	}
	from := opts.EffectiveFrom
	if from.IsZero() {
		from = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	p, err := coverage.CreatePolicy(ctx, tx, coverage.PolicyInput{Name: cmp.Or(opts.Name, "Policy "+Unique()),
		CategoryIDs: opts.CategoryIDs, ModelIDs: opts.ModelIDs, EffectiveFrom: from, Rules: rules})
	if err != nil {
		t.Fatalf("testfactory.Policy: %v", err)
	}
	return p
}

// RegistrationOpts are the options of Registration.
type RegistrationOpts struct {
	ModelID uuid.UUID // default: a new model
	Serial  string    // default: SN-<unique>
	// PurchaseDate defaults to 60 days before the tenant's today: past the 三包 return and
	// exchange windows, well within a year's warranty.
	PurchaseDate time.Time
	InstallDate  time.Time
	// The unit has an invoice (number INV-<unique>) and a warranty card unless told not to:
	// the national template requires both.
	NoInvoice      bool
	NoWarrantyCard bool
	// BuyerID is the buyer; default: a new customer (Customer).
	BuyerID uuid.UUID
}

// Registration registers a sold unit (registry.Register), creating its model and buyer
// unless given.
func Registration(ctx context.Context, t testing.TB, tx *tenants.Tx, opts *RegistrationOpts) registry.Registration {
	t.Helper()
	if opts == nil {
		opts = &RegistrationOpts{}
	}
	model := opts.ModelID
	if model == uuid.Nil {
		model = Model(ctx, t, tx, nil).ID
	}
	buyer := opts.BuyerID
	if buyer == uuid.Nil {
		buyer = Customer(ctx, t, tx, nil).ID
	}
	purchase := opts.PurchaseDate
	if purchase.IsZero() {
		purchase = Today(ctx, t, tx).AddDate(0, 0, -60)
	}
	u := Unique()
	in := registry.Input{ModelID: model.String(), Serial: cmp.Or(opts.Serial, "SN-"+u), PurchaseDate: purchase.Format(time.DateOnly),
		HasWarrantyCard: !opts.NoWarrantyCard, Buyer: &registry.Party{CustomerID: buyer.String()}}
	if !opts.NoInvoice {
		in.InvoiceNo = "INV-" + u
	}
	if !opts.InstallDate.IsZero() {
		in.InstallDate = opts.InstallDate.Format(time.DateOnly)
	}
	r, err := registry.Register(ctx, tx, in, registry.ChannelStaff)
	if err != nil {
		t.Fatalf("testfactory.Registration: %v", err)
	}
	return r
}

// Today is the tenant's current date, as registrations and entitlement checks count days
// (registry.Today).
func Today(ctx context.Context, t testing.TB, tx *tenants.Tx) time.Time {
	t.Helper()
	today, err := registry.Today(ctx, tx)
	if err != nil {
		t.Fatalf("testfactory.Today: %v", err)
	}
	return today
}

// OrderOpts are the options of Order.
type OrderOpts struct {
	// Service takes the order in. Default: a service without a job inserter, which runs no
	// SLA clocks and emits no events (give one with a Jobs to run them).
	Service *orders.Service
	Type    string // default: repair_minor
	Channel string // default: carry_in
	// CustomerID defaults to the registration's buyer, else a new customer.
	CustomerID uuid.UUID
	// The unit: a registration (default: a new one, Registration), or Serial (and ModelID)
	// of an unregistered unit.
	RegistrationID   uuid.UUID
	Serial           string
	ModelID          uuid.UUID
	OutletID         uuid.UUID // default: none given, dispatch proposes one
	FaultDescription string    // default: 不制冷 does not cool
	FaultCode        string
	Component        string
	Urgent           bool
}

// Order takes a service order in (orders.Service.Create) and returns it.
func Order(ctx context.Context, t testing.TB, tx *tenants.Tx, opts *OrderOpts) orders.Order {
	t.Helper()
	if opts == nil {
		opts = &OrderOpts{}
	}
	svc := opts.Service
	if svc == nil {
		svc = &orders.Service{}
	}
	in := orders.Intake{Type: cmp.Or(opts.Type, "repair_minor"), Channel: cmp.Or(opts.Channel, "carry_in"), Urgent: opts.Urgent,
		Serial: opts.Serial, FaultDescription: cmp.Or(opts.FaultDescription, "不制冷 does not cool"), FaultCode: opts.FaultCode,
		Component: opts.Component}
	customer := opts.CustomerID
	switch {
	case opts.RegistrationID != uuid.Nil:
		in.RegistrationID = &opts.RegistrationID
	case opts.Serial == "":
		reg := Registration(ctx, t, tx, nil)
		in.RegistrationID = &reg.ID
		if customer == uuid.Nil && reg.BuyerID != nil {
			customer = *reg.BuyerID
		}
	}
	if customer == uuid.Nil && in.RegistrationID != nil {
		reg, err := registry.Get(ctx, tx, *in.RegistrationID)
		if err != nil {
			t.Fatalf("testfactory.Order: %v", err)
		}
		if reg.BuyerID != nil {
			customer = *reg.BuyerID
		}
	}
	if customer == uuid.Nil {
		customer = Customer(ctx, t, tx, nil).ID
	}
	in.CustomerID = &customer
	if opts.ModelID != uuid.Nil {
		in.ModelID = &opts.ModelID
	}
	if opts.OutletID != uuid.Nil {
		in.OutletID = &opts.OutletID
	}
	c, err := svc.Create(ctx, tx, in)
	if err != nil {
		t.Fatalf("testfactory.Order: %v", err)
	}
	return c.Order
}
