// Package customers keeps each tenant's records of end customers, linked to global consumer
// identities, and decides how much of their contact data a role may see.
package customers

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Fields are the writable fields of a customer.
type Fields struct {
	Name         string `json:"name" minLength:"1" maxLength:"200"`
	Phone        string `json:"phone,omitempty" maxLength:"32" example:"13812345678"`
	Email        string `json:"email,omitempty" maxLength:"254"`
	ProvinceCode string `json:"province_code,omitempty" maxLength:"12" pattern:"^[0-9]*$"`
	CityCode     string `json:"city_code,omitempty" maxLength:"12" pattern:"^[0-9]*$"`
	DistrictCode string `json:"district_code,omitempty" maxLength:"12" pattern:"^[0-9]*$"`
	Address      string `json:"address,omitempty" maxLength:"500"`
}

// Customer is a tenant's record of an end customer.
type Customer struct {
	ID         uuid.UUID  `json:"id"`
	ConsumerID *uuid.UUID `json:"consumer_id,omitempty"`
	Fields
	Masked    bool      `json:"masked" doc:"Contact data is masked for your role"`
	Version   int32     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func fromRow(r db.Customer) Customer {
	c := Customer{ID: r.ID, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Fields: Fields{
		Name: r.Name, Phone: r.Phone, Email: r.Email, ProvinceCode: r.ProvinceCode, CityCode: r.CityCode,
		DistrictCode: r.DistrictCode, Address: r.Address}}
	if r.ConsumerID.Valid {
		c.ConsumerID = &r.ConsumerID.UUID
	}
	return c
}

// view is a customer as the scope may see it: phone, email and street address masked when
// the scope masks contacts (staff without contacts:unmasked). Every function that returns
// customers to a caller passes them through it; Contact is the one unmasked read, for the
// product's own use.
func view(tx *tenants.Tx, c Customer) Customer {
	if !tx.Scope.MaskContacts {
		return c
	}
	c.Phone, c.Email, c.Address, c.Masked = access.MaskPhone(c.Phone), access.MaskEmail(c.Email), access.MaskAddress(c.Address), true
	return c
}

// consumerFor links a customer to the global consumer identity of their phone (else email),
// creating it if needed, so that the consumer who signs in with that phone or email is
// recognised in every tenant that serves them.
func consumerFor(ctx context.Context, tx *tenants.Tx, f Fields) (uuid.NullUUID, error) {
	var c db.Consumer
	var err error
	switch {
	case f.Phone != "":
		c, err = tx.Q.UpsertConsumerByPhone(ctx, tx, db.UpsertConsumerByPhoneParams{ID: platform.NewID(), Phone: &f.Phone})
	case f.Email != "":
		email := strings.ToLower(f.Email)
		c, err = tx.Q.UpsertConsumerByEmail(ctx, tx, db.UpsertConsumerByEmailParams{ID: platform.NewID(), Email: &email})
	default:
		return uuid.NullUUID{}, nil
	}
	if err != nil {
		return uuid.NullUUID{}, fmt.Errorf("link consumer identity: %w", err)
	}
	return uuid.NullUUID{UUID: c.ID, Valid: true}, nil
}

func normalize(f Fields) (Fields, error) {
	var err error
	if f.Phone, err = NormalizePhone(f.Phone); err != nil {
		return f, err
	}
	if f.Email != "" {
		a, err := mail.ParseAddress(f.Email)
		if err != nil || a.Address != f.Email {
			return f, fault.Invalid("email", "is not a valid email address")
		}
	}
	return f, nil
}

// Create adds a customer.
func Create(ctx context.Context, tx *tenants.Tx, f Fields) (Customer, error) {
	f, err := normalize(f)
	if err != nil {
		return Customer{}, err
	}
	consumer, err := consumerFor(ctx, tx, f)
	if err != nil {
		return Customer{}, err
	}
	r, err := tx.Q.CreateCustomer(ctx, tx, db.CreateCustomerParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		ConsumerID: consumer, Name: f.Name, Phone: f.Phone, Email: f.Email, ProvinceCode: f.ProvinceCode, CityCode: f.CityCode,
		DistrictCode: f.DistrictCode, Address: f.Address})
	if err != nil {
		return Customer{}, fault.DBError(err, "", "")
	}
	c := fromRow(r)
	return view(tx, c), tx.Audit(ctx, "customer.create", "customer", c.ID, nil, c)
}

