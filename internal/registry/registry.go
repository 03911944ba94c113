// Package registry keeps the warranty registry (三包档案): one registration per sold unit,
// created by staff, consumers, bulk imports, ERP pushes or a barcode scan at delivery.
package registry

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Channels a registration can come from.
const (
	ChannelStaff    = "staff"
	ChannelConsumer = "consumer"
	ChannelImport   = "import"
	ChannelScan     = "scan"
	ChannelAPI      = "api"
)

// Party names the buyer or the user of a unit: an existing customer, or name and phone (an
// existing customer with that phone is reused: a repeat customer).
type Party struct {
	CustomerID string `json:"customer_id,omitempty" format:"uuid"`
	Name       string `json:"name,omitempty" maxLength:"200"`
	Phone      string `json:"phone,omitempty" maxLength:"32"`
}

// Input are the facts of a sold unit.
type Input struct {
	ModelID         string `json:"model_id,omitempty" format:"uuid" doc:"Model id, or give model_sku"`
	ModelSKU        string `json:"model_sku,omitempty" maxLength:"64"`
	Serial          string `json:"serial" minLength:"1" maxLength:"64" doc:"Serial number or IMEI"`
	PurchaseDate    string `json:"purchase_date" format:"date"`
	InvoiceNo       string `json:"invoice_no,omitempty" maxLength:"64"`
	InvoiceDate     string `json:"invoice_date,omitempty" format:"date"`
	InvoiceImage    string `json:"invoice_image,omitempty" maxLength:"500" doc:"URL or storage key of the invoice image"`
	HasWarrantyCard bool   `json:"has_warranty_card,omitempty"`
	Seller          string `json:"seller,omitempty" maxLength:"200" doc:"Distributor or store that sold the unit"`
	Buyer           *Party `json:"buyer,omitempty"`
	User            *Party `json:"user,omitempty" doc:"The person using the unit, when not the buyer"`
	InstallDate     string `json:"install_date,omitempty" format:"date"`
	// NeedsInstallation asks for an installation order when the unit is registered (a
	// shipment that is to be installed); the model must need installing.
	NeedsInstallation bool `json:"needs_installation,omitempty"`
}

