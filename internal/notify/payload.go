// Package notify turns domain events into messages: SMS, email and in-app messages to
// customers and staff, rendered from per-tenant templates (with shipped defaults in zh-CN and
// en), sent through providers by one River job per (event, recipient, channel), logged, and
// never sent twice.
//
// Producers do not call this package to send: they emit an event (package events) whose data
// follows the Payload convention below, in the same transaction as their change. The Notifier
// is an events.Consumer that reads it.
package notify

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// Recipient kinds.
const (
	RecipientCustomer = "customer" // a tenant's customer: SMS to their phone, email, in-app via their consumer login
	RecipientUser     = "user"     // one staff user with an active membership: email, in-app, SMS if they have a phone
	RecipientRole     = "role"     // every active member with a role, optionally only of one outlet
)

// Channels.
const (
	ChannelSMS   = "sms"
	ChannelEmail = "email"
	ChannelInApp = "in_app"
)

// Channels lists every channel.
var Channels = []string{ChannelSMS, ChannelEmail, ChannelInApp}

// The shipped template locales.
const (
	LocaleZH = "zh-CN"
	LocaleEN = "en"
)

// Locales are the shipped template locales.
var Locales = []string{LocaleZH, LocaleEN}

// Recipient names who should hear about an event. Build one with Customer, User or Role.
type Recipient struct {
	Kind       string     `json:"kind"`
	CustomerID *uuid.UUID `json:"customer_id,omitempty"`
	UserID     *uuid.UUID `json:"user_id,omitempty"`
	Role       string     `json:"role,omitempty"`
	OutletID   *uuid.UUID `json:"outlet_id,omitempty"`
}

// Customer addresses a tenant's customer.
func Customer(id uuid.UUID) Recipient { return Recipient{Kind: RecipientCustomer, CustomerID: &id} }

// User addresses one staff user of the tenant.
func User(id uuid.UUID) Recipient { return Recipient{Kind: RecipientUser, UserID: &id} }

// Role addresses every active member with role; outletID (uuid.Nil: any outlet) narrows
// outlet roles to one outlet.
func Role(role string, outletID uuid.UUID) Recipient {
	r := Recipient{Kind: RecipientRole, Role: role}
	if outletID != uuid.Nil {
		r.OutletID = &outletID
	}
	return r
}

// Payload is the notification part of an event's data. Producers pass it (or a struct that
// embeds it, for fields of their own) as the data of events.Emit:
//
//	events.Emit(ctx, tx, jobs, notify.OrderRepairDone, "service_order", orderID, outletID, notify.Payload{
//		Recipients: []notify.Recipient{notify.Customer(customerID)},
//		Vars:       map[string]string{"order_number": "SO-2026-000123", "tracking_link": link},
//	})
//
// Vars are the template variables of the event type (see Catalogue); every variable its
// templates use must be present, or that send is logged as failed with the template error.
type Payload struct {
	Recipients []Recipient       `json:"recipients,omitempty"`
	Vars       map[string]string `json:"vars,omitempty"`
	Urgent     bool              `json:"urgent,omitempty"`   // ignore quiet hours
	Locale     string            `json:"locale,omitempty"`   // zh-CN or en; default the tenant's
	Channels   []string          `json:"channels,omitempty"` // restrict channels; default all a recipient can receive
}

// ParsePayload reads the notification part of an event's data. Unknown fields are ignored;
// variables that are JSON numbers or booleans are taken as their text.
func ParsePayload(data []byte) (Payload, error) {
	var raw struct {
		Payload
		Vars map[string]any `json:"vars,omitempty"`
	}
	if len(data) == 0 {
		return Payload{}, nil
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return Payload{}, fmt.Errorf("notification payload: %w", err)
	}
	p := raw.Payload
	if len(raw.Vars) > 0 {
		p.Vars = make(map[string]string, len(raw.Vars))
		for k, v := range raw.Vars {
			switch x := v.(type) {
			case string:
				p.Vars[k] = x
			case float64, bool:
				p.Vars[k] = fmt.Sprint(x)
			case nil:
			default:
				return Payload{}, fmt.Errorf("notification payload: variable %q is not text", k)
			}
		}
	}
	return p, nil
}

// Event types with shipped templates.
const (
	OrderCreated          = "order.created"
	OrderEngineerAssigned = "order.engineer_assigned"
	AppointmentBooked     = "appointment.booked"
	AppointmentChanged    = "appointment.changed"
	OrderOnTheWay         = "order.on_the_way"
	PartsArrived          = "parts.arrived"
	PartsAwaiting         = "parts.awaiting"
	WarrantyCycleExtended = "warranty.cycle_extended"
	OrderRepairDone       = "order.repair_done"
	OrderReadyForPickup   = "order.ready_for_pickup"
	QuoteToApprove        = "quote.to_approve"
	SLAWarning            = "sla.warning"
	SLABreached           = "sla.breached"
	SLAEscalated          = "sla.escalated"
	CallbackDue           = "callback.due"
	ComplaintEscalated    = "complaint.escalated"     // to the escalation level's role and person: a complaint's deadline missed
	SurveyInvite          = "survey.invite"           // to the customer: the survey link
	RectificationOpened   = "rectification.opened"    // to the case's owner and the outlet's managers
	RectificationReview   = "rectification.submitted" // to the outlet's managers and tenant admins: a case to approve
	RectificationDecided  = "rectification.reviewed"  // to the owner: approved, or returned with the reason
	WebhookDisabled       = "webhook.disabled"
	CompensationIssued    = "compensation.issued"
	PaymentFlagged        = "payment.flagged" // to tenant admins and finance
	RefundFailed          = "refund.failed"   // to tenant admins and finance
	DisputeWon            = "dispute.won"     // to tenant admins and finance
	DisputeLost           = "dispute.lost"    // to tenant admins and finance
	PlatformPaymentFailed = "platform.payment_failed"
	PlatformGraceEnding   = "platform.grace_ending"
	LoanerOverdue         = "loaner.overdue"     // to the customer: the loaner unit lent on their order is past due
	ReturnApproved        = "return.approved"    // to the customer: their return or exchange case was approved
	ReturnRejected        = "return.rejected"    // to the customer: their case was not approved
	ReturnReceived        = "return.received"    // to the customer: their unit is back with the brand
	ReturnRefunded        = "return.refunded"    // to the customer: the refund is made
	ReturnExchanged       = "return.exchanged"   // to the customer: the new unit is given
	PartOrderArrived      = "part_order.arrived" // to the customer: the parts they ordered at the counter arrived (到货通知)
)

// EventInfo describes an event type of the catalogue: the variables its templates may use,
// with sample values (used by previews and to validate a template when it is saved).
type EventInfo struct {
	Type        string            `json:"type"`
	Description string            `json:"description"`
	Vars        map[string]string `json:"sample_vars"`
}

// Class is the preference class of an event type: the part before the first dot
// ("sla.breached" -> "sla"). Customers opt out per channel and per class.
func Class(eventType string) string {
	c, _, _ := strings.Cut(eventType, ".")
	return c
}

// Catalogue lists the event types with templates, sorted by type.
func Catalogue() []EventInfo {
	out := make([]EventInfo, 0, len(catalogue))
	for _, e := range catalogue {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// Lookup returns the catalogue entry of an event type.
func Lookup(eventType string) (EventInfo, bool) {
	e, ok := catalogue[eventType]
	return e, ok
}

// commonVars are supplied by the notifier for every message (producers need not send them).
var commonVars = map[string]string{"tenant_name": "美的售后"}