// Get returns one customer as the scope may see it. An engineer of an open order of the
// customer (offered or accepted) gets the phone in full, the rest masked: they call the
// customer of their own visit (the engineers' app shows the number masked and dials it),
// as they get the address of their own visit (orders.view). Nobody else without
// contacts:unmasked does.
func Get(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Customer, error) {
	c, err := Contact(ctx, tx, id)
	if err != nil || !tx.Scope.MaskContacts || tx.Scope.UserID == uuid.Nil {
		return view(tx, c), err
	}
	visits, err := tx.Q.CustomerVisitedBy(ctx, tx, db.CustomerVisitedByParams{TenantID: tx.Scope.TenantID, UserID: tx.Scope.UserID, CustomerID: id})
	if err != nil {
		return Customer{}, fmt.Errorf("customer visited by the user: %w", err)
	}
	phone := c.Phone
	c = view(tx, c)
	if visits {
		c.Phone = phone
	}
	return c, nil
}

// Contact returns one customer with their contact data in full whatever the scope, for the
// product's own use (an order's address, a notification's recipient); never return it to a
// caller, who gets Get.
func Contact(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Customer, error) {
	r, err := tx.Q.GetCustomer(ctx, tx, db.GetCustomerParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Customer{}, fault.DBError(err, "", "")
	}
	return fromRow(r), nil
}

// ByPhone returns the tenant's first customer with phone (normalised), ok false when
// there is none. Like Contact, it is for the product's own use (finding a customer at
// intake): contact data is in full.
func ByPhone(ctx context.Context, tx *tenants.Tx, phone string) (Customer, bool, error) {
	r, err := tx.Q.CustomerByPhone(ctx, tx, db.CustomerByPhoneParams{TenantID: tx.Scope.TenantID, Phone: phone})
	if errors.Is(err, pgx.ErrNoRows) {
		return Customer{}, false, nil
	}
	if err != nil {
		return Customer{}, false, fmt.Errorf("customer by phone: %w", err)
	}
	return fromRow(r), true, nil
}

