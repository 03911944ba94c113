package notify

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// OptOutChannels are the channels of an opt-out: each channel, or "*" for every channel.
var OptOutChannels = append(slices.Clip(Channels), "*")

// OptOut is one thing a customer does not want: a channel ("*": every channel) for an event
// class ("*": every class; classes are the event type's first part: order, appointment,
// parts, warranty, quote, sla, callback, compensation).
type OptOut struct {
	Channel    string `json:"channel"` // one of OptOutChannels
	EventClass string `json:"event_class" pattern:"^([a-z_]+|\\*)$" maxLength:"40" example:"order"`
}

// Preferences are a customer's opt-outs. Every message to them, SLA and quote messages
// included, respects them.
type Preferences struct {
	OptOuts []OptOut `json:"opt_outs" maxItems:"50"`
}

// Suppresses reports whether the preferences rule out channel for eventType.
func (p Preferences) Suppresses(channel, eventType string) bool {
	class := Class(eventType)
	return slices.ContainsFunc(p.OptOuts, func(o OptOut) bool {
		return (o.Channel == "*" || o.Channel == channel) && (o.EventClass == "*" || o.EventClass == class)
	})
}

// GetPreferences returns a customer's preferences (the customer must exist in the tenant).
func GetPreferences(ctx context.Context, tx *tenants.Tx, customerID uuid.UUID) (Preferences, error) {
	if _, err := tx.Q.CustomerContact(ctx, tx, db.CustomerContactParams{TenantID: tx.Scope.TenantID, ID: customerID}); err != nil {
		return Preferences{}, fault.DBError(err, "", "")
	}
	return preferences(ctx, tx, customerID)
}

func preferences(ctx context.Context, tx *tenants.Tx, customerID uuid.UUID) (Preferences, error) {
	rows, err := tx.Q.ListNotificationPreferences(ctx, tx, db.ListNotificationPreferencesParams{TenantID: tx.Scope.TenantID,
		CustomerID: customerID})
	if err != nil {
		return Preferences{}, fmt.Errorf("preferences: %w", err)
	}
	p := Preferences{OptOuts: make([]OptOut, len(rows))}
	for i, r := range rows {
		p.OptOuts[i] = OptOut{Channel: r.Channel, EventClass: r.EventClass}
	}
	return p, nil
}

// PutPreferences replaces a customer's opt-outs.
func PutPreferences(ctx context.Context, tx *tenants.Tx, customerID uuid.UUID, p Preferences) (Preferences, error) {
	before, err := GetPreferences(ctx, tx, customerID)
	if err != nil {
		return Preferences{}, err
	}
	if err := tx.Q.DeleteNotificationPreferences(ctx, tx, db.DeleteNotificationPreferencesParams{TenantID: tx.Scope.TenantID,
		CustomerID: customerID}); err != nil {
		return Preferences{}, fmt.Errorf("preferences: %w", err)
	}
	for _, o := range p.OptOuts {
		if err := tx.Q.InsertNotificationPreference(ctx, tx, db.InsertNotificationPreferenceParams{TenantID: tx.Scope.TenantID,
			CustomerID: customerID, Channel: o.Channel, EventClass: o.EventClass}); err != nil {
			return Preferences{}, fault.DBError(err, "", "")
		}
	}
	after, err := preferences(ctx, tx, customerID)
	if err != nil {
		return Preferences{}, err
	}
	return after, tx.Audit(ctx, "notification_preferences.update", "customer", customerID, before, after)
}
