// Package returns carries out the 三包 remedies the warranty engine decides: a return or
// exchange case (退换货) starts from a decision whose remedies allow it, or from a manager's
// override with a reason; it is reviewed, the units come back (dropped at an outlet,
// collected by courier, or picked up when the replacement is delivered), are inspected, and
// each line ends in a refund, an exchange (a new unit registered with its warranty
// restarted, old and new serials linked, another model with the price difference on the same
// case) or an advance exchange (the replacement is registered and ships when the case is
// approved, against a deposit or a card hold that is charged if the old unit is not back by
// the tenant's deadline). A case may span several orders and units; each line's outcome
// drives its stock movement. See docs/returns.md.
package returns

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

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// Reasons a consumer returns a unit for (seed 003, 4.1.1). Personal reasons are accepted
// only where the tenant allows them, within its window after purchase.
const (
	ReasonQualityFault     = "quality_fault"
	ReasonNotAsDescribed   = "not_as_described"
	ReasonTransportDamage  = "transport_damage"
	ReasonPersonal         = "personal"
	CollectionDropOff      = "drop_off"
	CollectionCourier      = "courier"
	CollectionPickup       = "pickup_delivery"
	RemedyRefund           = "refund"
	RemedyExchange         = "exchange"
	RemedyAdvanceExchange  = "advance_exchange"
	PaymentPlatform        = "platform"
	PaymentOutside         = "outside"
	InspectionConfirmed    = "confirmed"
	InspectionNotConfirmed = "not_confirmed"
)

// Reasons lists the return reasons.
var Reasons = []string{ReasonQualityFault, ReasonNotAsDescribed, ReasonTransportDamage, ReasonPersonal}

// Collections lists how units come back.
var Collections = []string{CollectionDropOff, CollectionCourier, CollectionPickup}

// Remedies lists what a line may ask for.
var Remedies = []string{RemedyRefund, RemedyExchange, RemedyAdvanceExchange}

// Payments lists how a unit was paid: through the platform's Stripe account, or outside it.
var Payments = []string{PaymentPlatform, PaymentOutside}

// Case statuses: applied -> approved | rejected; approved -> received (every unit back) ->
// inspected (every unit looked at) -> resolved (every line has its outcome) -> closed.
const (
	StatusApplied   = "applied"
	StatusApproved  = "approved"
	StatusRejected  = "rejected"
	StatusReceived  = "received"
	StatusInspected = "inspected"
	StatusResolved  = "resolved"
	StatusClosed    = "closed"
)

// Statuses lists the case statuses.
var Statuses = []string{StatusApplied, StatusApproved, StatusRejected, StatusReceived, StatusInspected, StatusResolved, StatusClosed}

// Line outcomes.
const (
	OutcomeRefunded           = "refunded"
	OutcomeExchanged          = "exchanged"
	OutcomeReturnedToCustomer = "returned_to_customer"
)

// Hold states of an advance exchange.
const (
	HoldDeposit  = "deposit"
	HoldCard     = "card_hold"
	HoldHeld     = "held"
	HoldReleased = "released"
	HoldCharged  = "charged"
)

// Events of cases (signed webhooks, notifications), one per step.
const (
	EventApplied       = "return.applied"
	EventApproved      = "return.approved"
	EventRejected      = "return.rejected"
	EventReceived      = "return.received"
	EventInspected     = "return.inspected"
	EventRefunded      = "return.refunded"
	EventExchanged     = "return.exchanged"
	EventAdvanceShip   = "return.advance_shipped"
	EventHoldReleased  = "return.hold_released"
	EventHoldCharged   = "return.hold_charged"
	EventResolved      = "return.resolved"
	EventClosed        = "return.closed"
	subjectReturnCase  = "return_case"
	maxLines           = 20
	refundKeyPrefix    = "return_refund:"
	holdKeyPrefix      = "return_hold:"
	stockKeyPrefix     = "return:"
	defaultPersonalDay = 7
)

