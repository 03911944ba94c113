package tenants

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/platform"
)

// Audit appends an entry to the tenant's audit log in the same transaction as the change,
// so a change and its record commit or roll back together. before and after are marshalled
// to JSON; nil leaves the side empty (create, delete, login).
func (t *Tx) Audit(ctx context.Context, action, entity string, entityID uuid.UUID, before, after any) error {
	b, err := jsonOrNil(before)
	if err != nil {
		return err
	}
	a, err := jsonOrNil(after)
	if err != nil {
		return err
	}
	act := t.Scope.Actor
	var actorID, eid, outlet uuid.NullUUID
	if act.ID != uuid.Nil {
		actorID = uuid.NullUUID{UUID: act.ID, Valid: true}
	}
	if entityID != uuid.Nil {
		eid = uuid.NullUUID{UUID: entityID, Valid: true}
	}
	if t.Scope.OutletID != uuid.Nil {
		outlet = uuid.NullUUID{UUID: t.Scope.OutletID, Valid: true}
	}
	kind := act.Kind
	if kind == "" {
		kind = "system"
	}
	// Queued for the commit (Later): nothing reads an audit entry in the transaction that
	// wrote it.
	err = t.Q.InsertAudit(ctx, t.Later(), db.InsertAuditParams{
		TenantID: t.Scope.TenantID, ID: platform.NewID(), ActorKind: kind, ActorID: actorID,
		ActorLabel: act.Label, Action: action, Entity: entity, EntityID: eid, OutletID: outlet,
		Before: b, After: a, Ip: act.IP, UserAgent: act.UserAgent, RequestID: act.RequestID,
	})
	if err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

func jsonOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal audit value: %w", err)
	}
	return b, nil
}

// AuditRecord is one entry of the audit log as the scope may read it.
type AuditRecord struct {
	ID         uuid.UUID
	At         time.Time
	ActorKind  string
	ActorID    *uuid.UUID
	ActorLabel string
	Action     string
	Entity     string
	EntityID   *uuid.UUID
	OutletID   *uuid.UUID
	Before     json.RawMessage // nil when empty
	After      json.RawMessage
	IP         string
	UserAgent  string
	RequestID  string
}

// AuditFilter narrows the audit log; zero fields do not filter.
type AuditFilter struct {
	Before   uuid.NullUUID // cursor: entries older than this one
	Entity   string
	EntityID uuid.NullUUID
	Action   string
	ActorID  uuid.NullUUID
	Limit    int32
}

// ListAudit reads the audit log, newest first. For a scope that masks contacts, the phones,
// emails and street addresses recorded in entries' before and after (a customer's record,
// say) come masked, as they do wherever customers are read.
func ListAudit(ctx context.Context, tx *Tx, f AuditFilter) ([]AuditRecord, error) {
	rows, err := tx.Q.ListAudit(ctx, tx, db.ListAuditParams{TenantID: tx.Scope.TenantID, BeforeID: f.Before,
		Entity: optionalText(f.Entity), EntityID: f.EntityID, Action: optionalText(f.Action), ActorID: f.ActorID, Lim: f.Limit})
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	out := make([]AuditRecord, len(rows))
	for i, r := range rows {
		out[i] = AuditRecord{ID: r.ID, At: r.At, ActorKind: r.ActorKind, ActorID: nullable(r.ActorID), ActorLabel: r.ActorLabel,
			Action: r.Action, Entity: r.Entity, EntityID: nullable(r.EntityID), OutletID: nullable(r.OutletID),
			Before: r.Before, After: r.After, IP: r.Ip, UserAgent: r.UserAgent, RequestID: r.RequestID}
		if tx.Scope.MaskContacts {
			out[i].Before, out[i].After = maskContacts(r.Before), maskContacts(r.After)
		}
	}
	return out, nil
}

func optionalText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullable(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

// maskContacts masks, at any depth of a JSON document, the string values of keys that name
// contact data: those containing "phone" or "email", and "address".
func maskContacts(doc []byte) json.RawMessage {
	if len(doc) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return doc
	}
	b, err := json.Marshal(maskValue("", v))
	if err != nil {
		return doc
	}
	return b
}

func maskValue(key string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = maskValue(k, x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = maskValue(key, x)
		}
		return v
	case string:
		k := strings.ToLower(key)
		switch {
		case strings.Contains(k, "phone"):
			return access.MaskPhone(v)
		case strings.Contains(k, "email"):
			return access.MaskEmail(v)
		case k == "address":
			return access.MaskAddress(v)
		}
	}
	return v
}
