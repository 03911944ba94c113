// Package orders runs service orders (工单) from intake to close: numbering without gaps,
// the entitlement snapshot from the warranty engine, the status machine (status.go, the one
// place the lifecycle is defined), the timeline written in the same transaction as every
// change, quotes and customer approval, engineers, completion, repeat-repair detection and
// the unit's repair history the warranty engine reads.
package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// Channels an order arrives by.
var Channels = []string{"carry_in", "on_site", "phone", "web", "mail_in", "api"}

// Token prefixes of the links sent to customers.
const (
	trackingPrefix = "trk_"
	quotePrefix    = "qte_"
)

// Service runs orders. Jobs queues the events and timers of a change in its transaction;
// PublicURL is the base of links sent to customers.
type Service struct {
	Jobs      sla.Inserter
	PublicURL string
	// Now is the clock; nil means the tenant's (tenants.Tx.Now: the wall clock, or a
	// sandbox tenant's test clock).
	Now func() time.Time
}

// now is the moment the transaction's rules act at.
func (s *Service) now(ctx context.Context, tx *tenants.Tx) (time.Time, error) {
	if s.Now != nil {
		return s.Now(), nil
	}
	return tx.Now(ctx)
}

// Location is where the service happens (the customer's address for on-site work).
type Location struct {
	ProvinceCode string   `json:"province_code,omitempty" pattern:"^([0-9]{2}0000)?$" doc:"GB/T 2260 province code, e.g. 310000"`
	CityCode     string   `json:"city_code,omitempty" pattern:"^([0-9]{4}00)?$"`
	DistrictCode string   `json:"district_code,omitempty" pattern:"^([0-9]{6})?$"`
	PostalCode   string   `json:"postal_code,omitempty" pattern:"^([0-9]{6})?$"`
	Address      string   `json:"address,omitempty" maxLength:"500"`
	Latitude     *float64 `json:"latitude,omitempty" minimum:"-90" maximum:"90"`
	Longitude    *float64 `json:"longitude,omitempty" minimum:"-180" maximum:"180"`
}

// Order is one service order.
type Order struct {
	ID                 uuid.UUID       `json:"id"`
	Number             string          `json:"number" example:"SO-2026-000123"`
	Type               string          `json:"type"`
	Flow               string          `json:"flow"` // one of Flows
	Channel            string          `json:"channel"`
	Urgent             bool            `json:"urgent"`
	Priority           int             `json:"priority" doc:"Higher is served first: tier and urgency"`
	PaidPromises       []string        `json:"paid_promises,omitempty" doc:"In the dispatch queue: the paid promises that put the order first in the dispatch queue, e.g. 'paid express promise: 6-hour on-site'"`
	Status             string          `json:"status"`
	Next               []string        `json:"next" doc:"Statuses the order may move to now"`
	CustomerID         uuid.UUID       `json:"customer_id"`
	RegistrationID     *uuid.UUID      `json:"registration_id,omitempty"`
	ModelID            *uuid.UUID      `json:"model_id,omitempty"`
	Serial             string          `json:"serial,omitempty"`
	Unregistered       bool            `json:"unregistered" doc:"The unit is not registered: entitlement could not be decided from a registration"`
	OutletID           *uuid.UUID      `json:"outlet_id,omitempty"`
	Location           Location        `json:"location"`
	FaultDescription   string          `json:"fault_description"`
	FaultCode          string          `json:"fault_code,omitempty"`
	Component          string          `json:"component,omitempty"`
	Entitlement        json.RawMessage `json:"entitlement" doc:"The warranty engine's decision with its reasons, as last evaluated"`
	EntitlementClass   string          `json:"entitlement_class,omitempty"`
	TierCode           string          `json:"tier_code,omitempty"`
	DesignatedEngineer *uuid.UUID      `json:"designated_engineer_id,omitempty"`
	RepeatOf           *uuid.UUID      `json:"repeat_of,omitempty"`
	IsRepeat           bool            `json:"is_repeat"`
	ReopenCount        int             `json:"reopen_count"`
	RescheduleCount    int             `json:"reschedule_count"`
	Completion         *Completion     `json:"completion,omitempty"`
	Result             string          `json:"result,omitempty"`
	CancelReason       string          `json:"cancel_reason,omitempty"`
	Version            int32           `json:"version"`
	CreatedBy          string          `json:"created_by"`
	CreatedAt          time.Time       `json:"created_at"`
	UpdatedAt          time.Time       `json:"updated_at"`
	CompletedAt        *time.Time      `json:"completed_at,omitempty"`
	ClosedAt           *time.Time      `json:"closed_at,omitempty"`

	trackingToken string // the customer's tracking link token, for messages; never in the API
}

func idPtr(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	id := n.UUID
	return &id
}

func nullID(p *uuid.UUID) uuid.NullUUID {
	if p == nil || *p == uuid.Nil {
		return uuid.NullUUID{}
	}
	return uuid.NullUUID{UUID: *p, Valid: true}
}