// List lists customers after the cursor, optionally those with one phone number.
func List(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID, phone string, limit int32) ([]Customer, error) {
	var p *string
	if phone != "" {
		norm, err := NormalizePhone(phone)
		if err != nil {
			return nil, fault.Invalid("phone", "is not a valid phone number")
		}
		p = &norm
	}
	rows, err := tx.Q.ListCustomers(ctx, tx, db.ListCustomersParams{TenantID: tx.Scope.TenantID, After: after, Phone: p, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	out := make([]Customer, len(rows))
	for i, r := range rows {
		out[i] = view(tx, fromRow(r))
	}
	return out, nil
}

// Update replaces a customer's fields if version is current.
func Update(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, f Fields) (Customer, error) {
	f, err := normalize(f)
	if err != nil {
		return Customer{}, err
	}
	consumer, err := consumerFor(ctx, tx, f)
	if err != nil {
		return Customer{}, err
	}
	before, err := Contact(ctx, tx, id)
	if err != nil {
		return Customer{}, err
	}
	if before.Version != version {
		return Customer{}, fault.ErrStale
	}
	r, err := tx.Q.UpdateCustomer(ctx, tx, db.UpdateCustomerParams{TenantID: tx.Scope.TenantID, ID: id, Version: version,
		ConsumerID: consumer, Name: f.Name, Phone: f.Phone, Email: f.Email, ProvinceCode: f.ProvinceCode, CityCode: f.CityCode,
		DistrictCode: f.DistrictCode, Address: f.Address})
	if err != nil {
		return Customer{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	after := fromRow(r)
	return view(tx, after), tx.Audit(ctx, "customer.update", "customer", id, before, after)
}

// ValueFacts are a customer's attributes that service tiers read.
type ValueFacts struct {
	LifetimeValue      int64    `json:"lifetime_value" minimum:"0" doc:"Lifetime purchases, minor units"`
	Contracts          []string `json:"contracts" doc:"Kinds of service contracts in force"`
	TierOverride       string   `json:"tier_override,omitempty" doc:"A tier set by hand"`
	TierOverrideReason string   `json:"tier_override_reason,omitempty"`
}

// Value returns a customer's value attributes.
func Value(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (ValueFacts, error) {
	r, err := tx.Q.GetCustomer(ctx, tx, db.GetCustomerParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return ValueFacts{}, fault.DBError(err, "", "")
	}
	return ValueFacts{LifetimeValue: r.LifetimeValue, Contracts: r.Contracts, TierOverride: r.TierOverride, TierOverrideReason: r.TierOverrideReason}, nil
}

// SetValue changes a customer's value attributes if version is current. A tier override
// needs a reason; both are audited.
func SetValue(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, v ValueFacts) (Customer, error) {
	if v.TierOverride != "" && strings.TrimSpace(v.TierOverrideReason) == "" {
		return Customer{}, fault.Invalid("tier_override_reason", "is required with a tier override")
	}
	if v.TierOverride == "" {
		v.TierOverrideReason = ""
	}
	before, err := Value(ctx, tx, id)
	if err != nil {
		return Customer{}, err
	}
	if v.Contracts == nil {
		v.Contracts = []string{}
	}
	r, err := tx.Q.SetCustomerValue(ctx, tx, db.SetCustomerValueParams{TenantID: tx.Scope.TenantID, ID: id, Version: version,
		LifetimeValue: v.LifetimeValue, Contracts: v.Contracts, TierOverride: v.TierOverride, TierOverrideReason: v.TierOverrideReason})
	if err != nil {
		return Customer{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	c := fromRow(r)
	return view(tx, c), tx.Audit(ctx, "customer.value", "customer", id, before, v)
}

// ForConsumer returns the tenant's customer record of a signed-in consumer, creating it from
// their phone or email on first contact.
func ForConsumer(ctx context.Context, tx *tenants.Tx, consumerID uuid.UUID) (Customer, error) {
	r, err := tx.Q.CustomerOfConsumer(ctx, tx, db.CustomerOfConsumerParams{TenantID: tx.Scope.TenantID, ConsumerID: uuid.NullUUID{UUID: consumerID, Valid: true}})
	if err == nil {
		return fromRow(r), nil
	}
	if !errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
		return Customer{}, err
	}
	c, err := tx.Q.GetConsumer(ctx, tx, consumerID)
	if err != nil {
		return Customer{}, fault.DBError(err, "", "")
	}
	f := Fields{Name: "Customer"}
	if c.Phone != nil {
		f.Phone = *c.Phone
		f.Name = access.MaskPhone(*c.Phone)
	} else if c.Email != nil {
		f.Email = *c.Email
		f.Name = access.MaskEmail(*c.Email)
	}
	return Create(ctx, tx, f)
}

// ConsumerScope is the scope of a signed-in consumer's request in a tenant: the tenant,
// their identity and their customer record there, so that row-level security shows them
// their own rows and nobody else's. The record is found with the consumer's own scope; a
// consumer new to the tenant has none (CustomerID unset), so a read shows nothing, and a
// change that needs one creates it in its own transaction (BecomeCustomer).
func ConsumerScope(ctx context.Context, d *tenants.DB, tenantID, consumerID uuid.UUID, actor tenants.Actor) (tenants.Scope, error) {
	scope := tenants.Scope{TenantID: tenantID, ConsumerID: consumerID, Actor: actor}
	err := d.Read(ctx, scope, func(q db.DBTX) error {
		r, err := db.New().CustomerOfConsumer(ctx, q, db.CustomerOfConsumerParams{TenantID: tenantID, ConsumerID: uuid.NullUUID{UUID: consumerID, Valid: true}})
		if err == nil {
			scope.CustomerID = r.ID
		}
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return scope, err
}

// BecomeCustomer gives the consumer of a transaction (ConsumerScope) a customer record in its
// tenant if they have none (ForConsumer) and narrows the transaction to it. A consumer's
// change calls it in the change's own transaction, so that a refused change takes the new
// record with it: a consumer becomes a tenant's customer by a change that succeeds, never by
// one refused (another tenant's unit, a bad id).
func BecomeCustomer(ctx context.Context, tx *tenants.Tx) error {
	if tx.Scope.CustomerID != uuid.Nil {
		return nil
	}
	if _, err := ForConsumer(ctx, tx, tx.Scope.ConsumerID); err != nil {
		return err
	}
	return tx.NarrowToCustomer(ctx)
}