// Registration is a registered unit.
type Registration struct {
	ID              uuid.UUID  `json:"id"`
	ModelID         uuid.UUID  `json:"model_id"`
	Serial          string     `json:"serial"`
	PurchaseDate    string     `json:"purchase_date"`
	InvoiceNo       string     `json:"invoice_no,omitempty"`
	InvoiceDate     string     `json:"invoice_date,omitempty"`
	InvoiceImage    string     `json:"invoice_image,omitempty"`
	HasWarrantyCard bool       `json:"has_warranty_card"`
	Seller          string     `json:"seller,omitempty"`
	BuyerID         *uuid.UUID `json:"buyer_id,omitempty"`
	UserID          *uuid.UUID `json:"user_id,omitempty"`
	InstallDate     string     `json:"install_date,omitempty"`
	Channel         string     `json:"channel"`
	Version         int32      `json:"version"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// registrationFromRow converts a stored registration.
func registrationFromRow(r db.Registration) Registration {
	return Registration{ID: r.ID, ModelID: r.ModelID, Serial: r.Serial, PurchaseDate: day(&r.PurchaseDate),
		InvoiceNo: r.InvoiceNo, InvoiceDate: day(r.InvoiceDate), InvoiceImage: r.InvoiceImage, HasWarrantyCard: r.HasWarrantyCard,
		Seller: r.Seller, BuyerID: idPtr(r.BuyerID), UserID: idPtr(r.UserID), InstallDate: day(r.InstallDate),
		Channel: r.Channel, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func idPtr(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

// DuplicateError says a unit is registered already, naming its registration when the
// caller's scope can see it (Existing is uuid.Nil when it cannot: a consumer registering a
// unit another customer registered).
type DuplicateError struct{ Existing uuid.UUID }

func (e *DuplicateError) Error() string {
	if e.Existing == uuid.Nil {
		return "this model and serial are already registered"
	}
	return "this model and serial are already registered as " + e.Existing.String()
}
func (e *DuplicateError) Unwrap() error { return fault.ErrConflict }

// ValidIMEI reports whether s is 15 digits whose last is the Luhn check digit.
func ValidIMEI(s string) bool {
	if len(s) != 15 {
		return false
	}
	sum := 0
	for i := 0; i < 15; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// Checked is an Input whose fields passed validation, ready to store.
type Checked struct {
	Model                           catalog.Model
	Serial                          string
	Purchase                        time.Time
	Invoice, Install                *time.Time
	InvoiceNo, InvoiceImage, Seller string
	HasCard                         bool
	Buyer, User                     *Party
	NeedsInstallation               bool
}

// Check validates one input against its model; today is the tenant's current date.
func Check(in Input, m catalog.Model, today time.Time) (Checked, error) {
	return check(in, m, serialPattern(m), today)
}

// serialPattern compiles a model's serial format (anchored), or returns nil when it has
// none or it does not compile (then any serial is accepted).
func serialPattern(m catalog.Model) *regexp.Regexp {
	if m.SerialPattern == "" {
		return nil
	}
	re, err := regexp.Compile("^(?:" + m.SerialPattern + ")$")
	if err != nil {
		return nil
	}
	return re
}

// check is Check with the model's serial pattern compiled (nil: none).
func check(in Input, m catalog.Model, serial *regexp.Regexp, today time.Time) (Checked, error) {
	c := Checked{Model: m, Serial: NormalizeSerial(in.Serial), InvoiceNo: in.InvoiceNo, InvoiceImage: in.InvoiceImage,
		Seller: in.Seller, HasCard: in.HasWarrantyCard, Buyer: in.Buyer, User: in.User, NeedsInstallation: in.NeedsInstallation}
	if c.Serial == "" {
		return c, fault.Invalid("serial", "is required")
	}
	if m.IMEI && !ValidIMEI(c.Serial) {
		return c, fault.Invalid("serial", "is not a valid IMEI (15 digits with a correct check digit)")
	}
	if serial != nil && !serial.MatchString(c.Serial) {
		return c, fault.Invalid("serial", "does not match the model's serial format")
	}
	var err error
	if c.Purchase, err = time.Parse(time.DateOnly, in.PurchaseDate); err != nil {
		return c, fault.Invalid("purchase_date", "must be a date YYYY-MM-DD")
	}
	if c.Purchase.After(today) {
		return c, fault.Invalid("purchase_date", "is in the future")
	}
	if c.Invoice, err = optionalDate(in.InvoiceDate, "invoice_date"); err != nil {
		return c, err
	}
	if c.Invoice != nil && c.Invoice.After(today) {
		return c, fault.Invalid("invoice_date", "is in the future")
	}
	if c.Install, err = optionalDate(in.InstallDate, "install_date"); err != nil {
		return c, err
	}
	if c.Install != nil && c.Install.Before(c.Purchase) {
		return c, fault.Invalid("install_date", "is before the purchase date")
	}
	return c, nil
}

func optionalDate(s, field string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, fault.Invalid(field, "must be a date YYYY-MM-DD")
	}
	return &t, nil
}

// ResolveModel finds the input's model by id or SKU.
func ResolveModel(ctx context.Context, tx *tenants.Tx, in Input) (catalog.Model, error) {
	switch {
	case in.ModelID != "":
		id, err := uuid.Parse(in.ModelID)
		if err != nil {
			return catalog.Model{}, fault.Invalid("model_id", "must be a UUID")
		}
		m, err := catalog.GetModel(ctx, tx, id)
		if errors.Is(err, fault.ErrNotFound) {
			return m, fault.Invalid("model_id", "does not exist")
		}
		return m, err
	case in.ModelSKU != "":
		m, err := catalog.GetModelBySKU(ctx, tx, in.ModelSKU)
		if errors.Is(err, fault.ErrNotFound) {
			return m, fault.Invalid("model_sku", "is not a model of this tenant")
		}
		return m, err
	}
	return catalog.Model{}, fault.Invalid("model_id", "give model_id or model_sku")
}

// Installer creates the installation order of a newly registered unit that needs one
// (service orders implement it; registration cannot depend on orders).
type Installer interface {
	InstallUnit(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID) error
}

// Today is the tenant's current date (day boundaries in the tenant's time zone).
func Today(ctx context.Context, tx *tenants.Tx) (time.Time, error) {
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// Register validates and stores one unit. A duplicate serial of the same model is a
// DuplicateError naming the existing registration.
func Register(ctx context.Context, tx *tenants.Tx, in Input, channel string) (Registration, error) {
	m, err := ResolveModel(ctx, tx, in)
	if err != nil {
		return Registration{}, err
	}
	today, err := Today(ctx, tx)
	if err != nil {
		return Registration{}, err
	}
	c, err := Check(in, m, today)
	if err != nil {
		return Registration{}, err
	}
	return Store(ctx, tx, c, channel, uuid.NullUUID{})
}

// Store saves a checked unit.
func Store(ctx context.Context, tx *tenants.Tx, c Checked, channel string, importID uuid.NullUUID) (Registration, error) {
	buyer, err := party(ctx, tx, c.Buyer, "buyer")
	if err != nil {
		return Registration{}, err
	}
	user, err := party(ctx, tx, c.User, "user")
	if err != nil {
		return Registration{}, err
	}
	existing, err := tx.Q.GetRegistrationBySerial(ctx, tx, db.GetRegistrationBySerialParams{TenantID: tx.Scope.TenantID,
		ModelID: c.Model.ID, Serial: c.Serial})
	if err == nil {
		return Registration{}, &DuplicateError{Existing: existing.ID}
	}
	r, err := tx.Q.CreateRegistration(ctx, tx, db.CreateRegistrationParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		ModelID: c.Model.ID, Serial: c.Serial, PurchaseDate: c.Purchase, InvoiceNo: c.InvoiceNo, InvoiceDate: c.Invoice,
		InvoiceImage: c.InvoiceImage, HasWarrantyCard: c.HasCard, Seller: c.Seller, BuyerID: buyer, UserID: user,
		InstallDate: c.Install, Channel: channel, ImportID: importID})
	if err != nil {
		var dup *fault.ConflictError
		if errors.As(fault.DBError(err, "dup", ""), &dup) {
			// A concurrent registration of the same unit won the race, or one the scope
			// cannot see (another customer's) holds the serial.
			if ex, gerr := tx.Q.GetRegistrationBySerial(ctx, tx, db.GetRegistrationBySerialParams{TenantID: tx.Scope.TenantID,
				ModelID: c.Model.ID, Serial: c.Serial}); gerr == nil {
				return Registration{}, &DuplicateError{Existing: ex.ID}
			}
			return Registration{}, &DuplicateError{}
		}
		return Registration{}, fault.DBError(err, "", "")
	}
	reg := registrationFromRow(r)
	return reg, tx.Audit(ctx, "registration.create", "registration", reg.ID, nil, reg)
}

// party resolves a buyer or user to a customer id, reusing a customer with the same phone.
func party(ctx context.Context, tx *tenants.Tx, p *Party, field string) (uuid.NullUUID, error) {
	if p == nil || (p.CustomerID == "" && p.Name == "" && p.Phone == "") {
		return uuid.NullUUID{}, nil
	}
	if p.CustomerID != "" {
		id, err := uuid.Parse(p.CustomerID)
		if err != nil {
			return uuid.NullUUID{}, fault.Invalid(field+".customer_id", "must be a UUID")
		}
		if _, err := customers.Get(ctx, tx, id); err != nil {
			if errors.Is(err, fault.ErrNotFound) {
				return uuid.NullUUID{}, fault.Invalid(field+".customer_id", "does not exist")
			}
			return uuid.NullUUID{}, err
		}
		return uuid.NullUUID{UUID: id, Valid: true}, nil
	}
	if p.Phone != "" {
		phone, err := customers.NormalizePhone(p.Phone)
		if err != nil {
			return uuid.NullUUID{}, fault.Invalid(field+".phone", "is not a valid phone number")
		}
		c, ok, err := customers.ByPhone(ctx, tx, phone)
		if err != nil {
			return uuid.NullUUID{}, err
		}
		if ok {
			return uuid.NullUUID{UUID: c.ID, Valid: true}, nil
		}
	}
	if p.Name == "" {
		return uuid.NullUUID{}, fault.Invalid(field+".name", "is required for a new customer")
	}
	c, err := customers.Create(ctx, tx, customers.Fields{Name: p.Name, Phone: p.Phone})
	if err != nil {
		var fe *fault.FieldError
		if errors.As(err, &fe) {
			if fe.Field == "" {
				return uuid.NullUUID{}, fault.Invalid(field, fe.Reason)
			}
			return uuid.NullUUID{}, fault.Invalid(field+"."+fe.Field, fe.Reason)
		}
		return uuid.NullUUID{}, err
	}
	return uuid.NullUUID{UUID: c.ID, Valid: true}, nil
}

// Get returns one registration.
func Get(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Registration, error) {
	r, err := tx.Q.GetRegistration(ctx, tx, db.GetRegistrationParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Registration{}, fault.DBError(err, "", "")
	}
	return registrationFromRow(r), nil
}

// Filter narrows List.
type Filter struct {
	After, Model, Customer uuid.NullUUID
	Serial                 string
	Limit                  int32
}

// List lists registrations after the cursor, or those with a serial.
func List(ctx context.Context, tx *tenants.Tx, f Filter) ([]Registration, error) {
	var rows []db.Registration
	var err error
	if serial := NormalizeSerial(f.Serial); serial != "" {
		rows, err = tx.Q.FindRegistrationsBySerial(ctx, tx, db.FindRegistrationsBySerialParams{TenantID: tx.Scope.TenantID, Serial: serial})
	} else {
		rows, err = tx.Q.ListRegistrations(ctx, tx, db.ListRegistrationsParams{TenantID: tx.Scope.TenantID, After: f.After,
			ModelID: f.Model, CustomerID: f.Customer, Lim: f.Limit})
	}
	if err != nil {
		return nil, fmt.Errorf("list registrations: %w", err)
	}
	out := make([]Registration, len(rows))
	for i, r := range rows {
		out[i] = registrationFromRow(r)
	}
	return out, nil
}

// Update replaces a registration's facts (model and serial stay) if version is current.
func Update(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in Input) (Registration, error) {
	before, err := Get(ctx, tx, id)
	if err != nil {
		return Registration{}, err
	}
	if before.Version != version {
		return Registration{}, fault.ErrStale
	}
	m, err := catalog.GetModel(ctx, tx, before.ModelID)
	if err != nil {
		return Registration{}, err
	}
	today, err := Today(ctx, tx)
	if err != nil {
		return Registration{}, err
	}
	in.Serial = before.Serial
	c, err := Check(in, m, today)
	if err != nil {
		return Registration{}, err
	}
	buyer, err := party(ctx, tx, c.Buyer, "buyer")
	if err != nil {
		return Registration{}, err
	}
	user, err := party(ctx, tx, c.User, "user")
	if err != nil {
		return Registration{}, err
	}
	r, err := tx.Q.UpdateRegistration(ctx, tx, db.UpdateRegistrationParams{TenantID: tx.Scope.TenantID, ID: id, Version: version,
		PurchaseDate: c.Purchase, InvoiceNo: c.InvoiceNo, InvoiceDate: c.Invoice, InvoiceImage: c.InvoiceImage,
		HasWarrantyCard: c.HasCard, Seller: c.Seller, BuyerID: buyer, UserID: user, InstallDate: c.Install})
	if err != nil {
		return Registration{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	after := registrationFromRow(r)
	return after, tx.Audit(ctx, "registration.update", "registration", id, before, after)
}

// ScanInput is what a barcode scan at delivery or installation reports.
type ScanInput struct {
	Stage        string `json:"stage,omitempty" doc:"delivery: the unit reached the customer (an installation order follows when the model needs one); installation (default): it was installed"`
	ModelSKU     string `json:"model_sku" minLength:"1" maxLength:"64"`
	Serial       string `json:"serial" minLength:"1" maxLength:"64"`
	PurchaseDate string `json:"purchase_date,omitempty" format:"date" doc:"Defaults to the scan date"`
	InstallDate  string `json:"install_date,omitempty" format:"date" doc:"Recorded on the registration; defaults to today"`
	Seller       string `json:"seller,omitempty" maxLength:"200"`
	Buyer        *Party `json:"buyer,omitempty"`
}

// Scan registers a unit at delivery or installation, or records the install date of an
// already registered one. It reports whether the registration is new.
func Scan(ctx context.Context, tx *tenants.Tx, in ScanInput) (Registration, bool, error) {
	m, err := ResolveModel(ctx, tx, Input{ModelSKU: in.ModelSKU})
	if err != nil {
		return Registration{}, false, err
	}
	today, err := Today(ctx, tx)
	if err != nil {
		return Registration{}, false, err
	}
	install := in.InstallDate
	if install == "" && in.Stage != "delivery" {
		install = today.Format(time.DateOnly)
	}
	existing, err := tx.Q.GetRegistrationBySerial(ctx, tx, db.GetRegistrationBySerialParams{TenantID: tx.Scope.TenantID,
		ModelID: m.ID, Serial: NormalizeSerial(in.Serial)})
	if err == nil && install == "" {
		return registrationFromRow(existing), false, nil // delivered again: nothing new to record
	}
	if err == nil {
		d, err := optionalDate(install, "install_date")
		if err != nil {
			return Registration{}, false, err
		}
		if d.Before(existing.PurchaseDate) {
			return Registration{}, false, fault.Invalid("install_date", "is before the purchase date")
		}
		before := registrationFromRow(existing)
		r, err := tx.Q.SetInstallDate(ctx, tx, db.SetInstallDateParams{TenantID: tx.Scope.TenantID, ID: existing.ID, InstallDate: d})
		if err != nil {
			return Registration{}, false, err
		}
		after := registrationFromRow(r)
		return after, false, tx.Audit(ctx, "registration.install", "registration", after.ID, before, after)
	}
	purchase := in.PurchaseDate
	if purchase == "" {
		purchase = today.Format(time.DateOnly)
	}
	c, err := Check(Input{Serial: in.Serial, PurchaseDate: purchase, InstallDate: install, Seller: in.Seller, Buyer: in.Buyer}, m, today)
	if err != nil {
		return Registration{}, false, err
	}
	reg, err := Store(ctx, tx, c, ChannelScan, uuid.NullUUID{})
	return reg, true, err
}

// ScanStages are the stages a scan records (ScanInput.Stage), in the order the API documents them.
var ScanStages = []string{"delivery", "installation"}