// orderFromRow converts a stored order.
func orderFromRow(r db.ServiceOrder) Order {
	o := Order{ID: r.ID, Number: r.Number, Type: r.TypeCode, Flow: r.Flow, Channel: r.Channel, Urgent: r.Urgent,
		Priority: int(r.Priority), Status: r.Status, Next: Next(r.Flow, r.Status), CustomerID: r.CustomerID,
		RegistrationID: idPtr(r.RegistrationID), ModelID: idPtr(r.ModelID), Serial: r.Serial, Unregistered: r.Unregistered,
		OutletID: idPtr(r.OutletID), Location: Location{ProvinceCode: r.ProvinceCode, CityCode: r.CityCode,
			DistrictCode: r.DistrictCode, PostalCode: r.PostalCode, Address: r.Address, Latitude: r.Latitude, Longitude: r.Longitude},
		FaultDescription: r.FaultDescription, FaultCode: r.FaultCode, Component: r.Component, Entitlement: r.Entitlement,
		EntitlementClass: r.EntitlementClass, TierCode: r.TierCode, DesignatedEngineer: idPtr(r.DesignatedEngineer),
		RepeatOf: idPtr(r.RepeatOf), IsRepeat: r.IsRepeat, ReopenCount: int(r.ReopenCount), RescheduleCount: int(r.RescheduleCount),
		Result: r.Result, CancelReason: r.CancelReason, Version: r.Version, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, CompletedAt: r.CompletedAt, ClosedAt: r.ClosedAt,
		trackingToken: r.TrackingToken}
	if len(o.Entitlement) == 0 {
		o.Entitlement = json.RawMessage("{}")
	}
	if len(r.Completion) > 0 {
		var c Completion
		if json.Unmarshal(r.Completion, &c) == nil {
			o.Completion = &c
		}
	}
	return o
}

// Intake is a new order as taken by an agent, an outlet, the consumer portal or an API client.
type Intake struct {
	Type    string `json:"type" pattern:"^[a-z][a-z0-9_]{0,39}$" example:"repair_minor"`
	Channel string `json:"channel"` // one of Channels
	Flow    string `json:"flow,omitempty" doc:"Default: carry-in for carry-in and mail-in, on-site for on-site, else the type's flow"`
	Urgent  bool   `json:"urgent,omitempty"`
	// The customer: an existing one, or name and phone to find (by phone) or create; by
	// default the registered unit's buyer (else its user).
	CustomerID *uuid.UUID        `json:"customer_id,omitempty" doc:"Default: the registered unit's buyer, else its user"`
	Customer   *customers.Fields `json:"customer,omitempty"`
	// The unit: a registration, or a serial (with the model) of a unit not registered yet.
	RegistrationID *uuid.UUID `json:"registration_id,omitempty"`
	Serial         string     `json:"serial,omitempty" maxLength:"64"`
	ModelID        *uuid.UUID `json:"model_id,omitempty"`
	// Where: an outlet (default: proposed by dispatch) and the service address.
	OutletID *uuid.UUID `json:"outlet_id,omitempty"`
	Location *Location  `json:"location,omitempty" doc:"Default: the customer's address"`

	FaultDescription     string     `json:"fault_description" minLength:"1" maxLength:"4000"`
	FaultCode            string     `json:"fault_code,omitempty" maxLength:"64" doc:"An unknown code is added to the dictionary, normalised"`
	Component            string     `json:"component,omitempty" maxLength:"64" doc:"Component at fault, e.g. compressor"`
	DesignatedEngineerID *uuid.UUID `json:"designated_engineer_id,omitempty"`
}

// Created is a new order with its tracking link (the token is shown once).
type Created struct {
	Order       Order  `json:"order"`
	TrackingURL string `json:"tracking_url" doc:"The customer's tracking link; shown once"`
}

