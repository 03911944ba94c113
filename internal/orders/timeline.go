package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Entry is one row of an order's timeline: who did what, when, from which status to which,
// and why. Public entries are what the customer sees on the tracking page and the portal.
type Entry struct {
	ID     uuid.UUID      `json:"id"`
	At     time.Time      `json:"at"`
	Actor  string         `json:"actor,omitempty" doc:"Who acted (omitted on the customer's view)"`
	Kind   string         `json:"kind" doc:"created, status, comment, entitlement, assignment, quote, appointment, completion, dispute, ..."`
	From   string         `json:"from,omitempty"`
	To     string         `json:"to,omitempty"`
	Reason string         `json:"reason,omitempty"`
	Public bool           `json:"public"`
	Data   map[string]any `json:"data,omitempty"`
}

// record appends entries to the order's timeline in tx, as tx's actor, in one statement.
func record(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, entries ...Entry) error {
	return recordOn(ctx, tx, tx, orderID, entries...)
}

// Record appends entries to an order's timeline in tx, as tx's actor, after checking the
// order is the tenant's. Other domains (the partner network's reports from a partner) use
// it to say on the order what happened elsewhere.
func Record(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, entries ...Entry) error {
	if _, err := lock(ctx, tx, orderID, 0); err != nil {
		return err
	}
	return record(ctx, tx, orderID, entries...)
}

// recordOn is record with the statement sent on q: tx, or tx.Later() when nothing in the
// transaction reads the entries back.
func recordOn(ctx context.Context, tx *tenants.Tx, q db.DBTX, orderID uuid.UUID, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	act := tx.Scope.Actor
	p := db.InsertOrderEventParams{TenantID: tx.Scope.TenantID, OrderID: orderID, ActorKind: act.Kind, ActorLabel: act.Label}
	if p.ActorKind == "" {
		p.ActorKind = "system"
	}
	if act.ID != uuid.Nil {
		p.ActorID = uuid.NullUUID{UUID: act.ID, Valid: true}
	}
	var rows tenants.MultiInsert // one statement for all the entries
	for _, e := range entries {
		data := []byte("{}")
		if len(e.Data) > 0 {
			var err error
			if data, err = json.Marshal(e.Data); err != nil {
				return fmt.Errorf("timeline data: %w", err)
			}
		}
		p.ID, p.Kind, p.FromStatus, p.ToStatus, p.Reason, p.Public, p.Data = platform.NewID(), e.Kind, e.From, e.To, e.Reason, e.Public, data
		if err := tx.Q.InsertOrderEvent(ctx, &rows, p); err != nil {
			return err
		}
	}
	if _, err := rows.Send(ctx, q); err != nil {
		return fmt.Errorf("write timeline: %w", err)
	}
	return nil
}

// Timeline lists an order's entries, oldest first; publicOnly gives the customer's view,
// without who acted internally and without internal data.
func Timeline(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, publicOnly bool) ([]Entry, error) {
	rows, err := tx.Q.ListOrderEvents(ctx, tx, db.ListOrderEventsParams{TenantID: tx.Scope.TenantID,
		OrderID: orderID, PublicOnly: publicOnly})
	if err != nil {
		return nil, fmt.Errorf("read timeline: %w", err)
	}
	out := make([]Entry, 0, len(rows))
	for _, r := range rows {
		e := Entry{ID: r.ID, At: r.At, Kind: r.Kind, From: r.FromStatus, To: r.ToStatus, Reason: r.Reason, Public: r.Public}
		if !publicOnly {
			e.Actor = r.ActorKind
			if r.ActorLabel != "" {
				e.Actor += ":" + r.ActorLabel
			}
			if len(r.Data) > 2 {
				_ = json.Unmarshal(r.Data, &e.Data)
			}
		} else if r.Kind == "comment" && len(r.Data) > 2 {
			var d map[string]any
			if json.Unmarshal(r.Data, &d) == nil {
				e.Data = map[string]any{"text": d["text"]}
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// Comment is a note on an order; public ones are shown to the customer.
type Comment struct {
	Text   string `json:"text" minLength:"1" maxLength:"4000"`
	Public bool   `json:"public,omitempty" doc:"Visible to the customer"`
}

// AddComment appends a comment to the timeline.
func (s *Service) AddComment(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, c Comment) (Entry, error) {
	if _, err := lock(ctx, tx, orderID, 0); err != nil {
		return Entry{}, err
	}
	if err := record(ctx, tx, orderID, Entry{Kind: "comment", Public: c.Public, Data: map[string]any{"text": c.Text}}); err != nil {
		return Entry{}, err
	}
	tl, err := Timeline(ctx, tx, orderID, false)
	if err != nil || len(tl) == 0 {
		return Entry{}, err
	}
	return tl[len(tl)-1], nil
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// CustomerView is what the customer sees of an order: its progress, not its internals.
type CustomerView struct {
	ID               uuid.UUID  `json:"id"`
	Number           string     `json:"number"`
	Type             string     `json:"type"`
	Status           string     `json:"status"`
	Serial           string     `json:"serial,omitempty"`
	FaultDescription string     `json:"fault_description"`
	Coverage         string     `json:"coverage,omitempty" doc:"The warranty class the order is served under"`
	Result           string     `json:"result,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	CompletedAt      *time.Time `json:"completed_at,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	Timeline         []Entry    `json:"timeline"`
}

// ForCustomer is the customer's view of o with its public timeline.
func (o Order) ForCustomer(timeline []Entry) CustomerView {
	if timeline == nil {
		timeline = []Entry{}
	}
	return CustomerView{ID: o.ID, Number: o.Number, Type: o.Type, Status: o.Status, Serial: o.Serial,
		FaultDescription: o.FaultDescription, Coverage: o.EntitlementClass, Result: o.Result, CreatedAt: o.CreatedAt,
		UpdatedAt: o.UpdatedAt, CompletedAt: o.CompletedAt, ClosedAt: o.ClosedAt, Timeline: timeline}
}