// EventTypes lists every event a case emits.
var EventTypes = []string{EventApplied, EventApproved, EventRejected, EventReceived, EventInspected, EventRefunded, EventExchanged,
	EventAdvanceShip, EventHoldReleased, EventHoldCharged, EventResolved, EventClosed}

// LineRefund is the money given back for a line.
type LineRefund struct {
	Amount         int64     `json:"amount" doc:"Minor units of the case's currency"`
	Reference      string    `json:"reference,omitempty" doc:"Outside the platform: the refund's reference (bank transfer, counter receipt)"`
	StripeRefundID string    `json:"stripe_refund_id,omitempty" doc:"Through the platform: Stripe's refund"`
	Status         string    `json:"status" doc:"recorded (outside the platform); pending until Stripe has made it (asked after the step's commit, retried by a job), then Stripe's status"`
	At             time.Time `json:"at"`
}

// LineExchange is the unit given in exchange for a line's unit.
type LineExchange struct {
	RegistrationID uuid.UUID  `json:"registration_id" doc:"The new unit's registration: its warranty starts on its purchase date (三包 restarted)"`
	Serial         string     `json:"serial"`
	ModelID        uuid.UUID  `json:"model_id"`
	PartID         *uuid.UUID `json:"part_id,omitempty" doc:"The stock item the replacement left stock as"`
	Price          int64      `json:"price" doc:"The new unit's price"`
	Difference     int64      `json:"difference" doc:"Price minus what was paid: the customer owes it (positive) or is owed it (negative)"`
	Advance        bool       `json:"advance" doc:"Shipped before the old unit came back"`
	WarrantyFrom   string     `json:"warranty_from,omitempty" format:"date" doc:"The day the new unit's warranty starts: the exchange's day on the tenant's clock (三包 restarted)"`
	At             time.Time  `json:"at"`
}

// CaseLine is one unit of a case, with the warranty decision it was admitted under and its
// outcome.
type CaseLine struct {
	No             int           `json:"no"`
	RegistrationID uuid.UUID     `json:"registration_id"`
	Serial         string        `json:"serial"`
	ModelID        uuid.UUID     `json:"model_id"`
	OrderID        *uuid.UUID    `json:"order_id,omitempty" doc:"The service order the return came through"`
	PartID         *uuid.UUID    `json:"part_id,omitempty" doc:"The stock item the unit is kept as, when the tenant stocks units"`
	Remedy         string        `json:"remedy" doc:"refund, exchange or advance_exchange"`
	Class          string        `json:"class" doc:"The warranty decision's coverage class"`
	Remedies       []string      `json:"remedies" doc:"The remedies the warranty decision allowed"`
	Overridden     bool          `json:"overridden" doc:"Admitted by a manager's override, not by the decision"`
	Paid           int64         `json:"paid" doc:"What the customer paid for the unit, minor units"`
	Payment        string        `json:"payment" doc:"platform: paid through the platform (refunds go through Stripe); outside: recorded with a reference"`
	PaymentIntent  string        `json:"payment_intent,omitempty" doc:"The platform sale's Stripe payment intent"`
	Received       bool          `json:"received"`
	ReceivedAt     *time.Time    `json:"received_at,omitempty"`
	Inspection     string        `json:"inspection,omitempty" doc:"confirmed or not_confirmed (no fault found: the unit goes back to the customer)"`
	InspectionNote string        `json:"inspection_note,omitempty"`
	Outcome        string        `json:"outcome,omitempty" doc:"refunded, exchanged or returned_to_customer"`
	Refund         *LineRefund   `json:"refund,omitempty"`
	Exchange       *LineExchange `json:"exchange,omitempty"`
	Movements      []uuid.UUID   `json:"movements" doc:"Stock movements the line's outcome posted"`
}

// CaseStep is one entry of a case's timeline.
type CaseStep struct {
	At    time.Time `json:"at"`
	Kind  string    `json:"kind" doc:"The event of the step, e.g. return.approved"`
	Actor string    `json:"actor,omitempty"`
	Line  int       `json:"line,omitempty" doc:"The line the step was about (0: the case)"`
	Note  string    `json:"note,omitempty"`
}