// Create takes an order in: customer, unit, entitlement snapshot, repeat check, outlet
// proposal, number, timeline, event. All in tx.
func (s *Service) Create(ctx context.Context, tx *tenants.Tx, in Intake) (Created, error) {
	typ, err := typeFor(ctx, tx, in.Type)
	if err != nil {
		return Created{}, err
	}
	if !slices.Contains(Channels, in.Channel) {
		return Created{}, fault.Invalid("channel", "must be one of "+strings.Join(Channels, ", "))
	}
	flow := in.Flow
	switch {
	case flow != "":
		if flow != FlowCarryIn && flow != FlowOnSite {
			return Created{}, fault.Invalid("flow", "must be carry_in or on_site")
		}
	case in.Channel == "carry_in" || in.Channel == "mail_in":
		flow = FlowCarryIn
	case in.Channel == "on_site":
		flow = FlowOnSite
	default:
		flow = typ.Flow
	}
	if strings.TrimSpace(in.FaultDescription) == "" {
		return Created{}, fault.Invalid("fault_description", "describe the fault")
	}
	faultCode := ""
	if strings.TrimSpace(in.FaultCode) != "" {
		fc, err := catalog.EnsureFaultCode(ctx, tx, in.FaultCode, "", in.Component)
		if err != nil {
			return Created{}, fieldPrefix(err, "fault_code")
		}
		faultCode = fc.Code
	}
	unit, err := unitFor(ctx, tx, in, faultCode)
	if err != nil {
		return Created{}, err
	}
	cust, err := s.customerFor(ctx, tx, in, unit)
	if err != nil {
		return Created{}, err
	}
	loc := Location{ProvinceCode: cust.ProvinceCode, CityCode: cust.CityCode, DistrictCode: cust.DistrictCode, Address: cust.Address}
	if in.Location != nil {
		loc = *in.Location
	}
	outlet := nullID(in.OutletID)
	if tx.Scope.OutletID != uuid.Nil {
		if outlet.Valid && outlet.UUID != tx.Scope.OutletID {
			return Created{}, fault.Invalid("outlet_id", "outlet staff take orders for their own outlet")
		}
		outlet = uuid.NullUUID{UUID: tx.Scope.OutletID, Valid: true}
	}
	if outlet.Valid {
		if _, err := tenants.GetOutlet(ctx, tx, outlet.UUID); err != nil {
			return Created{}, fieldPrefix(notFoundAsField(err, "is not an outlet of this tenant"), "outlet_id")
		}
	}
	designated, err := designatedEngineer(ctx, tx, in.DesignatedEngineerID)
	if err != nil {
		return Created{}, err
	}

	id := platform.NewID()
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return Created{}, err
	}
	now, err := s.now(ctx, tx)
	if err != nil {
		return Created{}, err
	}
	prior, err := tx.Q.PriorOrderSameFault(ctx, tx, db.PriorOrderSameFaultParams{TenantID: tx.Scope.TenantID,
		ID: id, RegistrationID: unit.registration,
		Serial: unit.serial, FaultCode: faultCode, Since: now.AddDate(0, 0, -settings.RepeatWindowDays)})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Created{}, fmt.Errorf("repeat check: %w", err)
	}
	repeat := err == nil

	// Everything that only reads comes before the number: taking it locks the tenant's
	// counter until commit, so the rest of the intake must be short.
	draft := Order{ID: id, Type: typ.Code, Flow: flow, Channel: in.Channel, Urgent: in.Urgent, CustomerID: cust.ID,
		RegistrationID: idPtr(unit.registration), ModelID: idPtr(unit.model), Serial: unit.serial, OutletID: idPtr(outlet),
		Location: loc, FaultCode: faultCode, Component: in.Component}
	var res *coverage.Result
	if unit.facts != nil {
		r, err := coverage.Decide(*unit.facts, History{Now: s.Now, Current: id}, coverage.CheckInput{FaultCode: faultCode,
			Component: in.Component, Channel: in.Channel})
		if err != nil {
			return Created{}, fmt.Errorf("entitlement of the new order: %w", err)
		}
		res = &r
	}
	var cands []dispatch.OutletCandidate
	if !outlet.Valid {
		if cands, err = s.proposeOutlets(ctx, tx, draft, unit.category); err != nil {
			return Created{}, err
		}
		if len(cands) > 0 && cands[0].Eligible {
			outlet = uuid.NullUUID{UUID: cands[0].OutletID, Valid: true}
		}
	}
	draft.OutletID = idPtr(outlet)
	clocks, err := s.prepareClocks(ctx, tx, draft, res)
	if err != nil {
		return Created{}, err
	}
	ent, class, tier, prio := []byte("{}"), "", "", priority("", 0, in.Urgent)
	if res != nil {
		if ent, err = json.Marshal(res); err != nil {
			return Created{}, fmt.Errorf("encode entitlement: %w", err)
		}
		class, tier, prio = res.Decision.Class, res.Tier.Code, priority(res.Tier.Code, res.Tier.Rank, in.Urgent)
	}

	number, err := nextNumber(ctx, tx, now)
	if err != nil {
		return Created{}, err
	}
	token, _ := auth.NewLinkToken(trackingPrefix, tx.Scope.TenantID, id)
	row, err := tx.Q.CreateOrder(ctx, tx, db.CreateOrderParams{TenantID: tx.Scope.TenantID,
		ID: id, Number: number, TypeCode: typ.Code, Flow: flow,
		Channel: in.Channel, Urgent: in.Urgent, Priority: prio, Status: InitialStatus(flow), CustomerID: cust.ID,
		RegistrationID: unit.registration, ModelID: unit.model, Serial: unit.serial, Unregistered: unit.unregistered,
		OutletID: outlet, ProvinceCode: loc.ProvinceCode, CityCode: loc.CityCode, DistrictCode: loc.DistrictCode,
		PostalCode: loc.PostalCode, Address: loc.Address, Latitude: loc.Latitude, Longitude: loc.Longitude,
		FaultDescription: in.FaultDescription, FaultCode: faultCode, Component: in.Component, Entitlement: ent,
		EntitlementClass: class, TierCode: tier,
		DesignatedEngineer: designated, RepeatOf: uuid.NullUUID{UUID: prior.ID, Valid: repeat}, IsRepeat: repeat,
		TrackingToken: token, CreatedBy: tx.Scope.Actor.Label})
	if err != nil {
		return Created{}, fault.DBError(err, "", "designated_engineer_id")
	}
	o := orderFromRow(row)
	entries := []Entry{{Kind: "created", To: o.Status, Public: true,
		Data: map[string]any{"number": o.Number, "channel": o.Channel, "type": o.Type}}}
	if repeat {
		entries = append(entries, Entry{Kind: "repeat", Reason: fmt.Sprintf("same unit and fault %s as %s within %d days",
			faultCode, prior.Number, settings.RepeatWindowDays), Data: map[string]any{"repeat_of": prior.ID, "number": prior.Number}})
	}
	if unit.unregistered {
		entries = append(entries, Entry{Kind: "unregistered", Reason: "the unit is not registered; entitlement needs proof of purchase"})
	}
	if in.OutletID == nil && tx.Scope.OutletID == uuid.Nil {
		entries = append(entries, dispatchEntry(cands))
	}
	if res != nil {
		entries = append(entries, entitlementEntry("", res, "intake"))
	}
	started, err := s.startClocks(ctx, tx, o, clocks)
	if err != nil {
		return Created{}, err
	}
	// The timeline of a new order is written at commit (nothing reads it before).
	if err := recordOn(ctx, tx, tx.Later(), o.ID, append(entries, started...)...); err != nil {
		return Created{}, err
	}
	trackingURL := s.trackingURL(token)
	if err := s.emit(ctx, tx, o, "order.created", nil); err != nil {
		return Created{}, err
	}
	if err := tx.Audit(ctx, "order.create", "service_order", o.ID, nil, o); err != nil {
		return Created{}, err
	}
	o, err = viewOne(ctx, tx, o)
	return Created{Order: o, TrackingURL: trackingURL}, err
}

// priority orders the queue: a higher tier (rank 1 is highest) and urgency come first.
func priority(tier string, rank int, urgent bool) int32 {
	p := int32(0)
	if tier != "" && rank > 0 && rank <= 100 {
		p = int32(101 - rank)
	}
	if urgent {
		p += 1000
	}
	return p
}

func nextNumber(ctx context.Context, tx *tenants.Tx, now time.Time) (string, error) {
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return "", err
	}
	year := now.In(loc).Year()
	n, err := tx.Q.NextOrderNumber(ctx, tx, db.NextOrderNumberParams{TenantID: tx.Scope.TenantID, Year: int32(year)})
	if err != nil {
		return "", fmt.Errorf("next order number: %w", err)
	}
	return fmt.Sprintf("SO-%d-%06d", year, n), nil
}

// customerFor is the intake's customer: the one given (by id, or found by phone or created),
// else the registered unit's buyer, else its user.
func (s *Service) customerFor(ctx context.Context, tx *tenants.Tx, in Intake, unit unitFacts) (customers.Customer, error) {
	var owner *uuid.UUID
	if unit.facts != nil {
		owner = unit.facts.Registration.BuyerID
		if owner == nil {
			owner = unit.facts.Registration.UserID
		}
	}
	switch {
	case in.CustomerID != nil:
		c, err := customers.Contact(ctx, tx, *in.CustomerID)
		return c, fieldPrefix(notFoundAsField(err, "is not a customer of this tenant"), "customer_id")
	case in.Customer != nil:
		phone, err := customers.NormalizePhone(in.Customer.Phone)
		if err != nil {
			return customers.Customer{}, fieldPrefix(err, "customer")
		}
		if phone != "" {
			c, ok, err := customers.ByPhone(ctx, tx, phone)
			if err != nil || ok {
				return c, err
			}
		}
		c, err := customers.Create(ctx, tx, *in.Customer)
		return c, fieldPrefix(err, "customer")
	case owner != nil:
		c, err := customers.Contact(ctx, tx, *owner)
		return c, fieldPrefix(notFoundAsField(err, "the registration's buyer is not a customer of this tenant"), "customer_id")
	}
	return customers.Customer{}, fault.Invalid("customer_id", "give customer_id or customer (or a registered unit with a buyer or user on record)")
}

type unitFacts struct {
	registration uuid.NullUUID
	model        uuid.NullUUID
	category     uuid.NullUUID // the model's, when the unit is registered
	serial       string
	unregistered bool
	facts        *coverage.Facts // what the entitlement decision reads, when registered
}

// unitFor finds the unit of an intake, by registration or serial, with the facts of its
// entitlement (read in the same statement); faultCode is the order's, normalised.
func unitFor(ctx context.Context, tx *tenants.Tx, in Intake, faultCode string) (unitFacts, error) {
	found := func(f coverage.Facts) unitFacts {
		r := f.Registration
		return unitFacts{registration: uuid.NullUUID{UUID: r.ID, Valid: true}, model: uuid.NullUUID{UUID: r.ModelID, Valid: true},
			category: uuid.NullUUID{UUID: f.Model.CategoryID, Valid: true}, serial: r.Serial, facts: &f}
	}
	if in.RegistrationID != nil {
		units, err := coverage.LoadFacts(ctx, tx, coverage.CheckInput{RegistrationID: *in.RegistrationID, FaultCode: faultCode})
		if err != nil {
			return unitFacts{}, err
		}
		if len(units) == 0 {
			return unitFacts{}, fault.Invalid("registration_id", "is not a registration of this tenant")
		}
		return found(units[0]), nil
	}
	serial := registry.NormalizeSerial(in.Serial)
	if serial == "" {
		return unitFacts{unregistered: true, model: nullID(in.ModelID)}, nil
	}
	units, err := coverage.LoadFacts(ctx, tx, coverage.CheckInput{Serial: serial, FaultCode: faultCode})
	if err != nil {
		return unitFacts{}, fmt.Errorf("find unit: %w", err)
	}
	for _, u := range units {
		if in.ModelID == nil || u.Registration.ModelID == *in.ModelID {
			return found(u), nil
		}
	}
	if in.ModelID != nil {
		if _, err := catalog.GetModel(ctx, tx, *in.ModelID); err != nil {
			return unitFacts{}, fieldPrefix(notFoundAsField(err, "is not a model of this tenant"), "model_id")
		}
	}
	return unitFacts{model: nullID(in.ModelID), serial: serial, unregistered: true}, nil
}

// notFoundAsField turns "not found" of a referenced row into a field error: the reference,
// not the order, is what is missing.
func notFoundAsField(err error, reason string) error {
	if errors.Is(err, fault.ErrNotFound) {
		return fault.Invalid("", reason)
	}
	return err
}

// fieldPrefix places a field error under the input field it came from; an error already
// there (EnsureFaultCode names body.fault_code itself) stays where it is.
func fieldPrefix(err error, field string) error {
	var fe *fault.FieldError
	if errors.As(err, &fe) {
		f := fe.Field
		switch {
		case f == field || strings.HasPrefix(f, field+"."):
		case f == "":
			f = field
		default:
			f = field + "." + f
		}
		return fault.Invalid(f, fe.Reason)
	}
	return err
}

// Get returns one order as the scope may see it (view).
func Get(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Order, error) {
	r, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Order{}, fault.DBError(err, "", "")
	}
	return viewOne(ctx, tx, orderFromRow(r))
}

// lock reads the order for a change and checks the caller's version (0: any).
func lock(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32) (db.ServiceOrder, error) {
	r, err := tx.Q.GetOrderForUpdate(ctx, tx, db.GetOrderForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return db.ServiceOrder{}, fault.DBError(err, "", "")
	}
	if version != 0 && r.Version != version {
		return db.ServiceOrder{}, fault.ErrStale
	}
	return r, nil
}