// CaseHold is the deposit or card hold of an advance exchange.
type CaseHold struct {
	Kind      string     `json:"kind" doc:"deposit or card_hold"`
	Amount    int64      `json:"amount"`
	Status    string     `json:"status" doc:"held, released (the old unit came back) or charged (it did not, by the deadline)"`
	Reference string     `json:"reference,omitempty" doc:"The deposit's receipt, or the card hold's Stripe payment intent"`
	DueAt     *time.Time `json:"due_at,omitempty" doc:"The old unit is to be back by then"`
}

// Case is a return or exchange case.
type Case struct {
	ID             uuid.UUID   `json:"id"`
	Number         string      `json:"number"`
	CustomerID     uuid.UUID   `json:"customer_id"`
	OutletID       *uuid.UUID  `json:"outlet_id,omitempty"`
	Reason         string      `json:"reason"`
	Description    string      `json:"description,omitempty"`
	Status         string      `json:"status"`
	Collection     string      `json:"collection" doc:"drop_off at an outlet, courier pickup, or pickup_delivery (pickup and delivery in one visit)"`
	CollectionRef  string      `json:"collection_ref,omitempty" doc:"The courier's waybill or the visit's appointment"`
	OverrideReason string      `json:"override_reason,omitempty"`
	OverriddenBy   string      `json:"overridden_by,omitempty"`
	ReviewNote     string      `json:"review_note,omitempty"`
	ReviewedBy     string      `json:"reviewed_by,omitempty"`
	Currency       string      `json:"currency"`
	Refunded       int64       `json:"refunded"`
	Difference     int64       `json:"difference" doc:"Exchanges to other models: what the customer owes (positive) or is owed (negative)"`
	Hold           *CaseHold   `json:"hold,omitempty"`
	Lines          []CaseLine  `json:"lines"`
	Steps          []CaseStep  `json:"steps"`
	AttachmentIDs  []uuid.UUID `json:"attachment_ids" doc:"The customer's photos (attachments of the case's order), when they asked in the portal"`
	Version        int32       `json:"version"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	ClosedAt       *time.Time  `json:"closed_at,omitempty"`
}

func fromRow(r db.ReturnCase) (Case, error) {
	c := Case{ID: r.ID, Number: r.Number, CustomerID: r.CustomerID, Reason: r.Reason, Description: r.Description, Status: r.Status,
		Collection: r.Collection, CollectionRef: r.CollectionRef, OverrideReason: r.OverrideReason, OverriddenBy: r.OverriddenBy,
		ReviewNote: r.ReviewNote, ReviewedBy: r.ReviewedBy, Currency: r.Currency, Refunded: r.Refunded, Difference: r.Difference,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ClosedAt: r.ClosedAt}
	if r.OutletID.Valid {
		c.OutletID = &r.OutletID.UUID
	}
	if r.HoldKind != "" {
		c.Hold = &CaseHold{Kind: r.HoldKind, Amount: r.HoldAmount, Status: r.HoldStatus, Reference: r.HoldReference, DueAt: r.HoldDueAt}
	}
	if err := json.Unmarshal(r.Lines, &c.Lines); err != nil {
		return Case{}, fmt.Errorf("return case %s lines: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.Steps, &c.Steps); err != nil {
		return Case{}, fmt.Errorf("return case %s steps: %w", r.ID, err)
	}
	if c.Lines == nil {
		c.Lines = []CaseLine{}
	}
	if c.Steps == nil {
		c.Steps = []CaseStep{}
	}
	c.AttachmentIDs = r.AttachmentIds
	if c.AttachmentIDs == nil {
		c.AttachmentIDs = []uuid.UUID{}
	}
	return c, nil
}

// Service runs the steps of cases. Payments is the platform's Stripe account (refunds of
// platform sales, card holds); Jobs queues events and the advance exchange's deadline;
// History supplies units' repair history to the warranty decision.
type Service struct {
	Payments *billing.Service
	Jobs     events.Inserter
	History  coverage.HistorySource
}

// LineInput is one unit of an application.
type LineInput struct {
	RegistrationID uuid.UUID  `json:"registration_id" doc:"The unit returned"`
	OrderID        *uuid.UUID `json:"order_id,omitempty" doc:"The service order the return came through, if any"`
	FaultCode      string     `json:"fault_code,omitempty" maxLength:"64" doc:"The fault the warranty decision is asked about"`
	PartID         *uuid.UUID `json:"part_id,omitempty" doc:"The stock item the tenant keeps such units as (returned units are received into the returned-goods warehouse)"`
	Remedy         string     `json:"remedy" enum:"refund,exchange,advance_exchange"`
	Paid           int64      `json:"paid" minimum:"0" maximum:"100000000000" doc:"What the customer paid for the unit, minor units"`
	Payment        string     `json:"payment" enum:"platform,outside" doc:"platform: sold through the platform's Stripe account (give payment_intent)"`
	PaymentIntent  string     `json:"payment_intent,omitempty" maxLength:"255" doc:"The sale's Stripe payment intent (pi_...)"`
}

// ApplyInput opens a case.
type ApplyInput struct {
	CustomerID     *uuid.UUID  `json:"customer_id,omitempty" doc:"The customer returning; default: the first unit's buyer"`
	OutletID       *uuid.UUID  `json:"outlet_id,omitempty" doc:"The outlet handling the case (where a unit is dropped off)"`
	Reason         string      `json:"reason" enum:"quality_fault,not_as_described,transport_damage,personal"`
	Description    string      `json:"description,omitempty" maxLength:"2000"`
	Collection     string      `json:"collection" enum:"drop_off,courier,pickup_delivery"`
	CollectionRef  string      `json:"collection_ref,omitempty" maxLength:"200"`
	Lines          []LineInput `json:"lines" minItems:"1" maxItems:"20"`
	OverrideReason string      `json:"override_reason,omitempty" maxLength:"1000" doc:"Override only: why the case is opened although the decision does not allow the remedy"`
	// AttachmentIDs are the customer's photos, checked by the caller (the consumer's request).
	AttachmentIDs []uuid.UUID `json:"-"`
}

// TenantTerms are a tenant's return terms.
type TenantTerms struct {
	AllowPersonal          bool       `json:"allow_personal" doc:"Accept returns for personal reasons"`
	PersonalDays           int32      `json:"personal_days" minimum:"0" maximum:"365" doc:"Personal reasons: days after purchase (七日无理由: 7)"`
	AdvanceDeadlineDays    int32      `json:"advance_deadline_days" minimum:"1" maximum:"365" doc:"Advance exchange: days the old unit has to come back before the hold is charged"`
	ReturnedWarehouseID    *uuid.UUID `json:"returned_warehouse_id,omitempty" doc:"A returned_goods warehouse returned units are received into"`
	ReplacementWarehouseID *uuid.UUID `json:"replacement_warehouse_id,omitempty" doc:"A finished_goods warehouse replacements leave from"`
	Version                int32      `json:"version" readOnly:"true"`
	UpdatedAt              *time.Time `json:"updated_at,omitempty" readOnly:"true"`
}

func idOf(p *uuid.UUID) uuid.NullUUID {
	if p == nil {
		return uuid.NullUUID{}
	}
	return uuid.NullUUID{UUID: *p, Valid: true}
}

func ptrOf(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

// GetSettings returns the tenant's return terms (defaults when never set).
func GetSettings(ctx context.Context, tx *tenants.Tx) (TenantTerms, error) {
	r, err := tx.Q.GetReturnSettings(ctx, tx, tx.Scope.TenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return TenantTerms{PersonalDays: defaultPersonalDay, AdvanceDeadlineDays: 15}, nil
	}
	if err != nil {
		return TenantTerms{}, fmt.Errorf("return settings: %w", err)
	}
	return TenantTerms{AllowPersonal: r.AllowPersonal, PersonalDays: r.PersonalDays, AdvanceDeadlineDays: r.AdvanceDeadlineDays,
		ReturnedWarehouseID: ptrOf(r.ReturnedWarehouseID), ReplacementWarehouseID: ptrOf(r.ReplacementWarehouseID),
		Version: r.Version, UpdatedAt: &r.UpdatedAt}, nil
}

// PutSettings sets the tenant's return terms. version is the one read (0: none were set).
// The warehouses must be of the right kind: returned units go to a returned_goods
// warehouse, replacements leave a finished_goods one.
func PutSettings(ctx context.Context, tx *tenants.Tx, version int32, in TenantTerms) (TenantTerms, error) {
	cur, err := GetSettings(ctx, tx)
	if err != nil {
		return TenantTerms{}, err
	}
	if version != cur.Version {
		return TenantTerms{}, fault.ErrStale
	}
	for _, w := range []struct {
		id    *uuid.UUID
		kind  string
		field string
	}{{in.ReturnedWarehouseID, "returned_goods", "returned_warehouse_id"}, {in.ReplacementWarehouseID, "finished_goods", "replacement_warehouse_id"}} {
		if w.id == nil {
			continue
		}
		wh, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: *w.id})
		if err != nil {
			return TenantTerms{}, fault.Invalid(w.field, "is not a warehouse of this tenant")
		}
		if wh.Kind != w.kind {
			return TenantTerms{}, fault.Invalid(w.field, "must be a "+w.kind+" warehouse, not "+wh.Kind)
		}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return TenantTerms{}, err
	}
	if _, err := tx.Q.PutReturnSettings(ctx, tx, db.PutReturnSettingsParams{TenantID: tx.Scope.TenantID, AllowPersonal: in.AllowPersonal,
		PersonalDays: in.PersonalDays, AdvanceDeadlineDays: in.AdvanceDeadlineDays, ReturnedWarehouseID: idOf(in.ReturnedWarehouseID),
		ReplacementWarehouseID: idOf(in.ReplacementWarehouseID), UpdatedAt: now}); err != nil {
		return TenantTerms{}, fault.DBError(err, "", "returned_warehouse_id")
	}
	out, err := GetSettings(ctx, tx)
	if err != nil {
		return TenantTerms{}, err
	}
	return out, tx.Audit(ctx, "return_settings.put", "return_settings", tx.Scope.TenantID, cur, out)
}

// Apply opens a case. Each line's unit is asked of the warranty engine; the line's remedy
// must be among the decision's (an exchange is also allowed where a refund is), except for a
// personal reason, which the tenant's terms decide instead. override marks a manager's
// override: in.OverrideReason is then required and admits what the decision does not.
func (s *Service) Apply(ctx context.Context, tx *tenants.Tx, in ApplyInput, override bool) (Case, error) {
	in.OverrideReason = strings.TrimSpace(in.OverrideReason)
	if override && in.OverrideReason == "" {
		return Case{}, fault.Invalid("override_reason", "give the reason the case is opened against the warranty decision")
	}
	if !override && in.OverrideReason != "" {
		return Case{}, fault.Invalid("override_reason", "is for a manager's override (POST /v1/returns/override)")
	}
	if !slices.Contains(Reasons, in.Reason) {
		return Case{}, fault.Invalid("reason", "must be one of "+strings.Join(Reasons, ", "))
	}
	if !slices.Contains(Collections, in.Collection) {
		return Case{}, fault.Invalid("collection", "must be one of "+strings.Join(Collections, ", "))
	}
	if len(in.Lines) == 0 || len(in.Lines) > maxLines {
		return Case{}, fault.Invalid("lines", fmt.Sprintf("give 1 to %d units", maxLines))
	}
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return Case{}, err
	}
	if in.Reason == ReasonPersonal && !settings.AllowPersonal && !override {
		return Case{}, fault.Invalid("reason", "this tenant does not accept returns for personal reasons")
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Case{}, err
	}
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return Case{}, err
	}
	var customer uuid.UUID
	if in.CustomerID != nil {
		customer = *in.CustomerID
	}
	lines := make([]CaseLine, 0, len(in.Lines))
	seen := map[uuid.UUID]bool{}
	for i, li := range in.Lines {
		f := func(name string) string { return fmt.Sprintf("lines[%d].%s", i, name) }
		if seen[li.RegistrationID] {
			return Case{}, fault.Invalid(f("registration_id"), "is on the case twice")
		}
		seen[li.RegistrationID] = true
		if !slices.Contains(Remedies, li.Remedy) {
			return Case{}, fault.Invalid(f("remedy"), "must be one of "+strings.Join(Remedies, ", "))
		}
		if li.Paid < 0 {
			return Case{}, fault.Invalid(f("paid"), "must not be negative")
		}
		li.PaymentIntent = strings.TrimSpace(li.PaymentIntent)
		switch li.Payment {
		case PaymentPlatform:
			if !strings.HasPrefix(li.PaymentIntent, "pi_") {
				return Case{}, fault.Invalid(f("payment_intent"), "give the sale's Stripe payment intent (pi_...): the refund goes back through it")
			}
		case PaymentOutside:
			if li.PaymentIntent != "" {
				return Case{}, fault.Invalid(f("payment_intent"), "is only for units paid through the platform")
			}
		default:
			return Case{}, fault.Invalid(f("payment"), "must be platform or outside")
		}
		reg, err := registry.Get(ctx, tx, li.RegistrationID)
		if err != nil {
			return Case{}, fault.Invalid(f("registration_id"), "is not a registered unit of this tenant")
		}
		open, err := List(ctx, tx, Filter{Serial: reg.Serial, Limit: 50})
		if err != nil {
			return Case{}, err
		}
		for _, o := range open {
			if o.Status != StatusRejected && o.Status != StatusClosed && slices.ContainsFunc(o.Lines, func(l CaseLine) bool { return l.RegistrationID == reg.ID }) {
				return Case{}, fault.Invalid(f("registration_id"), "is on open case "+o.Number+" already")
			}
		}
		if customer == uuid.Nil {
			if reg.BuyerID == nil {
				return Case{}, fault.Invalid("customer_id", "the unit has no buyer on record: give the customer")
			}
			customer = *reg.BuyerID
		}
		if !ownedBy(reg, customer) {
			return Case{}, fault.Invalid(f("registration_id"), "is not the customer's unit (neither its buyer nor its user)")
		}
		if li.OrderID != nil {
			o, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: tx.Scope.TenantID, ID: *li.OrderID})
			if err != nil {
				return Case{}, fault.Invalid(f("order_id"), "is not an order of this tenant")
			}
			if !o.RegistrationID.Valid || o.RegistrationID.UUID != reg.ID {
				return Case{}, fault.Invalid(f("order_id"), "is an order of another unit")
			}
		}
		if li.PartID != nil {
			if _, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: *li.PartID}); err != nil {
				return Case{}, fault.Invalid(f("part_id"), "is not a part of this tenant")
			}
		}
		res, err := coverage.Check(ctx, tx, s.History, coverage.CheckInput{RegistrationID: reg.ID, FaultCode: li.FaultCode, At: &now})
		if err != nil {
			var fe *fault.FieldError
			if errors.As(err, &fe) {
				return Case{}, fault.Invalid(f("fault_code"), fe.Reason)
			}
			return Case{}, fmt.Errorf("warranty decision of %s: %w", reg.Serial, err)
		}
		line := CaseLine{No: i + 1, RegistrationID: reg.ID, Serial: reg.Serial, ModelID: reg.ModelID, OrderID: li.OrderID, PartID: li.PartID,
			Remedy: li.Remedy, Class: res.Decision.Class, Remedies: res.Decision.Remedies, Paid: li.Paid, Payment: li.Payment,
			PaymentIntent: li.PaymentIntent, Movements: []uuid.UUID{}}
		if line.Remedies == nil {
			line.Remedies = []string{}
		}
		allowed := remedyAllowed(li.Remedy, res.Decision.Remedies)
		if in.Reason == ReasonPersonal {
			allowed = personalAllowed(settings, reg, now, t.Timezone)
		}
		if !allowed {
			if !override {
				return Case{}, fault.Invalid(f("remedy"), notAllowed(in.Reason, li.Remedy, reg.Serial, res.Decision, settings))
			}
			line.Overridden = true
		}
		lines = append(lines, line)
	}
	if override && !slices.ContainsFunc(lines, func(l CaseLine) bool { return l.Overridden }) {
		return Case{}, fault.Invalid("override_reason", "the warranty decisions allow every line: open the case without an override")
	}
	id := platform.NewID()
	number := "RT-" + now.In(zone(t.Timezone)).Format("20060102") + "-" + strings.ToUpper(strings.ReplaceAll(id.String(), "-", "")[26:])
	c := Case{ID: id, Number: number, CustomerID: customer, OutletID: in.OutletID, Reason: in.Reason, Description: strings.TrimSpace(in.Description),
		Status: StatusApplied, Collection: in.Collection, CollectionRef: strings.TrimSpace(in.CollectionRef), Currency: t.Currency, Lines: lines,
		AttachmentIDs: in.AttachmentIDs}
	if c.AttachmentIDs == nil {
		c.AttachmentIDs = []uuid.UUID{}
	}
	c.Steps = []CaseStep{{At: now, Kind: EventApplied, Actor: tx.Scope.Actor.Label, Note: in.Reason}}
	if override {
		c.OverrideReason, c.OverriddenBy = in.OverrideReason, tx.Scope.Actor.Label
		c.Steps[0].Note = "override: " + in.OverrideReason
	}
	lj, sj, err := encode(c)
	if err != nil {
		return Case{}, err
	}
	r, err := tx.Q.InsertReturnCase(ctx, tx, db.InsertReturnCaseParams{TenantID: tx.Scope.TenantID, ID: id, Number: number, CustomerID: customer,
		OutletID: idOf(in.OutletID), Reason: c.Reason, Description: c.Description, Status: c.Status, Collection: c.Collection,
		CollectionRef: c.CollectionRef, OverrideReason: c.OverrideReason, OverriddenBy: c.OverriddenBy, Currency: c.Currency,
		Lines: lj, Steps: sj, AttachmentIds: c.AttachmentIDs, CreatedAt: now})
	if err != nil {
		return Case{}, fault.DBError(err, "a case with this number exists; try again", "customer_id")
	}
	out, err := fromRow(r)
	if err != nil {
		return Case{}, err
	}
	if err := tx.Audit(ctx, "return.apply", subjectReturnCase, out.ID, nil, out); err != nil {
		return Case{}, err
	}
	return out, s.emit(ctx, tx, out, EventApplied, 0)
}

func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}

func ownedBy(reg registry.Registration, customer uuid.UUID) bool {
	return (reg.BuyerID != nil && *reg.BuyerID == customer) || (reg.UserID != nil && *reg.UserID == customer)
}

// remedyAllowed reports whether a decision's remedies admit what a line asks: a refund needs
// refund; an exchange (advance or not) needs exchange or refund (who may have their money
// back may take a new unit instead).
func remedyAllowed(remedy string, remedies []string) bool {
	if remedy == RemedyRefund {
		return slices.Contains(remedies, warranty.Refund)
	}
	return slices.Contains(remedies, warranty.Exchange) || slices.Contains(remedies, warranty.Refund)
}

// personalAllowed reports whether a personal-reason return is inside the tenant's window.
func personalAllowed(s TenantTerms, reg registry.Registration, now time.Time, tz string) bool {
	if !s.AllowPersonal {
		return false
	}
	bought, err := time.Parse(time.DateOnly, reg.PurchaseDate)
	if err != nil {
		return false
	}
	y, m, d := now.In(zone(tz)).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return !today.After(bought.AddDate(0, 0, int(s.PersonalDays)))
}

func notAllowed(reason, remedy, serial string, d warranty.Decision, s TenantTerms) string {
	if reason == ReasonPersonal {
		return fmt.Sprintf("a personal-reason return of %s is accepted only within %d days of purchase; a manager may override with a reason",
			serial, s.PersonalDays)
	}
	allowed := "none"
	if len(d.Remedies) > 0 {
		allowed = strings.Join(d.Remedies, ", ")
	}
	return fmt.Sprintf("the warranty decision for %s (%s) allows %s, not %s; a manager may override with a reason",
		serial, d.Class, allowed, remedy)
}

func encode(c Case) (lines, steps []byte, err error) {
	if lines, err = json.Marshal(c.Lines); err != nil {
		return nil, nil, fmt.Errorf("encode lines: %w", err)
	}
	if steps, err = json.Marshal(c.Steps); err != nil {
		return nil, nil, fmt.Errorf("encode steps: %w", err)
	}
	return lines, steps, nil
}

// Get returns one case in the caller's scope (a consumer: only their own).
func Get(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Case, error) {
	r, err := tx.Q.GetReturnCase(ctx, tx, db.GetReturnCaseParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Case{}, fault.DBError(err, "", "")
	}
	return fromRow(r)
}

// Filter narrows the case list.
type Filter struct {
	Status     string
	Reason     string
	CustomerID uuid.UUID
	Serial     string
	After      uuid.UUID
	Limit      int
}

func optText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// List lists cases in the caller's scope, newest first.
func List(ctx context.Context, tx *tenants.Tx, f Filter) ([]Case, error) {
	tx.PlanForValues()
	rows, err := tx.Q.ListReturnCases(ctx, tx, db.ListReturnCasesParams{TenantID: tx.Scope.TenantID,
		After: uuid.NullUUID{UUID: f.After, Valid: f.After != uuid.Nil}, Status: optText(f.Status), Reason: optText(f.Reason),
		CustomerID: uuid.NullUUID{UUID: f.CustomerID, Valid: f.CustomerID != uuid.Nil}, Serial: optText(registry.NormalizeSerial(f.Serial)),
		Lim: int32(f.Limit)})
	if err != nil {
		return nil, fmt.Errorf("list return cases: %w", err)
	}
	out := make([]Case, 0, len(rows))
	for _, r := range rows {
		c, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// customerNotified are the steps the customer is told of.
var customerNotified = map[string]bool{notify.ReturnApproved: true, notify.ReturnRejected: true, notify.ReturnReceived: true,
	notify.ReturnRefunded: true, notify.ReturnExchanged: true}

// emit records a step's event; outlet-scoped cases carry their outlet.
func (s *Service) emit(ctx context.Context, tx *tenants.Tx, c Case, event string, line int) error {
	var outlet uuid.UUID
	if c.OutletID != nil {
		outlet = *c.OutletID
	}
	data := map[string]any{"number": c.Number, "status": c.Status, "customer_id": c.CustomerID, "reason": c.Reason}
	if line > 0 {
		l := c.Lines[line-1]
		data["line"] = line
		data["serial"] = l.Serial
		data["outcome"] = l.Outcome
		if l.Exchange != nil {
			data["new_serial"] = l.Exchange.Serial
		}
		if l.Refund != nil {
			data["refund_amount"] = l.Refund.Amount
		}
	}
	if c.Hold != nil {
		data["hold"] = c.Hold
	}
	if customerNotified[event] {
		// The customer is told when the case moves (notify's shipped templates).
		vars := map[string]string{"case_number": c.Number}
		if line > 0 {
			l := c.Lines[line-1]
			if l.Refund != nil {
				vars["amount"] = notify.FormatMoney(l.Refund.Amount, c.Currency)
			}
			if l.Exchange != nil {
				vars["new_serial"] = l.Exchange.Serial
			}
		}
		data["recipients"] = []notify.Recipient{notify.Customer(c.CustomerID)}
		data["vars"] = vars
	}
	_, err := events.Emit(ctx, tx, s.Jobs, event, subjectReturnCase, c.ID, outlet, data)
	return err
}