// Filter selects orders for a list, newest first: by id, or by created_at when a period of
// intake (From, To, OverdueBefore) is given.
type Filter struct {
	Statuses      []string
	Type          string
	Outlet        uuid.NullUUID
	Engineer      uuid.NullUUID
	Customer      uuid.NullUUID
	Registration  uuid.NullUUID
	From, To      *time.Time
	Repeat        *bool
	OverdueBefore *time.Time    // open orders created before this instant
	Overdue       bool          // orders with a breached or overdue SLA clock
	Undispatched  bool          // open orders without an outlet or without a lead engineer
	BeforeID      uuid.NullUUID // cursor: the id of the last row seen
	Limit         int32
}

// List lists orders matching f. Undispatched lists the dispatch queue (see DispatchQueue).
func List(ctx context.Context, tx *tenants.Tx, f Filter) ([]Order, error) {
	if f.Undispatched {
		return DispatchQueue(ctx, tx, f)
	}
	return Filtered(ctx, tx, f)
}

// Filtered lists orders matching f but for Undispatched (the dispatch queue), in q: a
// transaction, or a Read's executor, which makes the page one round trip (its one statement
// with its transaction and scope; the masking of addresses, for the roles it applies to, is a
// second).
func Filtered(ctx context.Context, q db.DBTX, f Filter) ([]Order, error) {
	if f.Undispatched {
		return nil, errors.New("orders: the dispatch queue is not a filtered list")
	}
	var typ *string
	if f.Type != "" {
		typ = &f.Type
	}
	q, tenant, queries := tenants.ForValues(q), tenants.TenantOf(q), db.New()
	// Each filter set is served by the query that reads least (sql/queries/orders.sql).
	var status *string
	statuses := append([]string{}, f.Statuses...)
	if len(statuses) == 1 {
		status, statuses = &statuses[0], []string{} // never nil: NULL would match no row
	}
	var rows []db.ServiceOrder
	var err error
	switch {
	case f.Engineer.Valid:
		rows, err = queries.ListOrdersOfEngineer(ctx, q, db.ListOrdersOfEngineerParams{TenantID: tenant,
			EngineerID: f.Engineer.UUID, BeforeID: f.BeforeID, Status: status, Statuses: statuses, TypeCode: typ,
			OutletID: f.Outlet, CustomerID: f.Customer, RegistrationID: f.Registration, CreatedFrom: f.From, CreatedTo: f.To,
			IsRepeat: f.Repeat, OpenBefore: f.OverdueBefore, Late: f.Overdue, Lim: f.Limit})
	case f.Overdue:
		rows, err = queries.ListOrdersLate(ctx, q, db.ListOrdersLateParams{TenantID: tenant, BeforeID: f.BeforeID,
			Status: status, Statuses: statuses, TypeCode: typ, OutletID: f.Outlet, CustomerID: f.Customer,
			RegistrationID: f.Registration, CreatedFrom: f.From, CreatedTo: f.To, IsRepeat: f.Repeat, OpenBefore: f.OverdueBefore,
			Lim: f.Limit})
	case f.From != nil || f.To != nil || f.OverdueBefore != nil:
		rows, err = queries.ListOrdersByCreated(ctx, q, db.ListOrdersByCreatedParams{TenantID: tenant, BeforeID: f.BeforeID,
			Status: status, Statuses: statuses, TypeCode: typ, OutletID: f.Outlet, CustomerID: f.Customer,
			RegistrationID: f.Registration, CreatedFrom: f.From, CreatedTo: f.To, IsRepeat: f.Repeat, OpenBefore: f.OverdueBefore,
			Lim: f.Limit})
	default:
		rows, err = queries.ListOrders(ctx, q, db.ListOrdersParams{TenantID: tenant, BeforeID: f.BeforeID,
			Status: status, Statuses: statuses, TypeCode: typ, OutletID: f.Outlet, CustomerID: f.Customer,
			RegistrationID: f.Registration, CreatedFrom: f.From, CreatedTo: f.To, IsRepeat: f.Repeat, OpenBefore: f.OverdueBefore,
			Lim: f.Limit})
	}
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	out := make([]Order, len(rows))
	for i, r := range rows {
		out[i] = orderFromRow(r)
	}
	return out, view(ctx, q, out)
}

// DispatchQueue lists the first f.Limit open orders waiting for dispatch (no outlet, or no
// lead engineer offered or accepted), of f.Type and f.Outlet when given, ranked as dispatch
// serves them: paid promises first, then priority. Each order carries its paid promises,
// the reasons it ranks first.
//
// Its statements keep PostgreSQL's cached plans (no PlanForValues): both walk the queue's
// own indexes whatever the tenant's size, and planning them afresh cost several times
// reading them.
func DispatchQueue(ctx context.Context, tx *tenants.Tx, f Filter) ([]Order, error) {
	var typ *string
	if f.Type != "" {
		typ = &f.Type
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return nil, err
	}
	day, err := tenantToday(ctx, tx, now) // paid promises valid on the tenant's today
	if err != nil {
		return nil, err
	}
	promised, rest, err := dispatchQueueRows(ctx, tx, typ, f.Outlet, day, f.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]Order, 0, len(promised)+len(rest))
	ids := make([]uuid.UUID, len(promised))
	for i, r := range promised {
		out = append(out, orderFromRow(r))
		ids[i] = r.ID
	}
	for _, r := range rest {
		out = append(out, orderFromRow(r))
	}
	if len(ids) > 0 { // the rest carry no promise: that is what makes them the rest
		promises, err := dispatch.PaidPromises(ctx, tx, ids, day)
		if err != nil {
			return nil, err
		}
		for i := range out[:len(ids)] {
			out[i].PaidPromises = promises[out[i].ID]
		}
	}
	return out, view(ctx, tx, out)
}

// dispatchQueueRows reads the dispatch queue in ListDispatchQueue's order in two index-served
// parts: the orders with a paid promise first (found from the active purchases), then, if the
// page is not full, the others by priority and newest (service_orders_queue_idx). One
// statement ranking every open order by its promises sorted them all: seconds on a tenant
// with a million orders.
func dispatchQueueRows(ctx context.Context, tx *tenants.Tx, typ *string, outlet uuid.NullUUID, day time.Time, limit int32) (promised, rest []db.ServiceOrder, err error) {
	promised, err = tx.Q.ListDispatchQueuePromised(ctx, tx, db.ListDispatchQueuePromisedParams{TenantID: tx.Scope.TenantID,
		TypeCode: typ, OutletID: outlet, PromiseDay: day, Lim: limit})
	if err != nil {
		return nil, nil, fmt.Errorf("list the dispatch queue's paid promises: %w", err)
	}
	if left := limit - int32(len(promised)); left > 0 {
		rest, err = tx.Q.ListDispatchQueueRest(ctx, tx, db.ListDispatchQueueRestParams{TenantID: tx.Scope.TenantID,
			TypeCode: typ, OutletID: outlet, PromiseDay: day, Lim: left})
		if err != nil {
			return nil, nil, fmt.Errorf("list the dispatch queue: %w", err)
		}
	}
	return promised, rest, nil
}

// evaluate asks the warranty engine about the order's unit and stores the decision. When
// the decision's class or tier changes from what was stored, the change is on the timeline.
func (s *Service) evaluate(ctx context.Context, tx *tenants.Tx, o Order, why string) (Order, error) {
	res, err := s.decide(ctx, tx, o)
	if err != nil || res == nil {
		return o, err
	}
	snap, err := json.Marshal(res)
	if err != nil {
		return o, fmt.Errorf("encode entitlement: %w", err)
	}
	class, tier := res.Decision.Class, res.Tier.Code
	prio := priority(tier, res.Tier.Rank, o.Urgent)
	if err := tx.Q.SetOrderEntitlement(ctx, tx, db.SetOrderEntitlementParams{TenantID: tx.Scope.TenantID, ID: o.ID, Entitlement: snap,
		EntitlementClass: class, TierCode: tier, Priority: prio}); err != nil {
		return o, fmt.Errorf("store entitlement: %w", err)
	}
	if class != o.EntitlementClass || tier != o.TierCode {
		if err := record(ctx, tx, o.ID, entitlementEntry(o.EntitlementClass, res, why)); err != nil {
			return o, err
		}
	}
	o.Entitlement, o.EntitlementClass, o.TierCode, o.Priority = snap, class, tier, int(prio)
	return o, nil
}

// decide asks the warranty engine about the order's unit (nil without a registration).
func (s *Service) decide(ctx context.Context, tx *tenants.Tx, o Order) (*coverage.Result, error) {
	if o.RegistrationID == nil {
		return nil, nil
	}
	res, err := coverage.Check(ctx, tx, History{Now: s.Now, Current: o.ID}, coverage.CheckInput{RegistrationID: *o.RegistrationID,
		FaultCode: o.FaultCode, Component: o.Component, Exclusion: exclusionOf(o), Channel: o.Channel})
	if err != nil {
		return nil, fmt.Errorf("entitlement of %s: %w", firstOf(o.Number, "the order"), err)
	}
	return &res, nil
}

// entitlementEntry is the timeline row of a changed entitlement decision.
func entitlementEntry(from string, res *coverage.Result, why string) Entry {
	return Entry{Kind: "entitlement", From: from, To: res.Decision.Class, Reason: why,
		Data: map[string]any{"tier": res.Tier.Code, "remedies": res.Decision.Remedies, "covered_until": res.Decision.CoveredUntil}}
}

func exclusionOf(o Order) string {
	if o.Completion != nil {
		return o.Completion.Exclusion
	}
	return ""
}

// TransitionInput moves an order to another status.
type TransitionInput struct {
	To     string `json:"to" doc:"The status to move to; see the order's next"`
	Reason string `json:"reason,omitempty" maxLength:"1000" doc:"Required to cancel, reject or reopen"`
}

// statusEvents are the events a move into a status announces.
var statusEvents = map[string]string{
	StatusAccepted:       "order.accepted",
	StatusEnRoute:        "order.on_the_way",
	StatusWaitingParts:   "parts.awaiting",
	StatusReadyForPickup: "order.ready_for_pickup",
	StatusCompleted:      "order.repair_done",
	StatusClosed:         "order.closed",
	StatusCancelled:      "order.cancelled",
}

// Transition moves the order along its status machine. version 0 skips the version check;
// the row lock makes concurrent moves serial, so of two identical moves one wins and the
// other is rejected by the machine.
func (s *Service) Transition(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in TransitionInput) (Order, error) {
	r, err := lock(ctx, tx, id, version)
	if err != nil {
		return Order{}, err
	}
	return s.move(ctx, tx, r, in.To, in.Reason, nil)
}

func (s *Service) move(ctx context.Context, tx *tenants.Tx, r db.ServiceOrder, to, reason string, data map[string]any) (Order, error) {
	from := r.Status
	if err := CheckTransition(r.Flow, from, to); err != nil {
		return Order{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" && (to == StatusCancelled || to == StatusRejected || IsReopen(from, to)) {
		return Order{}, fault.Invalid("reason", "give a reason to "+verb(from, to))
	}
	if err := checkSettled(ctx, tx, r, to); err != nil {
		return Order{}, err
	}
	if err := checkLoanerBack(ctx, tx, r, to); err != nil {
		return Order{}, err
	}
	reopened := IsReopen(from, to)
	completed := to == StatusReadyForPickup || to == StatusCompleted
	now, err := s.now(ctx, tx)
	if err != nil {
		return Order{}, err
	}
	row, err := tx.Q.UpdateOrderStatus(ctx, tx, db.UpdateOrderStatusParams{TenantID: tx.Scope.TenantID,
		ID: r.ID, Version: r.Version, Status: to,
		Completed: completed, Reason: reason, Reopened: reopened, Now: now})
	if err != nil {
		return Order{}, fault.StaleIfMissing(err)
	}
	o := orderFromRow(row)
	if err := record(ctx, tx, o.ID, Entry{Kind: "status", From: from, To: to, Reason: reason, Public: true, Data: data}); err != nil {
		return Order{}, err
	}
	if err := s.clocksOnMove(ctx, tx, o, from, to); err != nil {
		return Order{}, err
	}
	if reopened {
		if o, err = s.evaluate(ctx, tx, o, "reopened: counts as a repeat repair"); err != nil {
			return Order{}, err
		}
	}
	typ := statusEvents[to]
	if from == StatusWaitingParts {
		typ = "parts.arrived"
	}
	if reopened {
		typ = "order.reopened"
	}
	if typ == "" {
		typ = "order.status_changed"
	}
	if err := s.emit(ctx, tx, o, typ, map[string]any{"from": from, "to": to, "reason": reason}); err != nil {
		return Order{}, err
	}
	return o, tx.Audit(ctx, "order.status", "service_order", o.ID, map[string]string{"status": from}, map[string]string{"status": to, "reason": reason})
}

// UnsettledError refuses handing a unit back (已取) or completing a visit while the
// customer still owes money on the order: its bill is not paid, or an approved quote with a
// charge has no bill yet. A manager's release of the bill, with a reason, lifts it.
type UnsettledError struct {
	Number  string
	Owed    int64
	NotBill bool
}

func (e *UnsettledError) Error() string {
	if e.NotBill {
		return fmt.Sprintf("order %s has an approved quote with a charge but no bill: bill the customer, take payment, "+
			"or have a manager release the pickup with a reason", e.Number)
	}
	return fmt.Sprintf("the bill of order %s is not settled (%d minor units owed): take payment, "+
		"or have a manager release the pickup with a reason", e.Number, e.Owed)
}

// Unwrap makes an UnsettledError a conflict (409).
func (e *UnsettledError) Unwrap() error { return fault.ErrConflict }

// checkSettled is the pickup block. It sits in move, which every status change goes through
// (the API's transitions, the engineer's report, dispatch and appointments), so no path hands
// a unit over unpaid. It reads the bill under the order's row lock.
func checkSettled(ctx context.Context, tx *tenants.Tx, r db.ServiceOrder, to string) error {
	if to != StatusPickedUp && to != StatusCompleted {
		return nil
	}
	st, err := tx.Q.OrderSettlement(ctx, tx, db.OrderSettlementParams{TenantID: tx.Scope.TenantID, OrderID: r.ID})
	if err != nil {
		return fmt.Errorf("settlement of %s: %w", r.Number, err)
	}
	switch {
	case st.Released:
		return nil
	case st.BillStatus == "" && st.Quoted > 0:
		return &UnsettledError{Number: r.Number, NotBill: true}
	case st.BillStatus != "" && st.Balance > 0:
		return &UnsettledError{Number: r.Number, Owed: st.Balance}
	}
	return nil
}

// checkLoanerBack is the loaner block: the customer's unit is not handed over (picked up, a
// visit completed) and the order is not closed while a loaner unit lent on the order is still
// out, unless a manager waived it with a reason (package stock, loans). Like checkSettled it
// sits in move, so every route that hands a unit over or closes an order meets it.
func checkLoanerBack(ctx context.Context, tx *tenants.Tx, r db.ServiceOrder, to string) error {
	if to != StatusPickedUp && to != StatusCompleted && to != StatusClosed {
		return nil
	}
	serial, err := tx.Q.OrderLoanOut(ctx, tx, db.OrderLoanOutParams{TenantID: tx.Scope.TenantID, OrderID: r.ID})
	if err != nil {
		return fmt.Errorf("loaner of %s: %w", r.Number, err)
	}
	if serial != "" {
		return &fault.ConflictError{Detail: fmt.Sprintf("the loaner unit %s lent on order %s is not back: take it back first, "+
			"or have a manager waive the return with a reason", serial, r.Number)}
	}
	return nil
}

func verb(from, to string) string {
	switch {
	case to == StatusCancelled:
		return "cancel"
	case to == StatusRejected:
		return "reject"
	case IsReopen(from, to):
		return "reopen"
	}
	return "move"
}

// Update changes the facts of an open order (fault, urgency, address, designated engineer)
// and re-evaluates the entitlement when the fault changed.
type Update struct {
	FaultDescription     string     `json:"fault_description" minLength:"1" maxLength:"4000"`
	FaultCode            string     `json:"fault_code,omitempty" maxLength:"64"`
	Component            string     `json:"component,omitempty" maxLength:"64"`
	Urgent               bool       `json:"urgent,omitempty"`
	Location             Location   `json:"location"`
	DesignatedEngineerID *uuid.UUID `json:"designated_engineer_id,omitempty"`
}

// UpdateFacts stores u on the order if version is current.
func (s *Service) UpdateFacts(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, u Update) (Order, error) {
	r, err := lock(ctx, tx, id, version)
	if err != nil {
		return Order{}, err
	}
	if r.Status == StatusClosed || r.Status == StatusCancelled {
		return Order{}, &fault.ConflictError{Detail: "order " + r.Number + " is " + r.Status + "; reopen it first"}
	}
	before := orderFromRow(r)
	code := ""
	if strings.TrimSpace(u.FaultCode) != "" {
		fc, err := catalog.EnsureFaultCode(ctx, tx, u.FaultCode, "", u.Component)
		if err != nil {
			return Order{}, fieldPrefix(err, "fault_code")
		}
		code = fc.Code
	}
	designated, err := designatedEngineer(ctx, tx, u.DesignatedEngineerID)
	if err != nil {
		return Order{}, err
	}
	prio := r.Priority
	if u.Urgent != r.Urgent {
		prio += map[bool]int32{true: 1000, false: -1000}[u.Urgent]
	}
	row, err := tx.Q.UpdateOrderFacts(ctx, tx, db.UpdateOrderFactsParams{TenantID: tx.Scope.TenantID, ID: id, Version: r.Version,
		FaultDescription: u.FaultDescription, FaultCode: code, Component: u.Component, Urgent: u.Urgent, Priority: prio,
		Address: u.Location.Address, ProvinceCode: u.Location.ProvinceCode, CityCode: u.Location.CityCode,
		DistrictCode: u.Location.DistrictCode, PostalCode: u.Location.PostalCode, Latitude: u.Location.Latitude,
		Longitude: u.Location.Longitude, DesignatedEngineer: designated})
	if err != nil {
		return Order{}, fault.DBError(err, "", "designated_engineer_id")
	}
	o := orderFromRow(row)
	if err := record(ctx, tx, o.ID, Entry{Kind: "updated", Data: map[string]any{"fault_code": code, "urgent": u.Urgent}}); err != nil {
		return Order{}, err
	}
	if code != r.FaultCode || u.Component != r.Component {
		if o, err = s.evaluate(ctx, tx, o, "fault changed"); err != nil {
			return Order{}, err
		}
	}
	return o, tx.Audit(ctx, "order.update", "service_order", o.ID, before, o)
}

// Track finds the order of a tracking token and returns it with its public timeline and the
// slug of its brand.
func Track(ctx context.Context, d *tenants.DB, token string) (Order, []Entry, string, error) {
	tenantID, id, _, err := auth.ParseLinkToken(trackingPrefix, token)
	if err != nil {
		return Order{}, nil, "", fault.ErrNotFound
	}
	var o Order
	var tl []Entry
	var slug string
	err = d.Tx(ctx, tenants.Scope{TenantID: tenantID, Actor: tenants.Actor{Kind: "consumer", Label: "tracking link"}}, func(tx *tenants.Tx) error {
		r, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: tx.Scope.TenantID, ID: id})
		if err != nil {
			return fault.DBError(err, "", "")
		}
		if !auth.SameHash([]byte(r.TrackingToken), []byte(token)) {
			return fault.ErrNotFound
		}
		o = orderFromRow(r)
		if slug, err = TenantSlug(ctx, tx); err != nil {
			return err
		}
		tl, err = Timeline(ctx, tx, id, true)
		return err
	})
	return o, tl, slug, err
}

// TenantSlug is the slug of tx's tenant: its portal is /my/{slug}. The links customers
// receive name it so that their pages show the brand.
func TenantSlug(ctx context.Context, tx *tenants.Tx) (string, error) {
	t, err := tx.Q.GetTenant(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return "", fault.DBError(err, "", "")
	}
	return t.Slug, nil
}

// NewTrackingLink replaces the order's tracking link (the old one stops working).
func (s *Service) NewTrackingLink(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (string, error) {
	if _, err := lock(ctx, tx, id, 0); err != nil {
		return "", err
	}
	token, _ := auth.NewLinkToken(trackingPrefix, tx.Scope.TenantID, id)
	if err := tx.Q.SetTrackingToken(ctx, tx, db.SetTrackingTokenParams{TenantID: tx.Scope.TenantID,
		ID: id, TrackingToken: token}); err != nil {
		return "", fmt.Errorf("store tracking link: %w", err)
	}
	if err := record(ctx, tx, id, Entry{Kind: "tracking_link", Reason: "a new tracking link replaced the old one"}); err != nil {
		return "", err
	}
	return s.trackingURL(token), nil
}

// Reevaluate asks the warranty engine again about the open orders of a unit whose facts
// changed (purchase date, proof, extra coverage); a changed decision is on each order's
// timeline with why.
func (s *Service) Reevaluate(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID, why string) error {
	list, err := List(ctx, tx, Filter{Registration: uuid.NullUUID{UUID: registrationID, Valid: true}, Limit: 100})
	if err != nil {
		return err
	}
	for _, o := range list {
		if o.Status == StatusClosed || o.Status == StatusCancelled {
			continue
		}
		if _, err := s.evaluate(ctx, tx, o, why); err != nil {
			return err
		}
	}
	return nil
}

// designatedEngineer checks the engineer a customer asked for: an active engineer of the
// tenant (any outlet's; dispatch then prefers theirs), or the request names the field.
func designatedEngineer(ctx context.Context, tx *tenants.Tx, id *uuid.UUID) (uuid.NullUUID, error) {
	if id == nil {
		return uuid.NullUUID{}, nil
	}
	p, err := tx.Q.GetEngineerProfile(ctx, tx, db.GetEngineerProfileParams{TenantID: tx.Scope.TenantID, UserID: *id})
	switch {
	case errors.Is(err, pgx.ErrNoRows) || (err == nil && !p.Active):
		return uuid.NullUUID{}, fault.Invalid("designated_engineer_id", "is not an active engineer of this tenant")
	case err != nil:
		return uuid.NullUUID{}, fmt.Errorf("designated engineer: %w", err)
	}
	return uuid.NullUUID{UUID: *id, Valid: true}, nil
}
